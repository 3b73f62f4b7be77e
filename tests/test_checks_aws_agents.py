"""Agent tool checks AIA111-AIA115: sample scenarios with exact lines, then one behaviour per test."""

from __future__ import annotations

import time

from conftest import SAMPLES, scan_dir, triples

TF = SAMPLES / "terraform" / "aws"
CFN = SAMPLES / "cloudformation" / "aws"
AGENT_CODES = ("AIA111", "AIA112", "AIA113", "AIA114", "AIA115")


def agent_triples(report):
    return {t for t in triples(report) if t[0] in AGENT_CODES}


def test_insecure_agent_tools_module():
    assert agent_triples(scan_dir(TF / "agent_tools_insecure")) == {
        ("AIA114", "tools.tf", 41),  # no source_arn at all
        ("AIA114", "tools.tf", 54),  # agent/* in the account
        ("AIA115", "agent.tf", 20),  # hashicorp/aws function_schema: no confirmation setting
        ("AIA115", "agent.tf", 41),  # inline OpenAPI (file()) DELETE without x-requireConfirmation
        ("AIA115", "agent.tf", 58),  # awscc: one function DISABLED, one absent
        ("AIA111", "tools.tf", 16),  # dynamodb:* on *
        ("AIA111", "tools.tf", 24),  # AdministratorAccess attached
        ("AIA111", "tools.tf", 79),  # iam:PassRole on * (gateway target tool); the conditioned s3:* is not
        ("AIA112", "agent.tf", 3),  # both agents run as var.agent_role_arn
    }


def test_knowledge_base_read_modules():
    assert agent_triples(scan_dir(TF / "knowledge_base_read_insecure")) == {
        ("AIA113", "main.tf", 21),  # ListBucket on acme-finance, which no data source reads
        ("AIA113", "main.tf", 30),  # s3:* on arn:aws:s3:::*/* (an attached managed policy)
    }
    assert triples(scan_dir(TF / "knowledge_base_read_hardened")) == set()


def test_hardened_agent_tools_module_has_no_agent_findings():
    assert triples(scan_dir(TF / "agent_tools_hardened")) == set()


def test_cloudformation_agent_tools():
    insecure = {t for t in agent_triples(scan_dir(CFN)) if t[1] == "agent_tools_insecure.yaml"}
    assert insecure == {
        ("AIA114", "agent_tools_insecure.yaml", 46),
        ("AIA115", "agent_tools_insecure.yaml", 68),
        ("AIA111", "agent_tools_insecure.yaml", 22),  # AmazonS3FullAccess by ${AWS::Partition} ARN
        ("AIA113", "agent_tools_insecure.yaml", 101),  # knowledge-base role reads s3:GetObject on *
    }
    assert not {t for t in triples(scan_dir(CFN)) if t[1] == "agent_tools_hardened.yaml"}


def test_aia114_message_names_the_missing_source_account(tree):
    report = tree({"main.tf": PERMISSION.format(extra="")})
    [finding] = [f for f in report.findings if f.code == "AIA114"]
    assert "no source_arn" in finding.message and "any AWS account" in finding.message


PERMISSION = """
resource "aws_lambda_permission" "tool" {{
  action        = "lambda:InvokeFunction"
  function_name = "tool"
  principal     = "bedrock.amazonaws.com"
  {extra}
}}
"""


def _aia114(tree, extra: str, **keywords) -> set:
    text = PERMISSION.format(extra=extra)
    for old, new in keywords.items():
        text = text.replace(old, new)
    return {t for t in triples(tree({"main.tf": text})) if t[0] == "AIA114"}


def test_aia114_wildcards_in_the_source_arn_fire(tree):
    assert _aia114(tree, 'source_arn = "*"') == {("AIA114", "main.tf", 6)}


def test_aia114_wildcard_account_fires(tree):
    assert _aia114(tree, 'source_arn = "arn:aws:bedrock:us-east-1:*:agent/ABC123"') == {("AIA114", "main.tf", 6)}


def test_aia114_agent_id_pattern_fires(tree):
    assert _aia114(tree, 'source_arn = "arn:aws:bedrock:us-east-1:111122223333:agent/AB*"') == {("AIA114", "main.tf", 6)}


def test_aia114_lambda_star_action_fires(tree):
    assert _aia114(tree, "", **{'"lambda:InvokeFunction"': '"lambda:*"'}) == {("AIA114", "main.tf", 2)}


