resource "google_vertex_ai_reasoning_engine" "support_agent" {
  display_name = "support-agent"
  description  = "Triage agent for inbound support tickets"
  region       = var.region

  spec {
    agent_framework = "google-adk"

    deployment_spec {
      min_instances = 1
      max_instances = 3

      env {
        name  = "LOG_LEVEL"
        value = "info"
      }

      env {
        name  = "ANTHROPIC_API_KEY"
        value = "sk-ant-api03-Rk7fW2qZ9mXv4TnB8cLp1HsY6dJ3gQ0e"
      }
    }

    package_spec {
      python_version        = "3.11"
      pickle_object_gcs_uri = "gs://acme-ml-sandbox-agents/support-agent/agent.pkl"
      requirements_gcs_uri  = "gs://acme-ml-sandbox-agents/support-agent/requirements.txt"
    }
  }
}

resource "google_cloud_run_v2_service" "chat_api" {
  name     = "chat-api"
  location = var.region
  ingress  = "INGRESS_TRAFFIC_ALL"

  template {
    containers {
      image = "us-docker.pkg.dev/acme-ml-sandbox/chat/api:1.4.2"

      env {
        name  = "VERTEX_ENDPOINT_ID"
        value = google_vertex_ai_endpoint.chat.name
      }

      env {
        name  = "OPENAI_API_KEY"
        value = var.openai_api_key
      }

      env {
        name  = "SESSION_SIGNING_SECRET"
        value = "k8Hq2vN5xR9tW4zB"
      }
    }
  }
}
