# A registry module called twice after `terraform init` (.terraform/modules/modules.json names
# where it was installed). The chat workload narrows the models; the batch workload keeps the
# module's default, every model: AIA102 inside the installed module, reported here, at the
# module block that leads into it.

module "chat" {
  source  = "acme/bedrock-invoke/aws"
  version = "1.2.0"
  name    = "chat"
  models  = ["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"]
}

module "batch" {
  source  = "acme/bedrock-invoke/aws"
  version = "1.2.0"
  name    = "batch"
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
