data "azurerm_client_config" "current" {}

resource "azurerm_resource_group" "ai" {
  name     = "rg-chat-${var.environment}"
  location = var.location
}

resource "azurerm_user_assigned_identity" "openai" {
  name                = "id-oai-chat-${var.environment}"
  location            = azurerm_resource_group.ai.location
  resource_group_name = azurerm_resource_group.ai.name
}

resource "azurerm_cognitive_account" "openai" {
  name                  = "oai-chat-${var.environment}"
  location              = azurerm_resource_group.ai.location
  resource_group_name   = azurerm_resource_group.ai.name
  kind                  = "OpenAI"
  sku_name              = "S0"
  custom_subdomain_name = "oai-chat-${var.environment}"

  local_auth_enabled                 = false
  public_network_access_enabled      = false
  outbound_network_access_restricted = true
  fqdns                              = []

  network_acls {
    default_action = "Deny"
    bypass         = "AzureServices"
  }

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.openai.id]
  }

  lifecycle {
    ignore_changes = [customer_managed_key]
  }
}

resource "azurerm_cognitive_deployment" "gpt4o" {
  name                 = "gpt-4o"
  cognitive_account_id = azurerm_cognitive_account.openai.id

  model {
    format  = "OpenAI"
    name    = "gpt-4o"
    version = "2024-11-20"
  }

  sku {
    name     = "GlobalStandard"
    capacity = 50
  }
}

resource "azurerm_private_endpoint" "openai" {
  name                = "pe-oai-chat-${var.environment}"
  location            = azurerm_resource_group.ai.location
  resource_group_name = azurerm_resource_group.ai.name
  subnet_id           = var.private_endpoint_subnet_id

  private_service_connection {
    name                           = "oai-chat"
    private_connection_resource_id = azurerm_cognitive_account.openai.id
    subresource_names              = ["account"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "openai"
    private_dns_zone_ids = [var.openai_private_dns_zone_id]
  }
}
