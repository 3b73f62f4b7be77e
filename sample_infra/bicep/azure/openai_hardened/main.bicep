// The same chat app hardened: Entra ID only, private, customer-managed key, full logs, scoped role.
param location string = resourceGroup().location
param openAiName string = 'oai-chat-${uniqueString(resourceGroup().id)}'
@secure()
param anthropicFallbackKey string

resource openai 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: openAiName
  location: location
  kind: 'OpenAI'
  sku: { name: 'S0' }
  identity: { type: 'SystemAssigned' }
  properties: {
    customSubDomainName: openAiName
    disableLocalAuth: true
    publicNetworkAccess: 'Disabled'
    networkAcls: { defaultAction: 'Deny' }
    restrictOutboundNetworkAccess: true
    allowedFqdnList: []
    encryption: {
      keySource: 'Microsoft.KeyVault'
      keyVaultProperties: {
        keyName: 'cmk-openai'
        keyVaultUri: 'https://kv-chat.vault.azure.net/'
      }
    }
  }
}

resource openaiLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-law'
  scope: openai
  properties: {
    workspaceId: resourceId('Microsoft.OperationalInsights/workspaces', 'law-ops')
    logs: [
      { categoryGroup: 'allLogs', enabled: true }
    ]
  }
}

resource web 'Microsoft.Web/sites@2023-12-01' = {
  name: 'app-chat-${uniqueString(resourceGroup().id)}'
  location: location
  identity: { type: 'SystemAssigned' }
  properties: {
    siteConfig: {
      appSettings: [
        { name: 'AZURE_OPENAI_ENDPOINT', value: openai.properties.endpoint }
        { name: 'ANTHROPIC_API_KEY', value: '@Microsoft.KeyVault(SecretUri=https://kv-chat.vault.azure.net/secrets/anthropic)' }
      ]
    }
  }
}

resource worker 'Microsoft.App/containerApps@2024-03-01' = {
  name: 'ca-chat-worker'
  location: location
  properties: {
    configuration: {
      secrets: [ { name: 'anthropic-key', value: anthropicFallbackKey } ]
    }
    template: {
      containers: [
        {
          name: 'worker'
          image: 'ghcr.io/example/chat-worker:1.4.2'
          env: [
            { name: 'AZURE_OPENAI_ENDPOINT', value: openai.properties.endpoint }
            { name: 'ANTHROPIC_API_KEY', secretRef: 'anthropic-key' }
          ]
        }
      ]
    }
  }
}

resource openAiUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(openai.id, web.id, 'openai-user')
  scope: openai
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd')
    principalId: web.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

output openAiEndpoint string = openai.properties.endpoint
@secure()
output openAiKey string = openai.listKeys().key1
