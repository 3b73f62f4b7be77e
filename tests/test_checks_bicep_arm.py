"""AIA301-AIA311, AIA501 and AIA502 on Bicep and ARM templates: samples and focused cases."""

from __future__ import annotations

import pytest

from conftest import SAMPLES, scan_dir, triples, write_tree

BICEP = SAMPLES / "bicep" / "azure"
ARM = SAMPLES / "arm" / "azure"


# --- sample_infra scenarios -------------------------------------------------------------------

def test_bicep_insecure_chat_app_fires_every_account_check():
    report = scan_dir(BICEP / "openai_insecure")
    assert triples(report) == {
        ("AIA501", "main.bicep", 4),
        ("AIA301", "main.bicep", 6),
        ("AIA303", "main.bicep", 6),
        ("AIA306", "main.bicep", 6),
        ("AIA307", "main.bicep", 6),
        ("AIA302", "main.bicep", 14),
        ("AIA305", "main.bicep", 37),
        ("AIA305", "main.bicep", 54),
        ("AIA304", "main.bicep", 63),
        ("AIA502", "main.bicep", 73),
    }
    assert report.errors == [] and report.tool_errors == []


@pytest.mark.parametrize("scenario", ["openai_hardened", "foundry_hardened"])
def test_bicep_hardened_scenarios_have_no_findings(scenario):
    report = scan_dir(BICEP / scenario)
    assert triples(report) == set()
    assert report.errors == [] and report.tool_errors == []


def test_bicep_foundry_scenario_fires_aia308_to_aia311():
    report = scan_dir(BICEP / "foundry_insecure")
    assert triples(report) == {
        ("AIA308", "main.bicep", 36),
        ("AIA310", "main.bicep", 52),
        ("AIA311", "main.bicep", 67),
        ("AIA309", "main.bicep", 74),
    }
    messages = {f.code: f.message for f in report.findings}
    assert messages["AIA308"] == ("openai::gpt uses RAI policy openai::lenient, whose prompt shields are weakened: "
                                  "Jailbreak annotate-only, Indirect Attack off")
    assert messages["AIA309"] == "openaiOwner grants Owner to the identity of openai"


def test_bicep_module_params_turn_key_auth_on_in_one_instance():
    report = scan_dir(BICEP / "module_params")
    assert triples(report) == {("AIA301", "modules/openai.bicep", 13)}
    finding = report.findings[0]
    assert finding.resource == "module.sandbox.account"
    assert [(r.file, r.span.start_line) for r in finding.related] == [("main.bicep", 9)]


def test_bicepparam_file_turns_public_access_on():
    report = scan_dir(BICEP / "bicepparam")
    assert triples(report) == {("AIA302", "main.bicep", 13)}
    assert report.findings[0].message == ('account sets properties.publicNetworkAccess = "Enabled" '
                                          "with no network ACL denying by default")


def test_arm_insecure_template_fires_every_account_check():
    report = scan_dir(ARM / "openai_insecure")
    assert triples(report) == {
        ("AIA302", "azuredeploy.json", 13),
        ("AIA303", "azuredeploy.json", 13),
        ("AIA306", "azuredeploy.json", 13),
        ("AIA307", "azuredeploy.json", 13),
        ("AIA301", "azuredeploy.json", 23),
        ("AIA305", "azuredeploy.json", 45),
        ("AIA304", "azuredeploy.json", 50),
        ("AIA502", "azuredeploy.json", 63),
    }
    messages = {f.code: f.message for f in report.findings}
    assert messages["AIA303"] == "resources[0] has only resources[1], which does not enable Audit logs"


def test_arm_hardened_template_has_no_findings():
    report = scan_dir(ARM / "openai_hardened")
    assert triples(report) == set()
    assert report.errors == [] and report.tool_errors == []


def test_arm_parameters_file_turns_key_auth_on():
    report = scan_dir(ARM / "parameters_file")
    assert triples(report) == {("AIA301", "azuredeploy.json", 20)}
    assert report.findings[0].resource == "Microsoft.CognitiveServices/accounts/oai-chat-dev"


