resource "azurerm_key_vault" "ai" {
  name                       = "kv-chat-${var.environment}"
  location                   = azurerm_resource_group.ai.location
  resource_group_name        = azurerm_resource_group.ai.name
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  sku_name                   = "premium"
  purge_protection_enabled   = true
  soft_delete_retention_days = 90
  rbac_authorization_enabled = true
}

resource "azurerm_key_vault_key" "openai" {
  name         = "cmk-oai-chat"
  key_vault_id = azurerm_key_vault.ai.id
  key_type     = "RSA-HSM"
  key_size     = 3072
  key_opts     = ["wrapKey", "unwrapKey"]
}

resource "azurerm_role_assignment" "openai_key_access" {
  scope                = azurerm_key_vault.ai.id
  role_definition_name = "Key Vault Crypto Service Encryption User"
  principal_id         = azurerm_user_assigned_identity.openai.principal_id
}

resource "azurerm_cognitive_account_customer_managed_key" "openai" {
  cognitive_account_id = azurerm_cognitive_account.openai.id
  key_vault_key_id     = azurerm_key_vault_key.openai.id
  identity_client_id   = azurerm_user_assigned_identity.openai.client_id

  depends_on = [azurerm_role_assignment.openai_key_access]
}
