variable "openai_api_key" {
  description = "Leave empty: the key is read from Secrets Manager at run time"
  type        = string
  default     = ""
  sensitive   = true
}

variable "example_access_key_id" {
  description = "Shape of an access key ID, as in the AWS documentation"
  type        = string
  default     = "AKIAIOSFODNN7EXAMPLE"
}

data "aws_secretsmanager_secret" "openai" {
  name = "prod/support-chat/openai"
}

resource "aws_lambda_function" "chat" {
  function_name = "support-chat"
  role          = aws_iam_role.chat.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "${path.module}/build/chat.zip"

  environment {
    variables = {
      OPENAI_API_KEY_SECRET_ARN = data.aws_secretsmanager_secret.openai.arn
      OPENAI_API_KEY            = var.openai_api_key
      ANTHROPIC_API_KEY         = "sk-ant-..."
      HF_TOKEN                  = "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      REQUIREMENTS              = "scikit-learn==1.5.1 sk-learn-extras"
    }
  }
}

resource "aws_instance" "batch_worker" {
  ami           = data.aws_ami.al2023.id
  instance_type = "t3.medium"

  user_data = <<-EOT
    #!/bin/bash
    export OPENAI_API_KEY="$(aws secretsmanager get-secret-value --secret-id prod/support-chat/openai --query SecretString --output text)"
    /opt/worker/bin/run-batch --queue summaries
  EOT
}
