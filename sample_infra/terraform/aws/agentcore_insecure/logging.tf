# Invocation logs (every prompt and response) kept forever, without a customer managed key (AIA119).
resource "aws_cloudwatch_log_group" "bedrock" {
  name = "/aws/bedrock/invocations"
}

resource "aws_bedrock_model_invocation_logging_configuration" "this" {
  logging_config {
    cloudwatch_config {
      log_group_name = aws_cloudwatch_log_group.bedrock.name
      role_arn       = aws_iam_role.logging.arn
    }
  }
}

resource "aws_iam_role" "logging" {
  name = "bedrock-invocation-logging"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "bedrock.amazonaws.com" }
    }]
  })
}
