variable "location" {
  type    = string
  default = "swedencentral"
}

variable "environment" {
  type    = string
  default = "dev"
}

variable "developers_group_object_id" {
  description = "Entra ID group of the chat team."
  type        = string
}