def test_aia114_one_agent_is_scoped_even_in_any_region(tree):
    assert _aia114(tree, 'source_arn = "arn:aws:bedrock:*:111122223333:agent/ABC123"') == set()


def test_aia114_unresolved_agent_reference_is_scoped(tree):
    assert _aia114(tree, "source_arn = aws_bedrockagent_agent.x.agent_arn") == set()


def test_aia114_other_principals_and_actions_are_not_findings(tree):
    assert _aia114(tree, "", **{"bedrock.amazonaws.com": "s3.amazonaws.com"}) == set()
    assert _aia114(tree, "", **{'"lambda:InvokeFunction"': '"lambda:GetFunction"'}) == set()


def test_aia114_hostile_source_arn_is_fast_and_silent(tree):
    started = time.perf_counter()
    hostile = "arn:aws:bedrock:us-east-1:111122223333:agent/" + "a?" * 20_000 + "b"
    assert _aia114(tree, f'source_arn = "{"x" * 50_000}"') == set()
    assert _aia114(tree, f'source_arn = "{hostile}"') == {("AIA114", "main.tf", 6)}
    assert time.perf_counter() - started < 10


TOOL = """
resource "aws_iam_role" "tool" {{
  name               = "tool"
  assume_role_policy = "{{}}"
  {boundary}
}}

resource "aws_iam_role_policy" "tool" {{
  role   = aws_iam_role.tool.id
  policy = jsonencode({{ Statement = [{{ Effect = "Allow", Action = {actions}, Resource = "*" }}] }})
}}

resource "aws_lambda_function" "tool" {{
  function_name = "tool"
  role          = aws_iam_role.tool.arn
}}
"""

GROUP = """
resource "aws_bedrockagent_agent_action_group" "tools" {{
  action_group_name = "tools"
  agent_id          = "A"
  agent_version     = "DRAFT"
  {extra}
  action_group_executor {{
    {executor}
  }}
  function_schema {{
    {functions}
  }}
}}
"""
MEMBER_FUNCTIONS = "member_functions {\n functions {\n name = \"f\"\n }\n }"


def _aia115(tree, actions='["s3:PutObject"]', boundary="", extra="",
            executor="lambda = aws_lambda_function.tool.arn", functions=MEMBER_FUNCTIONS, files=None) -> set:
    text = TOOL.format(actions=actions, boundary=boundary) + GROUP.format(
        extra=extra, executor=executor, functions=functions)
    report = tree({"main.tf": text, **(files or {})})
    return {t for t in triples(report) if t[0] == "AIA115"}


def test_aia115_hashicorp_function_schema_fires(tree):
    assert _aia115(tree) == {("AIA115", "main.tf", 18)}


def test_aia115_accepts_the_documented_function_schema_spelling(tree):
    assert _aia115(tree, functions='functions {\n name = "f"\n }') == {("AIA115", "main.tf", 18)}


def test_aia115_return_control_is_not_a_finding(tree):
    assert _aia115(tree, executor='custom_control = "RETURN_CONTROL"') == set()


def test_aia115_parent_signature_and_disabled_group_are_not_findings(tree):
    assert _aia115(tree, extra='parent_action_group_signature = "AMAZON.UserInput"') == set()
    assert _aia115(tree, extra='action_group_state = "DISABLED"') == set()


def test_aia115_read_only_role_is_not_a_finding(tree):
    assert _aia115(tree, actions='["s3:GetObject", "logs:PutLogEvents", "bedrock:InvokeModel"]') == set()
    assert _aia115(tree, actions='["s3:Get*", "ec2:CreateNetworkInterface"]') == set()


def test_aia115_wildcard_that_can_mutate_fires(tree):
    assert _aia115(tree, actions='["s3:*Object"]') == {("AIA115", "main.tf", 18)}


def test_aia115_boundary_outside_the_set_is_unknown(tree):
    assert _aia115(tree, boundary="permissions_boundary = var.boundary") == set()


def test_aia115_boundary_in_the_set_must_also_allow(tree):
    boundary = """permissions_boundary = aws_iam_policy.boundary.arn
}
resource "aws_iam_policy" "boundary" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:Get*", Resource = "*" }] })"""
    assert _aia115(tree, boundary=boundary) == set()


def test_aia115_unresolvable_lambda_is_not_a_finding(tree):
    assert _aia115(tree, executor="lambda = var.tool_arn") == set()


AWSCC_AGENT = """
resource "awscc_bedrock_agent" "a" {{
  agent_name = "a"
  action_groups = [{{
    action_group_name     = "g"
    action_group_executor = {{ lambda = aws_lambda_function.tool.arn }}
    {schema}
  }}]
}}
"""


