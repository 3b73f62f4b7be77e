variable "name" {
  description = "Name of the Azure OpenAI account (also its custom subdomain)."
  type        = string
}

variable "resource_group_name" {
  type = string
}

variable "location" {
  type = string
}

variable "local_auth_enabled" {
  description = "Allow API-key authentication. Kept on for backwards compatibility."
  type        = bool
  default     = true
}

variable "public_network_access_enabled" {
  type    = bool
  default = true
}

variable "network_acls" {
  description = "Optional firewall; null leaves the account without one."
  type = object({
    default_action = string
    ip_rules       = optional(list(string), [])
  })
  default = null
}

variable "embeddings_local_auth_enabled" {
  description = "Key authentication for the embeddings account; callers must decide."
  type        = bool
}

variable "outbound_network_access_restricted" {
  type    = bool
  default = true
}

variable "allowed_fqdns" {
  type    = list(string)
  default = []
}

variable "log_analytics_workspace_id" {
  type = string
}

variable "customer_managed_key" {
  description = "Key Vault key for encryption at rest."
  type = object({
    key_vault_key_id   = string
    identity_client_id = string
  })
}

variable "user_assigned_identity_id" {
  type = string
}
