// A RAG app on Azure AI Foundry: weakened prompt shields, a public hub, a search index that takes keys,
// and the AI account's identity made Owner of the resource group.
param location string = resourceGroup().location

resource openai 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: 'oai-rag-prod'
  location: location
  kind: 'AIServices'
  sku: { name: 'S0' }
  identity: { type: 'SystemAssigned' }
  properties: {
    customSubDomainName: 'oai-rag-prod'
    disableLocalAuth: true
    publicNetworkAccess: 'Disabled'
    restrictOutboundNetworkAccess: true
    encryption: { keySource: 'Microsoft.KeyVault', keyVaultProperties: { keyName: 'cmk', keyVaultUri: 'https://kv-rag.vault.azure.net/' } }
  }

  resource lenient 'raiPolicies' = {
    name: 'lenient'
    properties: {
      basePolicyName: 'Microsoft.DefaultV2'
      mode: 'Blocking'
      contentFilters: [
        { name: 'Jailbreak', enabled: true, blocking: false, source: 'Prompt' }
        { name: 'Indirect Attack', enabled: false, blocking: false, source: 'Prompt' }
      ]
    }
  }

  resource gpt 'deployments' = {
    name: 'gpt-4o'
    sku: { name: 'Standard', capacity: 30 }
    properties: {
      model: { format: 'OpenAI', name: 'gpt-4o', version: '2024-11-20' }
      raiPolicyName: lenient.name
    }
  }
}

resource openaiLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-law'
  scope: openai
  properties: {
    logs: [
      { category: 'Audit', enabled: true }
      { category: 'RequestResponse', enabled: true }
    ]
  }
}

resource hub 'Microsoft.MachineLearningServices/workspaces@2024-10-01' = {
  name: 'hub-rag-prod'
  location: location
  kind: 'Hub'
  identity: { type: 'SystemAssigned' }
  properties: {
    friendlyName: 'RAG hub'
  }
}

resource search 'Microsoft.Search/searchServices@2024-06-01-preview' = {
  name: 'srch-rag-prod'
  location: location
  sku: { name: 'standard' }
  properties: {
    disableLocalAuth: false
  }
}

resource openaiOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, openai.id, 'owner')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635')
    principalId: openai.identity.principalId
    principalType: 'ServicePrincipal'
  }
}
