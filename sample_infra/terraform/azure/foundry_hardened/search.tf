# Entra ID only: the application and the project use their managed identities.
resource "azurerm_search_service" "docs" {
  name                         = "srch-rag-docs-prod"
  location                     = azurerm_resource_group.rag.location
  resource_group_name          = azurerm_resource_group.rag.name
  sku                          = "standard"
  local_authentication_enabled = false
}

resource "azapi_resource" "search_tickets" {
  type      = "Microsoft.Search/searchServices@2023-11-01"
  name      = "srch-rag-tickets-prod"
  location  = azurerm_resource_group.rag.location
  parent_id = azurerm_resource_group.rag.id
  body = {
    sku = { name = "basic" }
    properties = {
      disableLocalAuth = true
      replicaCount     = 2
    }
  }
}
