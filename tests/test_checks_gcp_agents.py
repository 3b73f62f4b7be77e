"""GCP agents, keys and data paths: AIA208-AIA211, one behaviour per test."""

import time

from conftest import triples


def findings(report, code):
    return [f for f in report.findings if f.code == code]


# --- AIA209 vertex-reasoning-engine-default-identity ----------------------------------------


def engine(spec: str, name: str = "agent", extra: str = "") -> str:
    return f'''resource "google_vertex_ai_reasoning_engine" "{name}" {{
  display_name = "{name}"
  region       = "us-central1"
{extra}{spec}}}
'''


PACKAGE = '''    package_spec {
      pickle_object_gcs_uri = "gs://acme-agents/agent.pkl"
      python_version        = "3.12"
    }
'''


def test_engine_without_spec_runs_as_the_shared_service_agent(tree):
    report = tree({"main.tf": engine("")})
    assert triples(report, "AIA209") == {("AIA209", "main.tf", 1)}


def test_engine_spec_without_service_account_is_reported_at_the_spec(tree):
    report = tree({"main.tf": engine("  spec {\n    agent_framework = \"google-adk\"\n" + PACKAGE + "  }\n")})
    assert triples(report, "AIA209") == {("AIA209", "main.tf", 4)}


def test_explicit_service_account_identity_type_without_account_is_reported(tree):
    report = tree({"main.tf": engine("  spec {\n    identity_type = \"SERVICE_ACCOUNT\"\n" + PACKAGE + "  }\n")})
    assert triples(report, "AIA209") == {("AIA209", "main.tf", 4)}
    assert "identity_type" in findings(report, "AIA209")[0].message


def test_any_service_account_or_agent_identity_is_fine(tree):
    report = tree({
        "main.tf": engine("  spec {\n    service_account = google_service_account.agent.email\n" + PACKAGE + "  }\n", "a")
        + engine("  spec {\n    service_account = var.agent_sa\n" + PACKAGE + "  }\n", "b")
        + engine("  spec {\n    service_account = \"agent@acme-ml.iam.gserviceaccount.com\"\n  }\n", "c")
        + engine("  spec {\n    identity_type = \"AGENT_IDENTITY\"\n" + PACKAGE + "  }\n", "d")
        + engine("  spec {\n    identity_type = var.identity_type\n  }\n", "e")
        + 'resource "google_service_account" "agent" {\n  account_id = "support-agent"\n}\nvariable "agent_sa" {}\n'
        + 'variable "identity_type" {}\n',
    })
    assert triples(report, "AIA209") == set()


def test_engine_the_module_defaults_do_not_create_is_not_judged(tree):
    report = tree({"main.tf": 'variable "enabled" {\n  default = false\n}\n'
                   + engine("", extra="  count        = var.enabled ? 1 : 0\n")})
    assert triples(report, "AIA209") == set()


def test_service_account_from_a_variable_default_is_fine_and_null_default_is_not(tree):
    report = tree({"main.tf": 'variable "sa" {\n  default = null\n}\n'
                   + engine("  spec {\n    service_account = var.sa\n  }\n")})
    assert triples(report, "AIA209") == {("AIA209", "main.tf", 7)}


# --- AIA208 gemini-api-key-unrestricted -----------------------------------------------------

GCP_SAMPLES = __import__("conftest").SAMPLES / "terraform" / "gcp"
ENABLE_GEMINI = '''resource "google_project_service" "gemini" {
  service = "generativelanguage.googleapis.com"
}
'''


def api_key(restrictions: str = "", name: str = "k", extra: str = "") -> str:
    body = f"  restrictions {{\n{restrictions}  }}\n" if restrictions else ""
    return f'resource "google_apikeys_key" "{name}" {{\n  name = "{name}"\n{extra}{body}}}\n'


def targets(*services: str) -> str:
    return "".join(f'    api_targets {{\n      service = "{s}"\n    }}\n' for s in services)


