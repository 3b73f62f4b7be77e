# The agent's action group calls the Lambda the fn module outputs.
module "fn" {
  source = "../modules/fn"
}

resource "aws_bedrockagent_agent_action_group" "tools" {
  action_group_name = "files"
  agent_id          = "AGENT12345"
  agent_version     = "DRAFT"
  action_group_executor {
    lambda = module.fn.lambda_arn
  }
  function_schema {
    member_functions {
      functions {
        name = "delete_file"
      }
    }
  }
}

resource "aws_bedrock_model_invocation_logging_configuration" "this" {
  logging_config {
    cloudwatch_config {
      log_group_name = "bedrock-invocations"
      role_arn       = "arn:aws:iam::123456789012:role/bedrock-logging"
    }
  }
}
