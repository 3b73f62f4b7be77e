"""GCP Vertex AI checks AIA201-AIA207: the sample modules, then one behaviour per test."""

from conftest import SAMPLES, scan_dir, triples

GCP_SAMPLES = SAMPLES / "terraform" / "gcp"


def findings(report, code):
    return [f for f in report.findings if f.code == code]


# --- sample modules -------------------------------------------------------------------------


def test_insecure_vertex_module_findings():
    report = scan_dir(GCP_SAMPLES / "vertex_insecure")
    assert report.tool_errors == [] and report.errors == []
    assert triples(report, "AIA2") == {
        ("AIA201", "iam.tf", 18),  # roles/aiplatform.admin via local.pipeline_roles[count.index]
        ("AIA201", "iam.tf", 29),  # google_folder_iam_binding
        ("AIA202", "vertex.tf", 27),  # allUsers on the endpoint's own IAM
        ("AIA203", "iam.tf", 18),  # first Vertex-using block: the aiplatform.admin grant
        ("AIA204", "iam.tf", 24),  # key for the pipeline account that holds aiplatform.admin
        ("AIA205", "vertex.tf", 7),  # endpoint without network or PSC
        ("AIA205", "vertex.tf", 34),  # index endpoint public_endpoint_enabled = true
        ("AIA206", "vertex.tf", 7),  # endpoint without CMEK
        ("AIA206", "vertex.tf", 37),  # dataset without CMEK
        ("AIA207", "services.tf", 20),  # ANTHROPIC_API_KEY literal in the agent engine
        ("AIA207", "services.tf", 48),  # OPENAI_API_KEY from a variable's literal default
        ("AIA207", "services.tf", 53),  # SESSION_SIGNING_SECRET literal in Cloud Run
        ("AIA209", "services.tf", 6),  # agent engine spec without service_account
        ("AIA210", "vertex.tf", 7),  # endpoint without request-response logging
    }


def test_hardened_vertex_module_has_no_findings():
    report = scan_dir(GCP_SAMPLES / "vertex_hardened")
    assert report.tool_errors == [] and report.errors == []
    assert triples(report, "AIA2") == set()


def test_messages_name_the_instance_and_never_print_a_whole_secret():
    report = scan_dir(GCP_SAMPLES / "vertex_insecure")
    messages = {f.message for f in report.findings if f.code.startswith("AIA2")}
    assert ("google_project_iam_member.pipeline[0] grants roles/aiplatform.admin at project level to "
            "serviceAccount:${google_service_account.pipeline.email}") in messages
    assert not any("Rk7fW2qZ9mXv4TnB8cLp1HsY6dJ3gQ0e" in m or "4fQm9ZrT2bVx7LkP" in m for m in messages)


# --- AIA201 vertex-admin-role ---------------------------------------------------------------


def test_admin_role_at_organization_through_iam_policy_data_source(tree):
    report = tree({"org.tf": """
data "google_iam_policy" "org" {
  binding {
    role    = "roles/viewer"
    members = ["group:auditors@acme.example"]
  }
  binding {
    role    = "roles/aiplatform.admin"
    members = ["group:ml-platform@acme.example"]
  }
}

resource "google_organization_iam_policy" "org" {
  org_id      = "123456789012"
  policy_data = data.google_iam_policy.org.policy_data
}
"""})
    assert triples(report, "AIA201") == {("AIA201", "org.tf", 8)}
    assert findings(report, "AIA201")[0].message == (
        "data.google_iam_policy.org via google_organization_iam_policy.org grants roles/aiplatform.admin "
        "at organization level to group:ml-platform@acme.example")


def test_admin_role_through_for_each_over_variable_default(tree):
    report = tree({"main.tf": """
variable "platform_roles" {
  type    = map(string)
  default = {
    admin = "roles/aiplatform.admin"
    user  = "roles/aiplatform.user"
  }
}

resource "google_project_iam_member" "platform" {
  for_each = var.platform_roles
  project  = "acme-ml"
  role     = each.value
  member   = "group:ml-platform@acme.example"
}
"""})
    assert triples(report, "AIA201") == {("AIA201", "main.tf", 13)}
    assert findings(report, "AIA201")[0].message.startswith('google_project_iam_member.platform["admin"] grants')


