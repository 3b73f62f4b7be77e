"""AWS Bedrock checks AIA101-AIA110: sample scenarios with exact lines, then one behaviour per test."""

from __future__ import annotations

import pytest

from aiaas_iac.engine import load_checks
from conftest import SAMPLES, scan_dir, triples, write_tree

TF = SAMPLES / "terraform" / "aws"
CFN = SAMPLES / "cloudformation" / "aws"


# --- sample scenarios ---------------------------------------------------------------------------

def test_insecure_chatbot_agent_module():
    assert triples(scan_dir(TF / "bedrock_agent_insecure"), "AIA1") == {
        ("AIA104", "agent.tf", 1),  # first Bedrock block in the scan, no invocation logging anywhere
        ("AIA105", "agent.tf", 1),
        ("AIA106", "agent.tf", 1),
        ("AIA109", "agent.tf", 19),
        ("AIA102", "credentials.tf", 10),  # file("policies/evaluation-invoke.json"): foundation-model/*
        ("AIA107", "credentials.tf", 14),  # access key of a user with an inline Bedrock policy
        ("AIA107", "credentials.tf", 19),  # Bedrock API key
        ("AIA107", "credentials.tf", 46),  # access key of a user whose heredoc policy names it literally
        ("AIA108", "iam.tf", 8),  # Principal {"AWS": "*"}, role granted bedrock:* by an attached policy
        ("AIA101", "iam.tf", 20),  # aws_iam_policy_document statement bedrock:*
        ("AIA102", "iam.tf", 68),  # Resource = var.invoke_model_arns, whose default is foundation-model/*
        ("AIA103", "iam.tf", 74),  # bedrock:*ModelInvocationLoggingConfiguration next to InvokeModel
        ("AIA110", "knowledge_base.tf", 22),
    }


def test_messages_name_the_resource_and_the_exact_cause():
    report = scan_dir(TF / "bedrock_agent_insecure")
    messages = {(f.code, f.location.file, f.location.span.start_line): f.message for f in report.findings}
    assert messages[("AIA101", "iam.tf", 20)] == "data.aws_iam_policy_document.agent_permissions grants bedrock:* on *"
    assert messages[("AIA102", "iam.tf", 68)] == (
        "aws_iam_role_policy.backend_bedrock grants bedrock:InvokeModel, bedrock:InvokeModelWithResponseStream"
        " on arn:aws:bedrock:*::foundation-model/*")
    assert messages[("AIA107", "credentials.tf", 14)] == (
        "aws_iam_access_key.evaluation is a long-lived access key for user aws_iam_user.evaluation,"
        " who is granted Bedrock actions by aws_iam_user_policy.evaluation_invoke; it never expires")
    assert messages[("AIA108", "iam.tf", 8)] == (
        'aws_iam_role.agent trust policy allows Principal {"AWS": "*"} with no Condition, and the role is granted'
        " Bedrock actions by aws_iam_role_policy_attachment.agent (data.aws_iam_policy_document.agent_permissions)")


def test_hardened_chatbot_agent_module_has_no_findings():
    assert triples(scan_dir(TF / "bedrock_agent_hardened"), "AIA1") == set()


def test_plain_vpc_module_without_ai_services_has_no_findings_at_all():
    assert scan_dir(TF / "plain_vpc").findings == []


def test_logging_configuration_without_text_data():
    # AIA119: its log group has retention but no kms_key_id.
    assert triples(scan_dir(TF / "logging_disabled"), "AIA1") == {("AIA104", "main.tf", 11), ("AIA119", "main.tf", 4)}


def test_not_action_allow_is_all_bedrock_and_deny_grants_nothing():
    assert triples(scan_dir(TF / "not_action"), "AIA1") == {("AIA101", "main.tf", 10)}


def test_cloud_control_awscc_resources():
    assert triples(scan_dir(TF / "bedrock_awscc"), "AIA1") == {
        ("AIA108", "main.tf", 25),
        ("AIA101", "main.tf", 54),
        ("AIA102", "main.tf", 61),
        ("AIA106", "main.tf", 69),
        ("AIA109", "main.tf", 88),
        ("AIA110", "main.tf", 105),
        ("AIA112", "main.tf", 71),  # the agent and the knowledge base share awscc_iam_role.assistant
    }


def cloudformation_triples(file: str) -> set:
    return {t for t in triples(scan_dir(CFN), "AIA1") if t[1] == file}


def test_insecure_cloudformation_template():
    assert cloudformation_triples("bedrock_agent_insecure.yaml") == {
        ("AIA108", "bedrock_agent_insecure.yaml", 23),  # Principal AWS "*", inline Policies grant bedrock:*
        ("AIA101", "bedrock_agent_insecure.yaml", 32),
        ("AIA102", "bedrock_agent_insecure.yaml", 43),  # !Sub arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/*
        ("AIA103", "bedrock_agent_insecure.yaml", 49),  # bedrock:Put* in the same managed policy
        ("AIA101", "bedrock_agent_insecure.yaml", 78),  # ManagedPolicyArns: AmazonBedrockFullAccess via !Sub
        ("AIA107", "bedrock_agent_insecure.yaml", 101),  # AccessKey of a user listed in an AWS::IAM::Policy's Users
        ("AIA105", "bedrock_agent_insecure.yaml", 103),
        ("AIA106", "bedrock_agent_insecure.yaml", 103),
        ("AIA109", "bedrock_agent_insecure.yaml", 128),
        ("AIA110", "bedrock_agent_insecure.yaml", 138),  # !Sub JSON policy resolved with the parameter default
        ("AIA112", "bedrock_agent_insecure.yaml", 107),  # Agent and KnowledgeBase both run as AgentRole
    }


def test_hardened_cloudformation_template_has_no_findings():
    assert cloudformation_triples("bedrock_agent_hardened.yaml") == set()


def test_json_cloudformation_template():
    assert cloudformation_triples("bedrock_partner_access.json") == {
        ("AIA102", "bedrock_partner_access.json", 55),
        ("AIA107", "bedrock_partner_access.json", 69),
    }


# --- AIA101 bedrock-wildcard-permission ------------------------------------------------------------

