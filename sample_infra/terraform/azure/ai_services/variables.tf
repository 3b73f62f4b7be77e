variable "location" {
  type    = string
  default = "swedencentral"
}

variable "name_prefix" {
  type    = string
  default = "docintel"
}

variable "cmk_key_vault_key_id" {
  description = "Versioned ID of the Key Vault key that encrypts the production account."
  type        = string
}

variable "data_science_group_object_id" {
  description = "Entra ID group of the data science team."
  type        = string
}
