# An OpenAI key in Secrets Manager that never rotates.
resource "aws_secretsmanager_secret" "openai" {
  name = "prod/openai-api-key"
}

# A secret with a neutral name whose JSON holds an Anthropic key, rotated once a year.
resource "aws_secretsmanager_secret" "llm" {
  name = "prod/chat-backend"
}

resource "aws_secretsmanager_secret_version" "llm" {
  secret_id = aws_secretsmanager_secret.llm.id
  secret_string = jsonencode({
    ANTHROPIC_API_KEY = var.anthropic_api_key
  })
}

resource "aws_secretsmanager_secret_rotation" "llm" {
  secret_id           = aws_secretsmanager_secret.llm.id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:111122223333:function:rotate-llm"

  rotation_rules {
    automatically_after_days = 365
  }
}

# Read by the ECS task as PINECONE_API_KEY.
resource "aws_secretsmanager_secret" "vector" {
  name = "prod/vector-store"
}

resource "aws_ecs_task_definition" "rag" {
  family = "rag"
  container_definitions = jsonencode([{
    name  = "rag"
    image = "rag:1"
    secrets = [{
      name      = "PINECONE_API_KEY"
      valueFrom = aws_secretsmanager_secret.vector.arn
    }]
  }])
}

variable "anthropic_api_key" {
  type      = string
  sensitive = true
}