def policy(statement: str, name: str = "app") -> str:
    return f"""
resource "aws_iam_policy" "{name}" {{
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {statement}
    ]
  }})
}}
"""


def test_aia101_action_matching_is_case_insensitive(tree):
    report = tree({"main.tf": policy('{ Effect = "Allow", Action = "BEDROCK:*", Resource = "*" }')})
    assert triples(report, "AIA101") == {("AIA101", "main.tf", 6)}


def test_aia101_star_action_grants_all_bedrock_actions(tree):
    report = tree({"main.tf": policy('{ Effect = "Allow", Action = ["*"], Resource = "*" }')})
    assert triples(report, "AIA101") == {("AIA101", "main.tf", 6)}


def test_aia101_partial_wildcard_is_not_all_bedrock(tree):
    report = tree({"main.tf": policy('{ Effect = "Allow", Action = "bedrock:Get*", Resource = "*" }')})
    assert triples(report, "AIA101") == set()


def test_aia101_bedrock_full_access_attachment(tree):
    report = tree({"main.tf": """
resource "aws_iam_role_policy_attachment" "notebooks" {
  role       = aws_iam_role.notebooks.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonBedrockFullAccess"
}
"""})
    assert triples(report, "AIA101") == {("AIA101", "main.tf", 4)}


def test_aia101_full_access_among_managed_policies_attached_with_for_each(tree):
    report = tree({"main.tf": """
locals {
  notebook_policies = [
    "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess",
    "arn:aws:iam::aws:policy/AmazonBedrockFullAccess",
  ]
}

resource "aws_iam_role_policy_attachment" "notebooks" {
  for_each   = toset(local.notebook_policies)
  role       = aws_iam_role.notebooks.name
  policy_arn = each.value
}
"""})
    assert triples(report, "AIA101") == {("AIA101", "main.tf", 12)}


def test_aia101_attachment_over_an_unknown_collection_does_not_fire(tree):
    report = tree({"main.tf": """
resource "aws_iam_role_policy_attachment" "notebooks" {
  for_each   = toset(var.policy_arns)
  role       = aws_iam_role.notebooks.name
  policy_arn = each.value
}
"""})
    assert triples(report, "AIA1") == set()


def test_aia101_data_document_referenced_by_a_policy_is_reported_once_at_its_statement(tree):
    report = tree({"main.tf": """
data "aws_iam_policy_document" "agent" {
  statement {
    actions   = ["bedrock:*"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "agent" {
  policy = data.aws_iam_policy_document.agent.json
}

resource "aws_iam_role_policy" "agent" {
  role   = aws_iam_role.agent.id
  policy = data.aws_iam_policy_document.agent.json
}
"""})
    assert triples(report, "AIA101") == {("AIA101", "main.tf", 3)}


def test_aia101_service_control_policy_allow_list_grants_nothing(tree):
    report = tree({"org.tf": """
data "aws_iam_policy_document" "ai_accounts" {
  statement {
    sid       = "AllowApprovedServices"
    actions   = ["bedrock:*", "s3:*", "logs:*"]
    resources = ["*"]
  }
}

resource "aws_organizations_policy" "ai_accounts" {
  name    = "ai-accounts-allow-list"
  type    = "SERVICE_CONTROL_POLICY"
  content = data.aws_iam_policy_document.ai_accounts.json
}
"""})
    assert triples(report, "AIA1") == set()


def test_aia101_document_used_by_an_organization_policy_and_a_role_is_still_a_grant(tree):
    report = tree({"org.tf": """
data "aws_iam_policy_document" "ai_accounts" {
  statement {
    actions   = ["bedrock:*"]
    resources = ["*"]
  }
}

resource "aws_organizations_policy" "ai_accounts" {
  name    = "ai-accounts"
  content = data.aws_iam_policy_document.ai_accounts.json
}

resource "aws_iam_role_policy" "platform" {
  role   = aws_iam_role.platform.id
  policy = data.aws_iam_policy_document.ai_accounts.json
}
"""})
    assert triples(report, "AIA101") == {("AIA101", "org.tf", 3)}


def test_aia101_deny_statement_is_not_a_grant(tree):
    report = tree({"main.tf": policy('{ Effect = "Deny", Action = "bedrock:*", Resource = "*" }')})
    assert triples(report, "AIA1") == set()


def test_aia101_unknown_variable_without_default_does_not_fire(tree):
    report = tree({"main.tf": 'variable "actions" { type = list(string) }\n'
                              + policy('{ Effect = "Allow", Action = var.actions, Resource = "*" }')})
    assert triples(report, "AIA1") == set()


def test_aia101_variable_with_literal_default_fires(tree):
    report = tree({"main.tf": 'variable "actions" { default = ["bedrock:*"] }\n'
                              + policy('{ Effect = "Allow", Action = var.actions, Resource = "*" }')})
    assert triples(report, "AIA101") == {("AIA101", "main.tf", 7)}


def test_aia101_tfvars_overrides_a_variable_default(tree):
    report = tree({
        "main.tf": 'variable "actions" { default = ["bedrock:*"] }\n'
                   + policy('{ Effect = "Allow", Action = var.actions, Resource = "*" }'),
        "terraform.tfvars": 'actions = ["bedrock:Retrieve"]\n',
    })
    assert triples(report, "AIA101") == set()


def test_aia101_heredoc_policy_is_read(tree):
    report = tree({"main.tf": """
resource "aws_iam_user_policy" "ci" {
  user   = "ci"
  policy = <<EOF
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}]}
EOF
}
"""})
    assert triples(report, "AIA101") == {("AIA101", "main.tf", 4)}


# --- AIA102 bedrock-invoke-unscoped --------------------------------------------------------------

def test_aia102_invoke_on_every_foundation_model(tree):
    report = tree({"main.tf": policy(
        '{ Effect = "Allow", Action = "bedrock:InvokeModel", Resource = "arn:aws:bedrock:*::foundation-model/*" }')})
    assert triples(report, "AIA1") == {("AIA102", "main.tf", 6), ("AIA104", "main.tf", 6)}


