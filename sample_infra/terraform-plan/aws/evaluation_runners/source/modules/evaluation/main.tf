variable "suite" {
  description = "Evaluation suite this runner executes."
  type        = string
}

resource "aws_iam_user" "runner" {
  name = "bedrock-eval-${var.suite}"
}

resource "aws_iam_user_policy" "invoke" {
  name = "invoke-haiku"
  user = aws_iam_user.runner.name

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["bedrock:InvokeModel", "bedrock:Converse"]
      Resource = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"
    }]
  })
}

# Two keys so CI can switch to the new one before the old one is deleted.
resource "aws_iam_access_key" "runner" {
  count = 2
  user  = aws_iam_user.runner.name
}

output "runner_access_key_id" {
  value = aws_iam_access_key.runner[1].id
}

# The CI bootstrap job reads the newest key from `terraform output`.
output "runner_secret_access_key" {
  value = nonsensitive(aws_iam_access_key.runner[1].secret)
}
