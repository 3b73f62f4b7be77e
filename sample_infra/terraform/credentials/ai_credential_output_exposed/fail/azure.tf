resource "azurerm_cognitive_account" "openai" {
  name                  = "acme-openai-prod"
  location              = "swedencentral"
  resource_group_name   = "rg-ai-prod"
  kind                  = "OpenAI"
  sku_name              = "S0"
  custom_subdomain_name = "acme-openai-prod"
}

output "openai_connection" {
  value = {
    endpoint = azurerm_cognitive_account.openai.endpoint
    api_key  = azurerm_cognitive_account.openai.primary_access_key
  }
}
