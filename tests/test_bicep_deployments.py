"""Bicep deployments across files: module outputs flowing back to the caller, references that
cross a module boundary, diagnostic settings and role assignments declared in another file of
the same deployment."""

from __future__ import annotations

import pytest

from conftest import scan_dir, triples, write_tree

# An account with every setting hardened but key auth, which the caller decides.
OPENAI_MODULE = """param name string
param allowKeys bool = false
resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: name
  kind: 'OpenAI'
  identity: { type: 'SystemAssigned' }
  properties: {
    disableLocalAuth: !allowKeys
    publicNetworkAccess: 'Disabled'
    restrictOutboundNetworkAccess: true
    encryption: { keySource: 'Microsoft.KeyVault' }
  }
}
output name string = account.name
output id string = account.id
output principalId string = account.identity.principalId
output endpoint string = account.properties.endpoint
@secure()
output key string = account.listKeys().key1
"""
CALL = """module ai './modules/openai.bicep' = {
  name: 'ai'
  params: {
    name: 'oai-chat'
  }
}
resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' existing = {
  name: ai.outputs.name
}
"""
DIAGNOSTICS = """resource logs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-law'
  scope: account
  properties: {
    logs: [ %s ]
  }
}
"""


def scan(tmp_path, files):
    return scan_dir(write_tree(tmp_path, files))


def test_diagnostic_setting_in_the_caller_covers_the_module_account(tmp_path):
    report = scan(tmp_path, {"main.bicep": CALL + DIAGNOSTICS % "{ categoryGroup: 'allLogs', enabled: true }",
                             "modules/openai.bicep": OPENAI_MODULE})
    assert triples(report) == set()
    assert report.errors == [] and report.tool_errors == []


def test_partial_diagnostic_setting_in_the_caller_is_named(tmp_path):
    report = scan(tmp_path, {"main.bicep": CALL + DIAGNOSTICS % "{ categoryGroup: 'audit', enabled: true }",
                             "modules/openai.bicep": OPENAI_MODULE})
    assert triples(report) == {("AIA303", "modules/openai.bicep", 3)}
    assert report.findings[0].message == (
        "account has only logs, which does not enable RequestResponse logs")


def test_without_module_evaluation_the_existing_account_is_unknown_and_not_a_miss(tmp_path):
    # The module is not in the scan: `ai.outputs.name` is unknown, and so is the setting's target.
    report = scan(tmp_path, {"main.bicep": CALL + DIAGNOSTICS % "{ categoryGroup: 'audit', enabled: true }"})
    assert triples(report) == set()


def test_known_module_output_decides_a_setting_in_the_caller(tmp_path):
    settings = "param allowKeys bool\noutput disableLocalAuth bool = !allowKeys\n"
    main = """module policy './policy.bicep' = {
  name: 'policy'
  params: { allowKeys: %s }
}
resource openai 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: 'oai'
  kind: 'OpenAI'
  properties: {
    disableLocalAuth: policy.outputs.disableLocalAuth
  }
}
"""
    assert triples(scan(tmp_path / "on", {"main.bicep": main % "true", "policy.bicep": settings}), "AIA301") == {
        ("AIA301", "main.bicep", 9)}
    assert triples(scan(tmp_path / "off", {"main.bicep": main % "false", "policy.bicep": settings}), "AIA301") == set()


def test_registry_module_output_stays_unknown(tmp_path):
    main = """module policy 'br/public:avm/res/x:1.0.0' = {
  name: 'policy'
}
resource openai 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: 'oai'
  kind: 'OpenAI'
  properties: {
    disableLocalAuth: policy.outputs.disableLocalAuth
  }
}
"""
    assert triples(scan(tmp_path, {"main.bicep": main}), "AIA301") == set()


def test_owner_granted_to_a_module_account_identity_through_its_output(tmp_path):
    main = CALL + """resource owner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid('owner')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635')
    principalId: ai.outputs.principalId
  }
}
""" + DIAGNOSTICS % "{ categoryGroup: 'allLogs', enabled: true }"
    report = scan(tmp_path, {"main.bicep": main, "modules/openai.bicep": OPENAI_MODULE})
    assert triples(report) == {("AIA309", "main.bicep", 13)}
    assert report.findings[0].message == "owner grants Owner to the identity of module.ai.account"


def test_module_key_output_placed_in_app_settings(tmp_path):
    main = CALL + """resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: 'app'
  properties: {
    siteConfig: {
      appSettings: [
        { name: 'AZURE_OPENAI_ENDPOINT', value: ai.outputs.endpoint }
        { name: 'AZURE_OPENAI_KEY', value: ai.outputs.key }
      ]
    }
  }
}
""" + DIAGNOSTICS % "{ categoryGroup: 'allLogs', enabled: true }"
    report = scan(tmp_path, {"main.bicep": main, "modules/openai.bicep": OPENAI_MODULE})
    assert triples(report) == {("AIA305", "main.bicep", 16)}