def test_aia102_specific_model_in_a_wildcard_region_is_scoped(tree):
    report = tree({"main.tf": policy(
        '{ Effect = "Allow", Action = "bedrock:InvokeModel",'
        ' Resource = "arn:aws:bedrock:*::foundation-model/amazon.nova-pro-v1:0" }')})
    assert triples(report, "AIA102") == set()


def test_aia102_resource_of_another_resource_counts_as_scoped(tree):
    report = tree({"main.tf": policy(
        '{ Effect = "Allow", Action = "bedrock:InvokeModel",'
        ' Resource = aws_bedrock_provisioned_model_throughput.chat.provisioned_model_arn }')})
    assert triples(report, "AIA102") == set()


def test_aia102_arn_template_with_unresolved_region_is_still_unscoped(tree):
    report = tree({"main.tf": """
data "aws_region" "current" {}

data "aws_iam_policy_document" "chat" {
  statement {
    actions   = ["bedrock:Converse"]
    resources = ["arn:aws:bedrock:${data.aws_region.current.name}::foundation-model/*"]
  }
}
"""})
    assert triples(report, "AIA102") == {("AIA102", "main.tf", 5)}


def test_aia102_policy_template_file_whose_region_comes_from_a_data_source(tree):
    report = tree({
        "lambda.tf": """
data "aws_region" "current" {}

resource "aws_iam_role_policy" "summarizer" {
  role = aws_iam_role.summarizer.id
  policy = templatefile("${path.module}/policies/summarizer.json.tpl", {
    region = data.aws_region.current.name
  })
}
""",
        "policies/summarizer.json.tpl": """{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
    "Resource": "arn:aws:bedrock:${region}::foundation-model/*"
  }]
}
""",
    })
    assert triples(report, "AIA102") == {("AIA102", "lambda.tf", 6)}


def test_aia102_is_not_repeated_for_an_all_bedrock_statement(tree):
    report = tree({"main.tf": policy('{ Effect = "Allow", Action = "bedrock:*", Resource = "*" }')})
    assert triples(report, "AIA10") == {("AIA101", "main.tf", 6), ("AIA104", "main.tf", 6)}


# --- AIA103 bedrock-logging-tamper ----------------------------------------------------------------

def test_aia103_invoke_and_logging_wildcard_in_one_document(tree):
    report = tree({"main.tf": policy("""{ Effect = "Allow", Action = "bedrock:InvokeModel", Resource = var.model_arn },
      { Effect = "Allow", Action = "bedrock:*Logging*", Resource = "*" }""")})
    assert triples(report, "AIA103") == {("AIA103", "main.tf", 7)}


def test_aia103_put_wildcard_in_the_same_statement(tree):
    report = tree({"main.tf": policy(
        '{ Effect = "Allow", Action = ["bedrock:InvokeModel", "bedrock:Put*"], Resource = var.model_arn }')})
    assert triples(report, "AIA103") == {("AIA103", "main.tf", 6)}


def test_aia103_needs_both_in_the_same_document(tree):
    invoke = '{ Effect = "Allow", Action = "bedrock:InvokeModel", Resource = var.model_arn }'
    logging = '{ Effect = "Allow", Action = "bedrock:PutModelInvocationLoggingConfiguration", Resource = "*" }'
    report = tree({"main.tf": policy(invoke, "invoke") + policy(logging, "logging")})
    assert triples(report, "AIA103") == set()


def test_aia103_explicit_deny_of_the_logging_actions_protects_the_record(tree):
    report = tree({"main.tf": policy(
        """{ Effect = "Allow", Action = ["bedrock:Invoke*", "bedrock:Put*"], Resource = var.model_arn },
      { Effect = "Deny", Action = "bedrock:*ModelInvocationLoggingConfiguration", Resource = "*" }""")})
    assert triples(report, "AIA103") == set()


def test_aia103_is_not_repeated_for_an_all_bedrock_document(tree):
    report = tree({"main.tf": policy("""{ Effect = "Allow", Action = "bedrock:InvokeModel", Resource = var.model_arn },
      { Effect = "Allow", Action = "bedrock:*", Resource = "*" }""")})
    assert triples(report, "AIA103") == set()


# --- AIA104 bedrock-invocation-logging-missing --------------------------------------------------------

AGENT = """
resource "aws_bedrockagent_agent" "support" {
  agent_name              = "support"
  agent_resource_role_arn = var.role_arn
  foundation_model        = "anthropic.claude-3-5-haiku-20241022-v1:0"
  guardrail_configuration {
    guardrail_identifier = var.guardrail_id
  }
  customer_encryption_key_arn = var.key_arn
}
"""


def test_aia104_reported_once_at_the_first_bedrock_block_of_the_scan(tree):
    report = tree({
        "b_agent.tf": AGENT,
        "a_iam.tf": policy('{ Effect = "Allow", Action = "bedrock:InvokeModel", Resource = var.model_arn }'),
        "c_kb.tf": 'module "kb" {\n  source = "./modules/kb"\n}\n',
        "modules/kb/main.tf": 'resource "aws_bedrockagent_knowledge_base" "kb" {\n  name = "kb"\n}\n',
    })
    assert triples(report, "AIA1") == {("AIA104", "a_iam.tf", 6)}


def test_aia104_a_bedrock_block_its_count_turns_off_is_no_use_of_bedrock(tree):
    # aws-ia/terraform-aws-bedrock: `create_bda` defaults to false, so the configuration's first
    # Bedrock block is the agent, and a configuration with only the switched-off block uses none.
    project = ('variable "create_bda" {\n  default = false\n}\n'
               'resource "awscc_bedrock_data_automation_project" "bda" {\n  count = var.create_bda ? 1 : 0\n'
               '  project_name = "p"\n}\n')
    report = tree({"a_bda.tf": project, "b_agent.tf": AGENT, "only/main.tf": project})
    assert triples(report, "AIA1") == {("AIA104", "b_agent.tf", 2)}


