# One module, two callers: the support bot is scoped to Haiku, the research bot to every model.
# AIA102 is reported once, in the module, for module.research only.

module "support" {
  source = "./modules/invoke"
  name   = "support"
  models = ["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"]
}

module "research" {
  source = "./modules/invoke"
  name   = "research"
  models = ["*"]
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
