# The caller leaves the module's unscoped default alone: AIA102 in the module, for this root.

module "invoke" {
  source = "../../modules/invoke"
  name   = "kept"
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
