using './main.bicep'

param name = 'oai-demo-public'
param publicNetworkAccess = 'Enabled'
