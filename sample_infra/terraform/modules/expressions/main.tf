# Expressions a module evaluates with its caller's inputs: a negation, a conditional dynamic
# block over a null default, a ternary inside jsonencode, count on an object variable, and
# optional() attributes with null defaults flowing through a for_each module call.

module "assistant" {
  for_each = {
    public = { private_only = false, full_access = true }
    locked = { private_only = true, full_access = false, guardrail_id = "gr-123", guardrail = { create = false }, engine = true }
  }
  source   = "./modules/assistant"
  name     = each.key
  settings = each.value
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
