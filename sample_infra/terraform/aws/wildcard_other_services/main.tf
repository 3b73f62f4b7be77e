# Broad policies that reach no AI service: an action applies only to resources of its own
# service, so `Action = "*"` on an S3 bucket or a log group grants no Bedrock action, and
# nothing here "uses Bedrock". An access key and an open trust policy on these identities are
# ordinary AWS hygiene, not AI findings. Nothing here should be reported.

resource "aws_iam_user" "log_shipper" {
  name = "log-shipper"
}

resource "aws_iam_user_policy" "log_shipper" {
  name = "ship-logs"
  user = aws_iam_user.log_shipper.name

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "AnythingOnTheLogBucket"
        Effect   = "Allow"
        Action   = "*"
        Resource = ["arn:aws:s3:::acme-app-logs", "arn:aws:s3:::acme-app-logs/*"]
      },
      {
        Sid      = "AnythingOnLogs"
        Effect   = "Allow"
        Action   = ["*"]
        Resource = "arn:aws:logs:*:*:*"
      },
      {
        Sid       = "EverythingButIamOnTheBucket"
        Effect    = "Allow"
        NotAction = ["iam:*"]
        Resource  = "arn:aws:s3:::acme-app-logs/*"
      },
    ]
  })
}

resource "aws_iam_access_key" "log_shipper" {
  user = aws_iam_user.log_shipper.name
}

resource "aws_iam_role" "partner_reader" {
  name = "partner-reader"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "sts:AssumeRole" }]
  })

  inline_policy {
    name = "read-everything-in-the-table"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = "*", Resource = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders" }]
    })
  }
}
