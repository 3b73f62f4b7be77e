resource "google_service_account" "support_agent" {
  account_id   = "support-agent"
  display_name = "Support agent (Agent Engine)"
}

resource "google_service_account" "report_writer" {
  account_id   = "report-writer"
  display_name = "Report writer (not an AI workload)"
}

resource "google_vertex_ai_reasoning_engine" "support_agent" {
  display_name = "support-agent"
  region       = "us-central1"

  spec {
    agent_framework = "google-adk"
    service_account = google_service_account.support_agent.email

    package_spec {
      pickle_object_gcs_uri = "gs://acme-agents/support-agent/agent.pkl"
      python_version        = "3.12"
    }
  }
}

resource "google_project_iam_member" "support_agent_vertex_user" {
  project = "acme-agents"
  role    = "roles/aiplatform.user"
  member  = google_service_account.support_agent.member
}

# The service agent role, held by the Google-managed service agent itself.
resource "google_project_iam_member" "vertex_service_agent" {
  project = "acme-agents"
  role    = "roles/aiplatform.serviceAgent"
  member  = "serviceAccount:service-123456789012@gcp-sa-aiplatform.iam.gserviceaccount.com"
}

# The agent may sign tokens as itself only (e.g. for signed URLs).
resource "google_service_account_iam_member" "support_agent_self_sign" {
  service_account_id = google_service_account.support_agent.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = google_service_account.support_agent.member
}

# Token Creator for an account that runs no AI workload is not this check's concern.
resource "google_project_iam_member" "report_writer_token_creator" {
  project = "acme-agents"
  role    = "roles/iam.serviceAccountTokenCreator"
  member  = google_service_account.report_writer.member
}
