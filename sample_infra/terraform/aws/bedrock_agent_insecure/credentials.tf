# CI user for the nightly evaluation job, which runs outside AWS.
resource "aws_iam_user" "evaluation" {
  name = "${local.name_prefix}-evaluation"
  tags = local.tags
}

resource "aws_iam_user_policy" "evaluation_invoke" {
  name   = "bedrock-invoke"
  user   = aws_iam_user.evaluation.name
  policy = file("${path.module}/policies/evaluation-invoke.json")
}

resource "aws_iam_access_key" "evaluation" {
  user = aws_iam_user.evaluation.name
}

# Bedrock API key for the partner integration.
resource "aws_iam_service_specific_credential" "partner_bedrock" {
  service_name = "bedrock.amazonaws.com"
  user_name    = aws_iam_user.partner.name
}

resource "aws_iam_user" "partner" {
  name = "support-chatbot-partner"
}

resource "aws_iam_user_policy" "partner" {
  name = "converse"
  user = "support-chatbot-partner"

  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": ["bedrock:Converse", "bedrock:ConverseStream", "bedrock:InvokeModel"],
          "Resource": "arn:aws:bedrock:${data.aws_region.current.name}::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"
        }
      ]
    }
  EOT
}

resource "aws_iam_access_key" "partner" {
  user = aws_iam_user.partner.name
}
