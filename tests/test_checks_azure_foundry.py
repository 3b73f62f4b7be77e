"""AIA309-AIA311 and the AIA305 amendment: AI Foundry hubs, AI identities' roles, AI Search."""

from __future__ import annotations

import time

import pytest

from conftest import SAMPLES, scan_dir, triples

AZURE = SAMPLES / "terraform" / "azure"

HUB = '''
resource "azurerm_ai_foundry" "hub" {
  name                = "aif-hub"
  location            = "swedencentral"
  resource_group_name = "rg-ai"
  storage_account_id  = "/subscriptions/0/resourceGroups/rg-ai/providers/Microsoft.Storage/storageAccounts/st"
  key_vault_id        = "/subscriptions/0/resourceGroups/rg-ai/providers/Microsoft.KeyVault/vaults/kv"
%s
  identity {
    type = "SystemAssigned"
  }
}
'''

SEARCH = '''
resource "azurerm_search_service" "docs" {
  name                = "srch-docs"
  location            = "swedencentral"
  resource_group_name = "rg-ai"
  sku                 = "standard"
%s
}
'''

AI_SERVICES = '''
resource "azurerm_ai_services" "ai" {
  name                = "ais-docs"
  location            = "swedencentral"
  resource_group_name = "rg-ai"
  sku_name            = "S0"
}
'''


def hub(settings: str = "") -> str:
    return HUB % settings


def search(settings: str = "") -> str:
    return SEARCH % settings


# --- sample_infra ------------------------------------------------------------------------

def test_foundry_insecure_sample_findings():
    report = scan_dir(AZURE / "foundry_insecure")
    assert triples(report, "AIA3") == {
        ("AIA301", "openai.tf", 3),
        ("AIA302", "openai.tf", 3),
        ("AIA303", "openai.tf", 3),
        ("AIA306", "openai.tf", 3),
        ("AIA307", "openai.tf", 3),
        ("AIA308", "openai.tf", 45),
        ("AIA305", "search.tf", 41),
        ("AIA309", "hub.tf", 36),
        ("AIA309", "hub.tf", 42),
        ("AIA309", "hub.tf", 61),
        ("AIA310", "hub.tf", 2),
        ("AIA311", "search.tf", 2),
        ("AIA311", "search.tf", 17),
    }


def test_foundry_hardened_sample_has_no_azure_findings():
    report = scan_dir(AZURE / "foundry_hardened")
    assert triples(report, "AIA3") == set()
    assert report.errors == [] and report.tool_errors == []


def test_search_without_ai_has_no_findings():
    assert triples(scan_dir(AZURE / "search_without_ai")) == set()


# --- AIA310 ------------------------------------------------------------------------------

def test_hub_with_defaults_is_public_and_not_isolated(tree):
    report = tree({"main.tf": hub()})
    assert triples(report, "AIA310") == {("AIA310", "main.tf", 2)}
    message = report.findings[0].message
    assert "Enabled by default" in message and "not isolated" in message


def test_hub_explicitly_enabled_points_at_the_attribute(tree):
    report = tree({"main.tf": hub('  public_network_access = "Enabled"\n'
                                  '  managed_network {\n    isolation_mode = "AllowInternetOutbound"\n  }')})
    assert triples(report, "AIA310") == {("AIA310", "main.tf", 8)}
    assert "not isolated" not in report.findings[0].message


def test_hub_disabled_passes(tree):
    assert triples(tree({"main.tf": hub('  public_network_access = "Disabled"')}), "AIA310") == set()


def test_hub_from_variable_without_default_is_not_judged(tree):
    files = {"main.tf": hub("  public_network_access = var.pna"), "variables.tf": 'variable "pna" {}\n'}
    assert triples(tree(files), "AIA310") == set()


def test_hub_from_variable_default_is_judged(tree):
    files = {"main.tf": hub("  public_network_access = var.pna"),
             "variables.tf": 'variable "pna" {\n  default = "Enabled"\n}\n'}
    assert triples(tree(files), "AIA310") == {("AIA310", "main.tf", 8)}


def test_foundry_project_and_ai_accounts_are_not_hubs(tree):
    project = '''
resource "azurerm_ai_foundry_project" "p" {
  name               = "p"
  location           = "swedencentral"
  ai_services_hub_id = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/h"
}
'''
    assert triples(tree({"main.tf": project + AI_SERVICES}), "AIA310") == set()


