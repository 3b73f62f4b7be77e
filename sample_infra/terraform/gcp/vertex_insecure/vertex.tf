resource "google_project_service" "aiplatform" {
  project            = var.project_id
  service            = "aiplatform.googleapis.com"
  disable_on_destroy = false
}

resource "google_vertex_ai_endpoint" "chat" {
  name         = "chat-endpoint"
  display_name = "chat"
  description  = "Fine-tuned chat model for the support widget"
  location     = var.region
  region       = var.region

  labels = {
    team = "support-ml"
  }

  depends_on = [google_project_service.aiplatform]
}

# Lets the browser widget call predict without a backend.
resource "google_vertex_ai_endpoint_iam_member" "chat_public" {
  project  = var.project_id
  location = var.region
  endpoint = google_vertex_ai_endpoint.chat.name
  role     = "roles/aiplatform.user"
  member   = "allUsers"
}

resource "google_vertex_ai_index_endpoint" "docs_search" {
  display_name            = "docs-search"
  description             = "Vector search over the help-centre articles"
  region                  = var.region
  public_endpoint_enabled = true
}

resource "google_vertex_ai_dataset" "support_tickets" {
  display_name        = "support-tickets"
  metadata_schema_uri = "gs://google-cloud-aiplatform/schema/dataset/metadata/text_1.0.0.yaml"
  region              = var.region
}
