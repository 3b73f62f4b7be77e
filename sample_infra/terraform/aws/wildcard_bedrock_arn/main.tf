# The same broad `Action = "*"`, but on resources that can be Bedrock's: a wildcard service
# segment (`bedrock*`) names Bedrock and Bedrock AgentCore resources, so this is every Bedrock
# action (AIA101), the key's user can call Bedrock (AIA107), and the configuration uses Bedrock
# without invocation logging (AIA104).

resource "aws_iam_user" "ml_ops" {
  name = "ml-ops"
}

resource "aws_iam_user_policy" "ml_ops" {
  name = "ml-ops-everything"
  user = aws_iam_user.ml_ops.name

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "AnythingOnTheLogBucket"
        Effect   = "Allow"
        Action   = "*"
        Resource = "arn:aws:s3:::acme-app-logs/*"
      },
      {
        Sid      = "AnythingInBedrock"
        Effect   = "Allow"
        Action   = "*"
        Resource = "arn:*:bedrock*:*:*:*"
      },
    ]
  })
}

resource "aws_iam_access_key" "ml_ops" {
  user = aws_iam_user.ml_ops.name
}
