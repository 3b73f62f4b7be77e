"""AIA301-AIA307: Azure OpenAI / AI Services checks on Terraform (azurerm and azapi)."""

from __future__ import annotations

import inspect

import pytest

from aiaas_iac.engine import load_checks
from conftest import SAMPLES, scan_dir, triples

AZURE = SAMPLES / "terraform" / "azure"

OPENAI_ACCOUNT = '''
resource "azurerm_cognitive_account" "openai" {
  name                = "oai-chat-prod"
  location            = "swedencentral"
  resource_group_name = "rg-chat-prod"
  kind                = "OpenAI"
  sku_name            = "S0"
%s
}
'''

HARDENED_SETTINGS = '''
  local_auth_enabled                 = false
  public_network_access_enabled      = false
  outbound_network_access_restricted = true
  fqdns                              = []
  customer_managed_key {
    key_vault_key_id = "https://kv-chat.vault.azure.net/keys/cmk/0123456789abcdef0123456789abcdef"
  }
'''

ALL_LOGS = '''
resource "azurerm_monitor_diagnostic_setting" "openai" {
  name                       = "to-law"
  target_resource_id         = azurerm_cognitive_account.openai.id
  log_analytics_workspace_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ops/providers/Microsoft.OperationalInsights/workspaces/law-ops"
  enabled_log {
    category_group = "allLogs"
  }
}
'''


def account(settings: str = "") -> str:
    return OPENAI_ACCOUNT % settings


def codes(report, code: str) -> set[tuple[str, str, int]]:
    return triples(report, code)


# --- sample_infra scenarios -------------------------------------------------------------

def test_insecure_quick_start_fires_every_azure_check():
    report = scan_dir(AZURE / "openai_insecure")
    assert triples(report, "AIA3") == {
        ("AIA301", "main.tf", 7),
        ("AIA302", "main.tf", 7),
        ("AIA303", "main.tf", 7),
        ("AIA306", "main.tf", 7),
        ("AIA307", "main.tf", 7),
        ("AIA304", "main.tf", 38),
        ("AIA305", "app.tf", 28),
        ("AIA305", "app.tf", 48),
    }


def test_hardened_account_has_no_azure_findings():
    report = scan_dir(AZURE / "openai_hardened")
    assert triples(report, "AIA3") == set()
    assert report.errors == [] and report.tool_errors == []


def test_azapi_module_flags_the_sandbox_account_and_passes_production():
    report = scan_dir(AZURE / "openai_azapi")
    assert triples(report, "AIA3") == {
        ("AIA301", "sandbox.tf", 13),
        ("AIA302", "sandbox.tf", 14),
        ("AIA303", "sandbox.tf", 2),
        ("AIA306", "sandbox.tf", 2),
        ("AIA307", "sandbox.tf", 2),
        ("AIA305", "sandbox.tf", 61),
        ("AIA304", "sandbox.tf", 69),
        ("AIA304", "sandbox.tf", 78),
    }


def test_module_variables_fire_only_where_a_default_makes_them_certain():
    report = scan_dir(AZURE / "openai_module_variables")
    # network_acls defaults to null, so the dynamic block adds no firewall to the public account.
    assert triples(report, "AIA3") == {("AIA301", "main.tf", 8), ("AIA302", "main.tf", 9)}


def test_messages_name_the_resource_and_the_cause():
    report = scan_dir(AZURE / "openai_insecure")
    messages = {f.code: f.message for f in report.findings if f.code.startswith("AIA3")}
    assert messages["AIA301"] == ("azurerm_cognitive_account.openai leaves local_auth_enabled unset, "
                                  "so API keys work (provider default)")
    assert messages["AIA304"] == ("azurerm_role_assignment.developers_openai grants Cognitive Services "
                                  "OpenAI Contributor on a whole resource group instead of the AI account")


AZURE_CHECKS = [c for c in load_checks() if c.code.startswith("AIA3")]


@pytest.mark.parametrize("check", AZURE_CHECKS, ids=lambda c: c.code)
def test_documented_failing_example_fires(tree, check):
    report = tree({"main.tf": inspect.cleandoc(check.failing_example) + "\n"})
    assert check.code in {f.code for f in report.findings}


@pytest.mark.parametrize("check", AZURE_CHECKS, ids=lambda c: c.code)
def test_documented_passing_example_passes(tree, check):
    report = tree({"main.tf": inspect.cleandoc(check.passing_example) + "\n"})
    assert check.code not in {f.code for f in report.findings}


