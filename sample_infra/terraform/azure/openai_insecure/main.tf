resource "azurerm_resource_group" "ai" {
  name     = "rg-chat-${var.environment}"
  location = var.location
}

# Quick-start account: keys on, reachable from anywhere, Microsoft-managed encryption.
resource "azurerm_cognitive_account" "openai" {
  name                  = "oai-chat-${var.environment}"
  location              = azurerm_resource_group.ai.location
  resource_group_name   = azurerm_resource_group.ai.name
  kind                  = "OpenAI"
  sku_name              = "S0"
  custom_subdomain_name = "oai-chat-${var.environment}"

  tags = {
    workload = "chat"
  }
}

resource "azurerm_cognitive_deployment" "gpt4o" {
  name                 = "gpt-4o"
  cognitive_account_id = azurerm_cognitive_account.openai.id

  model {
    format  = "OpenAI"
    name    = "gpt-4o"
    version = "2024-11-20"
  }

  sku {
    name     = "GlobalStandard"
    capacity = 50
  }
}

# The whole team can use every AI account in the resource group.
resource "azurerm_role_assignment" "developers_openai" {
  scope                = azurerm_resource_group.ai.id
  role_definition_name = "Cognitive Services OpenAI Contributor"
  principal_id         = var.developers_group_object_id
}
