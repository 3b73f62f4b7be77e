"""AgentCore checks (AIA116-AIA119), the AIA107 lifetime amendment and AIA504 write-only credentials."""

from __future__ import annotations

import time

from conftest import SAMPLES, scan_dir, triples

TF = SAMPLES / "terraform" / "aws"
CFN = SAMPLES / "cloudformation" / "aws"


def codes(report, *codes_):
    return {t for t in triples(report) if t[0] in codes_}


# --- samples ---------------------------------------------------------------------------------------

def test_insecure_agentcore_terraform_sample():
    assert codes(scan_dir(TF / "agentcore_insecure"), "AIA116", "AIA117", "AIA118") == {
        ("AIA116", "auth.tf", 17),  # runtime JWT authorizer with only a discovery URL
        ("AIA116", "auth.tf", 27),  # awscc gateway with authorizer_type = NONE
        ("AIA116", "auth.tf", 42),  # awscc runtime with an empty allowed_audience
        ("AIA117", "code_interpreter.tf", 7),
        ("AIA117", "code_interpreter.tf", 15),
        ("AIA118", "memory.tf", 2),
        ("AIA118", "memory.tf", 7),
    }


def test_hardened_agentcore_terraform_sample_has_no_findings():
    assert scan_dir(TF / "agentcore_hardened").findings == []


def test_insecure_agentcore_cloudformation_sample():
    report = scan_dir(CFN)
    assert {t for t in codes(report, "AIA116", "AIA117", "AIA118") if t[1] == "agentcore_insecure.yaml"} == {
        ("AIA118", "agentcore_insecure.yaml", 18),
        ("AIA117", "agentcore_insecure.yaml", 30),
        ("AIA116", "agentcore_insecure.yaml", 43),
        ("AIA116", "agentcore_insecure.yaml", 52),
    }
    assert not [f for f in report.findings if f.location.file == "agentcore_hardened.yaml"]


# --- AIA118 agentcore-memory-without-cmk -------------------------------------------------------------

def test_memory_with_an_unresolved_key_reference_is_not_a_finding(tree):
    report = tree({"main.tf": """
variable "key" {
  type = string
}

resource "aws_bedrockagentcore_memory" "m" {
  name                  = "m"
  event_expiry_duration = 7
  encryption_key_arn    = var.key
}

resource "aws_bedrockagentcore_memory" "empty" {
  name                  = "empty"
  event_expiry_duration = 7
  encryption_key_arn    = ""
}
"""})
    assert codes(report, "AIA118") == {("AIA118", "main.tf", 15)}


def test_memory_with_count_zero_is_not_declared(tree):
    report = tree({"main.tf": """
resource "aws_bedrockagentcore_memory" "m" {
  count                 = 0
  name                  = "m"
  event_expiry_duration = 7
}
"""})
    assert codes(report, "AIA118") == set()


# --- AIA117 agentcore-code-interpreter-internet-with-role ---------------------------------------------

def test_code_interpreter_near_misses(tree):
    report = tree({"main.tf": """
variable "mode" {
  type = string
}

resource "aws_bedrockagentcore_code_interpreter" "vpc" {
  name               = "vpc"
  execution_role_arn = "arn:aws:iam::123456789012:role/x"
  network_configuration {
    network_mode = "VPC"
  }
}

resource "aws_bedrockagentcore_code_interpreter" "unknown_mode" {
  name               = "unknown_mode"
  execution_role_arn = "arn:aws:iam::123456789012:role/x"
  network_configuration {
    network_mode = var.mode
  }
}

resource "aws_bedrockagentcore_browser" "browser" {
  name               = "browser"
  execution_role_arn = "arn:aws:iam::123456789012:role/x"
  network_configuration {
    network_mode = "PUBLIC"
  }
}

resource "aws_bedrockagentcore_agent_runtime" "public_runtime" {
  agent_runtime_name = "public_runtime"
  role_arn           = "arn:aws:iam::123456789012:role/x"
  network_configuration {
    network_mode = "PUBLIC"
  }
}
"""})
    assert codes(report, "AIA117") == set()


