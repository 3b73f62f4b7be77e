"""Terraform blocks for Google Cloud: plain infrastructure and Vertex AI."""

from __future__ import annotations

from random import Random

REGIONS = ["us-central1", "europe-west4", "asia-northeast1", "us-east4"]


def variables(rng: Random, name: str) -> str:
    return f'''variable "project_id" {{
  description = "Project that hosts {name}."
  type        = string
  default     = "acme-{name.replace("_", "-")[:20]}-{rng.randrange(100, 999)}"
}}

variable "region" {{
  type    = string
  default = "{rng.choice(REGIONS)}"
}}

variable "environment" {{
  type    = string
  default = "{rng.choice(["dev", "staging", "prod"])}"
}}

variable "labels" {{
  type    = map(string)
  default = {{}}
}}

variable "kms_key_id" {{
  description = "Cloud KMS key for CMEK; null keeps Google-managed encryption."
  type        = string
  default     = null
}}
'''


def locals_block(rng: Random, name: str) -> str:
    return f'''locals {{
  name_prefix = "${{var.environment}}-{name.replace("_", "-")}"
  labels = merge(var.labels, {{
    environment = var.environment
    service     = "{name.replace("_", "-")}"
    managed_by  = "terraform"
  }})
}}
'''


def network(rng: Random, name: str) -> str:
    return f'''resource "google_compute_network" "{name}" {{
  project                 = var.project_id
  name                    = "${{local.name_prefix}}-vpc"
  auto_create_subnetworks = false
  routing_mode            = "REGIONAL"
}}

resource "google_compute_subnetwork" "{name}" {{
  project                  = var.project_id
  name                     = "${{local.name_prefix}}-subnet"
  region                   = var.region
  network                  = google_compute_network.{name}.id
  ip_cidr_range            = "10.{rng.randrange(0, 250)}.0.0/20"
  private_ip_google_access = true

  log_config {{
    aggregation_interval = "INTERVAL_10_MIN"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }}

  secondary_ip_range {{
    range_name    = "pods"
    ip_cidr_range = "10.{rng.randrange(0, 250)}.0.0/16"
  }}
}}

resource "google_compute_firewall" "{name}_ssh" {{
  project = var.project_id
  name    = "${{local.name_prefix}}-allow-iap-ssh"
  network = google_compute_network.{name}.id

  allow {{
    protocol = "tcp"
    ports    = ["22"]
  }}

  source_ranges = ["{rng.choice(["35.235.240.0/20", "0.0.0.0/0"])}"]
}}
'''


def bucket(rng: Random, name: str) -> str:
    return f'''resource "google_storage_bucket" "{name}" {{
  project                     = var.project_id
  name                        = "${{local.name_prefix}}-{name.replace("_", "-")}"
  location                    = upper(var.region)
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "{rng.choice(["enforced", "inherited"])}"
  labels                      = local.labels

  versioning {{
    enabled = {rng.choice(["true", "false"])}
  }}

  lifecycle_rule {{
    condition {{
      age = {rng.choice([30, 90, 365])}
    }}
    action {{
      type = "Delete"
    }}
  }}
}}
'''


def compute_instance(rng: Random, name: str) -> str:
    return f'''resource "google_service_account" "{name}" {{
  project      = var.project_id
  account_id   = "{name.replace("_", "-")[:28]}"
  display_name = "{name} workload"
}}

resource "google_compute_instance" "{name}" {{
  project      = var.project_id
  name         = "${{local.name_prefix}}-{name.replace("_", "-")}"
  machine_type = "{rng.choice(["e2-standard-2", "n2-standard-4", "c3-standard-8"])}"
  zone         = "${{var.region}}-a"
  labels       = local.labels

  boot_disk {{
    initialize_params {{
      image = "debian-cloud/debian-12"
      size  = {rng.choice([20, 50, 100])}
    }}
  }}

  network_interface {{
    subnetwork = var.subnetwork
  }}

  shielded_instance_config {{
    enable_secure_boot          = true
    enable_vtpm                 = true
    enable_integrity_monitoring = true
  }}

  metadata = {{
    block-project-ssh-keys = "true"
    enable-oslogin         = "TRUE"
  }}

  service_account {{
    email  = google_service_account.{name}.email
    scopes = ["cloud-platform"]
  }}
}}
'''


def cloud_sql(rng: Random, name: str) -> str:
    return f'''resource "google_sql_database_instance" "{name}" {{
  project             = var.project_id
  name                = "${{local.name_prefix}}-{name.replace("_", "-")}"
  region              = var.region
  database_version    = "{rng.choice(["POSTGRES_16", "MYSQL_8_0"])}"
  deletion_protection = true

  settings {{
    tier              = "{rng.choice(["db-custom-2-7680", "db-custom-4-15360"])}"
    availability_type = "{rng.choice(["REGIONAL", "ZONAL"])}"
    user_labels       = local.labels

    ip_configuration {{
      ipv4_enabled    = false
      private_network = var.network_id
      ssl_mode        = "ENCRYPTED_ONLY"
    }}

    backup_configuration {{
      enabled                        = true
      point_in_time_recovery_enabled = true
      start_time                     = "03:00"
    }}

    database_flags {{
      name  = "log_connections"
      value = "on"
    }}
  }}
}}
'''


