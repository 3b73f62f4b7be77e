resource "azapi_resource" "rg" {
  type      = "Microsoft.Resources/resourceGroups@2024-03-01"
  name      = "rg-${var.name_prefix}"
  parent_id = "/subscriptions/${var.subscription_id}"
  location  = var.location
}

resource "azapi_resource" "log_analytics" {
  type      = "Microsoft.OperationalInsights/workspaces@2023-09-01"
  name      = "log-${var.name_prefix}"
  parent_id = azapi_resource.rg.id
  location  = var.location
  body = {
    properties = {
      sku             = { name = "PerGB2018" }
      retentionInDays = 90
    }
  }
}

resource "azapi_resource" "identity" {
  type      = "Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31"
  name      = "id-${var.name_prefix}-ai"
  parent_id = azapi_resource.rg.id
  location  = var.location
  response_export_values = ["properties.clientId", "properties.principalId"]
}

resource "azurerm_container_app_environment" "agents" {
  name                       = "cae-${var.name_prefix}"
  location                   = var.location
  resource_group_name        = azapi_resource.rg.name
  log_analytics_workspace_id = azapi_resource.log_analytics.id
}
