# Third-party keys expire, and are rotated at the provider before they do.
resource "azurerm_key_vault_secret" "anthropic" {
  name             = "anthropic-api-key"
  value_wo         = var.anthropic_api_key
  value_wo_version = 3
  key_vault_id     = azurerm_key_vault.rag.id
  expiration_date  = "2026-12-31T00:00:00Z"
}

variable "anthropic_api_key" {
  type      = string
  sensitive = true
  ephemeral = true
}