def project_iam(rng: Random, name: str) -> str:
    role = rng.choice(["roles/storage.objectViewer", "roles/logging.logWriter", "roles/monitoring.metricWriter",
                       "roles/cloudsql.client", "roles/pubsub.subscriber"])
    return f'''resource "google_service_account" "{name}_runtime" {{
  project      = var.project_id
  account_id   = "{name.replace("_", "-")[:22]}-rt"
  display_name = "{name} runtime"
}}

resource "google_project_iam_member" "{name}" {{
  project = var.project_id
  role    = "{role}"
  member  = "serviceAccount:${{google_service_account.{name}_runtime.email}}"
}}
'''


def _encryption(rng: Random) -> str:
    if rng.random() < 0.5:
        return ""
    return '''
  encryption_spec {
    kms_key_name = var.kms_key_id
  }
'''


def vertex_endpoint(rng: Random, name: str) -> str:
    placement = rng.choice([
        "",
        '\n  network = "projects/${data.google_project.%s.number}/global/networks/${var.vpc_name}"\n' % name,
        '''
  private_service_connect_config {
    enable_private_service_connect = true
    project_allowlist              = [var.project_id]
  }
''',
    ])
    return f'''data "google_project" "{name}" {{
  project_id = var.project_id
}}

resource "google_vertex_ai_endpoint" "{name}" {{
  project      = var.project_id
  name         = "{rng.randrange(10**9, 10**10)}"
  display_name = "${{local.name_prefix}}-{name}"
  description  = "Online predictions for {name}"
  location     = var.region
  region       = var.region
  labels       = local.labels
{placement}{_encryption(rng)}}}

resource "google_vertex_ai_endpoint_iam_member" "{name}_invoker" {{
  project  = var.project_id
  location = var.region
  endpoint = google_vertex_ai_endpoint.{name}.name
  role     = "roles/aiplatform.user"
  member   = "{rng.choice(["serviceAccount:${google_service_account." + name + "_predict.email}", "allAuthenticatedUsers", "group:ml-consumers@acme.example"])}"
}}

resource "google_service_account" "{name}_predict" {{
  project    = var.project_id
  account_id = "{name.replace("_", "-")[:20]}-predict"
}}
'''


def vertex_data(rng: Random, name: str) -> str:
    return f'''resource "google_vertex_ai_dataset" "{name}" {{
  project             = var.project_id
  display_name        = "{name}"
  metadata_schema_uri = "gs://google-cloud-aiplatform/schema/dataset/metadata/text_1.0.0.yaml"
  region              = var.region
  labels              = local.labels
{_encryption(rng)}}}

resource "google_vertex_ai_featurestore" "{name}" {{
  project = var.project_id
  name    = "{name}"
  region  = var.region
  labels  = local.labels

  online_serving_config {{
    fixed_node_count = {rng.choice([1, 2])}
  }}
{_encryption(rng)}}}

resource "google_vertex_ai_tensorboard" "{name}" {{
  project      = var.project_id
  display_name = "{name}-experiments"
  region       = var.region
{_encryption(rng)}}}

resource "google_vertex_ai_metadata_store" "{name}" {{
  project = var.project_id
  name    = "{name.replace("_", "-")}-metadata"
  region  = var.region
{_encryption(rng)}}}
'''


def vertex_index_endpoint(rng: Random, name: str) -> str:
    access = rng.choice(['  public_endpoint_enabled = true\n', '  network = "projects/${var.project_id}/global/networks/default"\n'])
    return f'''resource "google_vertex_ai_index_endpoint" "{name}" {{
  project      = var.project_id
  display_name = "{name}-search"
  description  = "Vector search for {name}"
  region       = var.region
  labels       = local.labels
{access}}}
'''


def vertex_project_access(rng: Random, name: str) -> str:
    role = rng.choice(["roles/aiplatform.user", "roles/aiplatform.user", "roles/aiplatform.viewer", "roles/aiplatform.admin"])
    audit = f'''
resource "google_project_iam_audit_config" "{name}" {{
  project = var.project_id
  service = "aiplatform.googleapis.com"

  audit_log_config {{
    log_type = "DATA_READ"
  }}
  audit_log_config {{
    log_type = "DATA_WRITE"
  }}
}}
''' if rng.random() < 0.5 else ""
    return f'''resource "google_project_service" "{name}_aiplatform" {{
  project            = var.project_id
  service            = "aiplatform.googleapis.com"
  disable_on_destroy = false
}}

resource "google_service_account" "{name}_ml" {{
  project    = var.project_id
  account_id = "{name.replace("_", "-")[:22]}-ml"
}}

resource "google_project_iam_member" "{name}_vertex" {{
  project = var.project_id
  role    = "{role}"
  member  = "serviceAccount:${{google_service_account.{name}_ml.email}}"
}}
{audit}'''


PROVIDER = '''terraform {
  required_version = ">= 1.6"
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.10"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}

variable "subnetwork" {
  type    = string
  default = null
}

variable "network_id" {
  type    = string
  default = null
}

variable "vpc_name" {
  type    = string
  default = "shared-vpc"
}
'''

PLAIN = [network, bucket, compute_instance, cloud_sql, project_iam]
AI = [vertex_endpoint, vertex_data, vertex_index_endpoint, vertex_project_access]
