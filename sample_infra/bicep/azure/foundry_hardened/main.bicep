// The RAG app hardened: prompt shields blocking, private hub with managed network isolation,
// search with Entra ID only, and the account's identity a data reader on the index only.
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

  resource strict 'raiPolicies' = {
    name: 'strict'
    properties: {
      basePolicyName: 'Microsoft.DefaultV2'
      mode: 'Blocking'
      contentFilters: [
        { name: 'Jailbreak', enabled: true, blocking: true, source: 'Prompt' }
        { name: 'Indirect Attack', enabled: true, blocking: true, source: 'Prompt' }
      ]
    }
  }

  resource gpt 'deployments' = {
    name: 'gpt-4o'
    sku: { name: 'Standard', capacity: 30 }
    properties: {
      model: { format: 'OpenAI', name: 'gpt-4o', version: '2024-11-20' }
      raiPolicyName: strict.name
    }
  }
}

resource openaiLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-law'
  scope: openai
  properties: {
    logs: [
      { categoryGroup: 'allLogs', enabled: true }
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
    publicNetworkAccess: 'Disabled'
    managedNetwork: { isolationMode: 'AllowOnlyApprovedOutbound' }
  }
}

resource search 'Microsoft.Search/searchServices@2024-06-01-preview' = {
  name: 'srch-rag-prod'
  location: location
  sku: { name: 'standard' }
  properties: {
    disableLocalAuth: true
  }
}

resource indexReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(search.id, openai.id, 'index-reader')
  scope: search
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '1407120a-92aa-4202-b7e9-c0e197c71c8f')
    principalId: openai.identity.principalId
    principalType: 'ServicePrincipal'
  }
}
