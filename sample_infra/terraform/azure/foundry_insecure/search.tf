# The RAG index: admin and query keys still work on both services.
resource "azurerm_search_service" "docs" {
  name                = "srch-rag-docs-dev"
  location            = azurerm_resource_group.rag.location
  resource_group_name = azurerm_resource_group.rag.name
  sku                 = "standard"
}

resource "azapi_resource" "search_tickets" {
  type      = "Microsoft.Search/searchServices@2023-11-01"
  name      = "srch-rag-tickets-dev"
  location  = azurerm_resource_group.rag.location
  parent_id = azurerm_resource_group.rag.id
  body = {
    sku = { name = "basic" }
    properties = {
      disableLocalAuth = false
      replicaCount     = 1
    }
  }
}

resource "azurerm_service_plan" "indexer" {
  name                = "asp-rag-indexer-dev"
  location            = azurerm_resource_group.rag.location
  resource_group_name = azurerm_resource_group.rag.name
  os_type             = "Linux"
  sku_name            = "B1"
}

resource "azurerm_linux_web_app" "indexer" {
  name                = "app-rag-indexer-dev"
  location            = azurerm_resource_group.rag.location
  resource_group_name = azurerm_resource_group.rag.name
  service_plan_id     = azurerm_service_plan.indexer.id

  site_config {}

  app_settings = {
    SEARCH_ENDPOINT  = "https://${azurerm_search_service.docs.name}.search.windows.net"
    SEARCH_ADMIN_KEY = azurerm_search_service.docs.primary_key
  }
}