def test_hub_in_a_module_is_judged_per_instance(tree):
    report = tree({
        "main.tf": 'module "open" {\n  source = "./hub"\n  pna = "Enabled"\n}\n'
                   'module "closed" {\n  source = "./hub"\n  pna = "Disabled"\n}\n',
        "hub/main.tf": hub("  public_network_access = var.pna"),
        "hub/variables.tf": 'variable "pna" {}\n',
    })
    assert triples(report, "AIA310") == {("AIA310", "hub/main.tf", 8)}
    assert "module.open" in report.findings[0].resource


# --- AIA311 ------------------------------------------------------------------------------

def test_search_beside_ai_services_fires(tree):
    report = tree({"main.tf": AI_SERVICES + search()})
    assert triples(report, "AIA311") == {("AIA311", "main.tf", 9)}


def test_search_beside_openai_account_fires(tree):
    account = ('resource "azurerm_cognitive_account" "oai" {\n  name = "oai"\n  kind = "OpenAI"\n'
               '  sku_name = "S0"\n}\n')
    report = tree({"main.tf": account + search("  local_authentication_enabled = true")})
    assert triples(report, "AIA311") == {("AIA311", "main.tf", 12)}


def test_search_beside_a_non_ai_cognitive_account_does_not_fire(tree):
    account = ('resource "azurerm_cognitive_account" "speech" {\n  name = "sp"\n  kind = "SpeechServices"\n'
               '  sku_name = "S0"\n}\n')
    assert triples(tree({"main.tf": account + search()}), "AIA311") == set()


def test_search_with_local_auth_disabled_passes(tree):
    report = tree({"main.tf": AI_SERVICES + search("  local_authentication_enabled = false")})
    assert triples(report, "AIA311") == set()


def test_search_with_unknown_local_auth_is_not_judged(tree):
    files = {"main.tf": AI_SERVICES + search("  local_authentication_enabled = var.keys"),
             "variables.tf": 'variable "keys" {\n  type = bool\n}\n'}
    assert triples(tree(files), "AIA311") == set()


def test_azapi_search_without_disable_local_auth_fires(tree):
    azapi = '''
resource "azapi_resource" "search" {
  type      = "Microsoft.Search/searchServices@2024-06-01-preview"
  name      = "srch"
  parent_id = "/subscriptions/0/resourceGroups/rg"
  body = {
    sku = { name = "basic" }
  }
}
'''
    report = tree({"main.tf": hub('  public_network_access = "Disabled"') + azapi})
    assert triples(report, "AIA311") == {("AIA311", "main.tf", 14)}


def test_search_and_ai_in_sibling_roots_are_two_configurations(tree):
    report = tree({"envs/ai/main.tf": AI_SERVICES, "envs/site/main.tf": search()})
    assert triples(report, "AIA311") == set()


def test_hostile_search_values_stay_fast_and_silent(tree):
    huge = "x" * 200_000
    files = {"main.tf": AI_SERVICES + search(f'  local_authentication_enabled = "{huge}"')
             + hub(f'  public_network_access = "{huge}"')}
    started = time.monotonic()
    report = tree(files)
    assert time.monotonic() - started < 10
    assert triples(report, "AIA31") == set()


# --- AIA305 amendment: AI Search and AI Services keys --------------------------------------

CONTAINER_GROUP = '''
resource "azurerm_container_group" "worker" {
  name                = "ci-worker"
  location            = "swedencentral"
  resource_group_name = "rg-ai"
  os_type             = "Linux"
  container {
    name   = "worker"
    image  = "worker:1"
    cpu    = 1
    memory = 1
    environment_variables = {
      SEARCH_KEY = %s
    }
  }
}
'''


def test_search_secondary_key_in_container_group_fires(tree):
    report = tree({"main.tf": search() + CONTAINER_GROUP % "azurerm_search_service.docs.secondary_key"})
    assert triples(report, "AIA305") == {("AIA305", "main.tf", 21)}
    (finding,) = [f for f in report.findings if f.code == "AIA305"]
    assert "azurerm_search_service.docs's secondary_key" in finding.message


def test_ai_services_primary_key_in_container_group_fires(tree):
    report = tree({"main.tf": AI_SERVICES + CONTAINER_GROUP % "azurerm_ai_services.ai.primary_access_key"})
    assert triples(report, "AIA305") == {("AIA305", "main.tf", 20)}


