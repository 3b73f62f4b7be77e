# Invocation logging is declared, but with prompt and response text switched off
# "to save on log storage": the records say a model was called, not what it was asked.

resource "aws_cloudwatch_log_group" "bedrock" {
  name              = "/aws/bedrock/invocations"
  retention_in_days = 90
}

resource "aws_bedrock_model_invocation_logging_configuration" "this" {
  logging_config {
    text_data_delivery_enabled      = false
    image_data_delivery_enabled     = false
    embedding_data_delivery_enabled = false

    cloudwatch_config {
      log_group_name = aws_cloudwatch_log_group.bedrock.name
      role_arn       = var.logging_role_arn
    }
  }
}

variable "logging_role_arn" {
  type = string
}

resource "aws_iam_policy" "summarizer" {
  name = "summarizer-invoke"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "bedrock:InvokeModel"
      Resource = "arn:aws:bedrock:eu-central-1::foundation-model/amazon.nova-lite-v1:0"
    }]
  })
}