def test_agents_sample_reports_each_unrestricted_key():
    from conftest import scan_dir

    assert triples(scan_dir(GCP_SAMPLES / "agents_insecure"), "AIA208") == {
        ("AIA208", "apikeys.tf", 7),   # no api_targets, Gemini enabled
        ("AIA208", "apikeys.tf", 13),  # Gemini mixed with Maps, 0.0.0.0/0
        ("AIA208", "apikeys.tf", 31),  # Vertex only but no caller restriction
    }
    assert triples(scan_dir(GCP_SAMPLES / "agents_hardened"), "AIA2") == set()


def test_key_without_targets_fires_only_when_an_ai_api_is_enabled_in_its_project(tree):
    report = tree({"main.tf": ENABLE_GEMINI + api_key(name="same") + api_key(name="other", extra='  project = "web"\n')})
    assert triples(report, "AIA208") == {("AIA208", "main.tf", 4)}


def test_key_without_targets_and_no_ai_api_enabled_is_not_a_finding(tree):
    report = tree({"main.tf": 'resource "google_project_service" "maps" {\n  service = "maps-backend.googleapis.com"\n}\n'
                   + api_key()})
    assert triples(report, "AIA208") == set()


def test_projects_must_be_known_and_equal(tree):
    report = tree({"main.tf": '''variable "project" {
  default = "acme-ml"
}
variable "unknown_project" {}
resource "google_project_service" "vertex" {
  project = var.project
  service = "aiplatform.googleapis.com"
}
''' + api_key(name="same", extra='  project = "acme-ml"\n') + api_key(name="unknown", extra="  project = var.unknown_project\n")})
    assert triples(report, "AIA208") == {("AIA208", "main.tf", 9)}


def test_restricted_ai_only_keys_are_fine(tree):
    report = tree({"main.tf": ENABLE_GEMINI
                   + api_key(targets(GEMINI) + '    server_key_restrictions {\n      allowed_ips = ["0.0.0.0/0", "198.51.100.7"]\n    }\n', "ips")
                   + api_key(targets(GEMINI, VERTEX) + '    browser_key_restrictions {\n      allowed_referrers = ["https://acme.example/*"]\n    }\n', "web")
                   + api_key(targets(GEMINI) + '    ios_key_restrictions {\n      allowed_bundle_ids = ["com.acme.chat"]\n    }\n', "ios")
                   + api_key(targets(GEMINI) + "    server_key_restrictions {\n      allowed_ips = var.egress\n    }\n", "unknown")
                   + api_key(targets("maps-backend.googleapis.com", "places.googleapis.com"), "maps")
                   + 'variable "egress" {}\n'})
    assert triples(report, "AIA208") == set()


GEMINI, VERTEX = "generativelanguage.googleapis.com", "aiplatform.googleapis.com"


def test_wildcard_caller_restrictions_do_not_count(tree):
    report = tree({"main.tf": api_key(targets(GEMINI) + '    server_key_restrictions {\n      allowed_ips = ["::/0", "0.0.0.0/0"]\n    }\n'
                                      + '    browser_key_restrictions {\n      allowed_referrers = [".*"]\n    }\n')})
    assert triples(report, "AIA208") == {("AIA208", "main.tf", 1)}
    assert "no caller restriction" in findings(report, "AIA208")[0].message


def test_mixed_targets_fire_even_with_a_caller_restriction(tree):
    report = tree({"main.tf": api_key(targets(VERTEX, "storage.googleapis.com")
                                      + '    server_key_restrictions {\n      allowed_ips = ["203.0.113.4"]\n    }\n')})
    assert triples(report, "AIA208") == {("AIA208", "main.tf", 1)}
    assert "mix aiplatform.googleapis.com with storage.googleapis.com" in findings(report, "AIA208")[0].message


