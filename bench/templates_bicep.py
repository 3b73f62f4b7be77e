"""Bicep and ARM JSON deployment files for the benchmark corpus.

Each file is a parameter block, a few variables and a mix of ordinary Azure
resources (storage, network, Key Vault, App Service, Log Analytics); about a
third also deploy an Azure OpenAI account with model deployments, a
diagnostic setting, role assignments and a web app that reads the endpoint
(or, in some, a `listKeys()` key), as azd templates do. ARM files are the same
resources as JSON with `[...]` expressions.
"""

from __future__ import annotations

from random import Random

WORDS = ["chat", "search", "ingest", "billing", "portal", "assistant", "catalog", "reports", "events", "notify"]


def _plain_resources(rng: Random, name: str) -> list[str]:
    return [
        f"""resource st{name} 'Microsoft.Storage/storageAccounts@2023-01-01' = {{
  name: 'st${{uniqueString(resourceGroup().id, '{name}')}}'
  location: location
  tags: tags
  sku: {{ name: '{rng.choice(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS'])}' }}
  kind: 'StorageV2'
  properties: {{
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    supportsHttpsTrafficOnly: true
    networkAcls: {{ defaultAction: 'Deny', bypass: 'AzureServices' }}
  }}
}}
""",
        f"""resource vnet{name} 'Microsoft.Network/virtualNetworks@2023-09-01' = {{
  name: 'vnet-{name}-${{environmentName}}'
  location: location
  properties: {{
    addressSpace: {{ addressPrefixes: [ '10.{rng.randrange(0, 250)}.0.0/16' ] }}
    subnets: [for (subnet, i) in subnetNames: {{
      name: subnet
      properties: {{ addressPrefix: '10.{rng.randrange(0, 250)}.${{i}}.0/24' }}
    }}]
  }}
}}
""",
        f"""resource kv{name} 'Microsoft.KeyVault/vaults@2023-07-01' = {{
  name: take('kv-{name}-${{uniqueString(resourceGroup().id)}}', 24)
  location: location
  properties: {{
    tenantId: subscription().tenantId
    sku: {{ family: 'A', name: 'standard' }}
    enableRbacAuthorization: true
    enablePurgeProtection: {rng.choice(['true', 'false'])}
    publicNetworkAccess: environmentName == 'prod' ? 'Disabled' : 'Enabled'
  }}
}}
""",
        f"""resource law{name} 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {{
  name: 'law-{name}-${{environmentName}}'
  location: location
  properties: {{
    retentionInDays: {rng.choice([30, 60, 90])}
    sku: {{ name: 'PerGB2018' }}
  }}
}}
""",
        f"""resource plan{name} 'Microsoft.Web/serverfarms@2022-09-01' = {{
  name: 'plan-{name}'
  location: location
  sku: {{ name: '{rng.choice(['B1', 'P1v3', 'S1'])}' }}
  kind: 'linux'
  properties: {{ reserved: true }}
}}
""",
    ]


def _ai_resources(rng: Random, name: str) -> list[str]:
    key_setting = ("{ name: 'AZURE_OPENAI_API_KEY', value: openai.listKeys().key1 }" if rng.random() < 0.3
                   else "{ name: 'AZURE_OPENAI_DEPLOYMENT', value: 'gpt-4o' }")
    return [
        f"""resource openai 'Microsoft.CognitiveServices/accounts@2024-10-01' = {{
  name: 'oai-{name}-${{resourceToken}}'
  location: location
  kind: 'OpenAI'
  sku: {{ name: 'S0' }}
  identity: {{ type: 'SystemAssigned' }}
  properties: {{
    customSubDomainName: 'oai-{name}-${{resourceToken}}'
    disableLocalAuth: {rng.choice(['true', 'false'])}
    publicNetworkAccess: publicAccess ? 'Enabled' : 'Disabled'
    networkAcls: {{ defaultAction: publicAccess ? 'Allow' : 'Deny' }}
  }}
}}

@batchSize(1)
resource modelDeployments 'Microsoft.CognitiveServices/accounts/deployments@2024-10-01' = [for model in models: {{
  parent: openai
  name: model.name
  sku: {{ name: 'Standard', capacity: model.?capacity ?? 10 }}
  properties: {{
    model: {{ format: 'OpenAI', name: model.name, version: model.version }}
  }}
}}]

resource openaiDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {{
  name: 'to-law'
  scope: openai
  properties: {{
    logs: [ {{ categoryGroup: '{rng.choice(['allLogs', 'audit'])}', enabled: true }} ]
  }}
}}
""",
        f"""resource app 'Microsoft.Web/sites@2023-12-01' = {{
  name: 'app-{name}-${{resourceToken}}'
  location: location
  identity: {{ type: 'SystemAssigned' }}
  properties: {{
    httpsOnly: true
    siteConfig: {{
      linuxFxVersion: 'PYTHON|3.12'
      appSettings: [
        {{ name: 'AZURE_OPENAI_ENDPOINT', value: openai.properties.endpoint }}
        {key_setting}
      ]
    }}
  }}
}}

resource openaiUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {{
  name: guid(openai.id, app.id, openAiUserRole)
  {rng.choice(['scope: openai', ''])}
  properties: {{
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', openAiUserRole)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }}
}}
""",
    ]