def _awscc(tree, schema: str, files=None) -> set:
    text = TOOL.format(actions='["sqs:SendMessage"]', boundary="") + AWSCC_AGENT.format(schema=schema)
    return {t for t in triples(tree({"main.tf": text, **(files or {})})) if t[0] == "AIA115"}


def test_aia115_awscc_confirmed_functions_are_not_findings(tree):
    assert _awscc(tree, 'function_schema = { functions = [{ name = "f", require_confirmation = "ENABLED" }] }') == set()


def test_aia115_awscc_unresolved_confirmation_is_not_a_finding(tree):
    assert _awscc(tree, 'function_schema = { functions = [{ name = "f", require_confirmation = var.c }] }') == set()


def test_aia115_schemas_in_s3_and_unparseable_payloads_are_not_findings(tree):
    assert _awscc(tree, 'api_schema = { s3 = { s3_bucket_name = "b", s3_object_key = "k" } }') == set()
    assert _awscc(tree, 'api_schema = { payload = "not: [valid" }') == set()


def test_aia115_inline_json_openapi_operation_without_confirmation_fires(tree):
    payload = '{"openapi": "3.0.0", "paths": {"/x": {"post": {"operationId": "send"}}}}'
    files = {"api.json": payload}
    assert _awscc(tree, 'api_schema = { payload = file("api.json") }', files) == {("AIA115", "main.tf", 20)}


def test_aia115_hostile_payload_is_fast_and_silent(tree):
    started = time.perf_counter()
    files = {"api.json": "[" * 100_000 + "]" * 100_000}
    assert _awscc(tree, 'api_schema = { payload = file("api.json") }', files) == set()
    assert time.perf_counter() - started < 10


def _aia111(tree, actions='"s3:*"', resource='"*"', extra="", executor="lambda = aws_lambda_function.tool.arn") -> set:
    text = TOOL.format(actions=actions, boundary="").replace('Resource = "*"', f"Resource = {resource}{extra}") + \
        GROUP.format(extra="", executor=executor, functions=MEMBER_FUNCTIONS)
    return {t for t in triples(tree({"main.tf": text})) if t[0] == "AIA111"}


def test_aia111_service_wildcard_on_every_resource_fires(tree):
    assert _aia111(tree) == {("AIA111", "main.tf", 10)}
    assert _aia111(tree, actions='"s3:Put*"', resource='"arn:aws:s3:::*"') == {("AIA111", "main.tf", 10)}


def test_aia111_star_and_not_action_fire(tree):
    assert _aia111(tree, actions='"*"') == {("AIA111", "main.tf", 10)}
    text = TOOL.replace("Action = {actions}", 'NotAction = "iam:*"').format(boundary="") + GROUP.format(
        extra="", executor="lambda = aws_lambda_function.tool.arn", functions=MEMBER_FUNCTIONS)
    assert {t for t in triples(tree({"main.tf": text})) if t[0] == "AIA111"} == {("AIA111", "main.tf", 10)}


def test_aia111_permission_management_fires_on_any_resource(tree):
    assert _aia111(tree, actions='"iam:AttachRolePolicy"', resource='"arn:aws:iam::111122223333:role/x"') == \
        {("AIA111", "main.tf", 10)}


def test_aia111_specific_actions_on_specific_resources_are_not_findings(tree):
    assert _aia111(tree, actions='"dynamodb:PutItem"', resource='"arn:aws:dynamodb:us-east-1:111122223333:table/t"') == set()
    assert _aia111(tree, actions='"s3:*"', resource='"arn:aws:s3:::docs/*"') == set()
    assert _aia111(tree, actions='"s3:Get*"') == set()
    assert _aia111(tree, actions='"logs:*"') == set()
    assert _aia111(tree, actions='"iam:PassRole"', resource='"arn:aws:iam::111122223333:role/tool-*"') == set()


def test_aia111_conditioned_statements_do_not_count_for_service_wildcards(tree):
    condition = ', Condition = { StringEquals = { "aws:ResourceAccount" = "111122223333" } }'
    assert _aia111(tree, extra=condition) == set()


def test_aia111_return_control_and_unresolved_lambda_are_not_findings(tree):
    assert _aia111(tree, executor='custom_control = "RETURN_CONTROL"') == set()
    assert _aia111(tree, executor="lambda = var.tool_arn") == set()


