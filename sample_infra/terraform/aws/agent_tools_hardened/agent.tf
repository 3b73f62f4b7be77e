resource "aws_bedrockagent_agent" "support" {
  agent_name                  = "support"
  agent_resource_role_arn     = var.agent_role_arn
  foundation_model            = "anthropic.claude-3-5-haiku-20241022-v1:0"
  customer_encryption_key_arn = var.agent_key_arn
  guardrail_configuration {
    guardrail_identifier = var.guardrail_id
    guardrail_version    = "1"
  }
}

variable "agent_role_arn" {
  type = string
}

variable "agent_key_arn" {
  type = string
}

variable "guardrail_id" {
  type = string
}

# Every operation of the inline schema asks the user first.
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

# The application runs the function and asks the user itself.
resource "aws_bedrockagent_agent_action_group" "orders" {
  action_group_name = "orders"
  agent_id          = aws_bedrockagent_agent.support.agent_id
  agent_version     = "DRAFT"
  action_group_executor {
    custom_control = "RETURN_CONTROL"
  }
  function_schema {
    member_functions {
      functions {
        name = "cancel_order"
      }
    }
  }
}

resource "aws_bedrock_model_invocation_logging_configuration" "this" {
  logging_config {
    text_data_delivery_enabled = true
    s3_config {
      bucket_name = var.invocation_log_bucket
    }
  }
}

variable "invocation_log_bucket" {
  type = string
}