HEADER = """targetScope = 'resourceGroup'

@description('Name of the environment, used in resource names.')
param environmentName string = '{env}'
param location string = resourceGroup().location
param publicAccess bool = {public}
param tags object = {{ environment: environmentName, workload: '{name}' }}
param models array = [
  {{ name: 'gpt-4o', version: '2024-11-20', capacity: 30 }}
  {{ name: 'text-embedding-3-large', version: '1' }}
]

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var subnetNames = [ 'app', 'data', 'private-endpoints' ]
var openAiUserRole = '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'

"""


def bicep_file(rng: Random, name: str, target: int, max_lines: int) -> tuple[str, bool]:
    """A Bicep deployment file of about `target` lines (at most `max_lines`); True when it uses Azure OpenAI."""
    uses_ai = rng.random() < 0.35
    text = HEADER.format(env=rng.choice(["dev", "test", "prod"]), public=rng.choice(["true", "false"]), name=name)
    blocks = _ai_resources(rng, name) if uses_ai else []
    index = 0
    while text.count("\n") < target:
        block = blocks.pop(0) if blocks else rng.choice(_plain_resources(rng, f"{name}{index}"))
        if text.count("\n") + block.count("\n") > max_lines and index:
            break
        text += block + "\n"
        index += 1
    return text + f"output environment string = environmentName\n", uses_ai


def arm_file(rng: Random, name: str, target: int, max_lines: int) -> tuple[str, bool]:
    """The ARM JSON form of a small deployment (account, storage, web app) of about `target` lines."""
    import json

    uses_ai = rng.random() < 0.35
    template: dict = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "name": {"type": "string", "defaultValue": f"[concat('{name}-', uniqueString(resourceGroup().id))]"},
            "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
            "disableLocalAuth": {"type": "bool", "defaultValue": rng.random() < 0.5},
        },
        "variables": {"storageName": "[toLower(concat('st', uniqueString(resourceGroup().id)))]"},
        "resources": [],
    }
    if uses_ai:
        template["resources"].append({
            "type": "Microsoft.CognitiveServices/accounts", "apiVersion": "2024-10-01",
            "name": "[parameters('name')]", "location": "[parameters('location')]", "kind": "OpenAI",
            "sku": {"name": "S0"},
            "properties": {"customSubDomainName": "[parameters('name')]",
                           "disableLocalAuth": "[parameters('disableLocalAuth')]",
                           "publicNetworkAccess": rng.choice(["Enabled", "Disabled"])},
        })
    index = 0
    while json.dumps(template, indent=2).count("\n") < target:
        entry = {
            "type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01",
            "name": f"[concat(variables('storageName'), '{index}')]", "location": "[parameters('location')]",
            "sku": {"name": rng.choice(["Standard_LRS", "Standard_GRS"])}, "kind": "StorageV2",
            "properties": {"minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": False,
                           "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"}},
        }
        if json.dumps(template, indent=2).count("\n") + 20 > max_lines and index:
            break
        template["resources"].append(entry)
        index += 1
    return json.dumps(template, indent=2) + "\n", uses_ai


def file_name(rng: Random, index: int) -> str:
    return f"{rng.choice(WORDS)}-{index:04d}"