def test_targets_from_a_dynamic_block_over_an_unknown_collection_are_not_judged(tree):
    report = tree({"main.tf": ENABLE_GEMINI + '''variable "services" {}
resource "google_apikeys_key" "k" {
  name = "k"
  restrictions {
    dynamic "api_targets" {
      for_each = var.services
      content {
        service = api_targets.value
      }
    }
  }
}
'''})
    assert triples(report, "AIA208") == set()


def test_targets_from_a_dynamic_block_over_a_known_list(tree):
    report = tree({"main.tf": '''variable "services" {
  default = ["generativelanguage.googleapis.com", "translate.googleapis.com"]
}
resource "google_apikeys_key" "k" {
  name = "k"
  restrictions {
    dynamic "api_targets" {
      for_each = var.services
      content {
        service = api_targets.value
      }
    }
    server_key_restrictions {
      allowed_ips = ["10.0.0.0/8"]
    }
  }
}
'''})
    assert triples(report, "AIA208") == {("AIA208", "main.tf", 4)}


def test_hostile_api_key_values_stay_fast_and_silent(tree):
    many = ", ".join(f'"10.0.{i // 250}.{i % 250}/32"' for i in range(5000))
    started = time.monotonic()
    report = tree({"main.tf": api_key(targets(*[f"svc{i}.googleapis.com" for i in range(300)])
                                      + f"    server_key_restrictions {{\n      allowed_ips = [{many}]\n    }}\n")
                   + api_key('    api_targets {\n      service = "' + "a" * 100_000 + '"\n    }\n', "long")})
    assert time.monotonic() - started < 20
    assert triples(report, "AIA208") == set()


# --- AIA210 vertex-endpoint-prompt-logging-disabled -----------------------------------------


def endpoint(logging: str, name: str = "chat", extra: str = "") -> str:
    return f'''resource "google_vertex_ai_endpoint" "{name}" {{
  name         = "{name}"
  display_name = "{name}"
  location     = "us-central1"
{extra}{logging}}}
'''


def logging_config(*lines: str) -> str:
    return "  predict_request_response_logging_config {\n" + "".join(f"    {line}\n" for line in lines) + "  }\n"


def test_agents_sample_reports_sampled_and_disabled_logging():
    from conftest import scan_dir

    assert triples(scan_dir(GCP_SAMPLES / "agents_insecure"), "AIA210") == {
        ("AIA210", "endpoints.tf", 14),  # sampling_rate = 0.1
        ("AIA210", "endpoints.tf", 32),  # enabled = false
    }


def test_endpoint_without_logging_block_is_reported_at_the_endpoint(tree):
    assert triples(tree({"main.tf": endpoint("")}), "AIA210") == {("AIA210", "main.tf", 1)}


def test_logging_block_without_enabled_is_reported_at_the_block(tree):
    report = tree({"main.tf": endpoint(logging_config("sampling_rate = 1"))})
    assert triples(report, "AIA210") == {("AIA210", "main.tf", 5)}


def test_sampling_below_one_is_reported_at_the_rate(tree):
    report = tree({"main.tf": endpoint(logging_config("enabled       = true", "sampling_rate = 0.5"))})
    assert triples(report, "AIA210") == {("AIA210", "main.tf", 7)}


def test_full_or_unknown_sampling_is_fine(tree):
    report = tree({"main.tf": endpoint(logging_config("enabled = true"), "a")
                   + endpoint(logging_config("enabled       = true", "sampling_rate = 1"), "b")
                   + endpoint(logging_config("enabled       = true", "sampling_rate = 1.0"), "c")
                   + endpoint(logging_config("enabled       = true", "sampling_rate = var.rate"), "d")
                   + endpoint(logging_config("enabled       = var.log"), "e")
                   + 'variable "rate" {}\nvariable "log" {}\n'})
    assert triples(report, "AIA210") == set()


