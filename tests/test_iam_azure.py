"""Azure semantics: what counts as an AI account, its defaults, role scopes, keys and logs."""

from __future__ import annotations

import pytest

from aiaas_iac.context import ScanContext
from aiaas_iac.discover import discover
from aiaas_iac.iam.azure import ai_accounts, expand_blocks, separate_customer_key
from aiaas_iac.iam.azure_diagnostics import diagnostic_coverage
from aiaas_iac.iam.azure_keys import account_key_attributes, key_placements
from aiaas_iac.iam.azure_roles import role_assignments
from aiaas_iac.parsers import parse_file
from aiaas_iac.resolve import resolve_terraform
from conftest import write_tree


@pytest.fixture
def context(tmp_path):
    """A ScanContext over a temp directory built from {relative path: text}."""
    def build(files: dict[str, str]) -> ScanContext:
        write_tree(tmp_path, files)
        sources, _ = discover([tmp_path], tmp_path)
        resources = [r for source in sources for r in parse_file(source).resources]
        return ScanContext(resolve_terraform(resources, tmp_path), tmp_path)
    return build


def only_account(ctx):
    (account,) = ai_accounts(ctx)
    return account


# --- which resources are AI accounts --------------------------------------------------

@pytest.mark.parametrize("kind, is_ai", [
    ("OpenAI", True), ("AIServices", True), ("openai", True), ("Face", False), ("SpeechServices", False),
])
def test_azurerm_account_kinds(context, kind, is_ai):
    ctx = context({"main.tf": f'resource "azurerm_cognitive_account" "a" {{\n  kind     = "{kind}"\n  sku_name = "S0"\n}}\n'})
    assert [a.kind for a in ai_accounts(ctx)] == ([kind] if is_ai else [])


def test_kind_from_a_variable_default_counts(context):
    ctx = context({"main.tf": '''
variable "kind" {
  default = "AIServices"
}
resource "azurerm_cognitive_account" "a" {
  kind     = var.kind
  sku_name = "S0"
}
'''})
    assert only_account(ctx).kind == "AIServices"


def test_azapi_v1_json_body_and_v2_object_body_are_both_read(context):
    ctx = context({"main.tf": '''
resource "azapi_resource" "v1" {
  type = "Microsoft.CognitiveServices/accounts@2023-05-01"
  body = jsonencode({ kind = "OpenAI", properties = { disableLocalAuth = true } })
}
resource "azapi_resource" "v2" {
  type = "Microsoft.CognitiveServices/accounts@2024-10-01"
  body = { kind = "AIServices", properties = { disableLocalAuth = true } }
}
resource "azapi_resource" "deployment" {
  type = "Microsoft.CognitiveServices/accounts/deployments@2024-10-01"
  body = { kind = "OpenAI" }
}
'''})
    assert [(a.address, a.local_auth_enabled.value) for a in ai_accounts(ctx)] == [
        ("azapi_resource.v1", False), ("azapi_resource.v2", False),
    ]


def test_ai_services_is_always_an_ai_services_account(context):
    ctx = context({"main.tf": 'resource "azurerm_ai_services" "a" {\n  sku_name = "S0"\n}\n'})
    assert only_account(ctx).kind == "AIServices"


# --- settings and their provider defaults ------------------------------------------------

def test_azurerm_defaults_when_nothing_is_written(context):
    account = only_account(context({"main.tf": 'resource "azurerm_cognitive_account" "a" {\n  kind = "OpenAI"\n}\n'}))
    assert (account.local_auth_enabled.value, account.local_auth_enabled.path) == (True, ())
    assert account.public_network_access.value is True
    assert account.network_acls_deny.value is False
    assert account.outbound_restricted.value is False
    assert account.inline_customer_key.value is False


def test_ai_services_defaults_are_read_from_its_own_attribute_names(context):
    account = only_account(context({"main.tf": 'resource "azurerm_ai_services" "a" {\n  sku_name = "S0"\n}\n'}))
    settings = (account.local_auth_enabled, account.public_network_access, account.network_acls_deny,
                account.outbound_restricted, account.inline_customer_key)
    assert [(s.value, s.source, s.written) for s in settings] == [
        (True, "local_authentication_enabled", False),
        (True, "public_network_access", False),
        (False, "network_acls", False),
        (False, "outbound_network_access_restricted", False),
        (False, "customer_managed_key", False),
    ]


@pytest.mark.parametrize("written, public", [('"Disabled"', False), ('"Enabled"', True), ("var.access", None)])
def test_ai_services_public_network_access_is_a_word(context, written, public):
    account = only_account(context({"main.tf": f'resource "azurerm_ai_services" "a" {{\n  public_network_access = {written}\n}}\n'}))
    assert (account.public_network_access.value, account.public_network_access.path) == (public, ("public_network_access",))


