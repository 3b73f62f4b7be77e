terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
  }
}

provider "aws" {
  region     = "us-east-1"
  access_key = var.aws_access_key_id
  secret_key = var.aws_secret_access_key
}

locals {
  hf_token = "hf_S2aQnjUHc6LZQ9SMDcEVV8bOhUVXoqmaQz"
  tags = {
    team    = "support-ai"
    service = "chat"
  }
}

resource "aws_lambda_function" "chat" {
  function_name = "support-chat"
  role          = aws_iam_role.chat.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "${path.module}/build/chat.zip"
  timeout       = 30

  environment {
    variables = {
      OPENAI_API_KEY    = "sk-proj-RHtUVQcDMpg0TMkxpdzPaEMM1ZA7V0FhHVJWDBt2hWdQZUm14QhoxhLPAbQcEFUV2fsjGHb6HrlEOS47WgjKCu-0xxKhg5QjWV1mKaUyvBPs0jSO2Jkf08MMF1ulMMCw3XVy27dFanUrOSE62chn4xdeJg1K"
      ANTHROPIC_API_KEY = var.anthropic_api_key
      HF_TOKEN          = local.hf_token
      OPENAI_MODEL      = "gpt-4o-mini"
    }
  }

  tags = local.tags
}

resource "aws_instance" "batch_worker" {
  ami           = data.aws_ami.al2023.id
  instance_type = "t3.medium"

  user_data = <<-EOT
    #!/bin/bash
    set -euo pipefail
    export OPENAI_API_KEY=sk-E4ftUvXQIChPnlnhG2BqxLHmAuMe57l9JuO4iIhOvqiZnCxh
    /opt/worker/bin/run-batch --queue summaries
  EOT

  tags = local.tags
}
