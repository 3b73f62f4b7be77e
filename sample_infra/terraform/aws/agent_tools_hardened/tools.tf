# The same tools, scoped: a resource policy that names one agent, a role with specific grants.

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
      { Effect = "Allow", Action = ["dynamodb:GetItem", "dynamodb:UpdateItem"], Resource = aws_dynamodb_table.orders.arn },
      { Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = "*" },
    ]
  })
}

resource "aws_dynamodb_table" "orders" {
  name         = "orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {
    name = "id"
    type = "S"
  }
}

resource "aws_lambda_function" "orders" {
  function_name = "support-orders"
  role          = aws_iam_role.orders_tool.arn
  handler       = "orders.handler"
  runtime       = "python3.12"
  filename      = "orders.zip"
}

resource "aws_lambda_permission" "orders_from_support_agent" {
  statement_id   = "AllowSupportAgent"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.orders.function_name
  principal      = "bedrock.amazonaws.com"
  source_account = var.account_id
  source_arn     = aws_bedrockagent_agent.support.agent_arn
}

resource "aws_lambda_permission" "orders_from_returns_agent" {
  statement_id   = "AllowReturnsAgent"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.orders.function_name
  principal      = "bedrock.amazonaws.com"
  source_account = var.account_id
  source_arn     = "arn:aws:bedrock:*:${var.account_id}:agent/RETURNS01"
}

variable "account_id" {
  type    = string
  default = "111122223333"
}
