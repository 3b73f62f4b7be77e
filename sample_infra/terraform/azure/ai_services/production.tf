# Production AI Services account (azurerm 4.x `azurerm_ai_services`): Entra ID only,
# private, outbound locked down, encrypted with our own key, fully logged.
resource "azurerm_ai_services" "production" {
  name                               = "ais-${var.name_prefix}-prod"
  location                           = azurerm_resource_group.ai.location
  resource_group_name                = azurerm_resource_group.ai.name
  sku_name                           = "S0"
  custom_subdomain_name              = "ais-${var.name_prefix}-prod"
  local_authentication_enabled       = false
  public_network_access              = "Disabled"
  outbound_network_access_restricted = true
  fqdns                              = ["st${var.name_prefix}prod.blob.core.windows.net"]

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.ai.id]
  }

  network_acls {
    default_action = "Deny"
    bypass         = "AzureServices"
  }

  customer_managed_key {
    key_vault_key_id   = var.cmk_key_vault_key_id
    identity_client_id = azurerm_user_assigned_identity.ai.client_id
  }
}

resource "azurerm_monitor_diagnostic_setting" "production" {
  name                       = "send-to-log-analytics"
  target_resource_id         = azurerm_ai_services.production.id
  log_analytics_workspace_id = azurerm_log_analytics_workspace.ai.id

  enabled_log {
    category_group = "allLogs"
  }

  metric {
    category = "AllMetrics"
  }
}

resource "azurerm_linux_function_app" "extract" {
  name                          = "func-${var.name_prefix}-extract"
  location                      = azurerm_resource_group.ai.location
  resource_group_name           = azurerm_resource_group.ai.name
  service_plan_id               = azurerm_service_plan.functions.id
  storage_account_name          = "st${var.name_prefix}func"
  storage_uses_managed_identity = true

  identity {
    type = "SystemAssigned"
  }

  site_config {}

  app_settings = {
    AZURE_AI_SERVICES_ENDPOINT = azurerm_ai_services.production.endpoint
  }
}

resource "azurerm_role_assignment" "extract_ai_user" {
  scope                = azurerm_ai_services.production.id
  role_definition_name = "Cognitive Services User"
  principal_id         = azurerm_linux_function_app.extract.identity[0].principal_id
}
