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
