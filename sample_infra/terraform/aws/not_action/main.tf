# NotAction both ways: an Allow that excludes only IAM leaves Bedrock wide open; a Deny
# with NotAction (deny everything outside an allow-list) grants nothing.

resource "aws_iam_policy" "power_user" {
  name = "power-user-without-iam"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "EverythingButIdentity"
        Effect    = "Allow"
        NotAction = ["iam:*", "organizations:*", "account:*"]
        Resource  = "*"
      },
    ]
  })
}

data "aws_iam_policy_document" "region_guard" {
  statement {
    sid         = "DenyOutsideAllowedServices"
    effect      = "Deny"
    not_actions = ["bedrock:InvokeModel", "s3:GetObject", "sts:GetCallerIdentity"]
    resources   = ["*"]
  }

  statement {
    sid       = "InvokeOneModel"
    actions   = ["bedrock:InvokeModel"]
    resources = ["arn:aws:bedrock:*::foundation-model/amazon.nova-pro-v1:0"]
  }
}

resource "aws_iam_policy" "region_guard" {
  name   = "analytics-guarded"
  policy = data.aws_iam_policy_document.region_guard.json
}

resource "aws_bedrock_model_invocation_logging_configuration" "this" {
  logging_config {
    s3_config {
      bucket_name = "org-bedrock-invocation-logs"
      key_prefix  = "analytics/"
    }
  }
}