def test_diagnostic_setting_in_a_module_for_an_account_of_the_caller(tmp_path):
    # The Azure Verified Modules shape: the module takes the account's name and declares it `existing`.
    module = """param accountName string
resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' existing = {
  name: accountName
}
""" + DIAGNOSTICS
    main = """resource openai 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: 'oai-chat'
  kind: 'OpenAI'
  properties: {
    disableLocalAuth: true
    publicNetworkAccess: 'Disabled'
    restrictOutboundNetworkAccess: true
    encryption: { keySource: 'Microsoft.KeyVault' }
  }
}
module diagnostics './diagnostics.bicep' = {
  name: 'diagnostics'
  params: { accountName: %s }
}
"""
    full = module % "{ category: 'Audit', enabled: true }, { category: 'RequestResponse', enabled: true }"
    assert triples(scan(tmp_path / "full", {"main.bicep": main % "openai.name", "diagnostics.bicep": full})) == set()
    partial = module % "{ category: 'Audit', enabled: true }, { category: 'RequestResponse', enabled: false }"
    report = scan(tmp_path / "partial", {"main.bicep": main % "openai.name", "diagnostics.bicep": partial})
    assert triples(report) == {("AIA303", "main.bicep", 1)}
    assert report.findings[0].message == "openai has only logs, which does not enable RequestResponse logs"
    other = scan(tmp_path / "other", {"main.bicep": main % "'some-other-account'", "diagnostics.bicep": full})
    assert [f.message for f in other.findings] == [
        "openai has no diagnostic setting sending its Audit and RequestResponse logs"]


def test_modules_reading_each_others_outputs_in_a_cycle_end_with_a_note(tmp_path):
    a = "module b './b.bicep' = {\n  name: 'b'\n}\noutput x string = b.outputs.x\n"
    b = "module a './a.bicep' = {\n  name: 'a'\n}\noutput x string = a.outputs.x\n"
    report = scan(tmp_path, {"main.bicep": "module a './a.bicep' = {\n  name: 'a'\n}\n", "a.bicep": a, "b.bicep": b})
    assert report.errors == [] and report.tool_errors == []
    assert "b.bicep:1: module a: module cycle a.bicep -> b.bicep -> a.bicep; not instantiated again" in report.notes


def test_a_parameter_and_an_output_may_share_a_name(tmp_path):
    # Outputs have their own namespace: `name` below is the parameter the caller gives.
    module = OPENAI_MODULE.replace("param allowKeys bool = false", "param allowKeys bool = true")
    report = scan(tmp_path, {"main.bicep": CALL, "modules/openai.bicep": module})
    assert {(f.code, f.resource) for f in report.findings if f.code == "AIA301"} == {("AIA301", "module.ai.account")}
    account = [f for f in report.findings if f.code == "AIA301"][0]
    assert account.message == "account sets properties.disableLocalAuth = false, so API keys work"


def test_a_module_reading_its_own_output_through_itself_is_unknown(tmp_path):
    selfish = "module me './main.bicep' = {\n  name: 'me'\n}\noutput x string = me.outputs.x\n"
    report = scan(tmp_path, {"main.bicep": selfish})
    assert report.errors == [] and report.tool_errors == []


def test_an_output_does_not_shadow_the_parameter_of_the_same_name():
    from aiaas_iac.parsers import bicep

    evaluation = bicep.evaluate(bicep.syntax_tree(OPENAI_MODULE), "modules/openai.bicep", inputs={"name": "oai-chat"})
    by_address = {r.address: r for r in evaluation.resources}
    assert by_address["account"].attributes["name"] == "oai-chat"
    assert [r.attributes["value"] for r in evaluation.resources if r.kind == "output" and r.name == "name"] == ["oai-chat"]


# --- AIA303: which log entries count (CHECKS.md: Audit and RequestResponse, by category or allLogs) ---

HARDENED_ACCOUNT = """param group string
resource openai 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: 'oai'
  kind: 'OpenAI'
  properties: {
    disableLocalAuth: true
    publicNetworkAccess: 'Disabled'
    restrictOutboundNetworkAccess: true
    encryption: { keySource: 'Microsoft.KeyVault' }
  }
}
resource logs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'd'
  scope: openai
  properties: {
    workspaceId: '/subscriptions/0/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law'
    %s
  }
}
"""