def test_admin_role_from_a_variable_without_default_does_not_fire(tree):
    report = tree({"main.tf": """
variable "role" {
  type = string
}

resource "google_project_iam_member" "platform" {
  project = "acme-ml"
  role    = var.role
  member  = "group:ml-platform@acme.example"
}
"""})
    assert triples(report, "AIA201") == set()


def test_admin_role_on_an_endpoint_is_not_a_project_grant(tree):
    report = tree({"main.tf": """
resource "google_vertex_ai_endpoint_iam_member" "ops" {
  endpoint = "projects/acme-ml/locations/us-central1/endpoints/123"
  role     = "roles/aiplatform.admin"
  member   = "group:ml-oncall@acme.example"
}
"""})
    assert triples(report, "AIA201") == set()


# --- AIA202 vertex-public-principal ---------------------------------------------------------


def test_public_member_in_a_project_binding_list(tree):
    report = tree({"main.tf": """
resource "google_project_iam_binding" "predict" {
  project = "acme-ml"
  role    = "roles/aiplatform.user"
  members = [
    "serviceAccount:chat@acme-ml.iam.gserviceaccount.com",
    "allAuthenticatedUsers",
  ]
}
"""})
    assert triples(report, "AIA202") == {("AIA202", "main.tf", 7)}


def test_public_member_with_a_non_vertex_project_role_is_not_vertex(tree):
    report = tree({"main.tf": """
resource "google_project_iam_member" "logs" {
  project = "acme-ml"
  role    = "roles/logging.viewer"
  member  = "allUsers"
}
"""})
    assert triples(report, "AIA202") == set()


def test_any_role_on_a_featurestore_to_all_users(tree):
    report = tree({"main.tf": """
resource "google_vertex_ai_featurestore_iam_binding" "readers" {
  featurestore = google_vertex_ai_featurestore.catalog.name
  role         = "roles/viewer"
  members      = ["allUsers"]
}
"""})
    assert triples(report, "AIA202") == {("AIA202", "main.tf", 5)}


def test_public_member_through_an_endpoint_iam_policy(tree):
    report = tree({"main.tf": """
data "google_iam_policy" "chat" {
  binding {
    role    = "roles/aiplatform.user"
    members = ["allUsers"]
  }
}

resource "google_vertex_ai_endpoint_iam_policy" "chat" {
  endpoint    = "chat"
  policy_data = data.google_iam_policy.chat.policy_data
}
"""})
    assert triples(report, "AIA202") == {("AIA202", "main.tf", 5)}


def test_public_member_from_an_unresolved_variable_does_not_fire(tree):
    report = tree({"main.tf": """
variable "members" {
  type = list(string)
}

resource "google_project_iam_binding" "predict" {
  project = "acme-ml"
  role    = "roles/aiplatform.user"
  members = var.members
}
"""})
    assert triples(report, "AIA202") == set()


# --- AIA203 vertex-data-access-logs-missing -------------------------------------------------


ENDPOINT = """
resource "google_vertex_ai_endpoint" "chat" {
  name         = "chat"
  display_name = "chat"
  location     = "us-central1"
  network      = "projects/1234/global/networks/ml"
  encryption_spec {
    kms_key_name = "projects/acme/locations/us-central1/keyRings/ml/cryptoKeys/vertex"
  }
}
"""


def audit_config(resource_type: str, name: str, service: str, *log_types: str) -> str:
    parent = {"google_project_iam_audit_config": 'project = "acme-ml"',
              "google_folder_iam_audit_config": 'folder = "folders/42"',
              "google_organization_iam_audit_config": 'org_id = "123456789012"'}[resource_type]
    blocks = "".join(f'  audit_log_config {{\n    log_type = "{t}"\n  }}\n' for t in log_types)
    return f'resource "{resource_type}" "{name}" {{\n  {parent}\n  service = "{service}"\n{blocks}}}\n'