def test_code_interpreter_mode_from_a_variable_default(tree):
    report = tree({"main.tf": """
variable "mode" {
  default = "PUBLIC"
}

resource "aws_bedrockagentcore_code_interpreter" "ci" {
  name               = "ci"
  execution_role_arn = aws_iam_role.ci.arn
  network_configuration {
    network_mode = var.mode
  }
}
"""})
    assert codes(report, "AIA117") == {("AIA117", "main.tf", 10)}


def test_cloudformation_code_interpreter_default_sandbox_is_not_a_finding(tree):
    report = tree({"t.yaml": """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
  Interpreter:
    Type: AWS::BedrockAgentCore::CodeInterpreterCustom
    Properties:
      Name: ci
      ExecutionRoleArn: !GetAtt Role.Arn
      NetworkConfiguration:
        NetworkMode: SANDBOX
"""})
    assert codes(report, "AIA117") == set()


# --- AIA116 agentcore-inbound-auth-unrestricted -------------------------------------------------------

def test_inbound_auth_restrictions_and_authorizer_types(tree):
    report = tree({"main.tf": """
variable "audience" {
  type = list(string)
}

resource "aws_bedrockagentcore_gateway" "scopes_only" {
  name            = "scopes_only"
  role_arn        = "arn:aws:iam::123456789012:role/x"
  authorizer_type = "CUSTOM_JWT"
  authorizer_configuration {
    custom_jwt_authorizer {
      discovery_url  = "https://issuer.example.com/.well-known/openid-configuration"
      allowed_scopes = ["tools/read"]
    }
  }
}

resource "aws_bedrockagentcore_gateway" "claim_only" {
  name            = "claim_only"
  role_arn        = "arn:aws:iam::123456789012:role/x"
  authorizer_type = "CUSTOM_JWT"
  authorizer_configuration {
    custom_jwt_authorizer {
      discovery_url = "https://issuer.example.com/.well-known/openid-configuration"
      custom_claim {
        inbound_token_claim_name       = "tenant"
        inbound_token_claim_value_type = "STRING"
      }
    }
  }
}

resource "aws_bedrockagentcore_agent_runtime" "unresolved_audience" {
  agent_runtime_name = "unresolved_audience"
  role_arn           = "arn:aws:iam::123456789012:role/x"
  authorizer_configuration {
    custom_jwt_authorizer {
      discovery_url    = "https://issuer.example.com/.well-known/openid-configuration"
      allowed_audience = var.audience
    }
  }
}

resource "aws_bedrockagentcore_gateway" "iam" {
  name            = "iam"
  role_arn        = "arn:aws:iam::123456789012:role/x"
  authorizer_type = "AWS_IAM"
}

resource "awscc_bedrockagentcore_gateway" "authenticate_only" {
  name            = "authenticate_only"
  role_arn        = "arn:aws:iam::123456789012:role/x"
  protocol_type   = "MCP"
  authorizer_type = "AUTHENTICATE_ONLY"
}

resource "aws_bedrockagentcore_gateway" "open" {
  name            = "open"
  role_arn        = "arn:aws:iam::123456789012:role/x"
  authorizer_type = "CUSTOM_JWT"
  authorizer_configuration {
    custom_jwt_authorizer {
      discovery_url   = "https://accounts.google.com/.well-known/openid-configuration"
      allowed_clients = []
    }
  }
}

resource "aws_bedrockagentcore_gateway" "none" {
  name            = "none"
  role_arn        = "arn:aws:iam::123456789012:role/x"
  authorizer_type = "NONE"
}
"""})
    assert codes(report, "AIA116") == {("AIA116", "main.tf", 62), ("AIA116", "main.tf", 72)}


def test_cloudformation_runtime_without_authorizer_uses_iam(tree):
    report = tree({"t.yaml": """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Runtime:
    Type: AWS::BedrockAgentCore::Runtime
    Properties:
      AgentRuntimeName: r
      RoleArn: arn:aws:iam::123456789012:role/x
      AgentRuntimeArtifact:
        ContainerConfiguration:
          ContainerUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/r:latest
      NetworkConfiguration:
        NetworkMode: PUBLIC
  Gateway:
    Type: AWS::BedrockAgentCore::Gateway
    Properties:
      Name: g
      RoleArn: arn:aws:iam::123456789012:role/x
      ProtocolType: MCP
      AuthorizerType: CUSTOM_JWT
      AuthorizerConfiguration:
        CustomJWTAuthorizer:
          DiscoveryUrl: https://issuer.example.com/.well-known/openid-configuration
          CustomClaims:
            - InboundTokenClaimName: tenant
"""})
    assert codes(report, "AIA116") == set()