def test_aia111_hostile_action_patterns_are_fast(tree):
    started = time.perf_counter()
    assert _aia111(tree, actions='"s3:' + "L?" * 20_000 + '"') == set()
    assert time.perf_counter() - started < 10


def _aia112(tree, files: dict) -> set:
    return {t for t in triples(tree(files)) if t[0] == "AIA112"}


AGENT = """
resource "aws_bedrockagent_agent" "{name}" {{
  agent_name              = "{name}"
  agent_resource_role_arn = {role}
}}
"""


def test_aia112_agent_and_runtime_on_one_literal_arn_fire_once_at_the_first(tree):
    text = AGENT.format(name="a", role='"arn:aws:iam::111122223333:role/ai"') + """
resource "aws_bedrockagentcore_agent_runtime" "rt" {
  agent_runtime_name = "rt"
  role_arn           = "arn:aws:iam::111122223333:role/ai"
}
"""
    assert _aia112(tree, {"main.tf": text}) == {("AIA112", "main.tf", 4)}


def test_aia112_count_of_two_is_two_identities(tree):
    text = AGENT.format(name="a", role="var.role").replace('agent_name', 'count = 2\n  agent_name')
    assert _aia112(tree, {"main.tf": text + 'variable "role" {}'}) == {("AIA112", "main.tf", 5)}


def test_aia112_different_unresolved_references_and_single_users_are_not_findings(tree):
    text = AGENT.format(name="a", role="var.agent_role") + AGENT.format(name="b", role="var.other_role")
    assert _aia112(tree, {"main.tf": text}) == set()
    assert _aia112(tree, {"one/main.tf": AGENT.format(name="a", role="aws_iam_role.a.arn")}) == set()


def test_aia112_same_variable_text_in_two_module_instances_is_compared_resolved(tree):
    module = AGENT.format(name="a", role="var.role") + 'variable "role" {}\n'
    root = """
module "one" {
  source = "./agent"
  role   = "arn:aws:iam::111122223333:role/one"
}
module "two" {
  source = "./agent"
  role   = "arn:aws:iam::111122223333:role/two"
}
"""
    assert _aia112(tree, {"main.tf": root, "agent/main.tf": module}) == set()


def test_aia112_per_instance_roles_in_a_for_each_module_instance_are_not_shared(tree):
    # kogunlowo123/terraform-aws-bedrock-platform: every agent of the map gets its own role.
    module = """
variable "agents" {}
resource "aws_iam_role" "agent" {
  for_each = var.agents
  name     = each.key
}
resource "aws_bedrockagent_agent" "this" {
  for_each                = var.agents
  agent_name              = each.key
  agent_resource_role_arn = aws_iam_role.agent[each.key].arn
}
"""
    root = """
module "platform" {
  source = "./platform"
  agents = { support = {}, billing = {} }
}
"""
    assert _aia112(tree, {"main.tf": root, "platform/main.tf": module}) == set()
    shared = module.replace("aws_iam_role.agent[each.key].arn", "aws_iam_role.agent[\"support\"].arn")
    assert _aia112(tree, {"main.tf": root, "platform/main.tf": shared}) == {("AIA112", "platform/main.tf", 10)}


def test_aia112_cloudformation_gateway_and_knowledge_base_on_one_role(tree):
    template = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
  Gateway:
    Type: AWS::BedrockAgentCore::Gateway
    Properties:
      RoleArn: !GetAtt Role.Arn
  KnowledgeBase:
    Type: AWS::Bedrock::KnowledgeBase
    Properties:
      RoleArn: !GetAtt Role.Arn
