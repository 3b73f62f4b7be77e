variable "region" {
  description = "Region the chatbot runs in."
  type        = string
  default     = "us-east-1"
}

variable "foundation_model_id" {
  description = "Model the agent orchestrates with."
  type        = string
  default     = "anthropic.claude-3-5-sonnet-20240620-v1:0"
}

variable "invoke_model_arns" {
  description = "Models the chat backend may call."
  type        = list(string)
  default = [
    "arn:aws:bedrock:*::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0",
    "arn:aws:bedrock:*::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0",
  ]
}

variable "vpc_id" {
  description = "VPC the chat backend runs in."
  type        = string
}

variable "private_subnet_ids" {
  description = "Subnets for the OpenSearch Serverless VPC endpoint."
  type        = list(string)
}