@pytest.mark.parametrize("entries, missing", [
    ("logs: [ { categoryGroup: 'allLogs', enabled: true } ]", None),
    ("logs: [ { categoryGroup: 'allLogs' } ]", None),  # `enabled` absent: on
    ("logs: [ { category: 'audit', enabled: true }, { category: 'requestresponse', enabled: true } ]", None),
    ("logs: [ { categoryGroup: 'audit', enabled: true }, { category: 'RequestResponse', enabled: true } ]", None),
    ("logs: [ { categoryGroup: group, enabled: true } ]", None),  # unknown group: never a finding
    ("logs: [ { categoryGroup: 'allLogs', enabled: false } ]", "Audit and RequestResponse"),
    ("logs: [ { categoryGroup: 'audit', enabled: true } ]", "RequestResponse"),
    ("logs: [ { category: 'RequestResponse', enabled: true }, { category: 'Trace', enabled: true } ]", "Audit"),
    ("metrics: [ { category: 'AllMetrics', enabled: true } ]", "Audit and RequestResponse"),
])
def test_aia303_log_entries(tmp_path, entries, missing):
    report = scan(tmp_path, {"main.bicep": HARDENED_ACCOUNT % entries})
    if missing is None:
        assert triples(report) == set()
    else:
        assert triples(report) == {("AIA303", "main.bicep", 2)}
        assert report.findings[0].message == f"openai has only logs, which does not enable {missing} logs"


def test_aia303_arm_extension_setting_with_some_categories(tmp_path):
    import json

    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [
            {"type": "Microsoft.CognitiveServices/accounts", "apiVersion": "2024-10-01", "name": "oai",
             "kind": "OpenAI", "properties": {"disableLocalAuth": True, "publicNetworkAccess": "Disabled",
                                              "restrictOutboundNetworkAccess": True,
                                              "encryption": {"keySource": "Microsoft.KeyVault"}}},
            {"type": "Microsoft.CognitiveServices/accounts/providers/diagnosticSettings",
             "apiVersion": "2021-05-01-preview", "name": "oai/Microsoft.Insights/to-law",
             "properties": {"logs": [{"category": "Audit", "enabled": True},
                                     {"category": "RequestResponse", "enabled": False}]}},
        ],
    }
    report = scan(tmp_path, {"azuredeploy.json": json.dumps(template, indent=2)})
    assert triples(report) == {("AIA303", "azuredeploy.json", 5)}
    assert report.findings[0].message == ("Microsoft.CognitiveServices/accounts/oai has only "
                                          "Microsoft.Insights/diagnosticSettings/oai/Microsoft.Insights/to-law, which does not enable "
                                          "RequestResponse logs")


# --- references passed into a module as parameters ------------------------------------------------

ACCOUNT_IN_CALLER = """resource openai 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: 'oai-chat'
  kind: 'OpenAI'
  identity: { type: 'SystemAssigned' }
  properties: {
    disableLocalAuth: false
    publicNetworkAccess: 'Disabled'
    restrictOutboundNetworkAccess: true
    encryption: { keySource: 'Microsoft.KeyVault' }
  }
}
resource logs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-law'
  scope: openai
  properties: { logs: [ { categoryGroup: 'allLogs', enabled: true } ] }
}
"""
ROLE = """param principalId string
param roleDefinitionId string
resource role 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(principalId, roleDefinitionId)
  properties: {
    principalId: principalId
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionId)
  }
}
"""


@pytest.mark.parametrize("role, expected", [
    ("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", {("AIA309", "role.bicep", 7)}),  # Owner
    ("5e0bd9bd-7b93-4f28-af87-19fc36ad61bd", {("AIA304", "role.bicep", 3)}),  # OpenAI User, on the group
])
def test_account_identity_passed_to_a_role_module(tmp_path, role, expected):
    main = ACCOUNT_IN_CALLER + f"""module grant './role.bicep' = {{
  name: 'grant'
  params: {{
    principalId: openai.identity.principalId
    roleDefinitionId: '{role}'
  }}
}}
"""
    report = scan(tmp_path, {"main.bicep": main, "role.bicep": ROLE})
    assert triples(report) == {("AIA301", "main.bicep", 6)} | expected
    if "AIA309" in {code for code, _, _ in expected}:
        assert [f.message for f in report.findings if f.code == "AIA309"] == [
            "role grants Owner to the identity of openai"]


def test_key_passed_to_an_app_module_lands_in_its_app_settings(tmp_path):
    app = """param settings object
resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: 'app'
  resource config 'config' = {
    name: 'appsettings'
    properties: settings
  }
}
"""
    main = ACCOUNT_IN_CALLER + """module app './app.bicep' = {
  name: 'app'
  params: {
    settings: {
      AZURE_OPENAI_ENDPOINT: openai.properties.endpoint
      AZURE_OPENAI_KEY: openai.listKeys().key1
    }
  }
}
"""
    report = scan(tmp_path, {"main.bicep": main, "app.bicep": app})
    assert triples(report) == {("AIA301", "main.bicep", 6), ("AIA305", "app.bicep", 6)}
    assert [f.resource for f in report.findings if f.code == "AIA305"] == ["module.app.site::config"]


def test_unknown_parameter_passed_to_a_module_is_never_a_finding(tmp_path):
    main = "param principalId string\nmodule grant './role.bicep' = {\n  name: 'grant'\n  params: {\n" \
           "    principalId: principalId\n    roleDefinitionId: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635'\n  }\n}\n"
    assert triples(scan(tmp_path, {"main.bicep": main, "role.bicep": ROLE})) == set()
