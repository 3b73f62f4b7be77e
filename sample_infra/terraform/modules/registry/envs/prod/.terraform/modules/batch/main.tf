# acme/bedrock-invoke/aws 1.2.0, as `terraform init` installed it: a role for a workload and,
# through the module's own submodule, a policy letting it invoke the models it is given.

variable "name" {
  type = string
}

variable "models" {
  description = "Model ARNs the workload may invoke (every model unless narrowed)."
  type        = list(string)
  default     = ["*"]
}

resource "aws_iam_role" "workload" {
  name = "${var.name}-workload"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

module "policy" {
  source = "./modules/policy"
  name   = var.name
  models = var.models
}

output "role_name" {
  value = aws_iam_role.workload.name
}
