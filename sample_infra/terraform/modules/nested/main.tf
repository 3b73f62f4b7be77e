# Modules two levels deep, and an output flowing back to the root: module.app.models is
# module.app.module.policy's output, passed on to a second policy. Both grant every model:
# one AIA102 in the policy module naming both instances.

module "app" {
  source = "./modules/app"
  models = ["*"]
}

module "batch" {
  source = "./modules/policy"
  name   = "batch"
  models = module.app.models
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
