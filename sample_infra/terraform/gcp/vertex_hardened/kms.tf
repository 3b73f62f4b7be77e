resource "google_kms_key_ring" "vertex" {
  name     = "vertex-ai"
  location = var.region
}

resource "google_kms_crypto_key" "vertex" {
  name            = "vertex-ai-data"
  key_ring        = google_kms_key_ring.vertex.id
  rotation_period = "7776000s"

  lifecycle {
    prevent_destroy = true
  }
}

resource "google_project_service_identity" "aiplatform" {
  provider = google-beta
  project  = var.project_id
  service  = "aiplatform.googleapis.com"
}

resource "google_kms_crypto_key_iam_member" "vertex_agent" {
  crypto_key_id = google_kms_crypto_key.vertex.id
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = "serviceAccount:${google_project_service_identity.aiplatform.email}"
}
