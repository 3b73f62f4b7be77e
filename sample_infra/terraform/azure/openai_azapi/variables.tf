variable "subscription_id" {
  type = string
}

variable "location" {
  type    = string
  default = "eastus2"
}

variable "name_prefix" {
  type    = string
  default = "agents"
}

variable "workload_principal_id" {
  description = "Object ID of the agent runtime's managed identity."
  type        = string
}

variable "cmk_key_vault_uri" {
  type = string
}

variable "cmk_key_name" {
  type    = string
  default = "cmk-ai-services"
}
