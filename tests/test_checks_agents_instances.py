"""Issue 12 checks judge each `count`/`for_each` instance with its own values, and expand
`dynamic` blocks over a known collection (misses found on public repositories: a code interpreter
whose network mode comes from `each.value`, Secret Manager secrets named by `each.key`, a gateway
authorizer written as `dynamic "authorizer_configuration"`)."""

from __future__ import annotations

from conftest import triples


def codes(report, *wanted):
    return {t for t in triples(report) if t[0] in wanted}


def messages(report, code):
    return [f.message for f in report.findings if f.code == code]


# --- AIA117 ----------------------------------------------------------------------------------------

def test_code_interpreter_network_mode_from_for_each_is_judged_per_instance(tree):
    report = tree({"main.tf": """
locals {
  interpreters = { analyst = "PUBLIC", sandbox = "SANDBOX" }
}

resource "aws_bedrockagentcore_code_interpreter" "ci" {
  for_each           = local.interpreters
  name               = each.key
  execution_role_arn = "arn:aws:iam::111122223333:role/interpreter"
  network_configuration {
    network_mode = each.value
  }
}
"""})
    assert codes(report, "AIA117") == {("AIA117", "main.tf", 11)}
    assert messages(report, "AIA117") == [
        'aws_bedrockagentcore_code_interpreter.ci["analyst"] runs model-written code with internet access'
        " (network_mode = PUBLIC) and an execution role (execution_role_arn)"]


def test_code_interpreter_for_each_with_only_sandbox_instances_is_not_a_finding(tree):
    report = tree({"main.tf": """
resource "aws_bedrockagentcore_code_interpreter" "ci" {
  for_each           = toset(["SANDBOX", "VPC"])
  name               = lower(each.value)
  execution_role_arn = "arn:aws:iam::111122223333:role/interpreter"
  network_configuration {
    network_mode = each.value
  }
}
"""})
    assert codes(report, "AIA117") == set()


def test_code_interpreter_for_each_over_an_unknown_collection_is_not_a_finding(tree):
    report = tree({"main.tf": """
variable "interpreters" {
  type = map(string)
}

resource "aws_bedrockagentcore_code_interpreter" "ci" {
  for_each           = var.interpreters
  name               = each.key
  execution_role_arn = "arn:aws:iam::111122223333:role/interpreter"
  network_configuration {
    network_mode = each.value
  }
}
"""})
    assert codes(report, "AIA117") == set()


# --- AIA116 ----------------------------------------------------------------------------------------

GATEWAY_WITH_DYNAMIC_AUTHORIZER = """
variable "authorizer_type" {
  default = "CUSTOM_JWT"
}

variable "jwt" {
  default = {
    discovery_url    = "https://accounts.google.com/.well-known/openid-configuration"
    allowed_audience = %s
  }
}

resource "aws_bedrockagentcore_gateway" "tools" {
  name            = "tools"
  role_arn        = "arn:aws:iam::111122223333:role/gateway"
  authorizer_type = var.authorizer_type
  protocol_type   = "MCP"

  dynamic "authorizer_configuration" {
    for_each = var.authorizer_type == "CUSTOM_JWT" ? [var.jwt] : []
    content {
      custom_jwt_authorizer {
        discovery_url    = authorizer_configuration.value.discovery_url
        allowed_audience = authorizer_configuration.value.allowed_audience
      }
    }
  }
}
"""


def test_gateway_dynamic_authorizer_without_audience_is_a_finding(tree):
    report = tree({"main.tf": GATEWAY_WITH_DYNAMIC_AUTHORIZER % "[]"})
    assert codes(report, "AIA116") == {("AIA116", "main.tf", 22)}
    assert "accepts any token of https://accounts.google.com/" in messages(report, "AIA116")[0]


def test_gateway_dynamic_authorizer_with_an_audience_is_not_a_finding(tree):
    report = tree({"main.tf": GATEWAY_WITH_DYNAMIC_AUTHORIZER % '["tools-gateway"]'})
    assert codes(report, "AIA116") == set()


def test_gateway_dynamic_authorizer_over_an_unknown_collection_is_not_a_finding(tree):
    report = tree({"main.tf": """
variable "jwt" {
  type = list(object({ discovery_url = string }))
}

resource "aws_bedrockagentcore_gateway" "tools" {
  name            = "tools"
  role_arn        = "arn:aws:iam::111122223333:role/gateway"
  authorizer_type = "CUSTOM_JWT"
  protocol_type   = "MCP"

  dynamic "authorizer_configuration" {
    for_each = var.jwt
    content {
      custom_jwt_authorizer {
        discovery_url = authorizer_configuration.value.discovery_url
      }
    }
  }
}
"""})
    assert codes(report, "AIA116") == set()


