resource "google_project_service" "aiplatform" {
  project            = var.project_id
  service            = "aiplatform.googleapis.com"
  disable_on_destroy = false
}

resource "google_vertex_ai_endpoint" "chat" {
  name         = "chat-endpoint"
  display_name = "chat"
  location     = var.region
  region       = var.region

  private_service_connect_config {
    enable_private_service_connect = true
    project_allowlist              = var.consumer_projects
  }

  encryption_spec {
    kms_key_name = google_kms_crypto_key.vertex.id
  }

  predict_request_response_logging_config {
    enabled       = true
    sampling_rate = 1
    bigquery_destination {
      output_uri = "bq://${var.project_id}.llm_audit.chat_requests"
    }
  }

  depends_on = [google_kms_crypto_key_iam_member.vertex_agent]
}

resource "google_vertex_ai_endpoint_iam_member" "chat_api" {
  project  = var.project_id
  location = var.region
  endpoint = google_vertex_ai_endpoint.chat.name
  role     = "roles/aiplatform.user"
  member   = google_service_account.inference.member
}

resource "google_vertex_ai_index_endpoint" "docs_search" {
  display_name = "docs-search"
  region       = var.region

  private_service_connect_config {
    enable_private_service_connect = true
    project_allowlist              = var.consumer_projects
  }
}

resource "google_vertex_ai_dataset" "support_tickets" {
  display_name        = "support-tickets"
  metadata_schema_uri = "gs://google-cloud-aiplatform/schema/dataset/metadata/text_1.0.0.yaml"
  region              = var.region

  encryption_spec {
    kms_key_name = google_kms_crypto_key.vertex.id
  }
}
