// Safe by default; the parameter file for the demo environment opens the account to the internet.
param name string = 'oai-demo'
param publicNetworkAccess string = 'Disabled'

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: name
  location: resourceGroup().location
  kind: 'OpenAI'
  sku: { name: 'S0' }
  properties: {
    customSubDomainName: name
    disableLocalAuth: true
    publicNetworkAccess: publicNetworkAccess
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