def test_all_azure_checks_are_registered():
    assert [c.code for c in AZURE_CHECKS] == [f"AIA30{n}" for n in range(1, 8)] + ["AIA308", "AIA309", "AIA310", "AIA311"]


# --- AIA301 azure-openai-local-auth-enabled ------------------------------------------

def test_local_auth_explicitly_true_points_at_the_attribute(tree):
    report = tree({"main.tf": account("  local_auth_enabled = true")})
    assert codes(report, "AIA301") == {("AIA301", "main.tf", 8)}


def test_local_auth_disabled_passes(tree):
    report = tree({"main.tf": account("  local_auth_enabled = false")})
    assert codes(report, "AIA301") == set()


def test_local_auth_from_tfvars_override_is_used(tree):
    report = tree({
        "main.tf": account("  local_auth_enabled = var.local_auth_enabled"),
        "variables.tf": 'variable "local_auth_enabled" {\n  type    = bool\n  default = true\n}\n',
        "terraform.tfvars": "local_auth_enabled = false\n",
    })
    assert codes(report, "AIA301") == set()


def test_account_of_another_kind_is_not_an_ai_account(tree):
    report = tree({"main.tf": account("").replace('"OpenAI"', '"TextAnalytics"')})
    assert triples(report, "AIA3") == set()


def test_account_whose_kind_is_unknown_is_not_judged(tree):
    report = tree({
        "main.tf": account("").replace('"OpenAI"', "var.kind"),
        "variables.tf": 'variable "kind" {\n  type = string\n}\n',
    })
    assert triples(report, "AIA3") == set()


FOR_EACH_ACCOUNTS = """
resource "azurerm_cognitive_account" "ai" {
  for_each                           = COLLECTION
  name                               = each.key
  location                           = "westeurope"
  resource_group_name                = "rg"
  kind                               = each.value.kind
  sku_name                           = "S0"
  local_auth_enabled                 = each.value.keys
  public_network_access_enabled      = false
  outbound_network_access_restricted = true
  customer_managed_key {
    key_vault_key_id = "https://kv.vault.azure.net/keys/k/1"
  }
}
output "keys" {
  value = { for k, a in azurerm_cognitive_account.ai : k => a.primary_access_key }
}
"""


def test_each_for_each_instance_of_an_account_is_judged_with_its_own_values(tree):
    # Held-out repositories: `kind = each.value.kind` over a map of accounts (the raw block's
    # kind is unknown, so no instance was judged before).
    collection = '{ chat = { kind = "OpenAI", keys = false }, ocr = { kind = "FormRecognizer", keys = true },' \
                 ' hub = { kind = "AIServices", keys = true } }'
    report = tree({"main.tf": FOR_EACH_ACCOUNTS.replace("COLLECTION", collection)})
    assert triples(report, "AIA3") | triples(report, "AIA5") == {
        ("AIA301", "main.tf", 9),   # the `hub` instance keeps API keys on
        ("AIA303", "main.tf", 2),   # no instance has diagnostics
        ("AIA502", "main.tf", 17),  # the keys of AI accounts, output in plain text
    }
    # Only instances that are not AI accounts, or keys off everywhere: no finding on the settings.
    report = tree({"main.tf": FOR_EACH_ACCOUNTS.replace("COLLECTION", '{ ocr = { kind = "FormRecognizer", keys = true } }')})
    assert triples(report, "AIA3") | triples(report, "AIA5") == set()


@pytest.mark.parametrize("collection", [
    "var.accounts",  # unknown: no default
    "{ for i in range(5000) : i => { kind = \"OpenAI\", keys = aws_x.y.keys } }",  # huge, keys unknown
    "{ a = { kind = azurerm_x.y.kind, keys = true } }",  # kind unknown
    "local.loop",  # a cycle
])
def test_for_each_accounts_with_unknowns_or_huge_collections_stay_bounded_and_quiet(tree, collection):
    import time

    start = time.perf_counter()
    report = tree({"main.tf": FOR_EACH_ACCOUNTS.replace("COLLECTION", collection)
                   + 'variable "accounts" {}\nlocals {\n  loop = local.loop2\n  loop2 = local.loop\n}\n'},
                  select=["AIA301", "AIA502"])
    assert time.perf_counter() - start < 30
    # 5,000 OpenAI accounts with unknown key settings: the output of their keys is still certain.
    assert triples(report) == ({("AIA502", "main.tf", 17)} if "range" in collection else set())


