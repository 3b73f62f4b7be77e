variable "anthropic_api_key" {
  description = "Anthropic key used by the summariser"
  type        = string
  default     = "sk-ant-api03-za5KxxGWfvmaQtKnP-VSGVBrYSuIb9OZiFZ3HLKv797TPNbpjava1bMZwIMlvdp5gjTrD8Osj-LnZ5R_j-8U-m7aSz7NRQw"
}

variable "aws_access_key_id" {
  description = "Deploy user access key ID"
  type        = string
}

variable "aws_secret_access_key" {
  description = "Deploy user secret access key"
  type        = string
  sensitive   = true
}
