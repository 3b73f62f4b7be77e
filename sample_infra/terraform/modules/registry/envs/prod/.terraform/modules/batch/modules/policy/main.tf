# The invoke policy of acme/bedrock-invoke/aws (a local submodule of the registry module).

variable "name" {
  type = string
}

variable "models" {
  type = list(string)
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
