resource "azurerm_cognitive_account" "this" {
  name                               = var.name
  location                           = var.location
  resource_group_name                = var.resource_group_name
  kind                               = "OpenAI"
  sku_name                           = "S0"
  custom_subdomain_name              = var.name
  local_auth_enabled                 = var.local_auth_enabled
  public_network_access_enabled      = var.public_network_access_enabled
  outbound_network_access_restricted = var.outbound_network_access_restricted
  fqdns                              = var.allowed_fqdns

  dynamic "network_acls" {
    for_each = var.network_acls == null ? [] : [var.network_acls]
    content {
      default_action = network_acls.value.default_action
      ip_rules       = network_acls.value.ip_rules
    }
  }

  identity {
    type         = "UserAssigned"
    identity_ids = [var.user_assigned_identity_id]
  }

  customer_managed_key {
    key_vault_key_id   = var.customer_managed_key.key_vault_key_id
    identity_client_id = var.customer_managed_key.identity_client_id
  }
}

resource "azurerm_cognitive_account" "embeddings" {
  name                               = "${var.name}-emb"
  location                           = var.location
  resource_group_name                = var.resource_group_name
  kind                               = "OpenAI"
  sku_name                           = "S0"
  custom_subdomain_name              = "${var.name}-emb"
  local_auth_enabled                 = var.embeddings_local_auth_enabled
  public_network_access_enabled      = false
  outbound_network_access_restricted = true

  identity {
    type         = "UserAssigned"
    identity_ids = [var.user_assigned_identity_id]
  }

  customer_managed_key {
    key_vault_key_id   = var.customer_managed_key.key_vault_key_id
    identity_client_id = var.customer_managed_key.identity_client_id
  }
}

resource "azurerm_monitor_diagnostic_setting" "this" {
  for_each = {
    chat       = azurerm_cognitive_account.this.id
    embeddings = azurerm_cognitive_account.embeddings.id
  }

  name                       = "diag-${each.key}"
  target_resource_id         = each.value
  log_analytics_workspace_id = var.log_analytics_workspace_id

  dynamic "enabled_log" {
    for_each = ["Audit", "RequestResponse"]
    content {
      category = enabled_log.value
    }
  }
}