def test_aia104_an_attached_bedrock_full_access_policy_is_a_use_of_bedrock(tree):
    report = tree({"iam.tf": """
resource "aws_iam_user" "reporting" {
  name = "reporting-bot"
}

resource "aws_iam_user_policy_attachment" "reporting_bedrock" {
  user       = aws_iam_user.reporting.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonBedrockFullAccess"
}
"""})
    assert triples(report, "AIA104") == {("AIA104", "iam.tf", 8)}


def test_aia104_logging_in_a_module_the_root_calls_counts(tree):
    report = tree({
        "app/main.tf": AGENT + 'module "platform" {\n  source = "../platform"\n}\n',
        "platform/logging.tf": """
resource "aws_bedrock_model_invocation_logging_configuration" "this" {
  logging_config {
    s3_config {
      bucket_name = "org-bedrock-logs"
    }
  }
}
""",
    })
    assert triples(report, "AIA1") == set()


def test_aia104_logging_in_a_sibling_root_does_not_count(tree):
    # Two roots are two configurations: platform's logging is not deployed with app.
    report = tree({
        "app/main.tf": AGENT,
        "platform/logging.tf": """
resource "aws_bedrock_model_invocation_logging_configuration" "this" {
  logging_config {
    s3_config {
      bucket_name = "org-bedrock-logs"
    }
  }
}
""",
    })
    assert triples(report, "AIA1") == {("AIA104", "app/main.tf", 2)}


def test_aia104_logging_without_destination(tree):
    report = tree({"main.tf": AGENT + """
resource "aws_bedrock_model_invocation_logging_configuration" "this" {
  logging_config {
    text_data_delivery_enabled = true
  }
}
"""})
    assert triples(report, "AIA1") == {("AIA104", "main.tf", 13)}


def test_aia104_a_disabled_configuration_is_reported_even_when_another_region_logs(tree):
    report = tree({
        "us_east_1/logging.tf": """
resource "aws_bedrock_model_invocation_logging_configuration" "this" {
  logging_config {
    s3_config {
      bucket_name = "org-bedrock-logs"
    }
  }
}
""",
        "eu_west_1/logging.tf": """
resource "aws_bedrock_model_invocation_logging_configuration" "this" {
  logging_config {
    text_data_delivery_enabled = false
    s3_config {
      bucket_name = "org-bedrock-logs-eu"
    }
  }
}
""",
    })
    assert triples(report, "AIA1") == {("AIA104", "eu_west_1/logging.tf", 4)}


def test_aia104_text_delivery_left_at_its_default_is_enabled(tree):
    report = tree({"main.tf": AGENT + """
resource "aws_bedrock_model_invocation_logging_configuration" "this" {
  logging_config {
    image_data_delivery_enabled = false
    cloudwatch_config {
      log_group_name = "/aws/bedrock/invocations"
      role_arn       = var.logging_role_arn
    }
  }
}
"""})
    assert triples(report, "AIA1") == set()


def test_aia104_unknown_text_delivery_does_not_fire(tree):
    report = tree({"main.tf": AGENT + """
resource "aws_bedrock_model_invocation_logging_configuration" "this" {
  logging_config {
    text_data_delivery_enabled = var.log_text
    s3_config {
      bucket_name = "org-bedrock-logs"
    }
  }
}
"""})
    assert triples(report, "AIA1") == set()


def test_aia104_dynamic_destination_is_not_guessed(tree):
    report = tree({"main.tf": AGENT + """
resource "aws_bedrock_model_invocation_logging_configuration" "this" {
  logging_config {
    dynamic "s3_config" {
      for_each = var.log_buckets
      content {
        bucket_name = s3_config.value
      }
    }
  }
}
"""})
    assert triples(report, "AIA1") == set()


# --- AIA105 / AIA106 agents ----------------------------------------------------------------------

def test_aia105_guardrail_configuration_without_identifier(tree):
    report = tree({"main.tf": """
resource "aws_bedrockagent_agent" "support" {
  agent_name                  = "support"
  agent_resource_role_arn     = var.role_arn
  foundation_model            = "anthropic.claude-3-5-haiku-20241022-v1:0"
  customer_encryption_key_arn = var.key_arn
  guardrail_configuration {
    guardrail_version = "DRAFT"
  }
}
"""})
    assert triples(report, "AIA105") == {("AIA105", "main.tf", 7)}


def test_aia105_dynamic_guardrail_configuration_is_not_guessed(tree):
    report = tree({"main.tf": """
resource "aws_bedrockagent_agent" "support" {
  agent_name              = "support"
  agent_resource_role_arn = var.role_arn
  foundation_model        = "anthropic.claude-3-5-haiku-20241022-v1:0"
  dynamic "guardrail_configuration" {
    for_each = var.guardrail == null ? [] : [var.guardrail]
    content {
      guardrail_identifier = guardrail_configuration.value.id
      guardrail_version    = guardrail_configuration.value.version
    }
  }
}
"""})
    assert triples(report, "AIA105") == set()


def test_aia105_unknown_guardrail_identifier_does_not_fire(tree):
    assert triples(tree({"main.tf": AGENT}), "AIA105") == set()


def test_aia105_aia106_awscc_agent_without_either(tree):
    report = tree({"main.tf": """
resource "awscc_bedrock_agent" "helper" {
  agent_name              = "helper"
  agent_resource_role_arn = var.role_arn
  foundation_model        = "amazon.nova-pro-v1:0"
}
"""})
    assert triples(report, "AIA105") | triples(report, "AIA106") == {("AIA105", "main.tf", 2), ("AIA106", "main.tf", 2)}


def test_aia106_empty_key_arn_fires_at_the_attribute(tree):
    report = tree({"main.tf": """
resource "aws_bedrockagent_agent" "support" {
  agent_name                  = "support"
  agent_resource_role_arn     = var.role_arn
  foundation_model            = "anthropic.claude-3-5-haiku-20241022-v1:0"
  customer_encryption_key_arn = ""
}
"""})
    assert triples(report, "AIA106") == {("AIA106", "main.tf", 6)}


# --- AIA107 bedrock-long-lived-credential ---------------------------------------------------------

USER_WITH_ACCESS_KEY = """
resource "aws_iam_user" "ci" {
  name = "ci"
}

resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}
"""


