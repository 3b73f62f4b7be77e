resource "aws_iam_user" "ci" {
  name = "bedrock-ci"
}

resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}

resource "aws_secretsmanager_secret" "ci" {
  name = "ci/bedrock-access-key"
}

resource "aws_secretsmanager_secret_version" "ci" {
  secret_id = aws_secretsmanager_secret.ci.id
  secret_string = jsonencode({
    access_key_id     = aws_iam_access_key.ci.id
    secret_access_key = aws_iam_access_key.ci.secret
  })
}

output "ci_access_key_id" {
  value = aws_iam_access_key.ci.id
}

output "ci_secret_arn" {
  description = "Read the key pair from Secrets Manager"
  value       = aws_secretsmanager_secret.ci.arn
}

resource "azurerm_cognitive_account" "openai" {
  name                  = "acme-openai-prod"
  location              = "swedencentral"
  resource_group_name   = "rg-ai-prod"
  kind                  = "OpenAI"
  sku_name              = "S0"
  custom_subdomain_name = "acme-openai-prod"
}

output "openai_endpoint" {
  value = azurerm_cognitive_account.openai.endpoint
}

output "openai_primary_key" {
  description = "For the legacy batch job; consumers read it with terraform output -raw"
  value       = azurerm_cognitive_account.openai.primary_access_key
  sensitive   = true
}

resource "google_apikeys_key" "gemini" {
  name         = "gemini-batch"
  display_name = "Gemini API (batch)"

  restrictions {
    api_targets {
      service = "generativelanguage.googleapis.com"
    }
    server_key_restrictions {
      allowed_ips = ["203.0.113.10/32"]
    }
  }
}

output "gemini_api_key_name" {
  value = google_apikeys_key.gemini.name
}

output "gemini_api_key" {
  value     = google_apikeys_key.gemini.key_string
  sensitive = true
}