def test_search_endpoint_name_and_hashed_key_pass(tree):
    value = 'sha256(azurerm_search_service.docs.primary_key)'
    report = tree({"main.tf": search() + CONTAINER_GROUP % value
                   + CONTAINER_GROUP.replace('"worker"', '"other"', 1) % "azurerm_search_service.docs.name"})
    assert triples(report, "AIA305") == set()


def test_search_key_of_an_undeclared_service_is_not_judged(tree):
    report = tree({"main.tf": CONTAINER_GROUP % "data.azurerm_search_service.docs.primary_key"})
    assert triples(report, "AIA305") == set()


# --- AIA309 ------------------------------------------------------------------------------

PROJECT = '''
resource "azurerm_ai_foundry_project" "chat" {
  name               = "chat"
  location           = "swedencentral"
  ai_services_hub_id = "/subscriptions/0/resourceGroups/rg-ai/providers/Microsoft.MachineLearningServices/workspaces/h"
  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.chat.id]
  }
}

resource "azurerm_user_assigned_identity" "chat" {
  name                = "id-chat"
  location            = "swedencentral"
  resource_group_name = "rg-ai"
}
'''


def assignment(role: str, principal: str, name: str = "grant") -> str:
    attribute = "role_definition_id" if role.startswith("/") else "role_definition_name"
    return (f'\nresource "azurerm_role_assignment" "{name}" {{\n'
            f'  scope        = "/subscriptions/0/resourceGroups/rg-ai"\n'
            f'  {attribute} = "{role}"\n'
            f'  principal_id = {principal}\n}}\n')


def test_foundry_insecure_sample_privileged_roles():
    report = scan_dir(AZURE / "foundry_insecure")
    assert triples(report, "AIA309") == {("AIA309", "hub.tf", 36), ("AIA309", "hub.tf", 42),
                                         ("AIA309", "hub.tf", 61)}


def test_user_assigned_identity_of_a_project_with_owner_fires(tree):
    report = tree({"main.tf": PROJECT + assignment("Owner", "azurerm_user_assigned_identity.chat.principal_id")})
    assert triples(report, "AIA309") == {("AIA309", "main.tf", 20)}
    assert "azurerm_ai_foundry_project.chat" in report.findings[0].message


def test_builtin_role_ids_count(tree):
    rbac = "/subscriptions/0/providers/Microsoft.Authorization/roleDefinitions/f58310d9-a9f6-439a-9e8d-f62e7b41a168"
    contributor = "/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c"
    principal = "azurerm_user_assigned_identity.chat.principal_id"
    report = tree({"main.tf": PROJECT + assignment(rbac, principal, "a") + assignment(contributor, principal, "b")})
    assert triples(report, "AIA309") == {("AIA309", "main.tf", 20), ("AIA309", "main.tf", 26)}


def test_ai_account_identity_with_contributor_fires(tree):
    account = AI_SERVICES.replace('sku_name            = "S0"', 'sku_name            = "S0"\n  identity {\n'
                                  '    type = "SystemAssigned"\n  }')
    report = tree({"main.tf": account + assignment("Contributor", "azurerm_ai_services.ai.identity[0].principal_id")})
    assert triples(report, "AIA309") == {("AIA309", "main.tf", 14)}


def test_hub_identity_with_contributor_is_not_counted_but_owner_is(tree):
    principal = "azurerm_ai_foundry.hub.identity[0].principal_id"
    report = tree({"main.tf": hub() + assignment("Contributor", principal, "a") + assignment("Owner", principal, "b")})
    assert triples(report, "AIA309") == {("AIA309", "main.tf", 22)}


def test_data_plane_roles_custom_roles_and_unresolved_principals_pass(tree):
    principal = "azurerm_user_assigned_identity.chat.principal_id"
    report = tree({
        "main.tf": PROJECT
        + assignment("Storage Blob Data Contributor", principal, "a")
        + assignment("Search Index Data Reader", principal, "b")
        + assignment("Cognitive Services OpenAI User", principal, "c")
        + assignment("Owners of Things", principal, "d")
        + assignment("Owner", "var.principal_id", "e")
        + assignment("/providers/Microsoft.Authorization/roleDefinitions/" + "1" * 8 + "-1111-1111-1111-" + "1" * 12,
                     principal, "f"),
        "variables.tf": 'variable "principal_id" {}\n',
    })
    assert triples(report, "AIA309") == set()