def test_aia107_access_key_of_user_with_bedrock_full_access(tree):
    report = tree({"main.tf": USER_WITH_ACCESS_KEY + """
resource "aws_iam_user_policy_attachment" "ci" {
  user       = aws_iam_user.ci.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonBedrockFullAccess"
}
"""})
    assert triples(report, "AIA107") == {("AIA107", "main.tf", 7)}


def test_aia107_access_key_of_user_attached_through_a_users_list(tree):
    report = tree({"main.tf": USER_WITH_ACCESS_KEY + """
resource "aws_iam_policy" "retrieve" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "bedrock:Retrieve", Resource = var.kb_arn }] })
}

resource "aws_iam_policy_attachment" "retrieve" {
  name       = "retrieve"
  users      = ["ci"]
  policy_arn = aws_iam_policy.retrieve.arn
}
"""})
    assert triples(report, "AIA107") == {("AIA107", "main.tf", 7)}


def test_aia107_access_key_of_user_attached_with_count(tree):
    report = tree({"main.tf": USER_WITH_ACCESS_KEY + """
variable "ci_policies" {
  default = ["AmazonBedrockFullAccess", "AmazonS3ReadOnlyAccess"]
}

resource "aws_iam_user_policy_attachment" "ci" {
  count      = length(var.ci_policies)
  user       = aws_iam_user.ci.name
  policy_arn = "arn:aws:iam::aws:policy/${var.ci_policies[count.index]}"
}
"""})
    assert triples(report, "AIA107") == {("AIA107", "main.tf", 7)}


def test_aia107_access_key_of_user_without_bedrock_access(tree):
    report = tree({"main.tf": USER_WITH_ACCESS_KEY + """
resource "aws_iam_user_policy" "ci" {
  user   = aws_iam_user.ci.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:PutObject", Resource = "*" }] })
}
"""})
    assert triples(report, "AIA107") == set()


GROUP_WITH_BEDROCK = """
resource "aws_iam_group" "ml" {
  name = "ml"
}

resource "aws_iam_group_policy" "ml" {
  group  = aws_iam_group.ml.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "bedrock:InvokeModel", Resource = "*" }] })
}
"""


@pytest.mark.parametrize("membership", [
    'resource "aws_iam_user_group_membership" "ci" {\n  user   = aws_iam_user.ci.name\n'
    '  groups = [aws_iam_group.ml.name]\n}\n',
    'resource "aws_iam_group_membership" "ml" {\n  name  = "ml"\n  group = "ml"\n  users = ["ci"]\n}\n',
])
def test_aia107_access_key_of_user_in_a_group_with_bedrock_access(tree, membership):
    report = tree({"main.tf": USER_WITH_ACCESS_KEY + GROUP_WITH_BEDROCK + membership})
    assert triples(report, "AIA107") == {("AIA107", "main.tf", 7)}
    message = next(f.message for f in report.findings if f.code == "AIA107")
    assert "granted Bedrock actions by aws_iam_group_policy.ml through group aws_iam_group.ml (" in message


@pytest.mark.parametrize("membership", [
    # the membership is made zero times
    'resource "aws_iam_user_group_membership" "ci" {\n  count  = 0\n  user   = aws_iam_user.ci.name\n'
    '  groups = [aws_iam_group.ml.name]\n}\n',
    # another user is the member
    'resource "aws_iam_group_membership" "ml" {\n  name  = "ml"\n  group = "ml"\n  users = ["someone-else"]\n}\n',
    # the user is in another group
    'resource "aws_iam_user_group_membership" "ci" {\n  user   = aws_iam_user.ci.name\n  groups = ["audit"]\n}\n',
    # the group is unknown
    'resource "aws_iam_user_group_membership" "ci" {\n  user   = aws_iam_user.ci.name\n  groups = [var.group]\n}\n'
    'variable "group" {}\n',
])
def test_aia107_access_key_of_user_not_in_a_bedrock_group(tree, membership):
    report = tree({"main.tf": USER_WITH_ACCESS_KEY + GROUP_WITH_BEDROCK + membership})
    assert triples(report, "AIA107") == set()


def test_aia107_cloudformation_user_groups_and_user_to_group_addition(tree):
    report = tree({"template.yaml": """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Admins:
    Type: AWS::IAM::Group
    Properties:
      GroupName: bedrock-admins
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/AmazonBedrockFullAccess
  Listed:
    Type: AWS::IAM::User
    Properties:
      Groups: [!Ref Admins]
  ListedKey:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: !Ref Listed
  Added:
    Type: AWS::IAM::User
  AddedKey:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: !Ref Added
  Addition:
    Type: AWS::IAM::UserToGroupAddition
    Properties:
      GroupName: bedrock-admins
      Users: [!Ref Added]
  Outsider:
    Type: AWS::IAM::User
    Properties:
      Groups: [auditors]
  OutsiderKey:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: !Ref Outsider
"""})
    assert triples(report, "AIA107") == {("AIA107", "template.yaml", 16), ("AIA107", "template.yaml", 22)}  # UserName lines


def test_aia107_service_specific_credential_for_another_service(tree):
    report = tree({"main.tf": """
resource "aws_iam_service_specific_credential" "git" {
  service_name = "codecommit.amazonaws.com"
  user_name    = "ci"
}
"""})
    assert triples(report, "AIA107") == set()


# --- AIA108 bedrock-role-open-trust ---------------------------------------------------------------

OPEN_TRUST_DOCUMENT = """
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}
"""


def test_aia108_open_trust_from_a_data_document_is_reported_at_the_role(tree):
    report = tree({"main.tf": OPEN_TRUST_DOCUMENT + """
resource "aws_iam_role" "agent" {
  name               = "agent"
  assume_role_policy = data.aws_iam_policy_document.trust.json
  managed_policy_arns = ["arn:aws:iam::aws:policy/AmazonBedrockFullAccess"]
}
"""})
    assert triples(report, "AIA108") == {("AIA108", "main.tf", 14)}


def test_aia108_role_without_bedrock_access_is_left_to_other_tools(tree):
    report = tree({"main.tf": OPEN_TRUST_DOCUMENT + """
resource "aws_iam_role" "agent" {
  name               = "agent"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy" "agent" {
  role   = aws_iam_role.agent.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })
}
"""})
    assert triples(report, "AIA108") == set()


