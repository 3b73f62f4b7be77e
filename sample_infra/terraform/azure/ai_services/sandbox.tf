# Sandbox account from the quick start: keys on, open firewall, Microsoft-managed
# encryption, outbound unrestricted, and only audit logs.
resource "azurerm_ai_services" "sandbox" {
  name                         = "ais-${var.name_prefix}-sandbox"
  location                     = azurerm_resource_group.ai.location
  resource_group_name          = azurerm_resource_group.ai.name
  sku_name                     = "S0"
  custom_subdomain_name        = "ais-${var.name_prefix}-sandbox"
  local_authentication_enabled = true
  public_network_access        = "Enabled"

  network_acls {
    default_action = "Allow"
  }
}

resource "azurerm_monitor_diagnostic_setting" "sandbox" {
  name                       = "audit-only"
  target_resource_id         = azurerm_ai_services.sandbox.id
  log_analytics_workspace_id = azurerm_log_analytics_workspace.ai.id

  enabled_log {
    category = "Audit"
  }
}

resource "azurerm_linux_function_app" "extract_sandbox" {
  name                          = "func-${var.name_prefix}-extract-sandbox"
  location                      = azurerm_resource_group.ai.location
  resource_group_name           = azurerm_resource_group.ai.name
  service_plan_id               = azurerm_service_plan.functions.id
  storage_account_name          = "st${var.name_prefix}sbx"
  storage_uses_managed_identity = true

  site_config {}

  app_settings = {
    AZURE_AI_SERVICES_ENDPOINT = azurerm_ai_services.sandbox.endpoint
    AZURE_AI_SERVICES_KEY      = azurerm_ai_services.sandbox.primary_access_key
  }
}

# The data science team may use (and list the keys of) every AI account in the group.
resource "azurerm_role_assignment" "data_science_ai" {
  scope                = azurerm_resource_group.ai.id
  role_definition_name = "Cognitive Services Contributor"
  principal_id         = var.data_science_group_object_id
}