def test_identity_not_listed_by_an_ai_resource_passes(tree):
    other = ('resource "azurerm_user_assigned_identity" "ops" {\n  name = "id-ops"\n  location = "x"\n'
             '  resource_group_name = "rg"\n}\n')
    report = tree({"main.tf": PROJECT + other + assignment("Owner", "azurerm_user_assigned_identity.ops.principal_id")})
    assert triples(report, "AIA309") == set()


def test_data_owner_role_for_an_ai_identity_fires(tree):
    principal = "azurerm_user_assigned_identity.chat.principal_id"
    report = tree({"main.tf": PROJECT + assignment("Storage Blob Data Owner", principal)})
    assert triples(report, "AIA309") == {("AIA309", "main.tf", 20)}
    assert "Storage Blob Data Owner" in report.findings[0].message


# --- AIA308 ------------------------------------------------------------------------------

RAI = '''
resource "azurerm_cognitive_account_rai_policy" "p" {
  name                 = "custom"
  cognitive_account_id = %s
  base_policy_name     = "Microsoft.Default"
  content_filter {
    name               = "%s"
    filter_enabled     = %s
    block_enabled      = %s
    severity_threshold = "High"
    source             = "Prompt"
  }
}
'''

DEPLOYMENT = '''
resource "azurerm_cognitive_deployment" "chat" {
  name                 = "gpt-4o"
  cognitive_account_id = %s
  rai_policy_name      = %s
  model {
    format = "OpenAI"
    name   = "gpt-4o"
  }
  sku {
    name = "Standard"
  }
}
'''

ACCOUNT_ID = "azurerm_cognitive_account.oai.id"
OAI = 'resource "azurerm_cognitive_account" "oai" {\n  name = "oai"\n  kind = "OpenAI"\n  sku_name = "S0"\n}\n'


def rai_case(filter_name="Jailbreak", enabled="true", blocking="false", policy_account=ACCOUNT_ID,
             deployment_account=ACCOUNT_ID, policy_name="azurerm_cognitive_account_rai_policy.p.name") -> str:
    return OAI + RAI % (policy_account, filter_name, enabled, blocking) + DEPLOYMENT % (deployment_account, policy_name)


def test_foundry_insecure_sample_prompt_shields():
    report = scan_dir(AZURE / "foundry_insecure")
    assert triples(report, "AIA308") == {("AIA308", "openai.tf", 45)}
    (finding,) = [f for f in report.findings if f.code == "AIA308"]
    assert finding.message.endswith("Jailbreak annotate-only, Indirect Attack off")


def test_annotate_only_jailbreak_by_reference_fires(tree):
    assert triples(tree({"main.tf": rai_case()}), "AIA308") == {("AIA308", "main.tf", 23)}


def test_disabled_indirect_attack_by_literal_name_fires(tree):
    report = tree({"main.tf": rai_case("indirect_attack", "false", "true", policy_name='"custom"')})
    assert triples(report, "AIA308") == {("AIA308", "main.tf", 23)}


def test_literal_account_ids_that_match_fire(tree):
    account = '"/subscriptions/0/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/oai"'
    report = tree({"main.tf": rai_case(policy_account=account, deployment_account=account, policy_name='"custom"')})
    assert triples(report, "AIA308") == {("AIA308", "main.tf", 23)}


@pytest.mark.parametrize("case", [
    dict(blocking="true"),  # enabled and blocking
    dict(filter_name="Hate", enabled="false"),  # a harm category, not a prompt shield
    dict(policy_name='"other"'),  # names another policy
    dict(policy_name="var.policy"),  # unresolved
    dict(enabled="var.on", blocking="var.on"),  # unresolved
    dict(deployment_account='"/subscriptions/0/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/x"',
         policy_name='"custom"'),  # another account
])
def test_prompt_shield_near_misses_pass(tree, case):
    files = {"main.tf": rai_case(**case), "variables.tf": 'variable "policy" {}\nvariable "on" {}\n'}
    assert triples(tree(files), "AIA308") == set()


