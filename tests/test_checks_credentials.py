"""AIA501 hardcoded-ai-credential and AIA502 ai-credential-output-exposed."""

import dataclasses

from conftest import SAMPLES, scan_dir, triples
from test_secrets import FAKE_KEYS

OPENAI_KEY = FAKE_KEYS["an OpenAI project key"]
ANTHROPIC_KEY = FAKE_KEYS["an Anthropic API key"]
AWS_KEY_ID = FAKE_KEYS["an AWS access key ID"]

TF_CREDENTIALS = SAMPLES / "terraform" / "credentials"
CFN_CREDENTIALS = SAMPLES / "cloudformation" / "credentials"


# --- AIA501 on the samples -------------------------------------------------------------

def test_hardcoded_credentials_sample_reports_each_key_where_it_is_written():
    report = scan_dir(TF_CREDENTIALS / "hardcoded_ai_credential" / "fail")
    assert triples(report, "AIA501") == {
        ("AIA501", "main.tf", 17),           # local.hf_token
        ("AIA501", "main.tf", 34),           # OPENAI_API_KEY literal in the Lambda environment
        ("AIA501", "main.tf", 51),           # the export line inside the user_data heredoc
        ("AIA501", "variables.tf", 4),       # var.anthropic_api_key default, used by the Lambda
        ("AIA501", "terraform.tfvars", 1),   # AWS access key ID, used by the provider
    }


def test_hardcoded_credentials_passing_sample_is_clean():
    report = scan_dir(TF_CREDENTIALS / "hardcoded_ai_credential" / "pass")
    assert triples(report, "AIA501") == set()


def test_message_names_attribute_and_redacted_key():
    report = scan_dir(TF_CREDENTIALS / "hardcoded_ai_credential" / "fail")
    (finding,) = [f for f in report.findings if f.code == "AIA501" and f.location.span.start_line == 34]
    assert finding.message == (
        "aws_lambda_function.chat sets environment.variables.OPENAI_API_KEY "
        "to an OpenAI project key sk-p… (164 chars)"
    )
    assert finding.resource == "aws_lambda_function.chat"
    assert finding.severity.value == "critical"


# --- AIA501 edge cases -------------------------------------------------------------------

def test_variable_default_used_by_a_resource_is_reported_once_at_the_variable(tree):
    report = tree({"main.tf": f'''\
variable "openai_api_key" {{
  default = "{OPENAI_KEY}"
}}

resource "aws_lambda_function" "chat" {{
  function_name = "chat"
  environment {{
    variables = {{ OPENAI_API_KEY = var.openai_api_key }}
  }}
}}
'''})
    assert triples(report, "AIA501") == {("AIA501", "main.tf", 2)}


def test_tfvars_value_is_reported_in_the_tfvars_file(tree):
    report = tree({
        "variables.tf": 'variable "anthropic_api_key" {\n  type = string\n}\n',
        "prod.auto.tfvars": f'region = "us-east-1"\nanthropic_api_key = "{ANTHROPIC_KEY}"\n',
    })
    assert triples(report, "AIA501") == {("AIA501", "prod.auto.tfvars", 2)}


def test_variables_file_passed_with_var_file_is_scanned_too(tree):
    report = tree({
        "variables.tf": 'variable "openai_api_key" {\n  type = string\n}\n',
        "envs/prod.tfvars": f'environment    = "prod"\nopenai_api_key = "{OPENAI_KEY}"\n',
        "envs/prod.tfvars.json": f'{{"environment": "prod", "anthropic_api_key": "{ANTHROPIC_KEY}"}}',
    })
    assert triples(report, "AIA501") == {("AIA501", "envs/prod.tfvars", 2), ("AIA501", "envs/prod.tfvars.json", 1)}


def test_key_inside_jsonencode_is_located_at_its_own_line(tree):
    report = tree({"main.tf": f'''\
resource "aws_secretsmanager_secret_version" "llm" {{
  secret_id = aws_secretsmanager_secret.llm.id
  secret_string = jsonencode({{
    anthropic = "{ANTHROPIC_KEY}"
  }})
}}
'''})
    assert triples(report, "AIA501") == {("AIA501", "main.tf", 4)}


def test_key_in_an_interpolated_string_is_a_literal(tree):
    report = tree({"main.tf": f'''\
resource "kubernetes_secret" "llm" {{
  metadata {{ name = "llm-${{var.env}}" }}
  data = {{ authorization = "Bearer {OPENAI_KEY} for ${{var.env}}" }}
}}
'''})
    assert triples(report, "AIA501") == {("AIA501", "main.tf", 3)}


def test_two_keys_in_one_value_give_one_finding(tree):
    report = tree({"main.tf": f'''\
locals {{
  bootstrap = "OPENAI_API_KEY={OPENAI_KEY} AWS_ACCESS_KEY_ID={AWS_KEY_ID}"
}}
'''})
    (finding,) = [f for f in report.findings if f.code == "AIA501"]
    assert finding.location.span.start_line == 2
    assert finding.message.endswith("and 1 more credential")


