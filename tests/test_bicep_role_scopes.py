"""AIA304 on Bicep/ARM role assignments whose scope comes from the deployment: `scope` absent is
the scope the file deploys to (a module's is its call's `scope:`, a resource group unless the
module's `targetScope` says otherwise), and ARM nested deployments into a resource group."""

from __future__ import annotations

import json

import pytest

from conftest import scan_dir, triples, write_tree

OPENAI_USER = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"
ROLE_MODULE = """%s
param principalId string
resource role 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(principalId)
  %s
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd')
    principalId: principalId
  }
}
"""
SUBSCRIPTION_MAIN = """targetScope = 'subscription'
resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-ai'
  location: 'eastus'
}
module role './role.bicep' = {
  name: 'role'
  scope: %s
  params: { principalId: '00000000-0000-0000-0000-000000000001' }
}
"""


def scan(tmp_path, files):
    return scan_dir(write_tree(tmp_path, files))


@pytest.mark.parametrize("module_scope", ["rg", "resourceGroup('rg-other')", "resourceGroup(rg.name)"])
def test_module_deployed_to_a_resource_group_grants_on_the_whole_group(tmp_path, module_scope):
    report = scan(tmp_path, {"main.bicep": SUBSCRIPTION_MAIN % module_scope, "role.bicep": ROLE_MODULE % ("", "")})
    assert triples(report) == {("AIA304", "role.bicep", 3)}
    assert report.findings[0].message == (
        "role grants Cognitive Services OpenAI User on a whole resource group instead of the AI account")
    assert report.findings[0].resource == "module.role.role"


def test_subscription_module_grants_on_the_whole_subscription(tmp_path):
    report = scan(tmp_path, {"main.bicep": SUBSCRIPTION_MAIN % "subscription()",
                             "role.bicep": ROLE_MODULE % ("targetScope = 'subscription'", "")})
    assert triples(report) == {("AIA304", "role.bicep", 3)}
    assert "on a whole subscription" in report.findings[0].message


def test_explicit_resource_group_scope_is_reported_at_scope(tmp_path):
    report = scan(tmp_path, {"main.bicep": SUBSCRIPTION_MAIN % "rg",
                             "role.bicep": ROLE_MODULE % ("", "scope: resourceGroup()")})
    assert triples(report) == {("AIA304", "role.bicep", 5)}


def test_module_scoping_the_grant_to_an_existing_account_is_not_a_finding(tmp_path):
    role = ROLE_MODULE % ("param accountName string\nresource account 'Microsoft.CognitiveServices/accounts@2024-10-01'"
                          " existing = {\n  name: accountName\n}", "scope: account")
    main = (SUBSCRIPTION_MAIN % "rg").replace("params: { principalId", "params: { accountName: 'oai', principalId")
    assert triples(scan(tmp_path, {"main.bicep": main, "role.bicep": role})) == set()


def _deployment(resource_group: bool, inner_schema: str) -> str:
    assignment = {"type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01",
                  "name": "[guid('x')]",
                  "properties": {"roleDefinitionId": f"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{OPENAI_USER}')]",
                                 "principalId": "00000000-0000-0000-0000-000000000001"}}
    deployment = {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "role",
                  "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
                                 "template": {"$schema": inner_schema, "contentVersion": "1.0.0.0",
                                              "resources": [assignment]}}}
    if resource_group:
        deployment["resourceGroup"] = "rg-ai"
    return json.dumps({
        "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
        "contentVersion": "1.0.0.0", "resources": [deployment]}, indent=2)


RG_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
SUB_SCHEMA = "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"


@pytest.mark.parametrize("resource_group, inner_schema, scope", [
    (True, RG_SCHEMA, "resource group"),  # what Bicep compiles `scope: resourceGroup('rg-ai')` to
    (False, SUB_SCHEMA, "subscription"),
])
def test_arm_nested_deployment_scope(tmp_path, resource_group, inner_schema, scope):
    report = scan(tmp_path, {"azuredeploy.json": _deployment(resource_group, inner_schema)})
    assert triples(report) == {("AIA304", "azuredeploy.json", 18)}
    assert report.findings[0].message.endswith(
        f"grants Cognitive Services OpenAI User on a whole {scope} instead of the AI account")


