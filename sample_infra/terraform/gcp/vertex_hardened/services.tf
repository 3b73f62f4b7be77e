resource "google_secret_manager_secret" "anthropic_api_key" {
  secret_id = "anthropic-api-key"

  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_iam_member" "inference_reads_anthropic" {
  secret_id = google_secret_manager_secret.anthropic_api_key.id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.inference.member
}

resource "google_vertex_ai_reasoning_engine" "support_agent" {
  display_name = "support-agent"
  region       = var.region

  encryption_spec {
    kms_key_name = google_kms_crypto_key.vertex.id
  }

  spec {
    agent_framework = "google-adk"
    service_account = google_service_account.inference.email

    deployment_spec {
      env {
        name  = "LOG_LEVEL"
        value = "info"
      }

      secret_env {
        name = "ANTHROPIC_API_KEY"

        secret_ref {
          secret  = google_secret_manager_secret.anthropic_api_key.secret_id
          version = "latest"
        }
      }
    }

    package_spec {
      python_version        = "3.11"
      pickle_object_gcs_uri = "gs://acme-ml-prod-agents/support-agent/agent.pkl"
      requirements_gcs_uri  = "gs://acme-ml-prod-agents/support-agent/requirements.txt"
    }
  }
}

resource "google_cloud_run_v2_service" "chat_api" {
  name     = "chat-api"
  location = var.region
  ingress  = "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"

  template {
    service_account = google_service_account.inference.email

    containers {
      image = "us-docker.pkg.dev/acme-ml-prod/chat/api:1.4.2"

      env {
        name  = "VERTEX_ENDPOINT_ID"
        value = google_vertex_ai_endpoint.chat.name
      }

      env {
        name = "ANTHROPIC_API_KEY"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.anthropic_api_key.secret_id
            version = "latest"
          }
        }
      }
    }
  }
}