def test_azapi_account_without_disable_local_auth_fires(tree):
    report = tree({"main.tf": '''
resource "azapi_resource" "foundry" {
  type      = "Microsoft.CognitiveServices/accounts@2025-04-01-preview"
  name      = "aif-agents"
  parent_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-agents"
  location  = "eastus2"
  body = {
    kind = "AIServices"
    sku  = { name = "S0" }
    properties = {
      allowProjectManagement = true
      customSubDomainName    = "aif-agents"
    }
  }
}
'''})
    assert codes(report, "AIA301") == {("AIA301", "main.tf", 2)}


# --- AIA302 azure-openai-public-network ------------------------------------------------

def test_public_account_behind_deny_acl_passes(tree):
    report = tree({"main.tf": account('''
  network_acls {
    default_action = "Deny"
    ip_rules       = ["203.0.113.0/24"]
  }''')})
    assert codes(report, "AIA302") == set()


def test_acl_that_allows_by_default_fires(tree):
    report = tree({"main.tf": account('''
  public_network_access_enabled = true
  network_acls {
    default_action = "Allow"
  }''')})
    assert codes(report, "AIA302") == {("AIA302", "main.tf", 9)}


def test_dynamic_acl_over_known_items_is_expanded(tree):
    report = tree({"main.tf": account('''
  dynamic "network_acls" {
    for_each = [{ action = "Deny" }]
    content {
      default_action = network_acls.value.action
    }
  }''')})
    assert codes(report, "AIA302") == set()


def test_azapi_public_network_disabled_passes(tree):
    report = tree({"main.tf": '''
resource "azapi_resource" "openai" {
  type      = "Microsoft.CognitiveServices/accounts@2024-10-01"
  name      = "oai-rag"
  parent_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-rag"
  body = jsonencode({
    kind       = "OpenAI"
    sku        = { name = "S0" }
    properties = { publicNetworkAccess = "Disabled" }
  })
}
'''})
    assert codes(report, "AIA302") == set()


# --- AIA303 azure-openai-diagnostics-missing ------------------------------------------

def test_all_logs_category_group_covers_the_account(tree):
    report = tree({"main.tf": account(HARDENED_SETTINGS) + ALL_LOGS})
    assert triples(report, "AIA3") == set()


def test_audit_category_group_alone_is_not_enough(tree):
    report = tree({"main.tf": account() + ALL_LOGS.replace('"allLogs"', '"audit"')})
    assert codes(report, "AIA303") == {("AIA303", "main.tf", 2)}
    message = next(f.message for f in report.findings if f.code == "AIA303")
    assert message == ("azurerm_cognitive_account.openai has only azurerm_monitor_diagnostic_setting.openai, "
                       "which does not enable RequestResponse logs")


def test_audit_and_request_response_categories_cover_the_account(tree):
    settings = ALL_LOGS.replace('''  enabled_log {
    category_group = "allLogs"
  }''', '''  enabled_log {
    category = "Audit"
  }
  enabled_log {
    category = "RequestResponse"
  }''')
    report = tree({"main.tf": account() + settings})
    assert codes(report, "AIA303") == set()


def test_legacy_log_block_that_is_disabled_does_not_count(tree):
    settings = ALL_LOGS.replace('''  enabled_log {
    category_group = "allLogs"
  }''', '''  log {
    category_group = "allLogs"
    enabled        = false
  }''')
    report = tree({"main.tf": account() + settings})
    assert codes(report, "AIA303") == {("AIA303", "main.tf", 2)}


def test_setting_for_another_account_does_not_cover_this_one(tree):
    other = account().replace('"openai"', '"speech"').replace("oai-chat-prod", "spch-prod") \
        .replace('"OpenAI"', '"SpeechServices"')
    report = tree({"main.tf": account() + other + ALL_LOGS.replace("cognitive_account.openai", "cognitive_account.speech")})
    assert codes(report, "AIA303") == {("AIA303", "main.tf", 2)}


def test_setting_whose_target_is_unknown_is_given_the_benefit_of_the_doubt(tree):
    report = tree({
        "main.tf": account() + ALL_LOGS.replace("azurerm_cognitive_account.openai.id", "var.diagnostics_target_id"),
        "variables.tf": 'variable "diagnostics_target_id" {\n  type = string\n}\n',
    })
    assert codes(report, "AIA303") == set()


# --- AIA304 azure-openai-broad-role-scope -------------------------------------------

ROLE_ASSIGNMENT = '''
data "azurerm_subscription" "current" {}

resource "azurerm_resource_group" "ai" {
  name     = "rg-ai"
  location = "swedencentral"
}

resource "azurerm_role_assignment" "app" {
  scope                = %s
  role_definition_name = "%s"
  principal_id         = "11111111-1111-1111-1111-111111111111"
}
'''


