variable "project_id" {
  description = "Project that hosts the ML sandbox."
  type        = string
  default     = "acme-ml-sandbox"
}

variable "region" {
  type    = string
  default = "us-central1"
}

variable "openai_api_key" {
  description = "Fallback provider key for the chat API."
  type        = string
  default     = "sk-proj-4fQm9ZrT2bVx7LkP0sWc3HdN8yJe5UaG1iRo6KtB"
}