def test_vertex_without_any_audit_config_is_reported_once_at_the_first_use(tree):
    report = tree({"a.tf": ENDPOINT, "b.tf": ENDPOINT.replace('"chat"', '"search"')})
    assert triples(report, "AIA203") == {("AIA203", "a.tf", 2)}


def test_folder_audit_config_for_all_services_is_enough(tree):
    report = tree({"main.tf": ENDPOINT, "audit.tf": audit_config(
        "google_folder_iam_audit_config", "all", "allServices", "DATA_READ", "DATA_WRITE")})
    assert triples(report, "AIA203") == set()


def test_data_read_and_data_write_may_come_from_two_audit_configs(tree):
    report = tree({"main.tf": ENDPOINT, "audit.tf": audit_config(
        "google_organization_iam_audit_config", "reads", "allServices", "DATA_READ") + audit_config(
        "google_project_iam_audit_config", "writes", "aiplatform.googleapis.com", "DATA_WRITE")})
    assert triples(report, "AIA203") == set()


def test_audit_config_with_only_data_read_is_reported(tree):
    report = tree({"main.tf": ENDPOINT, "audit.tf": audit_config(
        "google_project_iam_audit_config", "vertex", "aiplatform.googleapis.com", "ADMIN_READ", "DATA_READ")})
    assert triples(report, "AIA203") == {("AIA203", "main.tf", 2)}
    assert "(google_project_iam_audit_config.vertex) do not enable DATA_WRITE" in findings(report, "AIA203")[0].message


def test_audit_config_for_another_service_does_not_count(tree):
    report = tree({"main.tf": ENDPOINT, "audit.tf": audit_config(
        "google_project_iam_audit_config", "storage", "storage.googleapis.com", "DATA_READ", "DATA_WRITE")})
    assert triples(report, "AIA203") == {("AIA203", "main.tf", 2)}


def test_audit_config_with_an_unknown_service_does_not_fire(tree):
    report = tree({"main.tf": ENDPOINT, "audit.tf": """
variable "audited_service" {
  type = string
}

resource "google_project_iam_audit_config" "vertex" {
  project = "acme-ml"
  service = var.audited_service
  audit_log_config {
    log_type = "DATA_READ"
  }
}
"""})
    assert triples(report, "AIA203") == set()


def test_enabling_the_aiplatform_api_is_vertex_use(tree):
    report = tree({"main.tf": """
resource "google_project_service" "apis" {
  for_each = toset(["compute.googleapis.com", "aiplatform.googleapis.com"])
  project  = "acme-ml"
  service  = each.value
}
"""})
    assert triples(report, "AIA203") == {("AIA203", "main.tf", 5)}


def test_no_vertex_use_no_audit_finding(tree):
    report = tree({"main.tf": 'resource "google_storage_bucket" "b" {\n  name     = "acme-logs"\n  location = "US"\n}\n'})
    assert triples(report, "AIA203") == set()


# --- AIA204 vertex-service-account-key ------------------------------------------------------


def test_key_for_an_account_granted_vertex_user_by_literal_email(tree):
    report = tree({"main.tf": """
resource "google_service_account" "batch" {
  account_id = "batch-predict"
}

resource "google_project_iam_member" "batch" {
  project = "acme-ml"
  role    = "roles/aiplatform.user"
  member  = "serviceAccount:batch-predict@acme-ml.iam.gserviceaccount.com"
}

resource "google_service_account_key" "batch" {
  service_account_id = google_service_account.batch.id
}
"""})
    assert triples(report, "AIA204") == {("AIA204", "main.tf", 13)}