def role_report(tree, scope: str, role: str = "Cognitive Services OpenAI User"):
    return codes(tree({"main.tf": ROLE_ASSIGNMENT % (scope, role)}), "AIA304")


def test_role_on_a_resource_group_reference_fires(tree):
    assert role_report(tree, "azurerm_resource_group.ai.id") == {("AIA304", "main.tf", 10)}


def test_role_on_the_current_subscription_fires(tree):
    assert role_report(tree, "data.azurerm_subscription.current.id") == {("AIA304", "main.tf", 10)}


def test_role_on_a_literal_resource_group_id_fires(tree):
    scope = '"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ai"'
    assert role_report(tree, scope, "Azure AI Developer") == {("AIA304", "main.tf", 10)}


def test_role_on_an_account_id_passes(tree):
    scope = '"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/oai-chat"'
    assert role_report(tree, scope) == set()


def test_other_roles_on_a_subscription_pass(tree):
    assert role_report(tree, "data.azurerm_subscription.current.id", "Reader") == set()


def test_role_given_by_built_in_id_is_recognised(tree):
    report = tree({"main.tf": '''
resource "azurerm_role_assignment" "indexer" {
  scope              = "/subscriptions/${var.subscription_id}/resourceGroups/${var.resource_group_name}"
  role_definition_id = "/subscriptions/${var.subscription_id}/providers/Microsoft.Authorization/roleDefinitions/a97b65f3-24c7-4388-baec-2e87135dc908"
  principal_id       = var.indexer_principal_id
}
'''})
    assert codes(report, "AIA304") == {("AIA304", "main.tf", 3)}


def test_role_looked_up_by_a_role_definition_data_source_is_recognised(tree):
    report = tree({"main.tf": '''
data "azurerm_role_definition" "openai_user" {
  name = "Cognitive Services OpenAI User"
}

resource "azurerm_role_assignment" "bot" {
  scope              = "/subscriptions/00000000-0000-0000-0000-000000000000"
  role_definition_id = data.azurerm_role_definition.openai_user.id
  principal_id       = var.bot_principal_id
}
'''})
    assert codes(report, "AIA304") == {("AIA304", "main.tf", 7)}


def test_unknown_scope_does_not_fire(tree):
    assert role_report(tree, "var.scope") == set()


# --- AIA305 azure-openai-key-in-app-settings ----------------------------------------

def test_key_in_function_app_slot_settings_fires(tree):
    report = tree({"main.tf": account() + '''
resource "azurerm_linux_function_app_slot" "staging" {
  name            = "staging"
  function_app_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Web/sites/func-summarise"

  site_config {}

  app_settings = {
    OPENAI_API_BASE = azurerm_cognitive_account.openai.endpoint
    OPENAI_API_KEY  = "${azurerm_cognitive_account.openai.primary_access_key}"
  }
}
'''})
    assert codes(report, "AIA305") == {("AIA305", "main.tf", 19)}


def test_container_app_secret_reference_passes(tree):
    report = tree({"main.tf": account() + '''
resource "azurerm_container_app" "api" {
  name                         = "ca-api"
  container_app_environment_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.App/managedEnvironments/cae"
  resource_group_name          = "rg"
  revision_mode                = "Single"

  secret {
    name  = "openai-key"
    value = azurerm_cognitive_account.openai.primary_access_key
  }

  template {
    container {
      name   = "api"
      image  = "ghcr.io/contoso/api:2.0.0"
      cpu    = 0.25
      memory = "0.5Gi"
      env {
        name        = "AZURE_OPENAI_API_KEY"
        secret_name = "openai-key"
      }
    }
  }
}
'''})
    assert codes(report, "AIA305") == set()



def test_container_app_dynamic_env_over_a_local_map_names_the_variable(tree):
    report = tree({"main.tf": account() + '''
locals {
  openai_env = {
    AZURE_OPENAI_ENDPOINT = azurerm_cognitive_account.openai.endpoint
    AZURE_OPENAI_API_KEY  = azurerm_cognitive_account.openai.primary_access_key
  }
}

resource "azurerm_container_app" "api" {
  name                         = "ca-api"
  container_app_environment_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.App/managedEnvironments/cae"
  resource_group_name          = "rg"
  revision_mode                = "Single"

  template {
    container {
      name   = "api"
      image  = "ghcr.io/contoso/api:2.0.0"
      cpu    = 0.25
      memory = "0.5Gi"
      dynamic "env" {
        for_each = local.openai_env
        content {
          name  = env.key
          value = env.value
        }
      }
    }
  }
}
'''})
    assert codes(report, "AIA305") == {("AIA305", "main.tf", 34)}  # value = env.value
    message = next(f.message for f in report.findings if f.code == "AIA305")
    assert message == ("azurerm_container_app.api puts azurerm_cognitive_account.openai's primary_access_key "
                       "in plain environment variable AZURE_OPENAI_API_KEY")

