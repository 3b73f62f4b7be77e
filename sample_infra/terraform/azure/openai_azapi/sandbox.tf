# Sandbox account written in the azapi v1 style (body as a JSON string).
resource "azapi_resource" "sandbox" {
  type      = "Microsoft.CognitiveServices/accounts@2024-10-01"
  name      = "ais-${var.name_prefix}-sandbox"
  parent_id = azapi_resource.rg.id
  location  = var.location

  body = jsonencode({
    kind = "AIServices"
    sku  = { name = "S0" }
    properties = {
      customSubDomainName = "ais-${var.name_prefix}-sandbox"
      disableLocalAuth    = false
      publicNetworkAccess = "Enabled"
      networkAcls = {
        defaultAction = "Allow"
      }
    }
  })

  response_export_values = ["properties.endpoint"]
}

resource "azurerm_monitor_diagnostic_setting" "sandbox" {
  name                       = "audit-only"
  target_resource_id         = azapi_resource.sandbox.id
  log_analytics_workspace_id = azapi_resource.log_analytics.id

  enabled_log {
    category_group = "audit"
  }
}

data "azapi_resource_action" "sandbox_keys" {
  type                   = "Microsoft.CognitiveServices/accounts@2024-10-01"
  resource_id            = azapi_resource.sandbox.id
  action                 = "listKeys"
  response_export_values = ["key1", "key2"]
}

resource "azurerm_container_app" "agent_sandbox" {
  name                         = "ca-${var.name_prefix}-sandbox"
  container_app_environment_id = azurerm_container_app_environment.agents.id
  resource_group_name          = azapi_resource.rg.name
  revision_mode                = "Single"

  template {
    container {
      name   = "agent"
      image  = "ghcr.io/contoso/agent-runtime:0.9.1"
      cpu    = 0.5
      memory = "1Gi"

      env {
        name  = "AZURE_AI_ENDPOINT"
        value = azapi_resource.sandbox.output.properties.endpoint
      }

      env {
        name  = "AZURE_AI_API_KEY"
        value = data.azapi_resource_action.sandbox_keys.output.key1
      }
    }
  }
}

# The sandbox team may use any AI account in the subscription.
resource "azurerm_role_assignment" "sandbox_developers" {
  scope                = "/subscriptions/${var.subscription_id}"
  role_definition_name = "Azure AI Developer"
  principal_id         = var.workload_principal_id
}

# Cognitive Services OpenAI User (by built-in ID) on the whole resource group.
resource "azapi_resource" "sandbox_openai_user" {
  type      = "Microsoft.Authorization/roleAssignments@2022-04-01"
  name      = "5b0f7e0c-3f0e-4a8e-9a57-2d8f3f9e1c11"
  parent_id = azapi_resource.rg.id
  body = {
    properties = {
      principalId      = var.workload_principal_id
      principalType    = "ServicePrincipal"
      roleDefinitionId = "/subscriptions/${var.subscription_id}/providers/Microsoft.Authorization/roleDefinitions/5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"
    }
  }
}