def test_key_named_by_literal_email_for_an_account_granted_by_reference(tree):
    report = tree({"main.tf": """
resource "google_service_account" "batch" {
  account_id = "batch-predict"
}

resource "google_project_iam_member" "batch" {
  project = "acme-ml"
  role    = "roles/aiplatform.serviceAgent"
  member  = google_service_account.batch.member
}

resource "google_service_account_key" "batch" {
  service_account_id = "projects/acme-ml/serviceAccounts/batch-predict@acme-ml.iam.gserviceaccount.com"
}
"""})
    assert triples(report, "AIA204") == {("AIA204", "main.tf", 13)}


def test_key_for_an_account_without_vertex_roles_does_not_fire(tree):
    report = tree({"main.tf": """
resource "google_service_account" "ci" {
  account_id = "ci-deployer"
}

resource "google_project_iam_member" "ci" {
  project = "acme-ml"
  role    = "roles/storage.objectViewer"
  member  = "serviceAccount:${google_service_account.ci.email}"
}

resource "google_service_account_key" "ci" {
  service_account_id = google_service_account.ci.name
}
"""})
    assert triples(report, "AIA204") == set()


# --- AIA205 vertex-endpoint-public ----------------------------------------------------------


def test_endpoint_with_private_service_connect_disabled_is_public(tree):
    report = tree({"main.tf": """
resource "google_vertex_ai_endpoint" "chat" {
  name         = "chat"
  display_name = "chat"
  location     = "us-central1"
  private_service_connect_config {
    enable_private_service_connect = false
  }
}
"""})
    assert triples(report, "AIA205") == {("AIA205", "main.tf", 6)}


def test_endpoint_with_a_network_from_another_resource_is_private(tree):
    report = tree({"main.tf": """
resource "google_vertex_ai_endpoint" "chat" {
  name         = "chat"
  display_name = "chat"
  location     = "us-central1"
  network      = "projects/${data.google_project.p.number}/global/networks/${google_compute_network.ml.name}"
}
"""})
    assert triples(report, "AIA205") == set()


def test_index_endpoint_defaults_to_private(tree):
    report = tree({"main.tf": """
resource "google_vertex_ai_index_endpoint" "search" {
  display_name = "search"
  region       = "us-central1"
  network      = "projects/1234/global/networks/ml"
}
"""})
    assert triples(report, "AIA205") == set()


def test_index_endpoint_public_from_a_variable_default(tree):
    report = tree({"main.tf": """
variable "public_search" {
  default = true
}

resource "google_vertex_ai_index_endpoint" "search" {
  display_name            = "search"
  region                  = "us-central1"
  public_endpoint_enabled = var.public_search
}
"""})
    assert triples(report, "AIA205") == {("AIA205", "main.tf", 9)}



def test_index_endpoint_public_unless_a_defaulted_flag_asks_for_a_network(tree):
    report = tree({"main.tf": """
variable "use_vpc_peering" {
  type    = bool
  default = false
}

resource "google_vertex_ai_index_endpoint" "search" {
  display_name            = "search"
  region                  = "us-central1"
  network                 = var.use_vpc_peering ? "projects/1234/global/networks/ml" : null
  public_endpoint_enabled = !var.use_vpc_peering
}
"""})
    assert triples(report, "AIA205") == {("AIA205", "main.tf", 11)}

# --- AIA206 vertex-without-cmek -------------------------------------------------------------


def test_each_vertex_resource_type_without_cmek(tree):
    report = tree({"main.tf": """
resource "google_vertex_ai_featurestore" "catalog" {
  name   = "catalog"
  region = "us-central1"
}

resource "google_vertex_ai_metadata_store" "runs" {
  name   = "runs"
  region = "us-central1"
}

resource "google_vertex_ai_tensorboard" "training" {
  display_name = "training"
  region       = "us-central1"
}

resource "google_vertex_ai_index" "docs" {
  display_name = "docs"
  region       = "us-central1"
}
"""})
    assert triples(report, "AIA206") == {
        ("AIA206", "main.tf", 2), ("AIA206", "main.tf", 7), ("AIA206", "main.tf", 12), ("AIA206", "main.tf", 17)}