def test_rate_and_flag_from_variable_defaults(tree):
    report = tree({"main.tf": 'variable "rate" {\n  default = 0.25\n}\nvariable "log" {\n  default = false\n}\n'
                   + endpoint(logging_config("enabled       = true", "sampling_rate = var.rate"), "sampled")
                   + endpoint(logging_config("enabled = var.log"), "off")})
    assert triples(report, "AIA210") == {("AIA210", "main.tf", 13), ("AIA210", "main.tf", 21)}


def test_endpoint_the_module_defaults_do_not_create_is_not_judged(tree):
    report = tree({"main.tf": 'variable "n" {\n  default = 0\n}\n' + endpoint("", extra="  count = var.n\n")})
    assert triples(report, "AIA210") == set()


# --- AIA209 and AIA211 on the agents sample -------------------------------------------------


def test_agents_sample_reports_default_identity_and_escalation_roles():
    from conftest import scan_dir

    report = scan_dir(GCP_SAMPLES / "agents_insecure")
    assert triples(report, "AIA209") | triples(report, "AIA211") == {
        ("AIA209", "agents.tf", 27),  # engine without spec
        ("AIA211", "agents.tf", 35),  # roles/aiplatform.serviceAgent on a user-managed SA
        ("AIA211", "agents.tf", 42),  # token creator at project level for the agent's SA
        ("AIA211", "agents.tf", 49),  # token creator on another SA
    }


# --- AIA211 vertex-sa-privilege-escalation-role ---------------------------------------------

ACCOUNTS = '''resource "google_service_account" "agent" {
  account_id = "support-agent"
}
resource "google_service_account" "other" {
  account_id = "billing-bot"
}
resource "google_vertex_ai_reasoning_engine" "a" {
  display_name = "a"
  spec {
    service_account = google_service_account.agent.email
  }
}
'''  # 12 lines


def grant(kind: str, name: str, role: str, member: str, extra: str = "") -> str:
    target = {"project": '  project = "acme"\n', "service_account": "", "storage_bucket": '  bucket = "b"\n'}[kind]
    return (f'resource "google_{kind}_iam_member" "{name}" {{\n{target}{extra}  role   = "{role}"\n'
            f"  member = {member}\n}}\n")


def test_service_agent_role_on_any_user_managed_account_at_any_level(tree):
    report = tree({"main.tf": ACCOUNTS
                   + grant("project", "ref", "roles/aiplatform.serviceAgent", '"serviceAccount:${google_service_account.other.email}"')
                   + grant("storage_bucket", "literal", "roles/aiplatform.serviceAgent", '"serviceAccount:etl@acme-data.iam.gserviceaccount.com"')})
    assert triples(report, "AIA211") == {("AIA211", "main.tf", 15), ("AIA211", "main.tf", 20)}


def test_service_agents_humans_and_unknown_members_are_not_findings(tree):
    report = tree({"main.tf": ACCOUNTS + 'variable "member" {}\n'
                   + grant("project", "agent", "roles/aiplatform.serviceAgent", '"serviceAccount:service-1234@gcp-sa-aiplatform.iam.gserviceaccount.com"')
                   + grant("project", "human", "roles/aiplatform.serviceAgent", '"user:alice@acme.example"')
                   + grant("project", "group", "roles/iam.serviceAccountTokenCreator", '"group:ml@acme.example"')
                   + grant("project", "unknown", "roles/aiplatform.serviceAgent", "var.member")
                   + grant("project", "compute", "roles/aiplatform.serviceAgent", '"serviceAccount:1234-compute@developer.gserviceaccount.com"')})
    assert triples(report, "AIA211") == set()


def test_conditional_grants_are_not_judged(tree):
    condition = '  condition {\n    title      = "expires"\n    expression = "request.time < timestamp(\\"2026-01-01T00:00:00Z\\")"\n  }\n'
    report = tree({"main.tf": ACCOUNTS
                   + grant("project", "c", "roles/iam.serviceAccountTokenCreator", "google_service_account.agent.member", condition)})
    assert triples(report, "AIA211") == set()