def test_container_group_secure_variables_pass(tree):
    report = tree({"main.tf": account() + '''
resource "azurerm_container_group" "worker" {
  name                = "aci-worker"
  location            = "swedencentral"
  resource_group_name = "rg"
  os_type             = "Linux"

  container {
    name   = "worker"
    image  = "ghcr.io/contoso/worker:1.0.0"
    cpu    = 1
    memory = 1

    secure_environment_variables = {
      AZURE_OPENAI_KEY = azurerm_cognitive_account.openai.primary_access_key
    }
  }
}
'''})
    assert codes(report, "AIA305") == set()


def test_key_vault_reference_in_app_settings_passes(tree):
    report = tree({"main.tf": account() + '''
resource "azurerm_key_vault_secret" "openai_key" {
  name         = "openai-key"
  value        = azurerm_cognitive_account.openai.primary_access_key
  key_vault_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-chat"
}

resource "azurerm_windows_web_app" "portal" {
  name                = "app-portal"
  location            = "swedencentral"
  resource_group_name = "rg"
  service_plan_id     = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Web/serverFarms/asp"
  site_config {}
  app_settings = {
    AZURE_OPENAI_API_KEY = "@Microsoft.KeyVault(SecretUri=${azurerm_key_vault_secret.openai_key.versionless_id})"
  }
}
'''})
    assert codes(report, "AIA305") == set()


def test_key_of_a_non_ai_account_is_not_judged(tree):
    report = tree({"main.tf": account().replace('"OpenAI"', '"TextAnalytics"') + '''
resource "azurerm_linux_web_app" "nlp" {
  name                = "app-nlp"
  location            = "swedencentral"
  resource_group_name = "rg"
  service_plan_id     = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Web/serverFarms/asp"
  site_config {}
  app_settings = {
    LANGUAGE_KEY = azurerm_cognitive_account.openai.primary_access_key
  }
}
'''})
    assert codes(report, "AIA305") == set()


def test_azapi_v1_list_keys_output_through_jsondecode_fires(tree):
    report = tree({"main.tf": '''
resource "azapi_resource" "openai" {
  type      = "Microsoft.CognitiveServices/accounts@2023-05-01"
  name      = "oai-legacy"
  parent_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-legacy"
  body = jsonencode({
    kind       = "OpenAI"
    sku        = { name = "S0" }
    properties = { disableLocalAuth = false }
  })
}

data "azapi_resource_action" "openai_keys" {
  type                   = "Microsoft.CognitiveServices/accounts@2023-05-01"
  resource_id            = azapi_resource.openai.id
  action                 = "listKeys"
  response_export_values = ["*"]
}

resource "azurerm_linux_function_app" "summarise" {
  name                          = "func-summarise"
  location                      = "westeurope"
  resource_group_name           = "rg-legacy"
  service_plan_id               = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-legacy/providers/Microsoft.Web/serverFarms/asp"
  storage_account_name          = "stsummarise"
  storage_uses_managed_identity = true
  site_config {}
  app_settings = {
    AZURE_OPENAI_KEY = jsondecode(data.azapi_resource_action.openai_keys.output).key1
  }
}
'''})
    assert codes(report, "AIA305") == {("AIA305", "main.tf", 29)}


# --- AIA306 azure-openai-without-cmk ------------------------------------------------

def test_inline_customer_managed_key_passes(tree):
    report = tree({"main.tf": account('''
  customer_managed_key {
    key_vault_key_id = "https://kv-chat.vault.azure.net/keys/cmk/0123456789abcdef0123456789abcdef"
  }''')})
    assert codes(report, "AIA306") == set()


def test_customer_managed_key_resource_for_another_account_does_not_count(tree):
    report = tree({"main.tf": account() + '''
resource "azurerm_cognitive_account_customer_managed_key" "search" {
  cognitive_account_id = azurerm_cognitive_account.search.id
  key_vault_key_id     = "https://kv-chat.vault.azure.net/keys/cmk/0123456789abcdef0123456789abcdef"
}

resource "azurerm_cognitive_account" "search" {
  name                = "cs-search"
  location            = "swedencentral"
  resource_group_name = "rg-chat-prod"
  kind                = "CognitiveServices"
  sku_name            = "S0"
}
'''})
    assert codes(report, "AIA306") == {("AIA306", "main.tf", 2)}


