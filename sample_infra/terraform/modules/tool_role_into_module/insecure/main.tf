# The tool role is declared here and handed to two instances of the tool module.
resource "aws_iam_role" "lambda" {
  name               = "agent-tool"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }] })
  inline_policy {
    name = "tool"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:*"], Resource = "*" }]
    })
  }
}

module "tool" {
  source          = "../modules/tool"
  for_each        = toset(["files", "mail"])
  lambda_role_arn = aws_iam_role.lambda.arn
}

resource "aws_bedrock_model_invocation_logging_configuration" "this" {
  logging_config {
    cloudwatch_config {
      log_group_name = "bedrock-invocations"
      role_arn       = "arn:aws:iam::123456789012:role/bedrock-logging"
    }
  }
}
