# One IAM policy that lets a workload invoke the models it is given.

variable "name" {
  type = string
}

variable "models" {
  description = "Model ARNs the workload may invoke."
  type        = list(string)
  default     = ["arn:aws:bedrock:*::foundation-model/*"]
}

resource "aws_iam_policy" "invoke" {
  name = "${var.name}-invoke"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
      Resource = var.models
    }]
  })
}

output "models" {
  value = var.models
}
