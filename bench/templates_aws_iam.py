"""Terraform blocks for plain AWS IAM: a role policy in `jsonencode`, a heredoc JSON policy and a
`data "aws_iam_policy_document"`, the three spellings real modules mix."""

from __future__ import annotations

from random import Random


def iam_role_jsonencode(rng: Random, name: str) -> str:
    service = rng.choice(["lambda.amazonaws.com", "ecs-tasks.amazonaws.com", "ec2.amazonaws.com"])
    return f'''resource "aws_iam_role" "{name}" {{
  name = "${{local.name_prefix}}-{name}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {{ Service = "{service}" }}
    }}]
  }})
  tags = local.common_tags
}}

resource "aws_iam_role_policy" "{name}" {{
  name = "{name}-access"
  role = aws_iam_role.{name}.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{
        Sid      = "ReadArtifacts"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:ListBucket"]
        Resource = ["arn:aws:s3:::${{local.name_prefix}}-artifacts", "arn:aws:s3:::${{local.name_prefix}}-artifacts/*"]
      }},
      {{
        Sid      = "WriteLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "arn:aws:logs:${{var.region}}:*:log-group:/app/{name}:*"
      }},
    ]
  }})
}}

resource "aws_iam_role_policy_attachment" "{name}_ssm" {{
  role       = aws_iam_role.{name}.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
}}
'''


def iam_policy_heredoc(rng: Random, name: str) -> str:
    return f'''resource "aws_iam_policy" "{name}" {{
  name        = "${{local.name_prefix}}-{name}"
  description = "Queue access for the {name} workers"
  policy      = <<EOF
{{
  "Version": "2012-10-17",
  "Statement": [
    {{
      "Sid": "Consume",
      "Effect": "Allow",
      "Action": [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes"
      ],
      "Resource": "arn:aws:sqs:*:*:{name}-*"
    }},
    {{
      "Sid": "Decrypt",
      "Effect": "Allow",
      "Action": "kms:Decrypt",
      "Resource": "*",
      "Condition": {{
        "StringEquals": {{ "kms:ViaService": "sqs.${{var.region}}.amazonaws.com" }}
      }}
    }}
  ]
}}
EOF
}}
'''


def iam_policy_document(rng: Random, name: str) -> str:
    return f'''data "aws_iam_policy_document" "{name}" {{
  statement {{
    sid       = "ReadParameters"
    effect    = "Allow"
    actions   = ["ssm:GetParameter", "ssm:GetParametersByPath"]
    resources = ["arn:aws:ssm:${{var.region}}:*:parameter/${{var.environment}}/{name}/*"]
  }}

  statement {{
    sid     = "ReadSecrets"
    actions = ["secretsmanager:GetSecretValue"]
    resources = [
      "arn:aws:secretsmanager:${{var.region}}:*:secret:${{var.environment}}/{name}-*",
    ]
  }}
}}

resource "aws_iam_policy" "{name}" {{
  name   = "${{local.name_prefix}}-{name}"
  policy = data.aws_iam_policy_document.{name}.json
}}
'''
