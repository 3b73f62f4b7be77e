# The hub is private, and its projects' compute reaches approved destinations only.
resource "azurerm_ai_foundry" "hub" {
  name                  = "aif-rag-prod"
  location              = azurerm_resource_group.rag.location
  resource_group_name   = azurerm_resource_group.rag.name
  storage_account_id    = azurerm_storage_account.hub.id
  key_vault_id          = azurerm_key_vault.rag.id
  public_network_access = "Disabled"

  managed_network {
    isolation_mode = "AllowOnlyApprovedOutbound"
  }

  identity {
    type = "SystemAssigned"
  }
}

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
  name                = "id-chat-prod"
  location            = azurerm_resource_group.rag.location
  resource_group_name = azurerm_resource_group.rag.name
}

# Data-plane roles only: the project reads the index and the documents.
resource "azurerm_role_assignment" "chat_search_reader" {
  scope                = azurerm_search_service.docs.id
  role_definition_name = "Search Index Data Reader"
  principal_id         = azurerm_user_assigned_identity.chat.principal_id
}

resource "azurerm_role_assignment" "chat_blob_data" {
  scope                = azurerm_storage_account.hub.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.chat.principal_id
}

# The hub's own identity may need Contributor on its resource group.
resource "azurerm_role_assignment" "hub_contributor" {
  scope                = azurerm_resource_group.rag.id
  role_definition_name = "Contributor"
  principal_id         = azurerm_ai_foundry.hub.identity[0].principal_id
}
