variable "location" {
  type    = string
  default = "swedencentral"
}

resource "azurerm_resource_group" "rag" {
  name     = "rg-rag-dev"
  location = var.location
}

resource "azurerm_storage_account" "hub" {
  name                     = "stragdevhub"
  location                 = azurerm_resource_group.rag.location
  resource_group_name      = azurerm_resource_group.rag.name
  account_tier             = "Standard"
  account_replication_type = "LRS"
}

resource "azurerm_key_vault" "rag" {
  name                = "kv-rag-dev"
  location            = azurerm_resource_group.rag.location
  resource_group_name = azurerm_resource_group.rag.name
  tenant_id           = "00000000-0000-0000-0000-000000000000"
  sku_name            = "standard"
}
