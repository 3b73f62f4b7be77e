# An application module that calls the policy module and passes its models through.

variable "models" {
  type = list(string)
}

module "policy" {
  source = "../policy"
  name   = "app"
  models = var.models
}

output "models" {
  value = module.policy.models
}