def test_azapi_defaults_when_properties_are_absent(context):
    account = only_account(context({"main.tf": '''
resource "azapi_resource" "a" {
  type = "Microsoft.CognitiveServices/accounts@2024-10-01"
  body = { kind = "OpenAI" }
}
'''}))
    values = [s.value for s in (account.local_auth_enabled, account.public_network_access, account.network_acls_deny,
                                account.outbound_restricted, account.inline_customer_key)]
    assert values == [True, True, False, False, False]


def test_azapi_settings_point_at_the_written_property(context):
    account = only_account(context({"main.tf": '''
resource "azapi_resource" "a" {
  type = "Microsoft.CognitiveServices/accounts@2024-10-01"
  body = {
    kind = "OpenAI"
    properties = {
      publicNetworkAccess = "Enabled"
      networkAcls         = { defaultAction = "Deny" }
      encryption          = { keySource = "Microsoft.KeyVault" }
    }
  }
}
'''}))
    assert account.public_network_access.path == ("body", "properties", "publicNetworkAccess")
    assert account.network_acls_deny.path == ("body", "properties", "networkAcls", "defaultAction")
    assert (account.network_acls_deny.value, account.inline_customer_key.value) == (True, True)
    assert account.resource.span_of(*account.public_network_access.path).start_line == 7


def test_variable_without_default_is_unknown(context):
    account = only_account(context({"main.tf": '''
variable "local_auth_enabled" {
  type = bool
}
resource "azurerm_cognitive_account" "a" {
  kind               = "OpenAI"
  local_auth_enabled = var.local_auth_enabled
}
'''}))
    assert account.local_auth_enabled.value is None


def test_dynamic_network_acls_over_unknown_items_is_unknown(context):
    account = only_account(context({"main.tf": '''
resource "azurerm_cognitive_account" "a" {
  kind = "OpenAI"
  dynamic "network_acls" {
    for_each = var.network_acls == null ? [] : [var.network_acls]
    content {
      default_action = "Deny"
    }
  }
}
'''}))
    assert account.network_acls_deny.value is None


def test_expand_blocks_substitutes_the_iterator_value(context):
    ctx = context({"main.tf": '''
resource "azurerm_monitor_diagnostic_setting" "d" {
  dynamic "enabled_log" {
    for_each = ["Audit", "RequestResponse"]
    iterator = log
    content {
      category = log.value
    }
  }
}
'''})
    blocks, unknown = expand_blocks(ctx.resources[0].attributes, "enabled_log")
    assert [b["category"] for _, b in blocks] == ["Audit", "RequestResponse"] and not unknown


# --- customer-managed keys and diagnostics ---------------------------------------------

def test_customer_key_resource_with_an_unknown_account_id_may_cover_it(context):
    ctx = context({"main.tf": '''
resource "azurerm_cognitive_account" "a" {
  kind = "OpenAI"
}
resource "azurerm_cognitive_account_customer_managed_key" "k" {
  cognitive_account_id = var.account_id
  key_vault_key_id     = var.key_id
}
'''})
    assert separate_customer_key(ctx, only_account(ctx)) is None


def test_diagnostic_setting_with_a_literal_account_id_covers_it(context):
    ctx = context({"main.tf": '''
resource "azurerm_cognitive_account" "a" {
  name = "oai-chat"
  kind = "OpenAI"
}
resource "azurerm_monitor_diagnostic_setting" "d" {
  target_resource_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/oai-chat"
  log {
    category = "Audit"
  }
  log {
    category = "RequestResponse"
  }
}
'''})
    assert diagnostic_coverage(ctx, only_account(ctx)).covered is True


def test_diagnostic_setting_with_unknown_categories_is_unknown(context):
    ctx = context({"main.tf": '''
resource "azurerm_cognitive_account" "a" {
  kind = "OpenAI"
}
data "azurerm_monitor_diagnostic_categories" "a" {
  resource_id = azurerm_cognitive_account.a.id
}
resource "azurerm_monitor_diagnostic_setting" "d" {
  target_resource_id = azurerm_cognitive_account.a.id
  dynamic "enabled_log" {
    for_each = data.azurerm_monitor_diagnostic_categories.a.log_category_types
    content {
      category = enabled_log.value
    }
  }
}
'''})
    assert diagnostic_coverage(ctx, only_account(ctx)).covered is None


# --- role assignment scopes ----------------------------------------------------------