"""
    assert _aia112(tree, {"t.yaml": template}) == {("AIA112", "t.yaml", 11)}


KB = '''
resource "aws_iam_role" "kb" {{
  name = "kb"
}}

resource "aws_iam_role_policy" "kb" {{
  role   = aws_iam_role.kb.id
  policy = jsonencode({{ Statement = [{{ Effect = "Allow", Action = {actions}, Resource = {resource} }}] }})
}}

resource "aws_bedrockagent_knowledge_base" "kb" {{
  name     = "kb"
  role_arn = aws_iam_role.kb.arn
}}
'''
DATA_SOURCE = '''
resource "aws_bedrockagent_data_source" "docs" {{
  name              = "docs"
  knowledge_base_id = {kb_id}
  data_source_configuration {{
    type = "S3"
    s3_configuration {{
      bucket_arn = {bucket}
    }}
  }}
}}
'''


def _aia113(tree, resource, actions='"s3:GetObject"', kb_id="aws_bedrockagent_knowledge_base.kb.id",
            bucket='"arn:aws:s3:::docs"', data_source=True) -> set:
    text = KB.format(actions=actions, resource=resource)
    if data_source:
        text += DATA_SOURCE.format(kb_id=kb_id, bucket=bucket)
    return {t for t in triples(tree({"main.tf": text})) if t[0] == "AIA113"}


def test_aia113_all_bucket_forms_fire_even_without_data_sources(tree):
    for resource in ('"*"', '"arn:aws:s3:::*"', '"arn:aws-cn:s3:::*/*"'):
        assert _aia113(tree, resource, data_source=False) == {("AIA113", "main.tf", 8)}, resource


def test_aia113_wildcard_actions_and_not_action_count(tree):
    assert _aia113(tree, '"*"', actions='"s3:*"') == {("AIA113", "main.tf", 8)}


def test_aia113_approved_buckets_and_prefixes_are_not_findings(tree):
    assert _aia113(tree, '["arn:aws:s3:::docs", "arn:aws:s3:::docs/team/*"]') == set()


def test_aia113_unapproved_bucket_fires_only_with_a_data_source(tree):
    assert _aia113(tree, '"arn:aws:s3:::finance/*"') == {("AIA113", "main.tf", 8)}
    assert _aia113(tree, '"arn:aws:s3:::finance/*"', data_source=False) == set()


def test_aia113_bucket_patterns_and_unresolved_buckets_are_not_findings(tree):
    assert _aia113(tree, '"arn:aws:s3:::kb-docs-*"') == set()
    assert _aia113(tree, '"arn:aws:s3:::${var.bucket}/*"') == set()


def test_aia113_unresolved_data_source_bucket_or_knowledge_base_keeps_it_silent(tree):
    assert _aia113(tree, '"arn:aws:s3:::finance/*"', bucket="var.bucket_arn") == set()
    assert _aia113(tree, '"arn:aws:s3:::finance/*"', kb_id="var.kb_id") == set()


def test_aia113_other_actions_are_not_findings(tree):
    assert _aia113(tree, '"*"', actions='"s3:PutObject"') == set()


def test_aia112_aia113_hostile_values_are_fast_and_silent(tree):
    started = time.perf_counter()
    agents = "".join(AGENT.format(name=f"a{i}", role=f'"arn:aws:iam::1:role/{"r" * 5_000}{i}"') for i in range(300))
    assert _aia112(tree, {"agents.tf": agents}) == set()
    assert _aia113(tree, '"arn:aws:s3:::' + "d?" * 20_000 + '/*"') == set()
    assert time.perf_counter() - started < 20


def test_aia112_blocks_whose_count_creates_nothing_share_nothing(tree):
    # Found on aws-ia/terraform-aws-bedrock: each agent and knowledge base is gated by its own flag.
    text = """
variable "on" {
  type    = bool
  default = false
}
resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = "{}"
}
resource "aws_bedrockagent_agent" "a" {
  agent_name              = "a"
  foundation_model        = "m"
  agent_resource_role_arn = aws_iam_role.r.arn
}
resource "aws_bedrockagent_agent" "b" {
  count                   = 0
  agent_name              = "b"
  foundation_model        = "m"
  agent_resource_role_arn = aws_iam_role.r.arn
}
resource "aws_bedrockagent_agent" "c" {
  count                   = var.on ? 1 : 0
  agent_name              = "c"
  foundation_model        = "m"
  agent_resource_role_arn = aws_iam_role.r.arn
}
"""
    assert _aia112(tree, {"main.tf": text}) == set()
    # The same blocks with the flag on do share the role.
    assert _aia112(tree, {"main.tf": text.replace("default = false", "default = true")}) == {("AIA112", "main.tf", 13)}


def test_aia112_a_role_picked_per_instance_is_not_one_role(tree):
    # Found on aws-ia/terraform-aws-agentcore: `aws_iam_role.runtime[each.key].arn` in two blocks.
    text = """
variable "code" { type = map(string) }
variable "container" { type = map(string) }
resource "aws_bedrockagentcore_agent_runtime" "code" {
  for_each           = var.code
  agent_runtime_name = each.key
  role_arn           = aws_iam_role.runtime[each.key].arn
}
resource "aws_bedrockagentcore_agent_runtime" "container" {
  for_each           = var.container
  agent_runtime_name = each.key
  role_arn           = aws_iam_role.runtime[each.key].arn
}
"""
    assert _aia112(tree, {"main.tf": text}) == set()
