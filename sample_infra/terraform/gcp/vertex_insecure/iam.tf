locals {
  pipeline_roles = [
    "roles/aiplatform.admin",
    "roles/storage.objectAdmin",
    "roles/bigquery.dataViewer",
  ]
}

resource "google_service_account" "pipeline" {
  project      = var.project_id
  account_id   = "ml-pipeline"
  display_name = "ML training pipeline"
}

resource "google_project_iam_member" "pipeline" {
  count   = length(local.pipeline_roles)
  project = var.project_id
  role    = local.pipeline_roles[count.index]
  member  = "serviceAccount:${google_service_account.pipeline.email}"
}

# Exported for the on-prem Airflow that kicks off training runs.
resource "google_service_account_key" "pipeline" {
  service_account_id = google_service_account.pipeline.name
}

resource "google_folder_iam_binding" "data_science_admins" {
  folder = "folders/314159265358"
  role   = "roles/aiplatform.admin"
  members = [
    "group:data-science@acme.example",
  ]
}
