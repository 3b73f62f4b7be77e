# The tool Lambda; its role comes from a nested module, its ARN goes back to the caller.
variable "actions" {
  type    = list(string)
  default = ["s3:GetObject"]
}

module "role" {
  source  = "../role"
  actions = var.actions
}

resource "aws_lambda_function" "tool" {
  function_name = "agent-files"
  role          = module.role.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "tool.zip"
}

output "lambda_arn" {
  value = aws_lambda_function.tool.arn
}
