resource "google_service_account" "support_agent" {
  account_id   = "support-agent"
  display_name = "Support agent (Agent Engine)"
}

resource "google_service_account" "billing_bot" {
  account_id   = "billing-bot"
  display_name = "Billing automation"
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

# No spec at all: the engine runs as the project's shared Reasoning Engine Service Agent.
resource "google_vertex_ai_reasoning_engine" "faq_agent" {
  display_name = "faq-agent"
  region       = "us-central1"
}

# The service agent's own role, copied onto a user-managed account.
resource "google_project_iam_member" "support_agent_service_agent" {
  project = "acme-agents"
  role    = "roles/aiplatform.serviceAgent"
  member  = google_service_account.support_agent.member
}

# The agent can mint tokens for every service account in the project...
resource "google_project_iam_member" "support_agent_token_creator" {
  project = "acme-agents"
  role    = "roles/iam.serviceAccountTokenCreator"
  member  = "serviceAccount:${google_service_account.support_agent.email}"
}

# ... and for the billing automation account.
resource "google_service_account_iam_member" "support_agent_as_billing" {
  service_account_id = google_service_account.billing_bot.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = google_service_account.support_agent.member
}
