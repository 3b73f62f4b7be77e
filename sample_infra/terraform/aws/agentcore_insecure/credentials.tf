# Third-party AI keys the agent's tools use, set where Terraform keeps them in state (AIA504).
variable "openai_api_key" {
  type      = string
  sensitive = true
}

variable "crm_client_secret" {
  type      = string
  sensitive = true
}

resource "aws_bedrockagentcore_api_key_credential_provider" "openai" {
  name    = "openai"
  api_key = var.openai_api_key
}

resource "aws_bedrockagentcore_oauth2_credential_provider" "crm" {
  name                       = "crm"
  credential_provider_vendor = "CustomOauth2"

  oauth2_provider_config {
    custom_oauth2_provider_config {
      client_id     = "support-agent"
      client_secret = var.crm_client_secret

      oauth_discovery {
        discovery_url = "https://crm.example.com/.well-known/openid-configuration"
      }
    }
  }
}

resource "awscc_bedrockagentcore_api_key_credential_provider" "search" {
  name    = "search"
  api_key = var.openai_api_key
}

resource "awscc_bedrockagentcore_o_auth_2_credential_provider" "crm_awscc" {
  name                       = "crm_awscc"
  credential_provider_vendor = "CustomOauth2"
  oauth_2_provider_config_input = {
    custom_oauth_2_provider_config = {
      client_id     = "support-agent"
      client_secret = var.crm_client_secret
      oauth_discovery = {
        discovery_url = "https://crm.example.com/.well-known/openid-configuration"
      }
    }
  }
}
