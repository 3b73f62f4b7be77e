// A hardened account; `allowKeys` exists for local experiments.
param name string
param location string = resourceGroup().location
param allowKeys bool = false

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: name
  location: location
  kind: 'OpenAI'
  sku: { name: 'S0' }
  properties: {
    customSubDomainName: name
    disableLocalAuth: !allowKeys
    publicNetworkAccess: 'Disabled'
    restrictOutboundNetworkAccess: true
    encryption: { keySource: 'Microsoft.KeyVault', keyVaultProperties: { keyName: 'cmk', keyVaultUri: 'https://kv-ai.vault.azure.net/' } }
  }
}

resource logs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-law'
  scope: account
  properties: {
    logs: [ { categoryGroup: 'allLogs', enabled: true } ]
  }
}
