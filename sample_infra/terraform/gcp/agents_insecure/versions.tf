terraform {
  required_version = ">= 1.5"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.20"
    }
  }
}

provider "google" {
  project = "acme-agents"
  region  = "us-central1"
}

resource "google_project_iam_audit_config" "vertex" {
  project = "acme-agents"
  service = "aiplatform.googleapis.com"

  audit_log_config {
    log_type = "DATA_READ"
  }
  audit_log_config {
    log_type = "DATA_WRITE"
  }
}