@pytest.mark.parametrize("scope, kind", [
    ('"/subscriptions/00000000-0000-0000-0000-000000000000"', "subscription"),
    ('"/subscriptions/${var.subscription_id}"', "subscription"),
    ('"/subscriptions/${var.subscription_id}/resourceGroups/${var.rg}"', "resource group"),
    ('"${data.azurerm_subscription.current.id}/resourceGroups/rg-ai"', "resource group"),
    ("azurerm_resource_group.ai.id", "resource group"),
    ("data.azurerm_resource_group.shared.id", "resource group"),
    ("data.azurerm_subscription.current.id", "subscription"),
    ('"/providers/Microsoft.Management/managementGroups/platform"', "management group"),
    ("azurerm_cognitive_account.openai.id", "account"),
    ("azurerm_ai_services.foundry.id", "account"),
    ("azapi_resource.rg.id", "resource group"),
    ('"${azurerm_resource_group.ai.id}/providers/Microsoft.CognitiveServices/accounts/oai"', "account"),
    ("var.scope", None),
    ('"${var.scope_prefix}/resourceGroups/rg-ai"', None),
])
def test_scope_kinds(context, scope, kind):
    ctx = context({"main.tf": f'''
resource "azapi_resource" "rg" {{
  type = "Microsoft.Resources/resourceGroups@2024-03-01"
}}
resource "azurerm_role_assignment" "r" {{
  scope                = {scope}
  role_definition_name = "Cognitive Services User"
}}
'''})
    (assignment,) = role_assignments(ctx)
    assert assignment.scope == kind


@pytest.mark.parametrize("role_line, role", [
    ('role_definition_name = "Cognitive Services OpenAI User"', "Cognitive Services OpenAI User"),
    ('role_definition_id = "/providers/Microsoft.Authorization/roleDefinitions/64702f94-c441-49e6-a78b-ef80e0188fee"',
     "Azure AI Developer"),
    # Contributor: a privileged role (AIA309), not an AI role (AIA304)
    ('role_definition_id = "b24988ac-6180-42a0-ab88-20f7382dd24c"', "Contributor"),
    ("role_definition_name = var.role", None),
])
def test_role_names(context, role_line, role):
    ctx = context({"main.tf": f'resource "azurerm_role_assignment" "r" {{\n  scope = "/"\n  {role_line}\n}}\n'})
    assert role_assignments(ctx)[0].role == role


# --- keys in compute settings --------------------------------------------------------

def test_key_through_a_local_is_followed(context):
    ctx = context({"main.tf": '''
locals {
  openai = {
    key = azurerm_cognitive_account.a.secondary_access_key
  }
}
resource "azurerm_cognitive_account" "a" {
  kind = "OpenAI"
}
resource "azurerm_windows_function_app" "f" {
  app_settings = merge(var.common_settings, {
    OPENAI_KEY = local.openai.key
  })
}
'''})
    (placement,) = key_placements(ctx)
    assert (placement.setting, placement.key, placement.account.address) == (
        "OPENAI_KEY", "secondary_access_key", "azurerm_cognitive_account.a")


def test_hashed_key_is_not_a_key(context):
    ctx = context({"main.tf": '''
resource "azurerm_cognitive_account" "a" {
  kind = "OpenAI"
}
resource "azurerm_linux_web_app" "w" {
  app_settings = {
    OPENAI_KEY_FINGERPRINT = sha256(azurerm_cognitive_account.a.primary_access_key)
  }
}
'''})
    assert key_placements(ctx) == []


# --- which attributes hold keys (for outputs and other consumers) -----------------------

KEY_HOLDERS = '''
resource "azurerm_ai_services" "docs" {
  sku_name = "S0"
}
resource "azurerm_cognitive_account" "language" {
  kind = "TextAnalytics"
}
resource "azurerm_cognitive_account" "openai" {
  kind = "OpenAI"
}
resource "azapi_resource" "foundry" {
  type = "Microsoft.CognitiveServices/accounts@2024-10-01"
  body = { kind = "AIServices" }
}
data "azapi_resource_action" "foundry_keys" {
  type        = "Microsoft.CognitiveServices/accounts@2024-10-01"
  resource_id = azapi_resource.foundry.id
  action      = "listKeys"
}
resource "azapi_resource_action" "foundry_regenerate" {
  type        = "Microsoft.CognitiveServices/accounts@2024-10-01"
  resource_id = azapi_resource.foundry.id
  action      = "regenerateKey"
}
'''


@pytest.mark.parametrize("address, attributes", [
    ("azurerm_ai_services.docs", ("primary_access_key", "secondary_access_key")),
    ("azurerm_cognitive_account.openai", ("primary_access_key", "secondary_access_key")),
    ("azurerm_cognitive_account.language", ()),
    ("data.azapi_resource_action.foundry_keys", ("output",)),
    ("azapi_resource_action.foundry_regenerate", ()),
    ("azapi_resource.foundry", ()),
])
def test_account_key_attributes(context, address, attributes):
    ctx = context({"main.tf": KEY_HOLDERS})
    resource = next(r for r in ctx.resources if r.address == address)
    assert account_key_attributes(ctx, resource) == attributes


def test_ai_services_key_through_merge_is_placed(context):
    ctx = context({"main.tf": '''
resource "azurerm_ai_services" "docs" {
  sku_name = "S0"
}
resource "azurerm_linux_web_app" "w" {
  app_settings = merge(local.common_settings, {
    DOCS_KEY = azurerm_ai_services.docs.primary_access_key
  })
}
'''})
    (placement,) = key_placements(ctx)
    assert (placement.setting, placement.key, placement.account.address) == (
        "DOCS_KEY", "primary_access_key", "azurerm_ai_services.docs")
