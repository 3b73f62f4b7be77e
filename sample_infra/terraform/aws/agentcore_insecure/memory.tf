# Conversation memory of the support agent, encrypted with an AWS-managed key (AIA118).
resource "aws_bedrockagentcore_memory" "support" {
  name                  = "support_memory"
  event_expiry_duration = 30
}

resource "awscc_bedrockagentcore_memory" "support_awscc" {
  name                  = "support_memory_awscc"
  event_expiry_duration = 30
}
