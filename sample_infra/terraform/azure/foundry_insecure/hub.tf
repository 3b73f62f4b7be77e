# An AI Foundry hub left on its defaults: public network access and no outbound isolation.
resource "azurerm_ai_foundry" "hub" {
  name                = "aif-rag-dev"
  location            = azurerm_resource_group.rag.location
  resource_group_name = azurerm_resource_group.rag.name
  storage_account_id  = azurerm_storage_account.hub.id
  key_vault_id        = azurerm_key_vault.rag.id

  identity {
    type = "SystemAssigned"
  }
}

# A project has no network setting of its own: it inherits the hub's.
resource "azurerm_ai_foundry_project" "chat" {
  name               = "chat"
  location           = azurerm_ai_foundry.hub.location
  ai_services_hub_id = azurerm_ai_foundry.hub.id

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.chat.id]
  }
}

resource "azurerm_user_assigned_identity" "chat" {
  name                = "id-chat-dev"
  location            = azurerm_resource_group.rag.location
  resource_group_name = azurerm_resource_group.rag.name
}

# "So the project can create what it needs": the project identity can now change any resource
# in the group and grant access to anyone.
resource "azurerm_role_assignment" "chat_owner" {
  scope                = azurerm_resource_group.rag.id
  role_definition_name = "Owner"
  principal_id         = azurerm_user_assigned_identity.chat.principal_id
}

resource "azurerm_role_assignment" "hub_access_admin" {
  scope              = azurerm_resource_group.rag.id
  role_definition_id = "/providers/Microsoft.Authorization/roleDefinitions/18d7d88d-d35e-4fb1-a5c3-7773c20a72d9"
  principal_id       = azurerm_ai_foundry.hub.identity[0].principal_id
}

# Not counted: Microsoft's hub setup may need Contributor for the hub's own identity.
resource "azurerm_role_assignment" "hub_contributor" {
  scope                = azurerm_resource_group.rag.id
  role_definition_name = "Contributor"
  principal_id         = azurerm_ai_foundry.hub.identity[0].principal_id
}

resource "azurerm_role_assignment" "chat_blob_data" {
  scope                = azurerm_storage_account.hub.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.chat.principal_id
}

resource "azurerm_role_assignment" "chat_blob_owner" {
  scope                = azurerm_storage_account.hub.id
  role_definition_name = "Storage Blob Data Owner"
  principal_id         = azurerm_user_assigned_identity.chat.principal_id
}