def test_aia108_condition_on_the_open_principal_does_not_fire(tree):
    report = tree({"main.tf": """
resource "aws_iam_role" "partner" {
  name = "partner-invoke"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "sts:ExternalId" = var.external_id } }
    }]
  })
}

resource "aws_iam_role_policy" "partner" {
  role   = aws_iam_role.partner.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "bedrock:InvokeModel", Resource = var.model_arn }] })
}
"""})
    assert triples(report, "AIA108") == set()


# --- AIA109 bedrock-guardrail-no-prompt-attack-filter ---------------------------------------------

def guardrail(filters: str) -> str:
    return f"""
resource "aws_bedrock_guardrail" "chat" {{
  name                      = "chat"
  blocked_input_messaging   = "Blocked."
  blocked_outputs_messaging = "Blocked."
  content_policy_config {{
{filters}
  }}
}}
"""


def test_aia109_prompt_attack_filter_with_input_strength_none(tree):
    report = tree({"main.tf": guardrail("""    filters_config {
      type            = "PROMPT_ATTACK"
      input_strength  = "NONE"
      output_strength = "NONE"
    }""")})
    assert triples(report, "AIA109") == {("AIA109", "main.tf", 7)}


def test_aia109_prompt_attack_filter_with_low_input_strength_passes(tree):
    report = tree({"main.tf": guardrail("""    filters_config {
      type            = "PROMPT_ATTACK"
      input_strength  = "LOW"
      output_strength = "NONE"
    }""")})
    assert triples(report, "AIA109") == set()


def test_aia109_unknown_input_strength_does_not_fire(tree):
    report = tree({"main.tf": guardrail("""    filters_config {
      type            = "PROMPT_ATTACK"
      input_strength  = var.prompt_attack_strength
      output_strength = "NONE"
    }""")})
    assert triples(report, "AIA109") == set()


def test_aia109_dynamic_filters_are_not_guessed(tree):
    report = tree({"main.tf": guardrail("""    dynamic "filters_config" {
      for_each = var.content_filters
      content {
        type            = filters_config.value.type
        input_strength  = filters_config.value.input
        output_strength = filters_config.value.output
      }
    }""")})
    assert triples(report, "AIA109") == set()


# --- AIA110 bedrock-knowledge-base-public-vector-store -------------------------------------------

PUBLIC_NETWORK_POLICY = """
resource "aws_opensearchserverless_security_policy" "network" {
  name   = "kb-network"
  type   = "network"
  policy = <<-EOT
    [{"Rules": [{"ResourceType": "collection", "Resource": ["collection/kb"]}], "AllowFromPublic": true}]
  EOT
}
"""
KNOWLEDGE_BASE = 'resource "aws_bedrockagent_knowledge_base" "kb" {\n  name = "kb"\n}\n'


def test_aia110_public_network_policy_as_a_json_string(tree):
    report = tree({"main.tf": PUBLIC_NETWORK_POLICY, "kb.tf": KNOWLEDGE_BASE})
    assert triples(report, "AIA110") == {("AIA110", "main.tf", 5)}


def test_aia110_network_policy_template_with_an_unresolved_collection_name(tree):
    network_policy = PUBLIC_NETWORK_POLICY.replace("collection/kb", "collection/${var.collection_name}")
    report = tree({"main.tf": network_policy, "kb.tf": KNOWLEDGE_BASE})
    assert triples(report, "AIA110") == {("AIA110", "main.tf", 5)}


def test_aia110_knowledge_base_in_another_module_does_not_count(tree):
    report = tree({"search/main.tf": PUBLIC_NETWORK_POLICY, "rag/kb.tf": KNOWLEDGE_BASE})
    assert triples(report, "AIA110") == set()


def test_aia110_knowledge_base_in_a_local_module_the_configuration_calls(tree):
    report = tree({
        "modules/rag/kb.tf": KNOWLEDGE_BASE,
        "envs/dev/main.tf": 'module "rag" {\n  source = "../../modules/rag"\n}\n' + PUBLIC_NETWORK_POLICY,
    })
    assert triples(report, "AIA110") == {("AIA110", "envs/dev/main.tf", 8)}


def test_aia110_module_call_from_a_registry_is_not_followed(tree):
    report = tree({
        "modules/rag/kb.tf": KNOWLEDGE_BASE,
        "main.tf": 'module "rag" {\n  source = "acme/rag/aws"\n}\n' + PUBLIC_NETWORK_POLICY,
    })
    assert triples(report, "AIA110") == set()


def test_aia110_encryption_policies_are_not_network_policies(tree):
    report = tree({"main.tf": PUBLIC_NETWORK_POLICY.replace('"network"', '"encryption"'), "kb.tf": KNOWLEDGE_BASE})
    assert triples(report, "AIA110") == set()


# --- documented examples --------------------------------------------------------------------------

def test_each_check_flags_its_failing_example_and_passes_its_passing_example(tmp_path):
    for check in [c for c in load_checks() if c.code.startswith("AIA1")]:
        meta = check.meta()
        for kind, example, expected in (("failing", meta.failing_example, True), ("passing", meta.passing_example, False)):
            root = write_tree(tmp_path / meta.code / kind, {"main.tf": example})
            fired = bool(triples(scan_dir(root, select=[meta.code]), meta.code))
            assert fired is expected, f"{meta.code} {kind} example"


# --- CloudFormation specifics ------------------------------------------------------------------------

def template(resources: str, parameters: str = "") -> str:
    head = 'AWSTemplateFormatVersion: "2010-09-09"\n'
    if parameters:
        head += "Parameters:\n" + parameters
    return head + "Resources:\n" + resources


ROLE_POLICY = """
  AppPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: !Ref BedrockAction
            Resource: "*"
"""


def test_cloudformation_ref_to_a_parameter_default_is_resolved(tree):
    report = tree({"stack.yaml": template(ROLE_POLICY, "  BedrockAction:\n    Type: String\n    Default: bedrock:*\n")})
    assert triples(report, "AIA1") == {("AIA101", "stack.yaml", 14)}


