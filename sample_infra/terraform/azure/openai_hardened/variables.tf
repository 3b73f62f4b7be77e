variable "location" {
  type    = string
  default = "swedencentral"
}

variable "environment" {
  type    = string
  default = "prod"
}

variable "private_endpoint_subnet_id" {
  description = "Subnet that hosts the private endpoints of the AI landing zone."
  type        = string
}

variable "app_integration_subnet_id" {
  type = string
}

variable "openai_private_dns_zone_id" {
  description = "privatelink.openai.azure.com zone in the connectivity subscription."
  type        = string
}
