# Agent execution role. The trust policy was copied from a cross-account prototype.
resource "aws_iam_role" "agent" {
  name = "${local.name_prefix}-agent"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { AWS = "*" }
        Action    = "sts:AssumeRole"
      }
    ]
  })

  tags = local.tags
}

data "aws_iam_policy_document" "agent_permissions" {
  statement {
    sid       = "BedrockEverything"
    actions   = ["bedrock:*"]
    resources = ["*"]
  }

  statement {
    sid       = "ReadKnowledgeBaseDocs"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = [aws_s3_bucket.kb_docs.arn, "${aws_s3_bucket.kb_docs.arn}/*"]
  }
}

resource "aws_iam_policy" "agent" {
  name   = "${local.name_prefix}-agent"
  policy = data.aws_iam_policy_document.agent_permissions.json
}

resource "aws_iam_role_policy_attachment" "agent" {
  role       = aws_iam_role.agent.name
  policy_arn = aws_iam_policy.agent.arn
}

# Chat backend (ECS task role).
data "aws_iam_policy_document" "ecs_tasks_trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "backend" {
  name               = "${local.name_prefix}-backend"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
  tags               = local.tags
}

resource "aws_iam_role_policy" "backend_bedrock" {
  name = "bedrock"
  role = aws_iam_role.backend.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "InvokeChatModels"
        Effect   = "Allow"
        Action   = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
        Resource = var.invoke_model_arns
      },
      {
        Sid      = "ToggleLoggingDuringLoadTests"
        Effect   = "Allow"
        Action   = ["bedrock:*ModelInvocationLoggingConfiguration"]
        Resource = "*"
      },
    ]
  })
}
