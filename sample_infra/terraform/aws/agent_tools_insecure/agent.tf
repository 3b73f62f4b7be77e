resource "aws_bedrockagent_agent" "support" {
  agent_name              = "support"
  agent_resource_role_arn = var.agent_role_arn
  foundation_model        = "anthropic.claude-3-5-haiku-20241022-v1:0"
  guardrail_configuration {
    guardrail_identifier = var.guardrail_id
    guardrail_version    = "1"
  }
}

variable "agent_role_arn" {
  type = string
}

variable "guardrail_id" {
  type = string
}

# hashicorp/aws has no per-function confirmation setting.
resource "aws_bedrockagent_agent_action_group" "orders" {
  action_group_name = "orders"
  agent_id          = aws_bedrockagent_agent.support.agent_id
  agent_version     = "DRAFT"
  action_group_executor {
    lambda = aws_lambda_alias.orders_live.arn
  }
  function_schema {
    member_functions {
      functions {
        name        = "cancel_order"
        description = "Cancel an order"
      }
      functions {
        name = "lookup_order"
      }
    }
  }
}

# An inline OpenAPI schema whose write operation does not ask for confirmation.
resource "aws_bedrockagent_agent_action_group" "order_api" {
  action_group_name = "order-api"
  agent_id          = aws_bedrockagent_agent.support.agent_id
  agent_version     = "DRAFT"
  action_group_executor {
    lambda = aws_lambda_function.orders.arn
  }
  api_schema {
    payload = file("${path.module}/order-api.yaml")
  }
}

# The awscc agent: require_confirmation absent on one function, DISABLED on another.
resource "awscc_bedrock_agent" "returns" {
  agent_name              = "returns"
  agent_resource_role_arn = var.agent_role_arn
  foundation_model        = "anthropic.claude-3-5-haiku-20241022-v1:0"
  action_groups = [{
    action_group_name     = "returns"
    action_group_executor = { lambda = "arn:aws:lambda:eu-west-1:111122223333:function:support-orders" }
    function_schema = {
      functions = [
        { name = "open_return", require_confirmation = "DISABLED" },
        { name = "refund", require_confirmation = "ENABLED" },
        { name = "close_return" },
      ]
    }
  }]
}
