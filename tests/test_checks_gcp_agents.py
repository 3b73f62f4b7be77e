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
