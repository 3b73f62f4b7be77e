"""Terraform blocks for AWS Bedrock: invoke policies in all three IAM spellings, agents,
guardrails, knowledge bases and invocation logging, in insecure and hardened variants."""

from __future__ import annotations

from random import Random

MODELS = [
    "anthropic.claude-3-5-sonnet-20240620-v1:0",
    "anthropic.claude-3-haiku-20240307-v1:0",
    "amazon.titan-text-premier-v1:0",
    "meta.llama3-1-70b-instruct-v1:0",
    "cohere.command-r-plus-v1:0",
]


def bedrock_invoke_role(rng: Random, name: str) -> str:
    resource = rng.choice([
        f'"arn:aws:bedrock:${{var.region}}::foundation-model/{rng.choice(MODELS)}"',
        f'["arn:aws:bedrock:*::foundation-model/{rng.choice(MODELS)}", "arn:aws:bedrock:*::foundation-model/{rng.choice(MODELS)}"]',
        '"*"',
        '"arn:aws:bedrock:*::foundation-model/*"',
    ])
    return f'''resource "aws_iam_role" "{name}" {{
  name = "${{local.name_prefix}}-{name}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {{ Service = "ecs-tasks.amazonaws.com" }}
    }}]
  }})
}}

resource "aws_iam_role_policy" "{name}_bedrock" {{
  name = "bedrock-invoke"
  role = aws_iam_role.{name}.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{
        Sid      = "InvokeModels"
        Effect   = "Allow"
        Action   = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
        Resource = {resource}
      }},
    ]
  }})
}}
'''


def bedrock_policy_heredoc(rng: Random, name: str) -> str:
    actions = rng.choice([
        '"bedrock:InvokeModel", "bedrock:Converse"',
        '"bedrock:*"',
        '"bedrock:InvokeModel", "bedrock:PutModelInvocationLoggingConfiguration"',
        '"bedrock:ListFoundationModels", "bedrock:GetFoundationModel"',
    ])
    return f'''resource "aws_iam_policy" "{name}" {{
  name        = "${{local.name_prefix}}-{name}"
  description = "Bedrock access for {name}"
  policy      = <<EOF
{{
  "Version": "2012-10-17",
  "Statement": [
    {{
      "Effect": "Allow",
      "Action": [{actions}],
      "Resource": "arn:aws:bedrock:*::foundation-model/{rng.choice(MODELS)}"
    }}
  ]
}}
EOF
}}
'''


def bedrock_policy_document(rng: Random, name: str) -> str:
    resources = rng.choice(['["*"]', f'["arn:aws:bedrock:${{var.region}}::foundation-model/{rng.choice(MODELS)}"]'])
    return f'''data "aws_iam_policy_document" "{name}" {{
  statement {{
    sid       = "Invoke"
    effect    = "Allow"
    actions   = ["bedrock:InvokeModel", "bedrock:Converse", "bedrock:ConverseStream"]
    resources = {resources}
  }}

  statement {{
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["arn:aws:logs:*:*:log-group:/aws/lambda/*"]
  }}
}}

resource "aws_iam_policy" "{name}" {{
  name   = "${{local.name_prefix}}-{name}"
  policy = data.aws_iam_policy_document.{name}.json
}}
'''


def bedrock_agent(rng: Random, name: str) -> str:
    guarded = rng.random() < 0.5
    cmk = '  customer_encryption_key_arn = aws_kms_key.' + name + '.arn\n' if rng.random() < 0.5 else ""
    guardrail = f'''
  guardrail_configuration {{
    guardrail_identifier = aws_bedrock_guardrail.{name}.guardrail_id
    guardrail_version    = aws_bedrock_guardrail.{name}.version
  }}
''' if guarded else ""
    extra = bedrock_guardrail(rng, name) if guarded else ""
    return f'''resource "aws_kms_key" "{name}" {{
  description         = "Bedrock agent {name}"
  enable_key_rotation = true
}}

resource "aws_bedrockagent_agent" "{name}" {{
  agent_name                  = "${{local.name_prefix}}-{name}"
  agent_resource_role_arn     = aws_iam_role.{name}_agent.arn
  foundation_model            = "{rng.choice(MODELS)}"
  idle_session_ttl_in_seconds = {rng.choice([300, 600, 1800])}
  instruction                 = "You answer questions about orders. Never reveal internal identifiers."
{cmk}{guardrail}}}

resource "aws_iam_role" "{name}_agent" {{
  name = "AmazonBedrockExecutionRoleForAgents_{name}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {{ Service = "bedrock.amazonaws.com" }}
    }}]
  }})
}}
{extra}'''


