# Entra ID only, private, encrypted with our key, fully logged; prompt shields block.
resource "azurerm_cognitive_account" "openai" {
  name                               = "oai-rag-prod"
  location                           = azurerm_resource_group.rag.location
  resource_group_name                = azurerm_resource_group.rag.name
  kind                               = "OpenAI"
  sku_name                           = "S0"
  custom_subdomain_name              = "oai-rag-prod"
  local_auth_enabled                 = false
  public_network_access_enabled      = false
  outbound_network_access_restricted = true
  fqdns                              = ["srch-rag-docs-prod.search.windows.net"]

  customer_managed_key {
    key_vault_key_id = "https://kv-rag-prod.vault.azure.net/keys/cmk/0123456789abcdef0123456789abcdef"
  }
}

resource "azurerm_monitor_diagnostic_setting" "openai" {
  name                       = "to-law"
  target_resource_id         = azurerm_cognitive_account.openai.id
  log_analytics_workspace_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ops/providers/Microsoft.OperationalInsights/workspaces/law-ops"

  enabled_log {
    category_group = "allLogs"
  }
}

resource "azurerm_cognitive_account_rai_policy" "strict" {
  name                 = "strict"
  cognitive_account_id = azurerm_cognitive_account.openai.id
  base_policy_name     = "Microsoft.Default"
  mode                 = "Asynchronous_filter"

  content_filter {
    name               = "Jailbreak"
    filter_enabled     = true
    block_enabled      = true
    severity_threshold = "High"
    source             = "Prompt"
  }

  content_filter {
    name               = "Indirect Attack"
    filter_enabled     = true
    block_enabled      = true
    severity_threshold = "High"
    source             = "Prompt"
  }

  # Harm-category thresholds are content-safety tuning, not prompt shields.
  content_filter {
    name               = "Violence"
    filter_enabled     = true
    block_enabled      = false
    severity_threshold = "High"
    source             = "Completion"
  }
}

resource "azurerm_cognitive_deployment" "chat" {
  name                 = "gpt-4o"
  cognitive_account_id = azurerm_cognitive_account.openai.id
  rai_policy_name      = azurerm_cognitive_account_rai_policy.strict.name

  model {
    format  = "OpenAI"
    name    = "gpt-4o"
    version = "2024-11-20"
  }

  sku {
    name = "Standard"
  }
}