def test_azapi_microsoft_managed_key_source_points_at_encryption(tree):
    report = tree({"main.tf": '''
resource "azapi_resource" "openai" {
  type      = "Microsoft.CognitiveServices/accounts@2024-10-01"
  name      = "oai-docs"
  parent_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-docs"
  body = {
    kind = "OpenAI"
    properties = {
      encryption = {
        keySource = "Microsoft.CognitiveServices"
      }
    }
  }
}
'''})
    assert codes(report, "AIA306") == {("AIA306", "main.tf", 9)}


def test_azapi_update_resource_setting_a_key_vault_key_passes(tree):
    report = tree({"main.tf": '''
resource "azapi_resource" "openai" {
  type      = "Microsoft.CognitiveServices/accounts@2024-10-01"
  name      = "oai-docs"
  parent_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-docs"
  body = {
    kind = "OpenAI"
  }
}

resource "azapi_update_resource" "openai_cmk" {
  type        = "Microsoft.CognitiveServices/accounts@2024-10-01"
  resource_id = azapi_resource.openai.id
  body = {
    properties = {
      encryption = {
        keySource = "Microsoft.KeyVault"
        keyVaultProperties = {
          keyVaultUri = "https://kv-docs.vault.azure.net/"
          keyName     = "cmk"
        }
      }
    }
  }
}
'''})
    assert codes(report, "AIA306") == set()


# --- AIA307 azure-openai-outbound-unrestricted --------------------------------------

def test_outbound_restricted_with_empty_fqdns_passes(tree):
    report = tree({"main.tf": account('''
  outbound_network_access_restricted = true
  fqdns                              = []''')})
    assert codes(report, "AIA307") == set()


def test_outbound_explicitly_unrestricted_points_at_the_attribute(tree):
    report = tree({"main.tf": account("  outbound_network_access_restricted = false")})
    assert codes(report, "AIA307") == {("AIA307", "main.tf", 8)}


def test_azapi_restrict_outbound_passes(tree):
    report = tree({"main.tf": '''
resource "azapi_resource" "openai" {
  type      = "Microsoft.CognitiveServices/accounts@2024-10-01"
  name      = "oai-docs"
  parent_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-docs"
  body = {
    kind = "OpenAI"
    properties = {
      restrictOutboundNetworkAccess = true
      allowedFqdnList               = ["contoso.blob.core.windows.net"]
    }
  }
}
'''})
    assert codes(report, "AIA307") == set()


# --- azurerm_ai_services (azurerm 4.x), its own attribute names ----------------------

AI_SERVICES_ACCOUNT = '''
resource "azurerm_ai_services" "docs" {
  name                  = "ais-docs"
  location              = "swedencentral"
  resource_group_name   = "rg-docs"
  sku_name              = "S0"
  custom_subdomain_name = "ais-docs"
%s
}
'''


def ai_services(settings: str = "") -> str:
    return AI_SERVICES_ACCOUNT % settings


def test_ai_services_sandbox_fires_every_azure_check_and_production_passes():
    report = scan_dir(AZURE / "ai_services")
    assert triples(report, "AIA3") == {
        ("AIA301", "sandbox.tf", 9),
        ("AIA302", "sandbox.tf", 10),
        ("AIA303", "sandbox.tf", 3),
        ("AIA306", "sandbox.tf", 3),
        ("AIA307", "sandbox.tf", 3),
        ("AIA305", "sandbox.tf", 39),
        ("AIA304", "sandbox.tf", 45),
    }
    assert report.errors == [] and report.tool_errors == []


def test_ai_services_messages_name_its_own_attributes():
    report = scan_dir(AZURE / "ai_services")
    messages = {f.code: f.message for f in report.findings if f.code in ("AIA301", "AIA302")}
    assert messages == {
        "AIA301": "azurerm_ai_services.sandbox sets local_authentication_enabled = true, so API keys work",
        "AIA302": ('azurerm_ai_services.sandbox sets public_network_access = "Enabled" '
                   "with a network ACL that allows by default"),
    }


def test_ai_services_without_settings_takes_the_provider_defaults(tree):
    report = tree({"main.tf": ai_services()})
    assert triples(report, "AIA3") == {
        ("AIA301", "main.tf", 2), ("AIA302", "main.tf", 2), ("AIA303", "main.tf", 2),
        ("AIA306", "main.tf", 2), ("AIA307", "main.tf", 2),
    }


def test_ai_services_local_authentication_disabled_passes(tree):
    report = tree({"main.tf": ai_services("  local_authentication_enabled = false")})
    assert codes(report, "AIA301") == set()