def test_token_creator_needs_a_vertex_workload_account(tree):
    report = tree({"main.tf": ACCOUNTS
                   + grant("project", "engine_sa", "roles/iam.serviceAccountTokenCreator", "google_service_account.agent.member")
                   + grant("project", "plain_sa", "roles/iam.serviceAccountTokenCreator", "google_service_account.other.member")})
    assert triples(report, "AIA211") == {("AIA211", "main.tf", 15)}


def test_token_creator_for_an_account_holding_a_vertex_role_by_literal_email(tree):
    email = "serviceAccount:batch@acme-ml.iam.gserviceaccount.com"
    report = tree({"main.tf": grant("project", "vertex", "roles/aiplatform.user", f'"{email}"')
                   + grant("project", "tc", "roles/iam.serviceAccountTokenCreator", f'"{email}"')})
    assert triples(report, "AIA211") == {("AIA211", "main.tf", 8)}


def test_token_creator_on_the_account_itself_or_an_unknown_account_is_fine(tree):
    sa = 'resource "google_service_account_iam_member" "{n}" {{\n  service_account_id = {target}\n' \
         '  role               = "roles/iam.serviceAccountTokenCreator"\n  member             = google_service_account.agent.member\n}}\n'
    report = tree({"main.tf": ACCOUNTS + 'variable "target" {}\n'
                   + sa.format(n="self", target="google_service_account.agent.name")
                   + sa.format(n="unknown", target="var.target")
                   + sa.format(n="other", target="google_service_account.other.name")})
    assert triples(report, "AIA211") == {("AIA211", "main.tf", 26)}


def test_token_creator_on_a_bucket_is_not_a_finding(tree):
    report = tree({"main.tf": ACCOUNTS
                   + grant("storage_bucket", "b", "roles/iam.serviceAccountTokenCreator", "google_service_account.agent.member")})
    assert triples(report, "AIA211") == set()


def test_project_binding_lists_only_the_offending_members(tree):
    report = tree({"main.tf": ACCOUNTS + '''resource "google_project_iam_binding" "agents" {
  project = "acme"
  role    = "roles/aiplatform.serviceAgent"
  members = [
    "serviceAccount:service-99@gcp-sa-aiplatform.iam.gserviceaccount.com",
    google_service_account.other.member,
  ]
}
'''})
    assert triples(report, "AIA211") == {("AIA211", "main.tf", 15)}
    message = findings(report, "AIA211")[0].message
    assert "google_service_account.other.member" in message and "gcp-sa-aiplatform" not in message


def test_hostile_members_engines_and_endpoints_stay_fast_and_silent(tree):
    long_member = '"serviceAccount:' + "a-" * 50_000 + '@' + "b" * 50_000 + '.iam.gserviceaccount.com"'
    started = time.monotonic()
    report = tree({"main.tf": grant("project", "long", "roles/aiplatform.serviceAgent", long_member)
                   + grant("project", "odd", "roles/iam.serviceAccountTokenCreator", '"serviceAccount:' + "@" * 100_000 + '"')
                   + engine("  spec {\n    service_account = \"" + "x" * 100_000 + "\"\n  }\n")
                   + endpoint(logging_config("enabled       = true", "sampling_rate = 1e308"))})
    assert time.monotonic() - started < 20
    assert {f.code for f in report.findings if f.code in ("AIA209", "AIA210", "AIA211")} == set()


def test_logging_flags_and_rates_written_as_strings(tree):
    report = tree({"main.tf": endpoint(logging_config('enabled       = "true"', 'sampling_rate = "0.5"'), "a")
                   + endpoint(logging_config('enabled = "false"'), "b")
                   + endpoint(logging_config('enabled       = "true"', 'sampling_rate = "1"'), "c")})
    assert triples(report, "AIA210") == {("AIA210", "main.tf", 7), ("AIA210", "main.tf", 15)}
