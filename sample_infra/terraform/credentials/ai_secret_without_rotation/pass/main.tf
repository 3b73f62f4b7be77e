# AI keys rotated every 30 days / 90 days / expiring; and secrets that are not AI secrets.
resource "aws_secretsmanager_secret" "openai" {
  name = "prod/openai-api-key"
}

resource "aws_secretsmanager_secret_rotation" "openai" {
  secret_id           = aws_secretsmanager_secret.openai.id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:111122223333:function:rotate-openai"

  rotation_rules {
    schedule_expression = "rate(30 days)"
  }
}

resource "aws_secretsmanager_secret" "db" {
  name = "prod/db-password"
}

resource "google_secret_manager_secret" "gemini" {
  secret_id = "gemini-api-key"
  replication {
    auto {}
  }
  rotation {
    rotation_period    = "7776000s"
    next_rotation_time = "2026-06-01T00:00:00Z"
  }
  topics {
    name = "projects/p/topics/rotate"
  }
}

resource "google_secret_manager_secret" "webhook" {
  secret_id = "billing-webhook-token"
  replication {
    auto {}
  }
}

resource "azurerm_key_vault_secret" "openai" {
  name            = "openai-api-key"
  value_wo        = var.openai_api_key
  key_vault_id    = var.key_vault_id
  expiration_date = timeadd(plantimestamp(), "2160h")
}

variable "openai_api_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "key_vault_id" {
  type = string
}