def test_empty_kms_key_name_is_not_cmek(tree):
    report = tree({"main.tf": """
resource "google_vertex_ai_tensorboard" "training" {
  display_name = "training"
  region       = "us-central1"
  encryption_spec {
    kms_key_name = ""
  }
}
"""})
    assert triples(report, "AIA206") == {("AIA206", "main.tf", 5)}


def test_kms_key_from_an_unresolved_variable_counts_as_set(tree):
    report = tree({"main.tf": """
variable "kms_key" {
  type = string
}

resource "google_vertex_ai_metadata_store" "runs" {
  name   = "runs"
  region = "us-central1"
  encryption_spec {
    kms_key_name = var.kms_key
  }
}
"""})
    assert triples(report, "AIA206") == set()



def test_encryption_spec_gated_off_by_a_null_default_is_no_cmek(tree):
    module = """
variable "kms_key_name" {
  type    = string
  default = null
}

resource "google_vertex_ai_index" "docs" {
  display_name = "docs"
  region       = "us-central1"
  dynamic "encryption_spec" {
    for_each = var.kms_key_name != null && var.kms_key_name != "" ? [var.kms_key_name] : []
    content {
      kms_key_name = encryption_spec.value
    }
  }
}
"""
    assert triples(tree({"main.tf": module}), "AIA206") == {("AIA206", "main.tf", 7)}
    with_key = 'kms_key_name = "projects/acme/locations/us-central1/keyRings/ml/cryptoKeys/docs"\n'
    assert triples(tree({"main.tf": module, "terraform.tfvars": with_key}), "AIA206") == set()


def test_encryption_spec_gated_by_a_variable_without_default_is_not_judged(tree):
    report = tree({"main.tf": """
variable "kms_key_name" {
  type = string
}

resource "google_vertex_ai_index" "docs" {
  display_name = "docs"
  region       = "us-central1"
  dynamic "encryption_spec" {
    for_each = var.kms_key_name != null ? [var.kms_key_name] : []
    content {
      kms_key_name = encryption_spec.value
    }
  }
}
"""})
    assert triples(report, "AIA206") == set()


def test_private_service_connect_gated_off_by_default_is_public(tree):
    report = tree({"main.tf": """
variable "enable_psc" {
  type    = bool
  default = false
}

resource "google_vertex_ai_endpoint" "chat" {
  name         = "chat"
  display_name = "chat"
  location     = "us-central1"
  dynamic "private_service_connect_config" {
    for_each = var.enable_psc ? [1] : []
    content {
      enable_private_service_connect = true
      project_allowlist              = ["acme-ml-prod"]
    }
  }
  encryption_spec {
    kms_key_name = "projects/acme/locations/us-central1/keyRings/ml/cryptoKeys/chat"
  }
}
"""})
    assert triples(report, "AIA20") == {("AIA205", "main.tf", 7), ("AIA203", "main.tf", 7)}


def test_vertex_resources_the_module_defaults_do_not_create_are_not_judged(tree):
    report = tree({"main.tf": """
variable "enable_custom_models" {
  type    = bool
  default = false
}

resource "google_vertex_ai_endpoint" "agent" {
  count        = var.enable_custom_models ? 1 : 0
  display_name = "agent-endpoint"
  location     = "us-central1"
}
"""})
    assert triples(report, "AIA2") == set()

# --- AIA207 vertex-plaintext-secret-env -----------------------------------------------------


def cloud_run(env_blocks: str) -> str:
    return f"""
resource "google_cloud_run_v2_service" "api" {{
  name     = "api"
  location = "us-central1"
  template {{
    containers {{
      image = "us-docker.pkg.dev/acme/api/api:1.0.0"
{env_blocks}
    }}
  }}
}}
"""


