"""AIA503 ai-secret-without-rotation: AI secrets in Secrets Manager, Secret Manager and Key Vault."""

from __future__ import annotations

import time

import pytest

from aiaas_iac.iam.ai_secrets import is_ai_secret_name
from conftest import SAMPLES, scan_dir, triples

SAMPLE = SAMPLES / "terraform" / "credentials" / "ai_secret_without_rotation"

AWS_SECRET = 'resource "aws_secretsmanager_secret" "s" {\n  name = "%s"\n}\n'
ROTATION = '''
resource "aws_secretsmanager_secret_rotation" "s" {
  secret_id           = aws_secretsmanager_secret.s.id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:111122223333:function:rotate"
  rotation_rules {
    %s
  }
}
'''


@pytest.mark.parametrize("name, expected", [
    ("prod/openai-api-key", True), ("openai", True), ("OPENAI_API_KEY", True), ("hf-token", True),
    ("team/google-api-key", True), ("prod/db-password", False), ("chef-token", False),
    ("prod/airline-key", False), ("x" * 5000 + "_openai", False),
])
def test_ai_secret_names(name, expected):
    assert is_ai_secret_name(name) is expected


def test_fail_sample():
    assert triples(scan_dir(SAMPLE / "fail"), "AIA503") == {
        ("AIA503", "aws.tf", 2), ("AIA503", "aws.tf", 23), ("AIA503", "aws.tf", 28),
        ("AIA503", "gcp.tf", 1), ("AIA503", "gcp.tf", 14),
    }


def test_pass_sample():
    report = scan_dir(SAMPLE / "pass")
    assert triples(report) == set()


def test_key_vault_samples():
    report = scan_dir(SAMPLES / "terraform" / "azure" / "foundry_insecure")
    assert triples(report, "AIA503") == {("AIA503", "secrets.tf", 2), ("AIA503", "secrets.tf", 8)}
    assert triples(scan_dir(SAMPLES / "terraform" / "azure" / "foundry_hardened"), "AIA503") == set()


def test_non_ai_secret_without_rotation_passes(tree):
    assert triples(tree({"main.tf": AWS_SECRET % "prod/db-password"}), "AIA503") == set()


@pytest.mark.parametrize("rules, fires", [
    ("automatically_after_days = 90", False),
    ("automatically_after_days = 91", True),
    ('schedule_expression = "rate(120 days)"', True),
    ('schedule_expression = "rate(7 days)"', False),
    ('schedule_expression = "cron(0 4 1 * ? *)"', False),
    ("automatically_after_days = var.days", False),
])
def test_rotation_rules(tree, rules, fires):
    report = tree({"main.tf": AWS_SECRET % "openai" + ROTATION % rules, "variables.tf": 'variable "days" {}\n'})
    assert bool(triples(report, "AIA503")) is fires


def test_rotation_with_an_unresolved_secret_id_is_not_judged(tree):
    rotation = (ROTATION % "automatically_after_days = 30").replace("aws_secretsmanager_secret.s.id", "var.secret")
    report = tree({"main.tf": AWS_SECRET % "openai" + rotation, "variables.tf": 'variable "secret" {}\n'})
    assert triples(report, "AIA503") == set()


def test_unresolved_name_is_not_an_ai_secret_name(tree):
    report = tree({"main.tf": AWS_SECRET % "${var.name}", "variables.tf": 'variable "name" {}\n'})
    assert triples(report, "AIA503") == set()


def test_knowledge_base_pinecone_credentials_make_an_ai_secret(tree):
    kb = '''
resource "aws_bedrockagent_knowledge_base" "kb" {
  name     = "kb"
  role_arn = "arn:aws:iam::111122223333:role/kb"
  storage_configuration {
    type = "PINECONE"
    pinecone_configuration {
      connection_string      = "https://index.svc.pinecone.io"
      credentials_secret_arn = aws_secretsmanager_secret.s.arn
      field_mapping {
        metadata_field = "m"
        text_field     = "t"
      }
    }
  }
}
'''
    report = tree({"main.tf": AWS_SECRET % "prod/vector" + kb})
    assert triples(report, "AIA503") == {("AIA503", "main.tf", 1)}


def test_reasoning_engine_secret_env_makes_an_ai_secret(tree):
    files = {"main.tf": '''
resource "google_secret_manager_secret" "tools" {
  secret_id = "agent-tools"
  replication {
    auto {}
  }
}

resource "google_vertex_ai_reasoning_engine" "agent" {
  display_name = "agent"
  spec {
    deployment_spec {
      secret_env {
        name = "COHERE_API_KEY"
        secret_ref {
          secret  = google_secret_manager_secret.tools.secret_id
          version = "1"
        }
      }
    }
  }
}
'''}
    assert triples(tree(files), "AIA503") == {("AIA503", "main.tf", 2)}


def test_secret_read_under_a_non_ai_name_is_not_an_ai_secret(tree):
    files = {"main.tf": AWS_SECRET % "prod/app" + '''
resource "aws_ecs_task_definition" "app" {
  family = "app"
  container_definitions = jsonencode([{
    name    = "app"
    image   = "app:1"
    secrets = [{ name = "DB_PASSWORD", valueFrom = aws_secretsmanager_secret.s.arn }]
  }])
}
'''}
    assert triples(tree(files), "AIA503") == set()


def test_key_vault_secret_of_an_ai_account_key_without_expiry_fires(tree):
    files = {"main.tf": '''
resource "azurerm_ai_services" "ai" {
  name                = "ais"
  location            = "swedencentral"
  resource_group_name = "rg"
  sku_name            = "S0"
}

resource "azurerm_key_vault_secret" "key" {
  name         = "ai-primary"
  value        = azurerm_ai_services.ai.primary_access_key
  key_vault_id = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"
}
'''}
    report = tree(files)
    assert triples(report, "AIA503") == {("AIA503", "main.tf", 9)}


def test_unresolved_expiry_and_long_gcp_period_variable_pass(tree):
    files = {"main.tf": '''
resource "azurerm_key_vault_secret" "k" {
  name            = "openai-api-key"
  value_wo        = "x"
  key_vault_id    = "kv"
  expiration_date = var.expiry
}

resource "google_secret_manager_secret" "g" {
  secret_id = "gemini-key"
  rotation {
    rotation_period = var.period
  }
}
''', "variables.tf": 'variable "expiry" {}\nvariable "period" {}\n'}
    assert triples(tree(files), "AIA503") == set()


def test_hostile_secret_json_stays_fast_and_silent(tree):
    keys = ", ".join(f'K{i} = "v"' for i in range(3000))
    files = {"main.tf": AWS_SECRET % ("db-" * 20000) + f'''
resource "aws_secretsmanager_secret_version" "v" {{
  secret_id     = aws_secretsmanager_secret.s.id
  secret_string = jsonencode({{ {keys} }})
}}
'''}
    started = time.monotonic()
    report = tree(files)
    assert time.monotonic() - started < 15
    assert triples(report, "AIA503") == set()
