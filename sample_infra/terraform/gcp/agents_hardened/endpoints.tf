resource "google_vertex_ai_endpoint" "summarize" {
  name         = "summarize"
  display_name = "summarize"
  location     = "us-central1"
  network      = "projects/123456789012/global/networks/ml-vpc"

  encryption_spec {
    kms_key_name = "projects/acme-agents/locations/us-central1/keyRings/ml/cryptoKeys/vertex"
  }

  # Every request and response; sampling_rate defaults to all of them.
  predict_request_response_logging_config {
    enabled = true
    bigquery_destination {
      output_uri = "bq://acme-agents.llm_audit.summarize"
    }
  }
}

resource "google_vertex_ai_endpoint" "classify" {
  name         = "classify"
  display_name = "classify"
  location     = "us-central1"
  network      = "projects/123456789012/global/networks/ml-vpc"

  encryption_spec {
    kms_key_name = "projects/acme-agents/locations/us-central1/keyRings/ml/cryptoKeys/vertex"
  }

  predict_request_response_logging_config {
    enabled       = true
    sampling_rate = 1
    bigquery_destination {
      output_uri = "bq://acme-agents.llm_audit.classify"
    }
  }
}
