# Agent execution role: only Bedrock may assume it, and only for this account's agents.
resource "aws_iam_role" "agent" {
  name = "${local.name_prefix}-agent"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { Service = "bedrock.amazonaws.com" }
        Action    = "sts:AssumeRole"
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
          ArnLike      = { "aws:SourceArn" = "arn:aws:bedrock:${var.region}:${local.account_id}:agent/*" }
        }
      }
    ]
  })

  tags = local.tags
}

data "aws_iam_policy_document" "agent_permissions" {
  statement {
    sid     = "InvokeOrchestrationModel"
    actions = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
    resources = [
      "arn:aws:bedrock:${var.region}::foundation-model/${var.foundation_model_id}",
    ]
  }

  statement {
    sid       = "ApplyGuardrail"
    actions   = ["bedrock:ApplyGuardrail"]
    resources = [aws_bedrock_guardrail.support.guardrail_arn]
  }

  statement {
    sid       = "QueryKnowledgeBase"
    actions   = ["bedrock:Retrieve"]
    resources = [aws_bedrockagent_knowledge_base.support.arn]
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

# Chat backend (ECS task role): temporary credentials only.
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
        Sid      = "ReadLoggingSettingsForHealthCheck"
        Effect   = "Allow"
        Action   = ["bedrock:GetModelInvocationLoggingConfiguration"]
        Resource = "*"
      },
    ]
  })
}

resource "aws_iam_role_policy" "backend_agent" {
  name   = "invoke-agent"
  role   = aws_iam_role.backend.id
  policy = file("${path.module}/policies/backend-invoke-agent.json")
}

resource "aws_iam_role_policy" "backend_converse" {
  name = "converse"
  role = aws_iam_role.backend.id

  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": ["bedrock:Converse", "bedrock:ConverseStream"],
          "Resource": "arn:aws:bedrock:${data.aws_region.current.name}::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"
        }
      ]
    }
  EOT
}
