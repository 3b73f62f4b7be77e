variable "stage" { type = string }
variable "kms_key_id" { type = string }
variable "admin_roles" { type = list(string) }
variable "tool_actions" { type = list(string) }
variable "create_profile" {
  type    = bool
  default = false
}

# Azure OpenAI: key auth off only in stages matching ^prod (can(regex())), a customer-managed
# key block only when compact() of the key id leaves something (compact drops null).
resource "azurerm_cognitive_account" "chat" {
  name                               = "chat-${var.stage}"
  location                           = "westeurope"
  resource_group_name                = "rg-${var.stage}"
  kind                               = "OpenAI"
  sku_name                           = "S0"
  public_network_access_enabled      = false
  outbound_network_access_restricted = true
  local_auth_enabled                 = can(regex("^prod", var.stage)) ? false : true

  dynamic "customer_managed_key" {
    for_each = length(compact([var.kms_key_id])) > 0 ? [var.kms_key_id] : []
    content {
      key_vault_key_id = customer_managed_key.value
    }
  }
}

resource "azurerm_monitor_diagnostic_setting" "chat" {
  name                       = "chat"
  target_resource_id         = azurerm_cognitive_account.chat.id
  log_analytics_workspace_id = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/logs"
  enabled_log {
    category_group = "allLogs"
  }
}

# Vertex AI: one binding per (role, member) pair, built with setproduct().
resource "google_project_iam_member" "vertex" {
  for_each = { for pair in setproduct(var.admin_roles, ["serviceAccount:ops@acme-ml.iam.gserviceaccount.com"]) : "${pair[0]} ${pair[1]}" => pair }
  project  = "acme-ml"
  role     = each.value[0]
  member   = each.value[1]
}

resource "google_project_iam_audit_config" "all" {
  project = "acme-ml"
  service = "allServices"
  audit_log_config {
    log_type = "DATA_READ"
  }
  audit_log_config {
    log_type = "DATA_WRITE"
  }
}

# Bedrock: an application inference profile role only where the caller asks for it (count),
# and an agent tool whose role gets the caller's actions on one table.
resource "aws_iam_role" "profile" {
  count              = var.create_profile ? 1 : 0
  name               = "profile-${var.stage}"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "bedrock.amazonaws.com" } }] })
}

resource "aws_iam_role_policy" "profile" {
  count = var.create_profile ? 1 : 0
  role  = aws_iam_role.profile[0].id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = ["bedrock:InvokeModel"], Resource = "*" }]
  })
}

resource "aws_iam_role" "tool" {
  name               = "tool-${var.stage}"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }] })
}

resource "aws_iam_role_policy" "tool" {
  role = aws_iam_role.tool.id
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = var.tool_actions
      Resource = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"
    }]
  })
}

resource "aws_lambda_function" "tool" {
  function_name = "orders-${var.stage}"
  role          = aws_iam_role.tool.arn
  runtime       = "python3.12"
  handler       = "index.handler"
  filename      = "tool.zip"
}

resource "aws_bedrockagent_agent_action_group" "orders" {
  action_group_name = "orders"
  agent_id          = "AGENT12345"
  agent_version     = "DRAFT"
  action_group_executor {
    lambda = aws_lambda_function.tool.arn
  }
  function_schema {
    member_functions {
      functions {
        name = "place_order"
      }
    }
  }
}

resource "aws_bedrock_model_invocation_logging_configuration" "this" {
  logging_config {
    cloudwatch_config {
      log_group_name = "bedrock-invocations-${var.stage}"
      role_arn       = "arn:aws:iam::123456789012:role/bedrock-logging"
    }
  }
}

# One account per entry of the caller's map, each instance with its own kind and key setting:
# dev's `vision` entry is not an AI account, its `assistant` one keeps API keys on.
variable "accounts" {
  type = map(object({
    kind     = string
    api_keys = optional(bool, false)
  }))
}

resource "azurerm_cognitive_account" "extra" {
  for_each                           = var.accounts
  name                               = "${each.key}-${var.stage}"
  location                           = "westeurope"
  resource_group_name                = "rg-${var.stage}"
  kind                               = each.value.kind
  sku_name                           = "S0"
  local_auth_enabled                 = each.value.api_keys
  public_network_access_enabled      = false
  outbound_network_access_restricted = true
  customer_managed_key {
    key_vault_key_id = "https://kv-${var.stage}.vault.azure.net/keys/openai/1"
  }
}

resource "azurerm_monitor_diagnostic_setting" "extra" {
  for_each                   = var.accounts
  name                       = "extra"
  target_resource_id         = azurerm_cognitive_account.extra[each.key].id
  log_analytics_workspace_id = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/logs"
  enabled_log {
    category_group = "allLogs"
  }
}
