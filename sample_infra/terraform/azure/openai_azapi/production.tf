# Production account in the azapi v2 style (body as an HCL object), following the
# Azure Verified Module defaults: Entra ID only, private, outbound locked, CMK.
resource "azapi_resource" "production" {
  type      = "Microsoft.CognitiveServices/accounts@2024-10-01"
  name      = "ais-${var.name_prefix}-prod"
  parent_id = azapi_resource.rg.id
  location  = var.location

  identity {
    type         = "UserAssigned"
    identity_ids = [azapi_resource.identity.id]
  }

  body = {
    kind = "AIServices"
    sku  = { name = "S0" }
    properties = {
      customSubDomainName           = "ais-${var.name_prefix}-prod"
      disableLocalAuth              = true
      publicNetworkAccess           = "Disabled"
      restrictOutboundNetworkAccess = true
      allowedFqdnList               = []
      networkAcls = {
        defaultAction = "Deny"
        bypass        = "AzureServices"
      }
      encryption = {
        keySource = "Microsoft.KeyVault"
        keyVaultProperties = {
          keyVaultUri      = var.cmk_key_vault_uri
          keyName          = var.cmk_key_name
          identityClientId = azapi_resource.identity.output.properties.clientId
        }
      }
    }
  }
}

resource "azapi_resource" "production_diagnostics" {
  type      = "Microsoft.Insights/diagnosticSettings@2021-05-01-preview"
  name      = "send-to-log-analytics"
  parent_id = azapi_resource.production.id
  body = {
    properties = {
      workspaceId = azapi_resource.log_analytics.id
      logs = [
        { categoryGroup = "allLogs", enabled = true },
      ]
      metrics = [
        { category = "AllMetrics", enabled = true },
      ]
    }
  }
}

resource "azurerm_role_assignment" "agents_openai_user" {
  scope              = azapi_resource.production.id
  role_definition_id = "/subscriptions/${var.subscription_id}/providers/Microsoft.Authorization/roleDefinitions/5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"
  principal_id       = var.workload_principal_id
}
