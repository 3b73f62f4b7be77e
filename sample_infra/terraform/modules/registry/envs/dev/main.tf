# The same registry module in a root where `terraform init` has not run: the call is noted as
# not evaluated (nothing is downloaded), and the rest of the configuration is judged.

module "batch" {
  source  = "acme/bedrock-invoke/aws"
  version = "1.2.0"
  name    = "batch"
}
