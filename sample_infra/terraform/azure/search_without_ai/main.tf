# A site search with key authentication, in a configuration with no AI resource: the index
# feeds no model here, so AIA311 does not apply.
resource "azurerm_search_service" "site" {
  name                = "srch-website"
  location            = "westeurope"
  resource_group_name = "rg-website"
  sku                 = "basic"
}
