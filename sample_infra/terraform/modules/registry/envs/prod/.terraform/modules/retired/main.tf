# Installed by an earlier `terraform init` for a call that has since been removed: no root calls
# it, so it is never judged (its unscoped policy is not a finding).

resource "aws_iam_policy" "everything" {
  name = "retired-invoke"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "bedrock:*", Resource = "*" }]
  })
}
