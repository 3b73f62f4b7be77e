# The caller overrides the module's unscoped default with one model: no finding.

module "invoke" {
  source = "../../modules/invoke"
  name   = "overridden"
  models = ["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20241022-v2:0"]
}

# Prompts and responses are recorded for this configuration (AIA104 passes).
resource "aws_bedrock_model_invocation_logging_configuration" "this" {
  logging_config {
    cloudwatch_config {
      log_group_name = "bedrock-invocations"
      role_arn       = "arn:aws:iam::123456789012:role/bedrock-logging"
    }
  }
}
