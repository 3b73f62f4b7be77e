resource "google_project_service" "apis" {
  for_each = toset(["generativelanguage.googleapis.com", "aiplatform.googleapis.com"])
  service  = each.key
}

# No api_targets: the key calls every enabled API, Gemini included.
resource "google_apikeys_key" "prototype" {
  name         = "prototype"
  display_name = "Prototype (temporary)"
}

# Gemini and Maps on one key, usable from any IP address.
resource "google_apikeys_key" "web" {
  name         = "web"
  display_name = "Website"

  restrictions {
    api_targets {
      service = "generativelanguage.googleapis.com"
    }
    api_targets {
      service = "maps-backend.googleapis.com"
    }
    server_key_restrictions {
      allowed_ips = ["0.0.0.0/0"]
    }
  }
}

# Bound to a service account, but still a bearer key with no caller restriction.
resource "google_apikeys_key" "batch" {
  name                  = "batch"
  display_name          = "Batch summaries"
  service_account_email = "batch-summaries@acme-agents.iam.gserviceaccount.com"

  restrictions {
    api_targets {
      service = "aiplatform.googleapis.com"
    }
  }
}