def test_provider_access_key_literal_is_reported(tree):
    report = tree({"main.tf": f'provider "aws" {{\n  region     = "eu-west-1"\n  access_key = "{AWS_KEY_ID}"\n}}\n'})
    assert triples(report, "AIA501") == {("AIA501", "main.tf", 3)}


def test_placeholders_and_references_are_not_reported(tree):
    report = tree({"main.tf": '''\
variable "openai_api_key" {
  type    = string
  default = ""
}

resource "aws_lambda_function" "chat" {
  function_name = "chat"
  environment {
    variables = {
      OPENAI_API_KEY    = var.openai_api_key
      ANTHROPIC_API_KEY = "sk-ant-..."
      GEMINI_API_KEY    = "<your Gemini key>"
      AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
      GROQ_API_KEY      = data.aws_ssm_parameter.groq.value
    }
  }
}
'''})
    assert triples(report, "AIA501") == set()


# --- AIA501 in CloudFormation ------------------------------------------------------------

def test_cloudformation_sample_reports_parameter_default_property_and_user_data():
    report = scan_dir(CFN_CREDENTIALS / "hardcoded_ai_credential" / "fail")
    assert triples(report, "AIA501") == {
        ("AIA501", "chat-backend.yaml", 8),   # AnthropicApiKey Default (also !Ref'd by the function)
        ("AIA501", "chat-backend.yaml", 27),  # OPENAI_API_KEY literal
        ("AIA501", "chat-backend.yaml", 36),  # AWS key ID inside Fn::Base64 UserData
    }


def test_cloudformation_passing_sample_is_clean():
    report = scan_dir(CFN_CREDENTIALS / "hardcoded_ai_credential" / "pass")
    assert triples(report, "AIA501") == set()


def test_ref_to_a_parameter_default_is_reported_once_at_the_parameter(tree):
    report = tree({"template.json": f'''{{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Parameters": {{
    "GroqKey": {{"Type": "String", "NoEcho": true, "Default": "{FAKE_KEYS['a Groq API key']}"}}
  }},
  "Resources": {{
    "Agent": {{
      "Type": "AWS::Lambda::Function",
      "Properties": {{"Environment": {{"Variables": {{"GROQ_API_KEY": {{"Ref": "GroqKey"}}}}}}}}
    }}
  }}
}}
'''})
    assert triples(report, "AIA501") == {("AIA501", "template.json", 4)}


# --- AIA502 on the samples -------------------------------------------------------------

def test_output_exposure_sample_reports_each_secret_output():
    report = scan_dir(TF_CREDENTIALS / "ai_credential_output_exposed" / "fail")
    assert triples(report, "AIA502") == {
        ("AIA502", "aws.tf", 22),    # nonsensitive(aws_iam_access_key.ci.secret)
        ("AIA502", "aws.tf", 26),    # Bedrock API key, sensitive = false
        ("AIA502", "azure.tf", 13),  # api_key = primary_access_key inside an object
        ("AIA502", "gcp.tf", 11),    # base64decode(private_key)
        ("AIA502", "gcp.tf", 29),    # google_apikeys_key.gemini.key_string
    }


def test_output_exposure_passing_sample_is_clean():
    report = scan_dir(TF_CREDENTIALS / "ai_credential_output_exposed" / "pass")
    assert triples(report, "AIA502") == set()


def test_output_message_names_output_and_secret_attribute():
    report = scan_dir(TF_CREDENTIALS / "ai_credential_output_exposed" / "fail")
    messages = {f.message for f in report.findings if f.code == "AIA502"}
    assert "output.ci_secret_access_key returns aws_iam_access_key.ci.secret without sensitive = true" in messages


def test_cloudformation_outputs_of_the_secret_access_key_are_exposed():
    report = scan_dir(CFN_CREDENTIALS / "ai_credential_output_exposed" / "fail")
    assert triples(report, "AIA502") == {
        ("AIA502", "bedrock-ci-user.yaml", 29),  # !GetAtt EvalUserKey.SecretAccessKey
        ("AIA502", "bedrock-ci-user.yaml", 31),  # the same inside Fn::Sub
    }
    messages = {f.message for f in report.findings if f.code == "AIA502"}
    assert ("Outputs.SecretAccessKey returns the secret access key of EvalUserKey "
            "(EvalUserKey.SecretAccessKey)") in messages


def test_cloudformation_key_id_and_secret_arn_outputs_are_fine():
    report = scan_dir(CFN_CREDENTIALS / "ai_credential_output_exposed" / "pass")
    assert triples(report, "AIA502") == set()


# --- AIA502 edge cases -------------------------------------------------------------------

ACCESS_KEY = 'resource "aws_iam_access_key" "ci" {\n  user = "bedrock-ci"\n  count = 2\n}\n'


