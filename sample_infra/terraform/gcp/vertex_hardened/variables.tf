variable "project_id" {
  description = "Project that hosts production inference."
  type        = string
  default     = "acme-ml-prod"
}

variable "region" {
  type    = string
  default = "us-central1"
}

variable "inference_roles" {
  description = "Project roles of the inference service account."
  type        = set(string)
  default     = ["roles/aiplatform.user", "roles/logging.logWriter"]
}

variable "consumer_projects" {
  description = "Projects allowed to reach the endpoint through Private Service Connect."
  type        = list(string)
  default     = ["acme-web-prod"]
}