def bedrock_guardrail(rng: Random, name: str) -> str:
    strength = rng.choice(["HIGH", "MEDIUM", "NONE"])
    return f'''
resource "aws_bedrock_guardrail" "{name}" {{
  name                      = "${{local.name_prefix}}-{name}"
  blocked_input_messaging   = "Sorry, I can't help with that request."
  blocked_outputs_messaging = "Sorry, I can't share that."

  content_policy_config {{
    filters_config {{
      type            = "HATE"
      input_strength  = "HIGH"
      output_strength = "HIGH"
    }}
    filters_config {{
      type            = "PROMPT_ATTACK"
      input_strength  = "{strength}"
      output_strength = "NONE"
    }}
  }}

  sensitive_information_policy_config {{
    pii_entities_config {{
      type   = "EMAIL"
      action = "ANONYMIZE"
    }}
  }}
}}
'''


def bedrock_logging(rng: Random, name: str) -> str:
    return f'''resource "aws_cloudwatch_log_group" "{name}_invocations" {{
  name              = "/aws/bedrock/${{local.name_prefix}}"
  retention_in_days = 365
}}

resource "aws_bedrock_model_invocation_logging_configuration" "{name}" {{
  logging_config {{
    embedding_data_delivery_enabled = true
    image_data_delivery_enabled     = true
    text_data_delivery_enabled      = {rng.choice(["true", "true", "false"])}

    cloudwatch_config {{
      log_group_name = aws_cloudwatch_log_group.{name}_invocations.name
      role_arn       = var.bedrock_logging_role_arn
    }}
  }}
}}

'''


def bedrock_knowledge_base(rng: Random, name: str) -> str:
    short = name.replace("_", "-")[:24]
    return f'''resource "aws_opensearchserverless_security_policy" "{name}_network" {{
  name = "{short}-net"
  type = "network"
  policy = jsonencode([{{
    Rules = [{{
      ResourceType = "collection"
      Resource     = ["collection/{short}"]
    }}]
    AllowFromPublic = {rng.choice(["true", "false"])}
  }}])
}}

resource "aws_opensearchserverless_collection" "{name}" {{
  name       = "{short}"
  type       = "VECTORSEARCH"
  depends_on = [aws_opensearchserverless_security_policy.{name}_network]
}}

resource "aws_bedrockagent_knowledge_base" "{name}" {{
  name     = "${{local.name_prefix}}-{name}"
  role_arn = aws_iam_role.{name}_kb.arn

  knowledge_base_configuration {{
    type = "VECTOR"
    vector_knowledge_base_configuration {{
      embedding_model_arn = "arn:aws:bedrock:${{var.region}}::foundation-model/amazon.titan-embed-text-v2:0"
    }}
  }}

  storage_configuration {{
    type = "OPENSEARCH_SERVERLESS"
    opensearch_serverless_configuration {{
      collection_arn    = aws_opensearchserverless_collection.{name}.arn
      vector_index_name = "bedrock-knowledge-base-default-index"
      field_mapping {{
        vector_field   = "bedrock-knowledge-base-default-vector"
        text_field     = "AMAZON_BEDROCK_TEXT_CHUNK"
        metadata_field = "AMAZON_BEDROCK_METADATA"
      }}
    }}
  }}
}}

resource "aws_iam_role" "{name}_kb" {{
  name = "AmazonBedrockExecutionRoleForKnowledgeBase_{name}"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "bedrock.amazonaws.com" }} }}]
  }})
}}
'''


AI = [bedrock_invoke_role, bedrock_policy_heredoc, bedrock_policy_document, bedrock_agent, bedrock_logging,
      bedrock_knowledge_base, bedrock_guardrail]
