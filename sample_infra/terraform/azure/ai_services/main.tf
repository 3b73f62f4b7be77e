resource "azurerm_resource_group" "ai" {
  name     = "rg-${var.name_prefix}"
  location = var.location
}

resource "azurerm_log_analytics_workspace" "ai" {
  name                = "log-${var.name_prefix}"
  location            = azurerm_resource_group.ai.location
  resource_group_name = azurerm_resource_group.ai.name
  sku                 = "PerGB2018"
  retention_in_days   = 90
}

resource "azurerm_user_assigned_identity" "ai" {
  name                = "id-${var.name_prefix}-ai"
  location            = azurerm_resource_group.ai.location
  resource_group_name = azurerm_resource_group.ai.name
}

resource "azurerm_service_plan" "functions" {
  name                = "asp-${var.name_prefix}"
  location            = azurerm_resource_group.ai.location
  resource_group_name = azurerm_resource_group.ai.name
  os_type             = "Linux"
  sku_name            = "EP1"
}