def test_gateways_from_for_each_report_none_authorizer_once_per_block(tree):
    report = tree({"main.tf": """
resource "aws_bedrockagentcore_gateway" "gw" {
  for_each        = { public = "NONE", internal = "AWS_IAM", open = "NONE" }
  name            = each.key
  role_arn        = "arn:aws:iam::111122223333:role/gateway"
  authorizer_type = each.value
  protocol_type   = "MCP"
}
"""})
    assert codes(report, "AIA116") == {("AIA116", "main.tf", 6)}
    assert len(messages(report, "AIA116")) == 1
    assert messages(report, "AIA116")[0].startswith('aws_bedrockagentcore_gateway.gw["public"] has authorizer_type = NONE')


# --- AIA118 ----------------------------------------------------------------------------------------

def test_memory_key_chosen_per_count_instance(tree):
    report = tree({"main.tf": """
resource "aws_bedrockagentcore_memory" "m" {
  count                 = 2
  name                  = "m${count.index}"
  event_expiry_duration = 30
  encryption_key_arn    = count.index == 0 ? "arn:aws:kms:us-east-1:111122223333:key/abc" : null
}
"""})
    assert codes(report, "AIA118") == {("AIA118", "main.tf", 6)}
    assert messages(report, "AIA118") == [
        "aws_bedrockagentcore_memory.m[1] has no encryption_key_arn: agent memory is encrypted with an AWS-managed key"]


def test_memory_with_a_key_in_every_instance_is_not_a_finding(tree):
    report = tree({"main.tf": """
resource "aws_bedrockagentcore_memory" "m" {
  for_each              = { chat = "arn:aws:kms:us-east-1:111122223333:key/a", notes = "arn:aws:kms:us-east-1:111122223333:key/b" }
  name                  = each.key
  event_expiry_duration = 30
  encryption_key_arn    = each.value
}
"""})
    assert codes(report, "AIA118") == set()


# --- AIA210 ----------------------------------------------------------------------------------------

def test_endpoint_logging_switched_off_in_one_for_each_instance(tree):
    report = tree({"main.tf": """
locals {
  endpoints = { chat = false, search = true }
}

resource "google_vertex_ai_endpoint" "ep" {
  for_each     = local.endpoints
  name         = each.key
  display_name = each.key
  location     = "us-central1"
  predict_request_response_logging_config {
    enabled       = each.value
    sampling_rate = 1
  }
}
"""})
    assert codes(report, "AIA210") == {("AIA210", "main.tf", 12)}
    assert messages(report, "AIA210")[0].startswith('google_vertex_ai_endpoint.ep["chat"] ')


def test_endpoints_logging_every_request_in_every_instance_are_not_a_finding(tree):
    report = tree({"main.tf": """
resource "google_vertex_ai_endpoint" "ep" {
  for_each     = toset(["chat", "search"])
  name         = each.key
  display_name = each.key
  location     = "us-central1"
  predict_request_response_logging_config {
    enabled       = true
    sampling_rate = 1
  }
}
"""})
    assert codes(report, "AIA210") == set()


# --- AIA209 ----------------------------------------------------------------------------------------

def test_reasoning_engine_identity_type_per_instance(tree):
    report = tree({"main.tf": """
resource "google_vertex_ai_reasoning_engine" "re" {
  for_each     = { agent = "AGENT_IDENTITY", legacy = "SERVICE_ACCOUNT" }
  display_name = each.key
  region       = "us-central1"
  spec {
    identity_type = each.value
  }
}
"""})
    assert codes(report, "AIA209") == {("AIA209", "main.tf", 6)}
    assert messages(report, "AIA209")[0].startswith(
        'google_vertex_ai_reasoning_engine.re["legacy"] sets spec.identity_type = "SERVICE_ACCOUNT"')


# --- AIA503 / AIA504 -------------------------------------------------------------------------------

def test_secret_manager_secrets_named_by_each_key(tree):
    report = tree({"main.tf": """
locals {
  secrets = {
    "ppt-builder-gemini-api-key" = var.gemini_api_key
    "ppt-builder-gmail-password" = var.gmail_password
  }
}

variable "gemini_api_key" {
  type      = string
  sensitive = true
}

variable "gmail_password" {
  type      = string
  sensitive = true
}

resource "google_secret_manager_secret" "app" {
  for_each  = local.secrets
  secret_id = each.key
  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_version" "app" {
  for_each    = local.secrets
  secret      = google_secret_manager_secret.app[each.key].id
  secret_data = each.value
}
"""})
    assert codes(report, "AIA503", "AIA504") == {("AIA503", "main.tf", 19), ("AIA504", "main.tf", 30)}
    assert 'its name "ppt-builder-gemini-api-key" is an AI secret name' in messages(report, "AIA503")[0]