def test_sam_function_naming_bedrock_full_access_among_its_policies(tree):
    report = tree({"template.yaml": """\
Transform: AWS::Serverless-2016-10-31
Resources:
  ChatFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Policies:
        - AWSLambdaBasicExecutionRole
        - AmazonBedrockFullAccess
  SummaryFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: summary.handler
      Runtime: python3.12
      Policies: AmazonS3ReadOnlyAccess
"""})
    assert triples(report, "AIA1") == {("AIA101", "template.yaml", 10)}


def test_cloudformation_parameter_without_default_does_not_fire(tree):
    report = tree({"stack.yaml": template(ROLE_POLICY, "  BedrockAction:\n    Type: String\n")})
    assert triples(report, "AIA1") == set()


def test_cloudformation_open_trust_role_named_in_a_policy_roles_list(tree):
    report = tree({"stack.yaml": template("""
  PartnerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: sts:AssumeRole
  InvokePolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: invoke
      Roles:
        - !Ref PartnerRole
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: bedrock:InvokeModel
            Resource: !Sub arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/amazon.nova-lite-v1:0
""")})
    assert triples(report, "AIA1") == {("AIA108", "stack.yaml", 9)}


def test_cloudformation_agent_with_unknown_guardrail_identifier(tree):
    report = tree({"stack.yaml": template("""
  Agent:
    Type: AWS::Bedrock::Agent
    Properties:
      AgentName: helper
      CustomerEncryptionKeyArn: !GetAtt AgentKey.Arn
      GuardrailConfiguration:
        GuardrailIdentifier: !Ref GuardrailId
        GuardrailVersion: "1"
""", "  GuardrailId:\n    Type: String\n")})
    assert triples(report, "AIA1") == set()  # and AIA104 (invocation logging) is Terraform only


def test_cloudformation_knowledge_base_and_network_policy_in_different_templates(tree):
    report = tree({
        "search.yaml": template("""
  NetworkPolicy:
    Type: AWS::OpenSearchServerless::SecurityPolicy
    Properties:
      Name: kb-net
      Type: network
      Policy: '[{"Rules":[{"ResourceType":"collection","Resource":["collection/kb"]}],"AllowFromPublic":true}]'
"""),
        "rag.yaml": template("""
  KnowledgeBase:
    Type: AWS::Bedrock::KnowledgeBase
    Properties:
      Name: kb
      RoleArn: !GetAtt KbRole.Arn
"""),
    })
    assert triples(report, "AIA110") == set()


def test_agent_key_set_through_a_conditional_on_a_null_default_is_missing(tree):
    report = tree({"agent.tf": '''\
variable "kms_key_arn" {
  type    = string
  default = null
}
resource "aws_bedrockagent_agent" "support" {
  agent_name                  = "support"
  foundation_model            = "anthropic.claude-3-5-sonnet-20240620-v1:0"
  customer_encryption_key_arn = var.kms_key_arn != null ? var.kms_key_arn : null
  guardrail_configuration {
    guardrail_identifier = "gr-123"
    guardrail_version    = "1"
  }
}
'''}, select=["AIA106"])
    assert [(f.code, f.location.span.start_line) for f in report.findings] == [("AIA106", 8)]


def test_agent_not_created_by_the_module_defaults_is_not_judged(tree):
    report = tree({"agent.tf": '''\
variable "create_agent" {
  default = false
}
resource "aws_bedrockagent_agent" "support" {
  count            = var.create_agent ? 1 : 0
  agent_name       = "support"
  foundation_model = "anthropic.claude-3-5-sonnet-20240620-v1:0"
}
'''}, select=["AIA105", "AIA106"])
    assert report.findings == []


# --- Grants need a Resource that can name the service (CHECKS.md **Grants**) ------------------

def test_star_on_other_services_resources_raises_nothing_and_does_not_use_bedrock():
    # Action "*" on an S3 bucket, a log group and a DynamoDB table; NotAction on a bucket; an
    # access key for that user and an open trust policy on that role: no AI finding at all.
    assert scan_dir(TF / "wildcard_other_services").findings == []


def test_star_on_a_bedrock_arn_is_all_bedrock_and_uses_bedrock():
    report = scan_dir(TF / "wildcard_bedrock_arn")
    assert triples(report) == {("AIA101", "main.tf", 23), ("AIA104", "main.tf", 23), ("AIA107", "main.tf", 34)}
    messages = {f.code: f.message for f in report.findings}
    assert messages["AIA101"] == "aws_iam_user_policy.ml_ops grants * on arn:*:bedrock*:*:*:* (all Bedrock actions)"


@pytest.mark.parametrize("resource", ['"arn:aws:logs:*:*:*"', '"arn:aws:s3:::bucket/*"',
                                      '["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"]'])
def test_aia101_to_104_ignore_star_on_non_bedrock_resources(tree, resource):
    report = tree({"main.tf": policy(f'{{ Effect = "Allow", Action = "*", Resource = {resource} }},\n'
                                     f'      {{ Effect = "Allow", Action = ["bedrock:*"], Resource = {resource} }},\n'
                                     f'      {{ Effect = "Allow", NotAction = "iam:*", Resource = {resource} }}')})
    assert triples(report, "AIA1") == set()


def test_star_on_an_unresolved_resource_can_name_bedrock(tree):
    report = tree({"main.tf": policy('{ Effect = "Allow", Action = "*", Resource = var.target_arn }')})
    assert triples(report, "AIA10") == {("AIA101", "main.tf", 6), ("AIA104", "main.tf", 6)}
    assert [f.message for f in report.findings if f.code == "AIA101"] == [
        "aws_iam_policy.app grants * on var.target_arn (all Bedrock actions)"]