def test_cloud_run_literal_database_password(tree):
    report = tree({"main.tf": cloud_run('      env {\n        name  = "DB_PASSWORD"\n        value = "hunter2-prod"\n      }')})
    assert triples(report, "AIA207") == {("AIA207", "main.tf", 10)}


def test_cloud_run_secret_reference_is_fine(tree):
    report = tree({"main.tf": cloud_run("""      env {
        name = "GEMINI_API_KEY"
        value_source {
          secret_key_ref {
            secret  = "gemini-api-key"
            version = "latest"
          }
        }
      }""")})
    assert triples(report, "AIA207") == set()


def test_placeholders_and_non_secret_names_do_not_fire(tree):
    report = tree({"main.tf": cloud_run("""      env {
        name  = "HF_TOKEN"
        value = "$${HF_TOKEN}"
      }
      env {
        name  = "OPENAI_API_KEY"
        value = ""
      }
      env {
        name  = "OPENAI_BASE_URL"
        value = "https://api.openai.com/v1"
      }""")})
    assert triples(report, "AIA207") == set()


def test_value_from_another_resource_is_not_a_literal(tree):
    report = tree({"main.tf": cloud_run("""      env {
        name  = "COHERE_API_KEY"
        value = google_secret_manager_secret_version.cohere.secret_data
      }""")})
    assert triples(report, "AIA207") == set()


def test_dynamic_env_blocks_over_a_local_map(tree):
    report = tree({"main.tf": """
locals {
  env = {
    MODEL_NAME        = "claude-sonnet-4"
    ANTHROPIC_API_KEY = "sk-ant-api03-Qw3eR5tY7uI9oP1aS3dF5gH7jK9lZ2xC"
  }
}

resource "google_cloud_run_v2_service" "api" {
  name     = "api"
  location = "us-central1"
  template {
    containers {
      image = "us-docker.pkg.dev/acme/api/api:1.0.0"
      dynamic "env" {
        for_each = local.env
        content {
          name  = env.key
          value = env.value
        }
      }
    }
  }
}
"""})
    assert triples(report, "AIA207") == {("AIA207", "main.tf", 19)}


def test_cloud_run_v1_service_literal_key(tree):
    report = tree({"main.tf": """
resource "google_cloud_run_service" "api" {
  name     = "api"
  location = "us-central1"
  template {
    spec {
      containers {
        image = "gcr.io/acme/api:1.0.0"
        env {
          name  = "MISTRAL_API_KEY"
          value = "Zt5kP9qW2xL7vN3b"
        }
      }
    }
  }
}
"""})
    assert triples(report, "AIA207") == {("AIA207", "main.tf", 11)}


# --- documented examples --------------------------------------------------------------------


def test_each_check_flags_its_failing_example_and_passes_its_passing_example(tmp_path):
    from aiaas_iac.engine import load_checks
    from conftest import write_tree

    for check in [c for c in load_checks() if c.code.startswith("AIA2")]:
        meta = check.meta()
        for kind, example, expected in (("failing", meta.failing_example, True), ("passing", meta.passing_example, False)):
            root = write_tree(tmp_path / meta.code / kind, {"main.tf": example})
            fired = bool(triples(scan_dir(root, select=[meta.code]), meta.code))
            assert fired is expected, f"{meta.code} {kind} example"


def test_aia207_judges_the_shape_a_literal_instruction_is_still_a_finding(tree):
    # CHECKS.md's exception: only empty strings and whole-value substitutions are exempt here.
    report = tree({"main.tf": cloud_run("""      env {
        name  = "OPENAI_API_KEY"
        value = "replace-me-before-deploying"
      }
      env {
        name  = "HF_TOKEN"
        value = "hf_REPLACE_WITH_YOUR_TOKEN"
      }
      env {
        name  = "GEMINI_API_KEY"
        value = "{{ .Values.gemini }}"
      }""")})
    assert triples(report, "AIA207") == {("AIA207", "main.tf", 10), ("AIA207", "main.tf", 14)}
