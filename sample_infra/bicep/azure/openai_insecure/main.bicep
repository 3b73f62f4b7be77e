// An Azure OpenAI chat quick start as many public templates write it: keys on, public, keys in app settings.
param location string = resourceGroup().location
param openAiName string = 'oai-chat-${uniqueString(resourceGroup().id)}'
param anthropicFallbackKey string = 'sk-ant-api03-za5KxxGWfvmaQtKnP-VSGVBrYSuIb9OZiFZ3HLKv797TPNbpjava1bMZwIMlvdp5gjTrD8Osj-LnZ5R_j-8U-m7aSz7NRQw'

resource openai 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: openAiName
  location: location
  kind: 'OpenAI'
  sku: { name: 'S0' }
  identity: { type: 'SystemAssigned' }
  properties: {
    customSubDomainName: openAiName
    publicNetworkAccess: 'Enabled'
  }
}

resource openaiLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-law'
  scope: openai
  properties: {
    workspaceId: resourceId('Microsoft.OperationalInsights/workspaces', 'law-ops')
    logs: [
      { categoryGroup: 'audit', enabled: true }
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
        { name: 'AZURE_OPENAI_API_KEY', value: openai.listKeys().key1 }
        { name: 'ANTHROPIC_API_KEY', value: anthropicFallbackKey }
      ]
    }
  }
}

resource worker 'Microsoft.App/containerApps@2024-03-01' = {
  name: 'ca-chat-worker'
  location: location
  properties: {
    template: {
      containers: [
        {
          name: 'worker'
          image: 'ghcr.io/example/chat-worker:1.4.2'
          env: [
            { name: 'AZURE_OPENAI_KEY', value: listKeys(openai.id, '2024-10-01').key1 }
          ]
        }
      ]
    }
  }
}

// Absent scope: the role applies to the whole resource group this file deploys to.
resource openAiUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, web.id, 'openai-user')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd')
    principalId: web.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

output openAiEndpoint string = openai.properties.endpoint
output openAiKey string = openai.listKeys().key1
