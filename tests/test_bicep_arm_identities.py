"""AIA309 on Bicep/ARM: a user-assigned identity listed on an AI account, hub or project is an
AI identity, like a Terraform `identity_ids` entry (CHECKS.md **AI identity (Azure)**)."""

from __future__ import annotations

import json

from conftest import scan_dir, triples, write_tree

OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"

BICEP = """resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-ai'
  location: 'eastus'
}
resource %(owner)s '%(type)s' = {
  name: 'ai'
  kind: '%(kind)s'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${uami.id}': {}
    }
  }
  properties: {}
}
resource grant 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid('grant')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '%(role)s')
    principalId: uami.properties.principalId
  }
}
"""
ACCOUNT = {"owner": "openai", "type": "Microsoft.CognitiveServices/accounts@2024-10-01", "kind": "OpenAI"}


def scan(tmp_path, files):
    return scan_dir(write_tree(tmp_path, files))


def test_bicep_user_assigned_identity_of_an_ai_account_is_an_ai_identity(tmp_path):
    report = scan(tmp_path, {"main.bicep": BICEP % {**ACCOUNT, "role": OWNER}})
    assert triples(report, "AIA309") == {("AIA309", "main.bicep", 19)}
    assert [f.message for f in report.findings if f.code == "AIA309"] == [
        "grant grants Owner to uami, the identity of openai"]


def test_bicep_user_assigned_identity_on_a_web_app_is_not_an_ai_identity(tmp_path):
    text = BICEP % {"owner": "web", "type": "Microsoft.Web/sites@2023-12-01", "kind": "app", "role": OWNER}
    assert triples(scan(tmp_path, {"main.bicep": text}), "AIA309") == set()


def test_bicep_identity_not_listed_on_the_account_is_not_an_ai_identity(tmp_path):
    text = (BICEP % {**ACCOUNT, "role": OWNER}).replace("'${uami.id}': {}", "'${other.id}': {}") + (
        "resource other 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {\n  name: 'id-other'\n}\n")
    assert triples(scan(tmp_path, {"main.bicep": text}), "AIA309") == set()


def test_bicep_hub_identity_with_contributor_is_not_counted_but_owner_is(tmp_path):
    hub = {"owner": "hub", "type": "Microsoft.MachineLearningServices/workspaces@2024-10-01", "kind": "Hub"}
    assert triples(scan(tmp_path / "a", {"main.bicep": BICEP % {**hub, "role": CONTRIBUTOR}}), "AIA309") == set()
    assert triples(scan(tmp_path / "b", {"main.bicep": BICEP % {**hub, "role": OWNER}}), "AIA309") == {
        ("AIA309", "main.bicep", 19)}


def test_bicep_data_plane_role_for_the_identity_is_not_a_finding(tmp_path):
    text = BICEP % {**ACCOUNT, "role": "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"}  # Cognitive Services OpenAI User
    assert triples(scan(tmp_path, {"main.bicep": text}), "AIA309") == set()


def _arm(identity_key: str, principal: str) -> str:
    return json.dumps({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"identityName": {"type": "string", "defaultValue": "id-ai"}},
        "resources": [
            {"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31",
             "name": "[parameters('identityName')]"},
            {"type": "Microsoft.CognitiveServices/accounts", "apiVersion": "2024-10-01", "name": "oai",
             "kind": "OpenAI", "identity": {"type": "UserAssigned", "userAssignedIdentities": {identity_key: {}}}},
            {"type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01", "name": "[guid('x')]",
             "properties": {"roleDefinitionId": f"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{CONTRIBUTOR}')]",
                            "principalId": principal}},
        ],
    }, indent=1)


REFERENCE = ("[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', "
             "parameters('identityName')), '2023-01-31').principalId]")


def test_arm_resource_id_key_and_reference_principal(tmp_path):
    key = "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('identityName'))]"
    report = scan(tmp_path, {"azuredeploy.json": _arm(key, REFERENCE)})
    assert triples(report, "AIA309") == {("AIA309", "azuredeploy.json", 33)}
    assert [f.message for f in report.findings if f.code == "AIA309"][0].endswith(
        "grants Contributor to Microsoft.ManagedIdentity/userAssignedIdentities/id-ai, "
        "the identity of Microsoft.CognitiveServices/accounts/oai")


def test_arm_literal_identity_id_key(tmp_path):
    key = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-ai"
    assert triples(scan(tmp_path, {"azuredeploy.json": _arm(key, REFERENCE)}), "AIA309") == {
        ("AIA309", "azuredeploy.json", 33)}


def test_arm_unknown_identity_key_or_principal_is_never_a_finding(tmp_path):
    unknown_key = "[parameters('someIdentityId')]"
    assert triples(scan(tmp_path / "a", {"azuredeploy.json": _arm(unknown_key, REFERENCE)}), "AIA309") == set()
    key = "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('identityName'))]"
    assert triples(scan(tmp_path / "b", {"azuredeploy.json": _arm(key, "[parameters('principal')]")}),
                   "AIA309") == set()