def test_ai_services_public_network_access_disabled_passes(tree):
    report = tree({"main.tf": ai_services('  public_network_access = "Disabled"')})
    assert codes(report, "AIA302") == set()


def test_ai_services_public_network_access_from_a_variable_without_default_is_not_judged(tree):
    report = tree({
        "main.tf": ai_services("  public_network_access = var.public_network_access"),
        "variables.tf": 'variable "public_network_access" {\n  type = string\n}\n',
    })
    assert codes(report, "AIA302") == set()


def test_ai_services_outbound_restricted_passes(tree):
    report = tree({"main.tf": ai_services('''
  outbound_network_access_restricted = true
  fqdns                              = ["stdocs.blob.core.windows.net"]''')})
    assert codes(report, "AIA307") == set()


def test_customer_managed_key_resource_for_ai_services_passes(tree):
    report = tree({"main.tf": ai_services() + '''
resource "azurerm_cognitive_account_customer_managed_key" "docs" {
  cognitive_account_id = azurerm_ai_services.docs.id
  key_vault_key_id     = "https://kv-docs.vault.azure.net/keys/cmk/0123456789abcdef0123456789abcdef"
}
'''})
    assert codes(report, "AIA306") == set()


def test_ai_services_secondary_key_in_container_group_variables_fires(tree):
    report = tree({"main.tf": ai_services() + '''
resource "azurerm_container_group" "ocr" {
  name                = "aci-ocr"
  location            = "swedencentral"
  resource_group_name = "rg-docs"
  os_type             = "Linux"

  container {
    name   = "ocr"
    image  = "ghcr.io/contoso/ocr:3.1.0"
    cpu    = 1
    memory = 2

    environment_variables = {
      AZURE_AI_SERVICES_KEY = azurerm_ai_services.docs.secondary_access_key
    }
  }
}
'''})
    assert codes(report, "AIA305") == {("AIA305", "main.tf", 24)}


def test_role_on_the_ai_services_account_passes(tree):
    report = tree({"main.tf": ai_services() + '''
resource "azurerm_role_assignment" "ocr" {
  scope                = azurerm_ai_services.docs.id
  role_definition_name = "Cognitive Services User"
  principal_id         = "11111111-1111-1111-1111-111111111111"
}
'''})
    assert codes(report, "AIA304") == set()


# --- module defaults behind conditionals ----------------------------------------------
# Modules gate optional blocks and resources with `cond ? x : y` (python-hcl2 leaves it opaque);
# when the variables it reads have literal defaults, the default outcome is certain.

GATED_MODULE_VARIABLES = '''
variable "customer_managed_key" {
  type = object({
    key_vault_key_id   = string
    identity_client_id = optional(string)
  })
  default = null
}

variable "network_acls" {
  type = object({
    default_action = string
    ip_rules       = optional(list(string), [])
  })
  default = null
}

variable "diagnostic_settings" {
  type = map(object({
    workspace_resource_id = string
  }))
  default = {}
}
'''

GATED_ACCOUNT = '''
resource "azurerm_cognitive_account" "this" {
  name                               = "oai-support-bot"
  location                           = "swedencentral"
  resource_group_name                = "rg-support-bot"
  kind                               = "OpenAI"
  sku_name                           = "S0"
  local_auth_enabled                 = false
  outbound_network_access_restricted = true

  dynamic "customer_managed_key" {
    for_each = var.customer_managed_key != null ? [var.customer_managed_key] : []
    content {
      key_vault_key_id   = customer_managed_key.value.key_vault_key_id
      identity_client_id = customer_managed_key.value.identity_client_id
    }
  }

  dynamic "network_acls" {
    for_each = var.network_acls == null ? [] : [var.network_acls]
    content {
      default_action = network_acls.value.default_action
      ip_rules       = network_acls.value.ip_rules
    }
  }
}

resource "azurerm_monitor_diagnostic_setting" "this" {
  for_each                   = var.diagnostic_settings
  name                       = "diag-${each.key}"
  target_resource_id         = azurerm_cognitive_account.this.id
  log_analytics_workspace_id = each.value.workspace_resource_id
  enabled_log {
    category_group = "allLogs"
  }
}
'''


def test_blocks_gated_off_by_null_defaults_leave_the_account_unprotected(tree):
    report = tree({"main.tf": GATED_ACCOUNT, "variables.tf": GATED_MODULE_VARIABLES})
    assert triples(report, "AIA3") == {
        ("AIA302", "main.tf", 2), ("AIA303", "main.tf", 2), ("AIA306", "main.tf", 2),
    }


