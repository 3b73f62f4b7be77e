resource "azurerm_service_plan" "chat" {
  name                = "asp-chat-${var.environment}"
  location            = azurerm_resource_group.ai.location
  resource_group_name = azurerm_resource_group.ai.name
  os_type             = "Linux"
  sku_name            = "P1v3"
}

resource "azurerm_linux_web_app" "chat" {
  name                      = "app-chat-${var.environment}"
  location                  = azurerm_resource_group.ai.location
  resource_group_name       = azurerm_resource_group.ai.name
  service_plan_id           = azurerm_service_plan.chat.id
  https_only                = true
  virtual_network_subnet_id = var.app_integration_subnet_id

  identity {
    type = "SystemAssigned"
  }

  site_config {
    vnet_route_all_enabled = true
    application_stack {
      python_version = "3.12"
    }
  }

  # The app signs in with its managed identity (DefaultAzureCredential): no key to leak.
  app_settings = {
    AZURE_OPENAI_ENDPOINT   = azurerm_cognitive_account.openai.endpoint
    AZURE_OPENAI_DEPLOYMENT = azurerm_cognitive_deployment.gpt4o.name
  }
}

resource "azurerm_role_assignment" "chat_openai_user" {
  scope                = azurerm_cognitive_account.openai.id
  role_definition_name = "Cognitive Services OpenAI User"
  principal_id         = azurerm_linux_web_app.chat.identity[0].principal_id
}
