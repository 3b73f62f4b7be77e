resource "aws_bedrockagent_agent" "support" {
  agent_name                  = "${local.name_prefix}-agent"
  agent_resource_role_arn     = aws_iam_role.agent.arn
  foundation_model            = var.foundation_model_id
  idle_session_ttl_in_seconds = 600
  instruction                 = "You are the Example Corp support assistant. Answer questions about orders, shipping and returns using the knowledge base, and never reveal internal notes."

  tags = local.tags
}

resource "aws_bedrockagent_agent_knowledge_base_association" "support" {
  agent_id             = aws_bedrockagent_agent.support.agent_id
  description          = "Support articles and return policies"
  knowledge_base_id    = aws_bedrockagent_knowledge_base.support.id
  knowledge_base_state = "ENABLED"
}

# Declared, but never attached to the agent, and it does not screen prompt attacks.
resource "aws_bedrock_guardrail" "support" {
  name                      = "${local.name_prefix}-guardrail"
  blocked_input_messaging   = "Sorry, I can't help with that request."
  blocked_outputs_messaging = "Sorry, I can't share that."

  content_policy_config {
    filters_config {
      type            = "HATE"
      input_strength  = "HIGH"
      output_strength = "HIGH"
    }
    filters_config {
      type            = "INSULTS"
      input_strength  = "MEDIUM"
      output_strength = "MEDIUM"
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