def test_secrets_manager_for_each_with_no_ai_name_is_not_a_finding(tree):
    report = tree({"main.tf": """
resource "aws_secretsmanager_secret" "app" {
  for_each = toset(["prod/db-password", "prod/smtp-password"])
  name     = each.value
}
"""})
    assert codes(report, "AIA503", "AIA504") == set()


def test_secrets_manager_for_each_with_an_ai_name_and_rotation_is_not_a_finding(tree):
    report = tree({"main.tf": """
resource "aws_secretsmanager_secret" "app" {
  for_each = toset(["prod/openai-api-key", "prod/db-password"])
  name     = each.value
}

resource "aws_secretsmanager_secret_rotation" "app" {
  for_each            = aws_secretsmanager_secret.app
  secret_id           = aws_secretsmanager_secret.app[each.key].id
  rotation_lambda_arn = "arn:aws:lambda:us-east-1:111122223333:function:rotate"
  rotation_rules {
    automatically_after_days = 30
  }
}
"""})
    assert codes(report, "AIA503") == set()


# --- hostile input ---------------------------------------------------------------------------------

def test_a_huge_count_is_judged_on_capped_instances_and_reported_once(tree):
    import time

    started = time.monotonic()
    report = tree({"main.tf": """
resource "aws_bedrockagentcore_code_interpreter" "ci" {
  count              = 100000000
  name               = "ci${count.index}"
  execution_role_arn = "arn:aws:iam::111122223333:role/interpreter"
  network_configuration {
    network_mode = "PUBLIC"
  }
}
"""})
    assert time.monotonic() - started < 30
    assert codes(report, "AIA117") == {("AIA117", "main.tf", 7)}
    assert len(messages(report, "AIA117")) == 1


# --- AIA109 ----------------------------------------------------------------------------------------

GUARDRAILS_MODULE = '''\
variable "guardrails" {
  type = map(object({ filters = list(object({ type = string, input_strength = string })) }))
}
resource "aws_bedrock_guardrail" "this" {
  for_each                  = var.guardrails
  name                      = each.key
  blocked_input_messaging   = "no"
  blocked_outputs_messaging = "no"
  dynamic "content_policy_config" {
    for_each = length(each.value.filters) > 0 ? [1] : []
    content {
      dynamic "filters_config" {
        for_each = each.value.filters
        content {
          type            = filters_config.value.type
          input_strength  = filters_config.value.input_strength
          output_strength = "NONE"
        }
      }
    }
  }
}
'''


def test_guardrails_from_a_callers_map_are_judged_per_instance(tree):
    """A held-out platform module makes one guardrail per entry of its caller's map, the filters
    coming from `each.value` through nested dynamic blocks."""
    report = tree({
        "modules/guardrails/main.tf": GUARDRAILS_MODULE,
        "main.tf": '''module "g" {
  source = "./modules/guardrails"
  guardrails = {
    strict = { filters = [{ type = "PROMPT_ATTACK", input_strength = "HIGH" }, { type = "HATE", input_strength = "HIGH" }] }
    loose  = { filters = [{ type = "HATE", input_strength = "HIGH" }] }
    weak   = { filters = [{ type = "PROMPT_ATTACK", input_strength = "NONE" }] }
  }
}
''',
    }, select=["AIA109"])
    assert sorted((f.code, f.location.file, f.location.span.start_line, f.message) for f in report.findings) == [
        ("AIA109", "modules/guardrails/main.tf", 4, 'aws_bedrock_guardrail.this["loose"] has no PROMPT_ATTACK content filter'),
        ("AIA109", "modules/guardrails/main.tf", 14,
         'aws_bedrock_guardrail.this["weak"] has a PROMPT_ATTACK filter with input strength NONE'),
    ]


def test_guardrails_that_all_filter_or_are_unknown_are_no_finding(tree):
    report = tree({
        "modules/guardrails/main.tf": GUARDRAILS_MODULE,
        "main.tf": 'variable "from_outside" {}\n'
                   'module "all" {\n  source = "./modules/guardrails"\n  guardrails = {\n'
                   '    a = { filters = [{ type = "PROMPT_ATTACK", input_strength = "MEDIUM" }] }\n  }\n}\n'
                   'module "unknown" {\n  source     = "./modules/guardrails"\n  guardrails = var.from_outside\n}\n'
                   'module "empty" {\n  source     = "./modules/guardrails"\n  guardrails = {}\n}\n',
    }, select=["AIA109"])
    assert report.findings == []
