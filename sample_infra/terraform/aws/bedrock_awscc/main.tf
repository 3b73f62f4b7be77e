# A research assistant built with the Cloud Control (awscc) provider.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
    awscc = {
      source  = "hashicorp/awscc"
      version = "~> 1.20"
    }
  }
}

variable "guardrail_id" {
  description = "Organisation-wide guardrail maintained by the security team."
  type        = string
}

resource "awscc_iam_role" "assistant" {
  role_name = "research-assistant"
  assume_role_policy_document = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "sts:AssumeRole"
    }]
  })
  policies = [{
    policy_name = "invoke-claude"
    policy_document = jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect   = "Allow"
        Action   = ["bedrock:InvokeModel"]
        Resource = "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-5-sonnet-20241022-v2:0"
      }]
    })
  }]
}

resource "awscc_iam_role" "notebooks" {
  role_name = "research-notebooks"
  assume_role_policy_document = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "sagemaker.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  managed_policy_arns = ["arn:aws:iam::aws:policy/AmazonBedrockFullAccess"]
}

resource "awscc_iam_managed_policy" "batch_invoke" {
  managed_policy_name = "research-batch-invoke"
  policy_document = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["bedrock:Invoke*"]
      Resource = "*"
    }]
  })
}

resource "awscc_bedrock_agent" "assistant" {
  agent_name              = "research-assistant"
  agent_resource_role_arn = awscc_iam_role.assistant.arn
  foundation_model        = "anthropic.claude-3-5-sonnet-20241022-v2:0"
  instruction             = "You help analysts find and summarise internal research reports."

  guardrail_configuration = {
    guardrail_identifier = var.guardrail_id
    guardrail_version    = "1"
  }
}

resource "awscc_bedrock_guardrail" "assistant" {
  name                      = "research-assistant"
  blocked_input_messaging   = "This request is not allowed."
  blocked_outputs_messaging = "This answer is not allowed."

  content_policy_config = {
    filters_config = [
      {
        type            = "PROMPT_ATTACK"
        input_strength  = "NONE"
        output_strength = "NONE"
      },
      {
        type            = "VIOLENCE"
        input_strength  = "HIGH"
        output_strength = "HIGH"
      },
    ]
  }
}

resource "awscc_opensearchserverless_security_policy" "reports_network" {
  name = "research-reports-net"
  type = "network"
  policy = jsonencode([{
    Rules           = [{ ResourceType = "collection", Resource = ["collection/research-reports"] }]
    AllowFromPublic = true
  }])
}

resource "awscc_bedrock_knowledge_base" "reports" {
  name     = "research-reports"
  role_arn = awscc_iam_role.assistant.arn
  knowledge_base_configuration = {
    type = "VECTOR"
    vector_knowledge_base_configuration = {
      embedding_model_arn = "arn:aws:bedrock:us-west-2::foundation-model/amazon.titan-embed-text-v2:0"
    }
  }
  storage_configuration = {
    type = "OPENSEARCH_SERVERLESS"
    opensearch_serverless_configuration = {
      collection_arn    = "arn:aws:aoss:us-west-2:111122223333:collection/research-reports"
      vector_index_name = "reports"
      field_mapping = {
        vector_field   = "embedding"
        text_field     = "text"
        metadata_field = "metadata"
      }
    }
  }
}

resource "aws_bedrock_model_invocation_logging_configuration" "this" {
  logging_config {
    s3_config {
      bucket_name = "research-bedrock-invocation-logs"
    }
  }
}
