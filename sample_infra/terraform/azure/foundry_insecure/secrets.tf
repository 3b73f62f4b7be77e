# Keys kept in Key Vault for the chat app, with no expiry.
resource "azurerm_key_vault_secret" "search_admin_key" {
  name         = "search-admin"
  value        = azurerm_search_service.docs.primary_key
  key_vault_id = azurerm_key_vault.rag.id
}

resource "azurerm_key_vault_secret" "anthropic" {
  name         = "anthropic-api-key"
  value        = var.anthropic_api_key
  key_vault_id = azurerm_key_vault.rag.id
}

# Not an AI secret: a database password.
resource "azurerm_key_vault_secret" "db" {
  name         = "sql-admin-password"
  value        = var.sql_admin_password
  key_vault_id = azurerm_key_vault.rag.id
}

variable "anthropic_api_key" {
  type      = string
  sensitive = true
}

variable "sql_admin_password" {
  type      = string
  sensitive = true
}