def test_aia101_names_the_service_only_for_a_generic_grant(tree):
    report = tree({"main.tf": policy('{ Effect = "Allow", Action = "*", Resource = "*" }', "star")
                   + policy('{ Effect = "Allow", Action = "bedrock:*", Resource = "*" }', "bedrock")
                   + policy('{ Effect = "Allow", NotAction = "iam:*", Resource = "*" }', "not_iam")})
    assert sorted(f.message for f in report.findings if f.code == "AIA101") == [
        "aws_iam_policy.bedrock grants bedrock:* on *",
        "aws_iam_policy.not_iam grants every action except iam:* (NotAction) on * (all Bedrock actions)",
        "aws_iam_policy.star grants * on * (all Bedrock actions)",
    ]


def test_aia108_and_aia107_need_a_bedrock_grant_on_a_bedrock_resource(tree):
    report = tree({"main.tf": '''
resource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "sts:AssumeRole" }] })
  inline_policy {
    policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "arn:aws:s3:::data/*" }] })
  }
}
resource "aws_iam_user" "u" { name = "u" }
resource "aws_iam_user_policy" "u" {
  user   = aws_iam_user.u.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "bedrock:*", Resource = "arn:aws:logs:*:*:*" }] })
}
resource "aws_iam_access_key" "u" { user = aws_iam_user.u.name }
'''})
    assert report.findings == []


def test_cloudformation_star_on_a_bucket_is_no_bedrock_grant(tree):
    report = tree({"stack.yaml": """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  User:
    Type: AWS::IAM::User
    Properties:
      Policies:
        - PolicyName: logs
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: "*"
                Resource: !Sub "arn:${AWS::Partition}:s3:::logs-${AWS::AccountId}/*"
              - Effect: Allow
                Action: "*"
                Resource: !Sub "arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/*"
  Key:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: !Ref User
"""})
    assert triples(report, "AIA1") == {("AIA101", "stack.yaml", 14), ("AIA107", "stack.yaml", 20)}


def test_star_on_another_resources_arn_attribute_is_no_bedrock_grant(tree):
    # The ARN of an aws_s3_bucket is an S3 ARN whatever its name: not an unknown service.
    report = tree({"main.tf": '''
resource "aws_s3_bucket" "logs" { bucket = "acme-logs" }
resource "aws_iam_policy" "logs" {
  policy = jsonencode({ Statement = [
    { Effect = "Allow", Action = "*", Resource = [aws_s3_bucket.logs.arn, "${aws_s3_bucket.logs.arn}/*"] },
    { Effect = "Allow", Action = "*", Resource = data.aws_sqs_queue.q.arn },
  ] })
}
resource "aws_iam_policy" "agent" {
  policy = jsonencode({ Statement = [
    { Effect = "Allow", Action = "*", Resource = aws_bedrockagent_agent.a.agent_arn },
    { Effect = "Allow", Action = "*", Resource = "${aws_bedrock_guardrail.g.arn}" },
    { Effect = "Allow", Action = "*", Resource = module.shared.arn },
  ] })
}
'''})
    assert triples(report, "AIA101") == {("AIA101", "main.tf", 11), ("AIA101", "main.tf", 12), ("AIA101", "main.tf", 13)}


def test_cloudformation_star_on_other_services_sample_has_no_findings(tmp_path):
    (tmp_path / "stack.yaml").write_text((CFN / "wildcard_other_services.yaml").read_text())
    assert scan_dir(tmp_path).findings == []


def test_cloudformation_getatt_arn_type_decides_the_service(tree):
    report = tree({"stack.yaml": """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Agent:
    Type: AWS::Bedrock::Agent
    Properties:
      AgentName: support
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: "*"
            Resource: [!GetAtt Bucket.Arn, !Sub "${Bucket.Arn}/*"]
          - Effect: Allow
            Action: "*"
            Resource: !GetAtt Agent.AgentArn
          - Effect: Allow
            Action: "*"
            Resource: !Sub "${Bucket.Arn}-${Agent.AgentArn}"
"""})
    assert triples(report, "AIA101") == {("AIA101", "stack.yaml", 18), ("AIA101", "stack.yaml", 21)}


GUARDRAILS_WITH_DYNAMIC_FILTERS = 'variable "filters" {\n  default = [\n    { type = "HATE", input = "HIGH" },\n    { type = "PROMPT_ATTACK", input = "NONE" },\n  ]\n}\n\nvariable "strong" {\n  default = { PROMPT_ATTACK = "HIGH" }\n}\n\nresource "aws_bedrock_guardrail" "weak" {\n  name                      = "weak"\n  blocked_input_messaging   = "no"\n  blocked_outputs_messaging = "no"\n  content_policy_config {\n    dynamic "filters_config" {\n      for_each = var.filters\n      content {\n        type            = filters_config.value.type\n        input_strength  = filters_config.value.input\n        output_strength = "NONE"\n      }\n    }\n  }\n}\n\nresource "aws_bedrock_guardrail" "strong" {\n  name                      = "strong"\n  blocked_input_messaging   = "no"\n  blocked_outputs_messaging = "no"\n  dynamic "content_policy_config" {\n    for_each = [1]\n    content {\n      dynamic "filters_config" {\n        for_each = var.strong\n        iterator = f\n        content {\n          type            = f.key\n          input_strength  = f.value\n          output_strength = "NONE"\n        }\n      }\n    }\n  }\n}\n\nresource "aws_bedrock_guardrail" "unknown" {\n  name                      = "unknown"\n  blocked_input_messaging   = "no"\n  blocked_outputs_messaging = "no"\n  content_policy_config {\n    dynamic "filters_config" {\n      for_each = var.not_set\n      content {\n        type           = filters_config.value.type\n        input_strength = "NONE"\n      }\n    }\n  }\n}\nvariable "not_set" {}\n'


def test_aia109_dynamic_filter_blocks_over_known_collections_are_judged(tree):
    """A dynamic `filters_config` over a variable's default is the filters it makes: NONE on
    PROMPT_ATTACK fails (at the dynamic block's content), HIGH through a nested dynamic policy
    with an iterator passes, and a collection without a value is not judged."""
    report = tree({"main.tf": GUARDRAILS_WITH_DYNAMIC_FILTERS})
    assert triples(report, "AIA109") == {("AIA109", "main.tf", 19)}
    assert [f.resource for f in report.findings if f.code == "AIA109"] == ["aws_bedrock_guardrail.weak"]
