locals {
  openai_key = azurerm_cognitive_account.openai.primary_access_key
}

resource "azurerm_service_plan" "chat" {
  name                = "asp-chat-${var.environment}"
  location            = azurerm_resource_group.ai.location
  resource_group_name = azurerm_resource_group.ai.name
  os_type             = "Linux"
  sku_name            = "P0v3"
}

resource "azurerm_linux_web_app" "chat" {
  name                = "app-chat-${var.environment}"
  location            = azurerm_resource_group.ai.location
  resource_group_name = azurerm_resource_group.ai.name
  service_plan_id     = azurerm_service_plan.chat.id
  https_only          = true

  site_config {
    application_stack {
      python_version = "3.12"
    }
  }

  app_settings = {
    AZURE_OPENAI_ENDPOINT   = azurerm_cognitive_account.openai.endpoint
    AZURE_OPENAI_API_KEY    = local.openai_key
    AZURE_OPENAI_DEPLOYMENT = azurerm_cognitive_deployment.gpt4o.name
  }
}

resource "azurerm_container_group" "indexer" {
  name                = "aci-indexer-${var.environment}"
  location            = azurerm_resource_group.ai.location
  resource_group_name = azurerm_resource_group.ai.name
  os_type             = "Linux"
  ip_address_type     = "None"

  container {
    name   = "indexer"
    image  = "ghcr.io/contoso/rag-indexer:1.4.2"
    cpu    = 1
    memory = 2

    environment_variables = {
      AZURE_OPENAI_ENDPOINT = azurerm_cognitive_account.openai.endpoint
      AZURE_OPENAI_KEY      = azurerm_cognitive_account.openai.secondary_access_key
    }
  }
}
