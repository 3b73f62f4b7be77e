# prod deploys the chat backend with invocation logging.

module "chat" {
  source = "../../modules/chat"
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