def test_arm_existing_resource_is_not_judged(tmp_path):
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "languageVersion": "2.0", "contentVersion": "1.0.0.0",
        "resources": {
            "search": {"existing": True, "type": "Microsoft.Search/searchServices", "apiVersion": "2025-05-01",
                       "name": "shared-search"},
            "openai": {"existing": True, "type": "Microsoft.CognitiveServices/accounts", "apiVersion": "2024-10-01",
                       "name": "shared-oai", "kind": "OpenAI"},
        },
    }
    report = scan(tmp_path, {"azuredeploy.json": json.dumps(template, indent=2)})
    assert triples(report) == set()
    assert report.errors == []


def _copied_logs(categories):
    return json.dumps({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"categories": {"type": "array"} if categories is None else
                       {"type": "array", "defaultValue": categories}},
        "resources": [
            {"type": "Microsoft.CognitiveServices/accounts", "apiVersion": "2024-10-01", "name": "oai",
             "kind": "OpenAI", "properties": {"disableLocalAuth": True, "publicNetworkAccess": "Disabled",
                                              "restrictOutboundNetworkAccess": True,
                                              "encryption": {"keySource": "Microsoft.KeyVault"}}},
            {"type": "Microsoft.Insights/diagnosticSettings", "apiVersion": "2021-05-01-preview", "name": "to-law",
             "scope": "[format('Microsoft.CognitiveServices/accounts/{0}', 'oai')]",
             "properties": {"copy": [{"name": "logs", "count": "[length(parameters('categories'))]",
                                      "input": {"category": "[parameters('categories')[copyIndex('logs')]]",
                                                "enabled": True}}]}},
        ],
    }, indent=2)


@pytest.mark.parametrize("categories, expected", [
    (["Audit", "RequestResponse"], set()),
    (None, set()),  # the categories are a parameter without a value: unknown
    (["Audit"], {("AIA303", "azuredeploy.json", 13)}),
])
def test_arm_property_copy_builds_the_log_entries(tmp_path, categories, expected):
    report = scan(tmp_path, {"azuredeploy.json": _copied_logs(categories)})
    assert triples(report) == expected


def test_arm_nested_deployments_sharing_symbols_and_unknown_names_are_kept_apart(tmp_path):
    def nested(symbol_kind):
        return {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": f"[format('{{0}}-d', '{symbol_kind}')]",
                "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
                               "template": {
                                   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                                   "languageVersion": "2.0", "contentVersion": "1.0.0.0",
                                   "parameters": {"name": {"type": "string"}},
                                   "resources": {
                                       "account": {"type": "Microsoft.CognitiveServices/accounts", "apiVersion": "2024-10-01",
                                                   "name": "[parameters('name')]", "kind": symbol_kind,
                                                   "properties": {"disableLocalAuth": True}},
                                       "account_diagnostics": {
                                           "type": "Microsoft.Insights/diagnosticSettings", "apiVersion": "2021-05-01-preview",
                                           "name": "d",
                                           "scope": "[resourceId('Microsoft.CognitiveServices/accounts', parameters('name'))]",
                                           "properties": {"logs": [{"categoryGroup": "allLogs", "enabled": True}]}},
                                   }}}}
    template = {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                "languageVersion": "2.0", "contentVersion": "1.0.0.0",
                "resources": {"speech": nested("SpeechServices"), "openai": nested("OpenAI")}}
    report = scan(tmp_path, {"azuredeploy.json": json.dumps(template, indent=2)})
    # The OpenAI account's own setting may be the one its scope names; nothing says it is not.
    assert "AIA303" not in {f.code for f in report.findings}
    assert {f.resource for f in report.findings} <= {"openai::account"}