# --- focused cases ----------------------------------------------------------------------------

ACCOUNT = """
param allowKeys bool = %s
resource openai 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: 'oai'
  kind: 'OpenAI'
  properties: {
    disableLocalAuth: !allowKeys
    publicNetworkAccess: 'Disabled'
    restrictOutboundNetworkAccess: true
    encryption: { keySource: 'Microsoft.KeyVault' }
  }
}
resource logs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'd'
  scope: openai
  properties: { logs: [ { categoryGroup: 'allLogs', enabled: true } ] }
}
"""


def scan_files(tmp_path, files):
    return scan_dir(write_tree(tmp_path, files))


def test_parameter_default_decides_local_auth(tmp_path):
    assert triples(scan_files(tmp_path / "a", {"main.bicep": ACCOUNT % "true"})) == {("AIA301", "main.bicep", 7)}
    assert triples(scan_files(tmp_path / "b", {"main.bicep": ACCOUNT % "false"})) == set()


def test_parameter_without_default_is_unknown_and_never_a_finding(tmp_path):
    text = ACCOUNT.replace("param allowKeys bool = %s", "param allowKeys bool")
    assert triples(scan_files(tmp_path, {"main.bicep": text})) == set()


def test_condition_false_declares_nothing(tmp_path):
    text = (ACCOUNT % "false") + """
param deployWorkers bool = false
resource extra 'Microsoft.CognitiveServices/accounts@2024-10-01' = if (deployWorkers) {
  name: 'oai-extra'
  kind: 'OpenAI'
}
"""
    assert triples(scan_files(tmp_path, {"main.bicep": text})) == set()


def test_diagnostic_setting_with_only_some_categories(tmp_path):
    text = (ACCOUNT % "false").replace("{ categoryGroup: 'allLogs', enabled: true }",
                                       "{ category: 'Audit', enabled: true }\n      { category: 'RequestResponse', enabled: false }")
    report = scan_files(tmp_path, {"main.bicep": text})
    assert triples(report) == {("AIA303", "main.bicep", 3)}
    assert report.findings[0].message == "openai has only logs, which does not enable RequestResponse logs"


@pytest.mark.parametrize("scope, expected", [
    ("", {("AIA304", "main.bicep", 19)}),  # absent: the resource group; reported at the block
    ("scope: resourceGroup()", {("AIA304", "main.bicep", 21)}),  # reported at `scope`
    ("scope: openai", set()),
])
def test_role_assignment_scope(tmp_path, scope, expected):
    text = (ACCOUNT % "false") + f"""
resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {{
  name: guid('x')
  {scope}
  properties: {{
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'a001fd3d-188f-4b5d-821b-7da978bf7442')
    principalId: '00000000-0000-0000-0000-000000000001'
  }}
}}
"""
    report = scan_files(tmp_path, {"main.bicep": text})
    assert triples(report) == expected


def test_subscription_target_scope_is_a_subscription(tmp_path):
    text = """targetScope = 'subscription'
resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid('x')
  properties: {
    roleDefinitionId: '/providers/Microsoft.Authorization/roleDefinitions/5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'
    principalId: '00000000-0000-0000-0000-000000000001'
  }
}
"""
    report = scan_files(tmp_path, {"main.bicep": text})
    assert [f.message for f in report.findings] == [
        "ra grants Cognitive Services OpenAI User on a whole subscription instead of the AI account"]


def test_list_keys_in_web_config_appsettings_and_container_group(tmp_path):
    text = (ACCOUNT % "false") + """
resource site 'Microsoft.Web/sites@2023-12-01' = { name: 'app' }
resource settings 'Microsoft.Web/sites/config@2023-12-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    OPENAI_KEY: openai.listKeys().key2
    OPENAI_ENDPOINT: openai.properties.endpoint
  }
}
resource group 'Microsoft.ContainerInstance/containerGroups@2023-05-01' = {
  name: 'cg'
  properties: {
    containers: [ { name: 'c', properties: { environmentVariables: [
      { name: 'KEY_PLAIN', value: 'prefix-${openai.listKeys().key1}' }
      { name: 'KEY_SECURE', secureValue: openai.listKeys().key1 }
    ] } } ]
  }
}
"""
    report = scan_files(tmp_path, {"main.bicep": text})
    assert triples(report) == {("AIA305", "main.bicep", 24), ("AIA305", "main.bicep", 32)}