# --- hostile input -----------------------------------------------------------------------------------

def test_hostile_agentcore_values_stay_fast_and_silent(tree):
    many = "\n".join(f'      allowed_audience = ["{"a" * 50_000}"]' for _ in range(1))
    blocks = "\n".join(
        f"""
resource "aws_bedrockagentcore_agent_runtime" "r{i}" {{
  agent_runtime_name = "r{i}"
  role_arn           = "arn:aws:iam::123456789012:role/x"
  network_configuration {{
    network_mode = "{'P' * 10_000}"
  }}
  authorizer_configuration {{
    custom_jwt_authorizer {{
      discovery_url = "https://issuer.example.com/.well-known/openid-configuration"
{many}
    }}
  }}
}}

resource "aws_bedrockagentcore_code_interpreter" "c{i}" {{
  name               = "c{i}"
  execution_role_arn = ""
  network_configuration {{
    network_mode = "PUBLIC"
  }}
}}

resource "aws_bedrockagentcore_memory" "m{i}" {{
  name                  = "m{i}"
  event_expiry_duration = 7
  encryption_key_arn    = "{'k' * 10_000}"
}}
"""
        for i in range(200))
    started = time.monotonic()
    report = tree({"main.tf": blocks})
    assert time.monotonic() - started < 30
    assert codes(report, "AIA116", "AIA117", "AIA118") == set()


# --- AIA107 amendment: the Bedrock API key's lifetime ------------------------------------------------

API_KEYS = """
variable "days" {
  default = 30
}

variable "unknown_days" {
  type = number
}

resource "aws_iam_service_specific_credential" "forever" {
  service_name = "bedrock.amazonaws.com"
  user_name    = "bot"
}

resource "aws_iam_service_specific_credential" "month" {
  service_name        = "bedrock.amazonaws.com"
  user_name           = "bot"
  credential_age_days = 30
}

resource "aws_iam_service_specific_credential" "week_from_default" {
  service_name        = "bedrock.amazonaws.com"
  user_name           = "bot"
  credential_age_days = var.days
}

resource "aws_iam_service_specific_credential" "quarter" {
  service_name        = "bedrock.amazonaws.com"
  user_name           = "bot"
  credential_age_days = 90
}

resource "aws_iam_service_specific_credential" "unresolved" {
  service_name        = "bedrock.amazonaws.com"
  user_name           = "bot"
  credential_age_days = var.unknown_days
}

resource "aws_iam_service_specific_credential" "codecommit" {
  service_name = "codecommit.amazonaws.com"
  user_name    = "bot"
}
"""


def test_bedrock_api_key_of_30_days_or_less_is_not_a_finding(tree):
    report = tree({"main.tf": API_KEYS})
    # Line 34's lifetime is an unresolved variable: unknown never makes a finding.
    assert codes(report, "AIA107") == {("AIA107", "main.tf", 11), ("AIA107", "main.tf", 28)}


def test_bedrock_api_key_message_states_its_lifetime(tree):
    report = tree({"main.tf": API_KEYS})
    messages = {f.location.span.start_line: f.message for f in report.findings if f.code == "AIA107"}
    assert messages[11] == ("aws_iam_service_specific_credential.forever creates a long-lived Bedrock API key"
                            " for user bot; it never expires")
    assert messages[28].endswith("; it expires after 90 days")


# --- AIA119 bedrock-invocation-log-group-unprotected -------------------------------------------------

def logging_to(name: str) -> str:
    return f"""
resource "aws_bedrock_model_invocation_logging_configuration" "this" {{
  logging_config {{
    cloudwatch_config {{
      log_group_name = {name}
      role_arn       = "arn:aws:iam::123456789012:role/logging"
    }}
  }}
}}
"""


def test_invocation_log_group_sample():
    report = scan_dir(TF / "agentcore_insecure")
    assert codes(report, "AIA119", "AIA104") == {("AIA119", "logging.tf", 2)}
    [finding] = [f for f in report.findings if f.code == "AIA119"]
    assert finding.message == (
        "aws_cloudwatch_log_group.bedrock receives Bedrock invocation logs from"
        " aws_bedrock_model_invocation_logging_configuration.this, but its retention_in_days is absent"
        " (the prompts it records never expire) and it has no kms_key_id")


