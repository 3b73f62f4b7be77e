resource "google_service_account" "vertex" {
  account_id   = "vertex-batch"
  display_name = "Vertex AI batch predictions"
}

resource "google_service_account_key" "vertex" {
  service_account_id = google_service_account.vertex.name
}

output "vertex_credentials_json" {
  value = nonsensitive(base64decode(google_service_account_key.vertex.private_key))
}

resource "google_apikeys_key" "gemini" {
  name         = "gemini-batch"
  display_name = "Gemini API (batch)"

  restrictions {
    api_targets {
      service = "generativelanguage.googleapis.com"
    }
    server_key_restrictions {
      allowed_ips = ["203.0.113.10/32"]
    }
  }
}

output "gemini_api_key" {
  value = google_apikeys_key.gemini.key_string
}
