# Support chatbot, hardened: the same Bedrock agent, knowledge base and chat backend as
# ../bedrock_agent_insecure, with scoped permissions, a guardrail, customer managed
# encryption, a private vector store, invocation logging and no long-lived keys.

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
  }
}

provider "aws" {
  region = var.region
}

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  name_prefix     = "support-chatbot"
  collection_name = "support-kb"
  account_id      = data.aws_caller_identity.current.account_id

  tags = {
    Service = "support-chatbot"
    Owner   = "platform-ai"
  }
}
