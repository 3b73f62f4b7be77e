variable "name" {
  type = string
}

variable "settings" {
  type = object({
    private_only = optional(bool, true)
    full_access  = optional(bool, false)
    guardrail_id = optional(string)
    guardrail    = optional(object({ create = optional(bool, true) }), {})
    engine       = optional(bool, false)
  })
}

resource "aws_opensearchserverless_security_policy" "network" {
  name = "${var.name}-net"
  type = "network"
  policy = jsonencode([{
    Rules           = [{ ResourceType = "collection", Resource = ["collection/${var.name}"] }]
    AllowFromPublic = !var.settings.private_only
  }])
}

resource "aws_bedrockagent_knowledge_base" "docs" {
  name     = "${var.name}-docs"
  role_arn = "arn:aws:iam::123456789012:role/${var.name}-kb"
  knowledge_base_configuration {
    type = "VECTOR"
    vector_knowledge_base_configuration {
      embedding_model_arn = "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0"
    }
  }
  storage_configuration {
    type = "OPENSEARCH_SERVERLESS"
  }
}

resource "aws_iam_policy" "invoke" {
  name = "${var.name}-invoke"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = var.settings.full_access ? "bedrock:*" : "bedrock:InvokeModel"
      Resource = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"
    }]
  })
}

resource "aws_bedrockagent_agent" "assistant" {
  agent_name                  = "${var.name}-agent"
  agent_resource_role_arn     = "arn:aws:iam::123456789012:role/${var.name}-agent"
  foundation_model            = "anthropic.claude-3-5-haiku-20241022-v1:0"
  customer_encryption_key_arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"

  dynamic "guardrail_configuration" {
    for_each = var.settings.guardrail_id != null ? [1] : []
    content {
      guardrail_identifier = var.settings.guardrail_id
      guardrail_version    = "1"
    }
  }
}

resource "aws_bedrock_guardrail" "screen" {
  count                     = var.settings.guardrail.create ? 1 : 0
  name                      = "${var.name}-guardrail"
  blocked_input_messaging   = "Sorry."
  blocked_outputs_messaging = "Sorry."

  content_policy_config {
    filters_config {
      type            = "HATE"
      input_strength  = "HIGH"
      output_strength = "HIGH"
    }
  }
}

locals {
  deploy_engine = var.settings.engine
}

# Deployed only where the caller asks for it (the locked instance): AIA209 there alone.
resource "google_vertex_ai_reasoning_engine" "faq" {
  count        = local.deploy_engine ? 1 : 0
  display_name = "${var.name}-faq"
  region       = "us-central1"
}
