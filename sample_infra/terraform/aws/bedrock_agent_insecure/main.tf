# Support chatbot: a Bedrock agent answering customer questions from a knowledge base,
# plus the IAM identities the chat backend and the nightly evaluation job use.

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

  tags = {
    Service = "support-chatbot"
    Owner   = "platform-ai"
  }
}
