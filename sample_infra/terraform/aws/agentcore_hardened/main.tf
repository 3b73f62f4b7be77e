# The same AgentCore agent, hardened: customer managed keys, a sandboxed code interpreter,
# inbound tokens restricted to this application, and protected invocation logs.
resource "aws_kms_key" "agent" {
  description         = "Support agent memory and logs"
  enable_key_rotation = true
}

resource "aws_bedrockagentcore_memory" "support" {
  name                  = "support_memory"
  event_expiry_duration = 30
  encryption_key_arn    = aws_kms_key.agent.arn
}

resource "awscc_bedrockagentcore_memory" "support_awscc" {
  name                  = "support_memory_awscc"
  event_expiry_duration = 30
  encryption_key_arn    = var.memory_key_arn
}

variable "memory_key_arn" {
  type = string
}

resource "aws_bedrockagentcore_code_interpreter" "analyst" {
  name               = "analyst_interpreter"
  execution_role_arn = aws_iam_role.agentcore.arn

  network_configuration {
    network_mode = "SANDBOX"
  }
}

resource "awscc_bedrockagentcore_code_interpreter_custom" "analyst_awscc" {
  name               = "analyst_interpreter_awscc"
  execution_role_arn = aws_iam_role.agentcore.arn
  network_configuration = {
    network_mode = "VPC"
    vpc_config = {
      security_groups = ["sg-0123456789abcdef0"]
      subnets         = ["subnet-0123456789abcdef0"]
    }
  }
}

# A browser is meant to reach the internet: not an AIA117 finding.
resource "aws_bedrockagentcore_browser" "research" {
  name               = "research_browser"
  execution_role_arn = aws_iam_role.agentcore.arn

  network_configuration {
    network_mode = "PUBLIC"
  }
}

resource "aws_bedrockagentcore_agent_runtime" "support" {
  agent_runtime_name = "support"
  role_arn           = aws_iam_role.agentcore.arn

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
      discovery_url    = "https://auth.example.com/.well-known/openid-configuration"
      allowed_audience = ["support-agent"]
    }
  }
}

# No authorizer_configuration: callers sign with IAM SigV4.
resource "aws_bedrockagentcore_agent_runtime" "batch" {
  agent_runtime_name = "batch"
  role_arn           = aws_iam_role.agentcore_batch.arn

  agent_runtime_artifact {
    container_configuration {
      container_uri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/batch:latest"
    }
  }

  network_configuration {
    network_mode = "PUBLIC"
  }
}

resource "aws_bedrockagentcore_gateway" "tools" {
  name            = "tools"
  role_arn        = aws_iam_role.agentcore_tools.arn
  protocol_type   = "MCP"
  authorizer_type = "CUSTOM_JWT"

  authorizer_configuration {
    custom_jwt_authorizer {
      discovery_url   = "https://auth.example.com/.well-known/openid-configuration"
      allowed_clients = [var.tools_client_id]
    }
  }
}

variable "tools_client_id" {
  type = string
}

resource "awscc_bedrockagentcore_gateway" "internal" {
  name            = "internal"
  role_arn        = aws_iam_role.agentcore_internal.arn
  protocol_type   = "MCP"
  authorizer_type = "AWS_IAM"
}

resource "aws_iam_role" "agentcore" {
  name = "support-agentcore"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "bedrock-agentcore.amazonaws.com" }
    }]
  })
}

variable "openai_api_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "aws_bedrockagentcore_api_key_credential_provider" "openai" {
  name               = "openai"
  api_key_wo         = var.openai_api_key
  api_key_wo_version = 1
}

resource "aws_bedrockagentcore_oauth2_credential_provider" "crm" {
  name                       = "crm"
  credential_provider_vendor = "CustomOauth2"

  oauth2_provider_config {
    custom_oauth2_provider_config {
      client_id                 = "support-agent"
      client_secret_wo          = var.openai_api_key
      client_secret_wo_version  = 1

      oauth_discovery {
        discovery_url = "https://crm.example.com/.well-known/openid-configuration"
      }
    }
  }
}

resource "aws_iam_role" "agentcore_batch" {
  name = "support-agentcore-batch"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "bedrock-agentcore.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role" "agentcore_tools" {
  name = "support-agentcore-tools"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "bedrock-agentcore.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role" "agentcore_internal" {
  name = "support-agentcore-internal"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "bedrock-agentcore.amazonaws.com" }
    }]
  })
}