def test_log_group_matched_by_resolved_name_with_retention_zero(tree):
    report = tree({"main.tf": logging_to('"/bedrock/${var.env}"') + """
variable "env" {
  default = "prod"
}

resource "aws_cloudwatch_log_group" "prod" {
  name              = "/bedrock/prod"
  retention_in_days = 0
  kms_key_id        = "arn:aws:kms:us-east-1:123456789012:key/abc"
}

resource "aws_cloudwatch_log_group" "other" {
  name = "/app/other"
}
"""})
    assert codes(report, "AIA119") == {("AIA119", "main.tf", 17)}
    assert "retention_in_days is 0" in next(f.message for f in report.findings if f.code == "AIA119")


def test_log_group_near_misses(tree):
    report = tree({"main.tf": logging_to("aws_cloudwatch_log_group.logs.name") + """
variable "days" {
  type = number
}

variable "key" {
  type = string
}

resource "aws_cloudwatch_log_group" "logs" {
  name              = "/bedrock/invocations"
  retention_in_days = var.days
  kms_key_id        = var.key
}
""", "other/main.tf": logging_to('"/not/declared/here"')})
    assert codes(report, "AIA119") == set()


def test_log_group_in_a_module_named_through_an_input(tree):
    report = tree({
        "main.tf": """
module "logs" {
  source = "./modules/logs"
  name   = "/bedrock/chat"
}
""",
        "modules/logs/main.tf": """
variable "name" {
  type = string
}

resource "aws_cloudwatch_log_group" "this" {
  name              = var.name
  retention_in_days = 365
}
""" + logging_to("aws_cloudwatch_log_group.this.name"),
    })
    assert codes(report, "AIA119") == {("AIA119", "modules/logs/main.tf", 6)}
    assert "no kms_key_id" in next(f.message for f in report.findings if f.code == "AIA119")


def test_log_group_of_another_root_is_not_matched_by_name(tree):
    report = tree({
        "envs/dev/main.tf": logging_to('"/bedrock/shared"'),
        "envs/prod/main.tf": """
resource "aws_cloudwatch_log_group" "shared" {
  name = "/bedrock/shared"
}
""",
    })
    assert codes(report, "AIA119") == set()


def test_hostile_log_groups_stay_fast(tree):
    groups = "\n".join(f'resource "aws_cloudwatch_log_group" "g{i}" {{\n  name = "/g/{i}"\n}}\n' for i in range(2000))
    started = time.monotonic()
    report = tree({"main.tf": logging_to('"' + "x" * 100_000 + '"') + groups})
    assert time.monotonic() - started < 30
    assert codes(report, "AIA119") == set()


# --- AIA504 ai-credential-not-write-only --------------------------------------------------------------

def test_write_only_samples():
    assert codes(scan_dir(TF / "agentcore_insecure"), "AIA504") == {
        ("AIA504", "credentials.tf", 14),
        ("AIA504", "credentials.tf", 24),
        ("AIA504", "credentials.tf", 35),
        ("AIA504", "credentials.tf", 44),
    }
    report = scan_dir(CFN)
    assert {t for t in codes(report, "AIA504") if t[1].startswith("agentcore")} == {
        ("AIA504", "agentcore_insecure.yaml", 58),
        ("AIA504", "agentcore_insecure.yaml", 68),
    }


def test_write_only_message_names_the_attribute_and_the_alternative():
    report = scan_dir(TF / "agentcore_insecure")
    messages = {f.location.span.start_line: f.message for f in report.findings if f.code == "AIA504"}
    assert messages[14] == ("aws_bedrockagentcore_api_key_credential_provider.openai sets api_key"
                            " (var.openai_api_key): Terraform keeps it in state and plan; use api_key_wo")