def test_secure_output_and_digest_are_not_exposures(tmp_path):
    text = (ACCOUNT % "false") + """
@secure()
output key string = openai.listKeys().key1
output keyLength int = length(openai.listKeys().key1)
output plain string = openai.listKeys().key1
"""
    report = scan_files(tmp_path, {"main.bicep": text})
    assert triples(report) == {("AIA502", "main.bicep", 22)}


def test_existing_account_is_not_judged(tmp_path):
    text = """
resource openai 'Microsoft.CognitiveServices/accounts@2024-10-01' existing = {
  name: 'shared-oai'
}
output key string = openai.listKeys().key1
"""
    assert triples(scan_files(tmp_path, {"main.bicep": text})) == set()


def test_hardcoded_key_passed_to_a_module_is_reported_at_the_call(tmp_path):
    key = "sk-proj-RHtUVQcDMpg0TMkxpdzPaEMM1ZA7V0FhHVJWDBt2hWdQZUm14QhoxhLPAbQcEFUV2fsjGHb6HrlEOS47WgjKCu-0xx"
    report = scan_files(tmp_path, {
        "main.bicep": f"module app './app.bicep' = {{\n  name: 'app'\n  params: {{\n    openAiKey: '{key}'\n  }}\n}}\n",
        "app.bicep": "@secure()\nparam openAiKey string\nresource kv 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {\n"
                     "  name: 'kv/openai'\n  properties: { value: openAiKey }\n}\n",
    })
    assert triples(report) == {("AIA501", "main.bicep", 4)}


def test_arm_copy_loop_and_nested_deployment(tmp_path):
    template = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.Resources/deployments",
      "apiVersion": "2022-09-01",
      "name": "inner",
      "properties": {
        "mode": "Incremental",
        "expressionEvaluationOptions": {"scope": "inner"},
        "parameters": {"allow": {"value": true}},
        "template": {
          "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
          "parameters": {"allow": {"type": "bool", "defaultValue": false}},
          "resources": [
            {
              "type": "Microsoft.CognitiveServices/accounts",
              "apiVersion": "2024-10-01",
              "name": "[concat('oai-', copyIndex())]",
              "copy": {"name": "accounts", "count": 2},
              "kind": "OpenAI",
              "properties": {"disableLocalAuth": "[not(parameters('allow'))]", "publicNetworkAccess": "Disabled",
                             "restrictOutboundNetworkAccess": true, "encryption": {"keySource": "Microsoft.KeyVault"}}
            }
          ]
        }
      }
    }
  ]
}
"""
    report = scan_files(tmp_path, {"azuredeploy.json": template})
    by_code = {(f.code, f.resource) for f in report.findings if f.code == "AIA301"}
    assert by_code == {("AIA301", "Microsoft.CognitiveServices/accounts/oai-0"),
                       ("AIA301", "Microsoft.CognitiveServices/accounts/oai-1")}
    assert {f.location.span.start_line for f in report.findings if f.code == "AIA301"} == {23}


def test_bicep_suppression_comment_on_the_line_above(tmp_path):
    text = (ACCOUNT % "true").replace(
        "    disableLocalAuth: !allowKeys",
        "    // aiaas-iac:ignore=AIA301 sandbox account, keys needed by the load test\n    disableLocalAuth: !allowKeys")
    report = scan_files(tmp_path, {"main.bicep": text})
    assert [(f.code, f.location.span.start_line, f.suppressed) for f in report.findings] == [("AIA301", 8, True)]
