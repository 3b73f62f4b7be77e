# count and for_each on module calls: one instance per element, none for an empty collection.

locals {
  scoped_models = ["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0", "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20241022-v2:0"]
}

# Two instances, each scoped to one model: no finding.
module "scoped" {
  source = "./modules/invoke"
  count  = length(local.scoped_models)
  name   = "scoped-${count.index}"
  models = [local.scoped_models[count.index]]
}

# One instance per team; research may invoke every model (AIA102 for module.team["research"]).
module "team" {
  source   = "./modules/invoke"
  for_each = {
    research = "*"
    support  = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"
  }
  name   = each.key
  models = [each.value]
}

# Disabled: no instance, so its unscoped models are never deployed.
module "legacy" {
  source = "./modules/invoke"
  count  = 0
  name   = "legacy"
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
