# Tool Lambdas of a support agent, and the roles they run with.

resource "aws_iam_role" "orders_tool" {
  name = "orders-tool"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "orders_tool" {
  role = aws_iam_role.orders_tool.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["dynamodb:*"], Resource = "*" },
      { Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = "*" },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "orders_tool_admin" {
  role       = aws_iam_role.orders_tool.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_lambda_function" "orders" {
  function_name = "support-orders"
  role          = aws_iam_role.orders_tool.arn
  handler       = "orders.handler"
  runtime       = "python3.12"
  filename      = "orders.zip"
}

resource "aws_lambda_alias" "orders_live" {
  name             = "live"
  function_name    = aws_lambda_function.orders.function_name
  function_version = "1"
}

resource "aws_lambda_permission" "orders_from_any_agent" {
  statement_id  = "AllowBedrockAgents"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.orders.function_name
  principal     = "bedrock.amazonaws.com"
}

resource "aws_lambda_permission" "orders_from_account_agents" {
  statement_id   = "AllowAccountAgents"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_alias.orders_live.arn
  principal      = "bedrock.amazonaws.com"
  source_account = var.account_id
  source_arn     = "arn:aws:bedrock:${var.region}:${var.account_id}:agent/*"
}

variable "account_id" {
  type    = string
  default = "111122223333"
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

# A CRM tool behind an AgentCore gateway: its role may pass any role to any service.
resource "aws_iam_role" "crm_tool" {
  name = "crm-tool"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  inline_policy {
    name = "crm"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = "iam:PassRole", Resource = "*" },
        {
          Effect    = "Allow"
          Action    = "s3:*"
          Resource  = "*"
          Condition = { StringEquals = { "aws:ResourceAccount" = var.account_id } }
        },
      ]
    })
  }
}

resource "aws_lambda_function" "crm" {
  function_name = "support-crm"
  role          = aws_iam_role.crm_tool.arn
  handler       = "crm.handler"
  runtime       = "python3.12"
  filename      = "crm.zip"
}

resource "aws_bedrockagentcore_gateway_target" "crm" {
  name               = "crm"
  gateway_identifier = var.gateway_id
  target_configuration {
    mcp {
      lambda {
        lambda_arn = aws_lambda_function.crm.arn
        tool_schema {
          inline_payload {
            name        = "update_contact"
            description = "Update a CRM contact"
          }
        }
      }
    }
  }
}

variable "gateway_id" {
  type = string
}