def test_write_only_near_misses(tree):
    report = tree({"main.tf": """
variable "empty" {
  default = ""
}

resource "aws_bedrockagentcore_api_key_credential_provider" "empty" {
  name    = "empty"
  api_key = var.empty
}

resource "aws_bedrockagentcore_api_key_credential_provider" "dummy" {
  name    = "dummy"
  api_key = "REPLACE_WITH_YOUR_KEY"
}

resource "aws_bedrockagentcore_api_key_credential_provider" "known_format" {
  name    = "known_format"
  api_key = "sk-proj-9fQ2kLm3Np8Rt5Vx7Zb1Cd4Fg6Hj0Ks2Lw9Qe3Ty"
}

resource "aws_bedrockagentcore_api_key_credential_provider" "literal" {
  name    = "literal"
  api_key = "q8Zt3vRk0pLx7Wm2Yc5Nd9Hb"
}
"""})
    assert codes(report, "AIA504") == {("AIA504", "main.tf", 23)}
    assert ("AIA501", "main.tf", 18) in triples(report)


def test_cloudformation_write_only_near_misses(tree):
    report = tree({"t.yaml": """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Hidden:
    Type: String
    NoEcho: true
  Shown:
    Type: String
    Default: replace-me
Resources:
  Hidden:
    Type: AWS::BedrockAgentCore::ApiKeyCredentialProvider
    Properties:
      Name: hidden
      ApiKey: !Ref Hidden
  Shown:
    Type: AWS::BedrockAgentCore::ApiKeyCredentialProvider
    Properties:
      Name: shown
      ApiKey: !Ref Shown
  Resolved:
    Type: AWS::BedrockAgentCore::ApiKeyCredentialProvider
    Properties:
      Name: resolved
      ApiKey: "{{resolve:ssm-secure:/agent/openai}}"
  Imported:
    Type: AWS::BedrockAgentCore::ApiKeyCredentialProvider
    Properties:
      Name: imported
      ApiKey: !ImportValue shared-openai-key
"""})
    assert codes(report, "AIA504") == set()


def test_hostile_credential_providers_stay_fast_and_silent(tree):
    vendors = "\n".join(f"    v{i}_oauth2_provider_config {{\n      client_secret = \"\"\n    }}" for i in range(500))
    started = time.monotonic()
    report = tree({"main.tf": f"""
resource "aws_bedrockagentcore_oauth2_credential_provider" "many" {{
  name = "many"
  oauth2_provider_config {{
{vendors}
  }}
}}

resource "aws_bedrockagentcore_api_key_credential_provider" "huge" {{
  name    = "huge"
  api_key = "{'x' * 200_000}"
}}
"""})
    assert time.monotonic() - started < 30
    assert codes(report, "AIA504") == set()


def test_ai_secret_values_kept_in_state(tree):
    import pytest

    report = tree({"main.tf": """
variable "openai_api_key" {
  type      = string
  sensitive = true
}

resource "aws_secretsmanager_secret" "openai" {
  name = "prod/openai-api-key"
}

resource "aws_secretsmanager_secret_version" "openai" {
  secret_id     = aws_secretsmanager_secret.openai.id
  secret_string = var.openai_api_key
}

resource "aws_secretsmanager_secret" "db" {
  name = "prod/db-password"
}

resource "aws_secretsmanager_secret_version" "db" {
  secret_id     = aws_secretsmanager_secret.db.id
  secret_string = var.openai_api_key
}

resource "aws_secretsmanager_secret" "keys" {
  name = "prod/app-keys"
}

resource "aws_secretsmanager_secret_version" "keys" {
  secret_id     = aws_secretsmanager_secret.keys.id
  secret_string = jsonencode({ ANTHROPIC_API_KEY = "changeme" })
}

resource "aws_secretsmanager_secret" "write_only" {
  name = "prod/anthropic-api-key"
}

resource "aws_secretsmanager_secret_version" "write_only" {
  secret_id                = aws_secretsmanager_secret.write_only.id
  secret_string_wo         = var.openai_api_key
  secret_string_wo_version = 1
}

resource "google_secret_manager_secret" "gemini" {
  secret_id = "gemini-api-key"
  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_version" "gemini" {
  secret      = google_secret_manager_secret.gemini.id
  secret_data = var.openai_api_key
}

resource "azurerm_key_vault_secret" "openai" {
  name         = "openai-api-key"
  key_vault_id = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"
  value        = var.openai_api_key
}
"""})
    assert codes(report, "AIA504") == {("AIA504", "main.tf", 13), ("AIA504", "main.tf", 53), ("AIA504", "main.tf", 59)}
