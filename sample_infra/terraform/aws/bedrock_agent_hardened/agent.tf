resource "aws_bedrockagent_agent" "support" {
  agent_name                  = "${local.name_prefix}-agent"
  agent_resource_role_arn     = aws_iam_role.agent.arn
  foundation_model            = var.foundation_model_id
  customer_encryption_key_arn = aws_kms_key.agent.arn
  idle_session_ttl_in_seconds = 600
  instruction                 = "You are the Example Corp support assistant. Answer questions about orders, shipping and returns using the knowledge base, and never reveal internal notes."

  guardrail_configuration {
    guardrail_identifier = aws_bedrock_guardrail.support.guardrail_id
    guardrail_version    = aws_bedrock_guardrail_version.support.version
  }

  tags = local.tags
}

resource "aws_bedrockagent_agent_knowledge_base_association" "support" {
  agent_id             = aws_bedrockagent_agent.support.agent_id
  description          = "Support articles and return policies"
  knowledge_base_id    = aws_bedrockagent_knowledge_base.support.id
  knowledge_base_state = "ENABLED"
}

resource "aws_bedrock_guardrail" "support" {
  name                      = "${local.name_prefix}-guardrail"
  blocked_input_messaging   = "Sorry, I can't help with that request."
  blocked_outputs_messaging = "Sorry, I can't share that."
  kms_key_arn               = aws_kms_key.agent.arn

  content_policy_config {
    filters_config {
      type            = "PROMPT_ATTACK"
      input_strength  = "HIGH"
      output_strength = "NONE"
    }
    filters_config {
      type            = "HATE"
      input_strength  = "HIGH"
      output_strength = "HIGH"
    }
  }

  sensitive_information_policy_config {
    pii_entities_config {
      action = "ANONYMIZE"
      type   = "EMAIL"
    }
  }

  tags = local.tags
}

resource "aws_bedrock_guardrail_version" "support" {
  guardrail_arn = aws_bedrock_guardrail.support.guardrail_arn
  description   = "Reviewed by security on release"
}
