# The legacy mail relay still authenticates with SMTP credentials; it has no Bedrock access.
resource "aws_iam_user" "smtp_relay" {
  name = "${local.name_prefix}-smtp-relay"
  tags = local.tags
}

resource "aws_iam_user_policy" "smtp_relay" {
  name = "send-mail"
  user = aws_iam_user.smtp_relay.name

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "ses:SendRawEmail"
      Resource = "arn:aws:ses:${var.region}:${local.account_id}:identity/example.com"
    }]
  })
}

resource "aws_iam_access_key" "smtp_relay" {
  user = aws_iam_user.smtp_relay.name
}

# Git over HTTPS for the docs mirror: a service-specific credential, but not for Bedrock.
resource "aws_iam_service_specific_credential" "docs_mirror" {
  service_name = "codecommit.amazonaws.com"
  user_name    = aws_iam_user.smtp_relay.name
}