def test_deployment_without_policy_name_keeps_the_default(tree):
    deployment = (DEPLOYMENT % (ACCOUNT_ID, "null")).replace("  rai_policy_name      = null\n", "")
    report = tree({"main.tf": OAI + RAI % (ACCOUNT_ID, "Jailbreak", "false", "false") + deployment})
    assert triples(report, "AIA308") == set()


AZAPI_RAI = '''
resource "azapi_resource" "policy" {
  type      = "Microsoft.CognitiveServices/accounts/raiPolicies@2024-10-01"
  name      = "relaxed"
  parent_id = azurerm_cognitive_account.oai.id
  body = {
    properties = {
      basePolicyName = "Microsoft.Default"
      contentFilters = [
        { name = "Jailbreak", enabled = true, blocking = %s, source = "Prompt" },
        { name = "Hate", enabled = true, blocking = false, severityThreshold = "High", source = "Prompt" },
      ]
    }
  }
}

resource "azapi_resource" "deployment" {
  type      = "Microsoft.CognitiveServices/accounts/deployments@2024-10-01"
  name      = "gpt-4o"
  parent_id = azurerm_cognitive_account.oai.id
  body = {
    sku = { name = "Standard", capacity = 10 }
    properties = {
      model         = { format = "OpenAI", name = "gpt-4o" }
      raiPolicyName = azapi_resource.policy.name
    }
  }
}
'''


def test_azapi_policy_and_deployment(tree):
    assert triples(tree({"main.tf": OAI + AZAPI_RAI % "false"}), "AIA308") == {("AIA308", "main.tf", 30)}


def test_azapi_blocking_policy_passes(tree):
    assert triples(tree({"main.tf": OAI + AZAPI_RAI % "true"}), "AIA308") == set()


def test_hostile_filter_names_stay_fast_and_silent(tree):
    names = "".join(f'  content_filter {{\n    name = "{"-_ " * 5000}{i}"\n    filter_enabled = false\n'
                    f'    block_enabled = false\n  }}\n' for i in range(200))
    policy = ('resource "azurerm_cognitive_account_rai_policy" "p" {\n  name = "custom"\n'
              f'  cognitive_account_id = {ACCOUNT_ID}\n{names}}}\n')
    started = time.monotonic()
    report = tree({"main.tf": OAI + policy + DEPLOYMENT % (ACCOUNT_ID, '"custom"')})
    assert time.monotonic() - started < 15
    assert triples(report, "AIA308") == set()


def test_message_names_the_user_assigned_identity(tree):
    report = tree({"main.tf": PROJECT + assignment("Owner", "azurerm_user_assigned_identity.chat.principal_id")})
    (finding,) = [f for f in report.findings if f.code == "AIA309"]
    assert finding.message == ("azurerm_role_assignment.grant grants Owner to azurerm_user_assigned_identity.chat, "
                               "the identity of azurerm_ai_foundry_project.chat")


def test_azapi_ai_account_identity_with_owner_fires(tree):
    account = '''
resource "azapi_resource" "oai" {
  type      = "Microsoft.CognitiveServices/accounts@2024-10-01"
  name      = "oai"
  parent_id = "/subscriptions/0/resourceGroups/rg"
  identity {
    type = "SystemAssigned"
  }
  body = {
    kind       = "OpenAI"
    sku        = { name = "S0" }
    properties = { disableLocalAuth = true }
  }
}
'''
    report = tree({"main.tf": account + assignment("Owner", "azapi_resource.oai.identity[0].principal_id")})
    assert triples(report, "AIA309") == {("AIA309", "main.tf", 18)}


# --- amendment 2: azurerm_ai_services is an AI account everywhere ----------------------------

def test_ai_services_key_output_and_diagnostics_are_judged_like_an_account(tree):
    files = {"main.tf": AI_SERVICES + '''
output "key" {
  value = azurerm_ai_services.ai.primary_access_key
}

resource "azurerm_monitor_diagnostic_setting" "ai" {
  name                       = "to-law"
  target_resource_id         = azurerm_ai_services.ai.id
  log_analytics_workspace_id = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law"
  enabled_log {
    category_group = "allLogs"
  }
}
'''}
    report = tree(files)
    assert triples(report, "AIA502") == {("AIA502", "main.tf", 10)}
    assert triples(report, "AIA303") == set()
    assert triples(report, "AIA311") == set()  # no search service
