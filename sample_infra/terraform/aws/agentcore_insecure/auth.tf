# Inbound authorizers that accept any token of their issuer, and a gateway with none (AIA116).
resource "aws_bedrockagentcore_agent_runtime" "support" {
  agent_runtime_name = "support"
  role_arn           = aws_iam_role.runtime.arn

  agent_runtime_artifact {
    container_configuration {
      container_uri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/support:latest"
    }
  }

  network_configuration {
    network_mode = "PUBLIC"
  }

  authorizer_configuration {
    custom_jwt_authorizer {
      discovery_url = "https://accounts.google.com/.well-known/openid-configuration"
    }
  }
}

resource "awscc_bedrockagentcore_gateway" "tools" {
  name            = "tools"
  role_arn        = aws_iam_role.runtime.arn
  protocol_type   = "MCP"
  authorizer_type = "NONE"
}

resource "awscc_bedrockagentcore_runtime" "support_awscc" {
  agent_runtime_name = "support_awscc"
  role_arn           = aws_iam_role.runtime.arn
  agent_runtime_artifact = {
    container_configuration = {
      container_uri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/support:latest"
    }
  }
  network_configuration = {
    network_mode = "PUBLIC"
  }
  authorizer_configuration = {
    custom_jwt_authorizer = {
      discovery_url    = "https://login.example.com/.well-known/openid-configuration"
      allowed_audience = []
    }
  }
}

resource "aws_iam_role" "runtime" {
  name = "support-runtime"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "bedrock-agentcore.amazonaws.com" }
    }]
  })
}
