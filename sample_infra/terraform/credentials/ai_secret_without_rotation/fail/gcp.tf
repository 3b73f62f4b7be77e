resource "google_secret_manager_secret" "gemini" {
  secret_id = "gemini-api-key"
  replication {
    auto {}
  }
}

resource "google_secret_manager_secret" "agent_tools" {
  secret_id = "agent-tools"
  replication {
    auto {}
  }
  rotation {
    rotation_period    = "31536000s"
    next_rotation_time = "2026-06-01T00:00:00Z"
  }
  topics {
    name = "projects/p/topics/rotate"
  }
}

resource "google_cloud_run_v2_service" "agent" {
  name     = "agent"
  location = "europe-west1"
  template {
    containers {
      image = "europe-docker.pkg.dev/p/agent/agent:1"
      env {
        name = "OPENAI_API_KEY"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.agent_tools.secret_id
            version = "latest"
          }
        }
      }
    }
  }
}