def test_splat_of_secret_is_exposed_but_splat_of_id_is_not(tree):
    report = tree({"main.tf": ACCESS_KEY + '''
output "secrets" {
  value = aws_iam_access_key.ci[*].secret
}

output "ids" {
  value = aws_iam_access_key.ci[*].id
}
'''})
    assert triples(report, "AIA502") == {("AIA502", "main.tf", 7)}


def test_whole_key_object_and_for_expression_are_exposed(tree):
    report = tree({"main.tf": ACCESS_KEY + '''
output "keys" {
  value = aws_iam_access_key.ci
}

output "by_index" {
  value = { for i, k in aws_iam_access_key.ci : i => k.secret }
}

output "count" {
  value = length(aws_iam_access_key.ci)
}
'''})
    assert triples(report, "AIA502") == {("AIA502", "main.tf", 7), ("AIA502", "main.tf", 11)}


def test_digest_of_a_secret_is_not_the_secret(tree):
    report = tree({"main.tf": ACCESS_KEY + '''
output "secret_fingerprint" {
  value = sha256(aws_iam_access_key.ci[0].secret)
}
'''})
    assert triples(report, "AIA502") == set()


def test_sensitive_output_and_unknown_sensitivity_are_not_reported(tree):
    report = tree({"main.tf": ACCESS_KEY + '''
output "marked" {
  value     = aws_iam_access_key.ci[0].secret
  sensitive = true
}

output "from_variable" {
  value     = aws_iam_access_key.ci[0].secret
  sensitive = var.hide_outputs
}
'''})
    assert triples(report, "AIA502") == set()


def test_cognitive_account_key_counts_only_for_ai_accounts(tree):
    report = tree({"main.tf": '''\
resource "azurerm_cognitive_account" "openai" {
  kind = "OpenAI"
}

resource "azurerm_cognitive_account" "language" {
  kind = "TextAnalytics"
}

resource "azurerm_cognitive_account" "unknown" {
  kind = var.account_kind
}

output "openai_key" {
  value = azurerm_cognitive_account.openai.secondary_access_key
}

output "language_key" {
  value = azurerm_cognitive_account.language.primary_access_key
}

output "unknown_key" {
  value = azurerm_cognitive_account.unknown.primary_access_key
}
'''})
    assert triples(report, "AIA502") == {("AIA502", "main.tf", 14)}


def test_azapi_list_keys_on_an_ai_account_is_exposed(tree):
    report = tree({"main.tf": '''\
resource "azapi_resource" "foundry" {
  type      = "Microsoft.CognitiveServices/accounts@2024-10-01"
  name      = "acme-foundry"
  parent_id = azurerm_resource_group.ai.id
  body = {
    kind = "AIServices"
    sku  = { name = "S0" }
  }
}

resource "azapi_resource_action" "keys" {
  type                   = "Microsoft.CognitiveServices/accounts@2024-10-01"
  resource_id            = azapi_resource.foundry.id
  action                 = "listKeys"
  response_export_values = ["key1"]
}

output "foundry_key" {
  value = azapi_resource_action.keys.output.key1
}

output "foundry_id" {
  value = azapi_resource.foundry.id
}
'''})
    assert triples(report, "AIA502") == {("AIA502", "main.tf", 19)}


# --- no key is ever printed whole ----------------------------------------------------------

def test_no_finding_field_ever_contains_a_whole_key(tree):
    lines = [f'    KEY_{index} = "{key}"' for index, key in enumerate(FAKE_KEYS.values())]
    report = tree({
        "main.tf": 'resource "aws_lambda_function" "chat" {\n  environment {\n    variables = {\n'
                   + "\n".join(lines) + "\n    }\n  }\n}\n",
        "variables.tf": "".join(f'variable "key_{i}" {{\n  default = "{k}"\n}}\n' for i, k in enumerate(FAKE_KEYS.values())),
    })
    findings = [f for f in report.findings if f.code == "AIA501"]
    assert len(findings) == 2 * len(FAKE_KEYS)
    for finding in findings:
        text = " ".join(str(value) for value in dataclasses.asdict(finding).values())
        for key in FAKE_KEYS.values():
            # Only the first four characters may appear: no later 8-character run of the key does.
            assert not any(key[i:i + 8] in text for i in range(1, len(key) - 7))


def test_google_api_key_string_output_is_exposed_but_its_name_is_not(tree):
    report = tree({"main.tf": '''\
resource "google_apikeys_key" "gemini" {
  name = "gemini"
}

output "key" {
  value = google_apikeys_key.gemini.key_string
}

output "whole_key_object" {
  value = google_apikeys_key.gemini
}

output "key_name" {
  value = google_apikeys_key.gemini.name
}

output "key_length" {
  value = length(google_apikeys_key.gemini.key_string)
}

output "hidden" {
  value     = google_apikeys_key.gemini.key_string
  sensitive = true
}
'''})
    assert triples(report, "AIA502") == {("AIA502", "main.tf", 6), ("AIA502", "main.tf", 10)}
