resource "google_project_service" "apis" {
  for_each = toset(["generativelanguage.googleapis.com", "aiplatform.googleapis.com"])
  service  = each.key
}

# Gemini only, from the backend's egress addresses only.
resource "google_apikeys_key" "backend" {
  name         = "backend"
  display_name = "Chat backend"

  restrictions {
    api_targets {
      service = "generativelanguage.googleapis.com"
    }
    server_key_restrictions {
      allowed_ips = ["203.0.113.0/28"]
    }
  }
}

# A Maps key never calls Gemini, whatever its caller restrictions.
resource "google_apikeys_key" "maps" {
  name         = "maps"
  display_name = "Store locator"

  restrictions {
    api_targets {
      service = "maps-backend.googleapis.com"
    }
  }
}

# The mobile app's key: Gemini only, from the signed Android app only.
resource "google_apikeys_key" "android" {
  name         = "android"
  display_name = "Android app"

  restrictions {
    api_targets {
      service = "generativelanguage.googleapis.com"
    }
    android_key_restrictions {
      allowed_applications {
        package_name     = "com.acme.assistant"
        sha1_fingerprint = "1E:80:A1:F6:1C:3B:3C:9E:7A:47:2D:4B:0E:1B:6E:9C:3D:5A:18:5F"
      }
    }
  }
}