def test_blocks_gated_on_by_tfvars_protect_the_account(tree):
    report = tree({"main.tf": GATED_ACCOUNT, "variables.tf": GATED_MODULE_VARIABLES, "terraform.tfvars": '''
customer_managed_key = {
  key_vault_key_id = "https://kv-support.vault.azure.net/keys/cmk/0123456789abcdef0123456789abcdef"
}
network_acls = {
  default_action = "Deny"
}
diagnostic_settings = {
  law = { workspace_resource_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ops/providers/Microsoft.OperationalInsights/workspaces/law-ops" }
}
'''})
    assert triples(report, "AIA3") == set()


def test_blocks_gated_by_a_variable_without_default_are_not_judged(tree):
    variables = GATED_MODULE_VARIABLES.replace("  default = null\n", "").replace("  default = {}\n", "")
    report = tree({"main.tf": GATED_ACCOUNT, "variables.tf": variables})
    assert triples(report, "AIA3") == set()


def test_diagnostic_setting_behind_a_disabled_count_sends_nothing(tree):
    setting = ALL_LOGS.replace('  name ', '  count = var.enable_diagnostics ? 1 : 0\n  name ')
    flag = 'variable "enable_diagnostics" {\n  type    = bool\n  default = %s\n}\n'
    assert codes(tree({"main.tf": account(HARDENED_SETTINGS) + setting, "variables.tf": flag % "false"}),
                 "AIA303") == {("AIA303", "main.tf", 2)}
    assert codes(tree({"main.tf": account(HARDENED_SETTINGS) + setting, "variables.tf": flag % "true"}),
                 "AIA303") == set()


def test_customer_managed_key_resource_behind_a_disabled_count_sets_no_key(tree):
    report = tree({"main.tf": account() + '''
variable "cmk_key_id" {
  type    = string
  default = null
}

resource "azurerm_cognitive_account_customer_managed_key" "openai" {
  count                = var.cmk_key_id == null ? 0 : 1
  cognitive_account_id = azurerm_cognitive_account.openai.id
  key_vault_key_id     = var.cmk_key_id
}
'''})
    assert codes(report, "AIA306") == {("AIA306", "main.tf", 2)}


def test_account_that_module_defaults_do_not_create_is_not_judged(tree):
    report = tree({"main.tf": '''
variable "create_openai" {
  type    = bool
  default = false
}

resource "azurerm_cognitive_account" "optional" {
  count               = var.create_openai ? 1 : 0
  name                = "oai-optional"
  location            = "swedencentral"
  resource_group_name = "rg-optional"
  kind                = "OpenAI"
  sku_name            = "S0"
}
'''})
    assert triples(report, "AIA3") == set()


def test_role_assignments_repeated_over_a_role_set_are_judged_per_role(tree):
    report = tree({"main.tf": '''
resource "azurerm_resource_group" "ai" {
  name     = "rg-ai"
  location = "swedencentral"
}

resource "azurerm_role_assignment" "app" {
  for_each             = toset(["Cognitive Services OpenAI User", "Monitoring Reader"])
  scope                = azurerm_resource_group.ai.id
  role_definition_name = each.key
  principal_id         = "11111111-1111-1111-1111-111111111111"
}
'''})
    assert codes(report, "AIA304") == {("AIA304", "main.tf", 9)}
    message = next(f.message for f in report.findings if f.code == "AIA304")
    assert message == ('azurerm_role_assignment.app["Cognitive Services OpenAI User"] grants Cognitive Services '
                       "OpenAI User on a whole resource group instead of the AI account")


def test_azapi_settings_chosen_by_a_conditional_over_a_default_are_judged(tree):
    report = tree({"main.tf": '''
variable "create_private_endpoints" {
  type    = bool
  default = false
}

resource "azapi_resource" "foundry" {
  type      = "Microsoft.CognitiveServices/accounts@2025-04-01-preview"
  name      = "aif-support"
  location  = "eastus2"
  parent_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-support"
  body = {
    kind = "AIServices"
    sku  = { name = "S0" }
    properties = {
      disableLocalAuth              = true
      restrictOutboundNetworkAccess = true
      publicNetworkAccess           = var.create_private_endpoints ? "Disabled" : "Enabled"
      networkAcls = {
        defaultAction = "Allow"
      }
    }
  }
}
'''})
    assert codes(report, "AIA302") == {("AIA302", "main.tf", 18)}
    message = next(f.message for f in report.findings if f.code == "AIA302")
    assert message == ('azapi_resource.foundry sets properties.publicNetworkAccess = "Enabled" '
                       "with a network ACL that allows by default")
