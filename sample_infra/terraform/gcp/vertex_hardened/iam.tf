resource "google_service_account" "inference" {
  project      = var.project_id
  account_id   = "chat-inference"
  display_name = "Chat API inference"
}

resource "google_project_iam_member" "inference" {
  for_each = var.inference_roles
  project  = var.project_id
  role     = each.value
  member   = google_service_account.inference.member
}

resource "google_project_iam_audit_config" "aiplatform" {
  project = var.project_id
  service = "aiplatform.googleapis.com"

  audit_log_config {
    log_type = "ADMIN_READ"
  }

  audit_log_config {
    log_type = "DATA_READ"
  }

  audit_log_config {
    log_type = "DATA_WRITE"
  }
}
