# An agent tool: the Lambda runs with the role its caller passes in.
variable "lambda_role_arn" {
  type = string
}

resource "aws_lambda_function" "this" {
  function_name = "agent-tool"
  role          = var.lambda_role_arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "tool.zip"
}

resource "aws_bedrockagent_agent_action_group" "this" {
  action_group_name = "files"
  agent_id          = "AGENT12345"
  agent_version     = "DRAFT"
  action_group_executor {
    lambda = aws_lambda_function.this.arn
  }
  function_schema {
    member_functions {
      functions {
        name = "put_file"
      }
    }
  }
}
