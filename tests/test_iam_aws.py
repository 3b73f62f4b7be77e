"""AWS IAM semantics shared by the Bedrock checks: matching, grants, scope, documents, identities."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from aiaas_iac.context import ScanContext
from aiaas_iac.discover import discover
from aiaas_iac.iam.actions import INVOKE_ACTIONS, glob_match
from aiaas_iac.iam.aws import Statement, is_unscoped_bedrock_resource, statements_from_json
from aiaas_iac.iam.aws_documents import identity_documents
from aiaas_iac.iam.aws_identities import ROLE, USER, bedrock_granting_policies, policies_applied_to
from aiaas_iac.model import Resource, Span, Unknown
from aiaas_iac.parsers import parse_file
from aiaas_iac.resolve import resolve_terraform
from conftest import write_tree

POLICY = Resource("terraform", "resource", "aws_iam_policy", "p", "aws_iam_policy.p", {}, "main.tf", ".", Span(1, 1))


def statement(**element) -> Statement:
    return statements_from_json(POLICY, {"Statement": [element]}, ("policy",))[0]


def scan_context(root: Path, files: dict[str, str]) -> ScanContext:
    write_tree(root, files)
    sources, _ = discover([root], root)
    resources = [r for source in sources for r in parse_file(source).resources]
    return ScanContext(resolve_terraform(resources, root), root)


# --- matching -------------------------------------------------------------------------------

@pytest.mark.parametrize("pattern, action, expected", [
    ("bedrock:InvokeModel", "bedrock:invokemodel", True),
    ("BEDROCK:invoke*", "bedrock:InvokeModelWithResponseStream", True),
    ("bedrock:Invoke?odel", "bedrock:InvokeModel", True),
    ("bedrock:Invoke?odel", "bedrock:InvokeMModel", False),
    ("bedrock:*Logging*", "bedrock:PutModelInvocationLoggingConfiguration", True),
    ("bedrock:Get*", "bedrock:PutModelInvocationLoggingConfiguration", False),
    ("bedrock*:*", "bedrock-agentcore:InvokeAgentRuntime", True),
])
def test_action_globs_are_case_insensitive_with_star_and_question_mark(pattern, action, expected):
    assert glob_match(pattern, action) is expected


# --- grants -----------------------------------------------------------------------------------

def test_allow_statement_grants_matching_action():
    assert statement(Effect="Allow", Action="bedrock:Invoke*", Resource="*").grants("bedrock:InvokeModel")


def test_deny_statement_grants_nothing_but_denies():
    deny = statement(Effect="Deny", Action="bedrock:InvokeModel", Resource="*")
    assert not deny.grants("bedrock:InvokeModel")
    assert deny.denies("bedrock:InvokeModel")


def test_conditional_deny_is_not_counted_as_blocking():
    deny = statement(Effect="Deny", Action="bedrock:*", Resource="*",
                     Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}})
    assert not deny.denies("bedrock:InvokeModel")


def test_not_action_grants_every_action_it_does_not_match():
    not_iam = statement(Effect="Allow", NotAction=["iam:*"], Resource="*")
    assert not_iam.grants("bedrock:InvokeModel")
    assert not not_iam.grants("iam:CreateUser")


def test_not_action_leaving_a_bedrock_service_open_is_all_bedrock():
    assert statement(Effect="Allow", NotAction="iam:*", Resource="*").wildcard_bedrock_actions()


def test_not_action_excluding_every_bedrock_service_is_not_all_bedrock():
    excluded = statement(Effect="Allow", NotAction=["bedrock*:*"], Resource="*")
    assert excluded.wildcard_bedrock_actions() == []
    assert not excluded.grants_any(INVOKE_ACTIONS)


def test_unknown_not_action_grants_nothing():
    unknown = statement(Effect="Allow", NotAction=[Unknown("var.excluded", ("var.excluded",))], Resource="*")
    assert not unknown.grants("bedrock:InvokeModel")
    assert unknown.wildcard_bedrock_actions() == []


@pytest.mark.parametrize("action, expected", [
    ("*", ["*"]),
    ("bedrock:*", ["bedrock:*"]),
    ("Bedrock-AgentCore:*", ["Bedrock-AgentCore:*"]),
    ("bedrock:Invoke*", []),
    ("s3:*", []),
])
def test_all_bedrock_actions_means_a_bare_star_for_a_bedrock_service(action, expected):
    assert statement(Effect="Allow", Action=action, Resource="*").wildcard_bedrock_actions() == expected


def test_any_bedrock_action_uses_the_service_action_list():
    assert statement(Effect="Allow", Action="bedrock:ListFoundationModels", Resource="*").grants_any_bedrock_action()
    assert statement(Effect="Allow", Action="bedrock-agentcore:Get*", Resource="*").grants_any_bedrock_action()
    assert not statement(Effect="Allow", Action="s3:GetObject", Resource="*").grants_any_bedrock_action()


# --- unscoped resources ---------------------------------------------------------------------------

@pytest.mark.parametrize("arn, expected", [
    ("*", True),
    ("arn:aws:bedrock:*::foundation-model/*", True),
    ("arn:aws:bedrock:us-east-1:111122223333:*", True),
    ("arn:aws:bedrock:us-east-1:111122223333:inference-profile/*", True),
    ("arn:aws:bedrock:*::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0", False),
    ("arn:aws:bedrock:*::foundation-model/anthropic.*", False),
    ("arn:aws:s3:::bucket/*", False),
    ("arn:aws:bedrock:us-east-1\x00:foundation-model/*", False),
    ("arn:aws:bedrock:*", True),  # a trailing `*` spans the segments after it
    ("arn:aws:bedrock:us-east-1:*", True),
    ("arn:aws:bedrock:*:*:*:*", True),
    ("arn:aws:bedrock", False),
    ("arn:aws:s3:*", False),
])
def test_unscoped_bedrock_resource(arn, expected):
    assert is_unscoped_bedrock_resource(arn) is expected


def test_unresolved_resource_reference_counts_as_scoped():
    referenced = statement(Effect="Allow", Action="bedrock:InvokeModel",
                           Resource=Unknown("var.model_arn", ("var.model_arn",)))
    assert referenced.unscoped_resources() == []


def test_allow_with_not_resource_naming_no_bedrock_resource_is_unscoped():
    not_s3 = statement(Effect="Allow", Action="bedrock:InvokeModel", NotResource="arn:aws:s3:::secrets/*")
    assert not_s3.unscoped_resources() == ["NotResource arn:aws:s3:::secrets/*"]


def test_arn_template_with_unknown_region_keeps_its_literal_resource_part(tmp_path):
    ctx = scan_context(tmp_path, {"main.tf": """
data "aws_region" "current" {}
data "aws_iam_policy_document" "invoke" {
  statement {
    actions   = ["bedrock:InvokeModel"]
    resources = [
      "arn:aws:bedrock:${data.aws_region.current.name}::foundation-model/*",
      "arn:aws:bedrock:us-east-1::${var.model_path}",
    ]
  }
}
"""})
    [document] = identity_documents(ctx)
    assert document.statements[0].unscoped_resources() == [
        "arn:aws:bedrock:${data.aws_region.current.name}::foundation-model/*"]


# --- documents -------------------------------------------------------------------------------------

def test_heredoc_policy_with_interpolation_is_read_as_json(tmp_path):
    ctx = scan_context(tmp_path, {"main.tf": """
resource "aws_iam_policy" "heredoc" {
  policy = <<-EOT
    {
      "Statement": [
        {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "${aws_bedrock_custom_model.m.arn}"},
        {"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}
      ]
    }
  EOT
}
"""})
    [document] = identity_documents(ctx)
    first, second = document.statements
    assert first.grants("bedrock:InvokeModel") and first.unscoped_resources() == []
    assert second.wildcard_bedrock_actions() == ["bedrock:*"]
    assert (first.path, second.path) == (("policy", "Statement", 0), ("policy", "Statement", 1))


def test_heredoc_with_interpolation_outside_strings_is_not_guessed(tmp_path):
    ctx = scan_context(tmp_path, {"main.tf": """
resource "aws_iam_policy" "heredoc" {
  policy = <<-EOT
    {"Statement": [{"Effect": "Allow", "Action": ${jsonencode(var.actions)}, "Resource": "*"}]}
  EOT
}
"""})
    assert identity_documents(ctx) == []


def test_resource_and_trust_policy_statements_are_not_identity_statements(tmp_path):
    ctx = scan_context(tmp_path, {"main.tf": """
data "aws_iam_policy_document" "key_policy" {
  statement {
    actions   = ["*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
  }
}
"""})
    assert identity_documents(ctx) == []


# --- identities ---------------------------------------------------------------------------------------

IDENTITIES = """
resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = "{}"
  inline_policy {
    name   = "inline"
    policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })
  }
}

resource "aws_iam_role_policy" "by_name" {
  role   = "app"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "bedrock:InvokeModel", Resource = "*" }] })
}

resource "aws_iam_policy" "managed" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "bedrock:Converse", Resource = "*" }] })
}

resource "aws_iam_policy_attachment" "shared" {
  name       = "shared"
  roles      = [aws_iam_role.app.name]
  users      = ["ci"]
  policy_arn = aws_iam_policy.managed.arn
}

resource "aws_iam_user_policy_attachment" "ci_full" {
  user       = "ci"
  policy_arn = "arn:aws:iam::aws:policy/AmazonBedrockFullAccess"
}

resource "aws_iam_user_policy_attachment" "ci_elsewhere" {
  user       = "ci"
  policy_arn = "arn:aws:iam::111122223333:policy/defined-in-another-stack"
}
"""


def test_policies_applied_to_a_role_by_inline_block_name_and_reference(tmp_path):
    ctx = scan_context(tmp_path, {"main.tf": IDENTITIES})
    role = ctx.lookup(ctx.resources[0], "aws_iam_role.app")
    holders = {p.holder.address for p in policies_applied_to(ctx, role, ROLE, role)}
    assert holders == {"aws_iam_role.app", "aws_iam_role_policy.by_name", "aws_iam_policy_attachment.shared"}
    granting = {p.holder.address for p in bedrock_granting_policies(ctx, role, ROLE, role)}
    assert granting == {"aws_iam_role_policy.by_name", "aws_iam_policy_attachment.shared"}


def test_policies_applied_to_a_user_named_only_by_its_literal_name(tmp_path):
    ctx = scan_context(tmp_path, {"main.tf": IDENTITIES})
    near = ctx.resources[0]
    applied = policies_applied_to(ctx, near, USER, "ci")
    assert {(p.holder.address, p.managed_policy) for p in applied} == {
        ("aws_iam_policy_attachment.shared", ""),
        ("aws_iam_user_policy_attachment.ci_full", "AmazonBedrockFullAccess"),
    }


def test_unknown_identity_has_no_policies(tmp_path):
    ctx = scan_context(tmp_path, {"main.tf": IDENTITIES})
    near = ctx.resources[0]
    assert policies_applied_to(ctx, near, USER, Unknown("var.user_name", ("var.user_name",))) == []


# --- Grants: the Resource must be able to name a resource of the action's service ------------

@pytest.mark.parametrize("resource", [
    "arn:aws:s3:::acme-logs/*", "arn:aws:s3:::acme-logs", "arn:aws:logs:*:*:*", "arn:*:logs:*:*:*",
    "arn:aws:dynamodb:eu-west-1:111122223333:table/orders", "arn:aws:s3*:::x", "arn:aws", "not-an-arn",
    "arn:aws:bedrockx:us-east-1:1:foundation-model/x", ["arn:aws:s3:::a", "arn:aws:sqs:*:*:q"],
])
def test_star_on_resources_of_other_services_grants_no_bedrock_action(resource):
    star = statement(Effect="Allow", Action="*", Resource=resource)
    assert not star.grants("bedrock:InvokeModel")
    assert not star.grants_any_bedrock_action()
    assert star.wildcard_bedrock_actions() == []
    assert star.grants("s3:GetObject") is any(":s3" in r for r in ([resource] if isinstance(resource, str) else resource))
    bedrock_star = statement(Effect="Allow", Action=["bedrock:*", "bedrock-agentcore:*"], Resource=resource)
    assert not bedrock_star.grants_any_bedrock_action() and bedrock_star.wildcard_bedrock_actions() == []
    not_iam = statement(Effect="Allow", NotAction="iam:*", Resource=resource)
    assert not not_iam.grants_any_bedrock_action() and not_iam.wildcard_bedrock_actions() == []


@pytest.mark.parametrize("resource, services", [
    ("*", {"bedrock", "bedrock-agentcore"}),
    ("arn:aws:bedrock:us-east-1::foundation-model/x", {"bedrock"}),
    ("arn:*:bedrock*:*:*:*", {"bedrock", "bedrock-agentcore"}),
    ("arn:aws:*:*:*:*", {"bedrock", "bedrock-agentcore"}),
    ("arn:aws:bedrock-agentcore:us-east-1:111122223333:runtime/x", {"bedrock-agentcore"}),
    ("arn:*", {"bedrock", "bedrock-agentcore"}),
    ("arn:aws:bedrock:*", {"bedrock"}),
    (Unknown("var.arn", ("var.arn",)), {"bedrock", "bedrock-agentcore"}),
    (["arn:aws:s3:::a/*", "arn:aws:bedrock:*::foundation-model/*"], {"bedrock"}),
])
def test_star_on_a_resource_that_can_be_bedrock_grants_it(resource, services):
    star = statement(Effect="Allow", Action="*", Resource=resource)
    granted = set(star.bedrock_services_granted())
    assert services <= granted
    assert ("bedrock" in services) is star.grants("bedrock:InvokeModel")
    assert star.wildcard_bedrock_actions() == ["*"]


def test_a_template_with_an_unresolved_service_can_name_bedrock_but_one_with_s3_cannot():
    from aiaas_iac.parsers.hcl_expressions import Template, Traversal
    hole = Traversal("var.x", ("var.x",), ("var", "x"))
    bucket = Template('"arn:aws:s3:::${var.x}/*"', ("var.x",), ("arn:aws:s3:::", hole, "/*"))
    service = Template('"arn:aws:${var.x}:*:*:*"', ("var.x",), ("arn:aws:", hole, ":*:*:*"))
    assert not statement(Effect="Allow", Action="*", Resource=bucket).grants_any_bedrock_action()
    assert statement(Effect="Allow", Action="*", Resource=service).grants("bedrock:InvokeModel")
    assert statement(Effect="Allow", Action="*", Resource=hole).grants("bedrock:InvokeModel")


def test_not_resource_names_bedrock_unless_it_excludes_all_of_it():
    assert statement(Effect="Allow", Action="*", NotResource="arn:aws:s3:::x/*").grants("bedrock:InvokeModel")
    only_bedrock_out = statement(Effect="Allow", Action="*", NotResource="arn:aws:bedrock:*:*:*")
    assert not only_bedrock_out.grants("bedrock:InvokeModel")
    assert only_bedrock_out.grants("bedrock-agentcore:InvokeAgentRuntime")
    assert not statement(Effect="Allow", Action="*", NotResource="*").grants_any_bedrock_action()


def test_deny_on_another_service_does_not_block_bedrock():
    assert not statement(Effect="Deny", Action="*", Resource="arn:aws:s3:::x").denies("bedrock:InvokeModel")
    assert statement(Effect="Deny", Action="*", Resource="*").denies("bedrock:InvokeModel")


def test_hostile_resource_patterns_stay_fast():
    import time
    started = time.perf_counter()
    for resource in ["*" * 10_000, "arn:" + "*" * 10_000, "arn:aws:" + "*?" * 5_000 + "!",
                     "arn:aws:s3:::" + "*" * 10_000, ":" * 10_000, "a*" * 5_000 + "!"]:
        star = statement(Effect="Allow", Action="*", Resource=resource)
        star.grants_any_bedrock_action(), star.wildcard_bedrock_actions(), star.unscoped_resources()
    assert time.perf_counter() - started < 2.0


def test_messages_show_a_template_with_its_resolved_parts_only():
    from aiaas_iac.iam.aws_resources import display_value
    from aiaas_iac.parsers.hcl_expressions import Template, Traversal
    hole = Traversal("var.acct", ("var.acct",), ("var", "acct"))
    arn = Template('"arn:aws:bedrock:${var.region}:${var.acct}:*"', ("var.region", "var.acct"),
                   ("arn:aws:bedrock:us-east-1:", hole, ":*"))
    assert display_value(arn) == "arn:aws:bedrock:us-east-1:${var.acct}:*"
    assert display_value(Unknown('"${var.arn}"', ("var.arn",))) == "${var.arn}"


def test_many_resources_and_not_actions_stay_fast():
    import time
    started = time.perf_counter()
    wide = statement(Effect="Allow", NotAction=[f"svc{i}:*" for i in range(300)],
                     Resource=[f"arn:aws:s3:::bucket-{i}/*" for i in range(5_000)])
    assert not wide.grants_any_bedrock_action() and wide.wildcard_bedrock_actions() == []
    assert time.perf_counter() - started < 2.0


# --- dynamic "statement" blocks in a policy-document data source -----------------------------

DYNAMIC_DOCUMENT = '''\
locals {
  grants = %s
}
data "aws_iam_policy_document" "agent" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::docs/*"]
  }
  dynamic "statement" {
    for_each = local.grants
    content {
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
}
resource "aws_iam_policy" "agent" {
  policy = data.aws_iam_policy_document.agent.json
}
'''


def test_a_dynamic_statement_over_a_known_list_grants_what_each_item_says(tree):
    grants = '[{ actions = ["bedrock:InvokeModel"], resources = ["*"] }, { actions = ["s3:*"], resources = ["*"] }]'
    report = tree({"main.tf": DYNAMIC_DOCUMENT % grants}, select=["AIA1"])
    assert {(f.code, f.location.file, f.location.span.start_line) for f in report.findings} == {
        ("AIA102", "main.tf", 11), ("AIA104", "main.tf", 11)}  # at the dynamic block's content


def test_a_dynamic_statement_that_grants_nothing_or_over_unknowns_is_not_a_finding(tree, tmp_path):
    scoped = '[{ actions = ["bedrock:InvokeModel"], resources = ["arn:aws:bedrock:us-east-1::foundation-model/x"] }]'
    assert tree({"main.tf": DYNAMIC_DOCUMENT % scoped}, select=["AIA102"]).findings == []
    assert tree({"main.tf": DYNAMIC_DOCUMENT % "[]"}, select=["AIA1"]).findings == []
    unknown = DYNAMIC_DOCUMENT % "var.grants" + 'variable "grants" {}\n'
    assert tree({"main.tf": unknown}, select=["AIA1"]).findings == []


@pytest.mark.parametrize("count, expected", [(5000, [("AIA102", 11)]), (10**9, [])])
def test_a_dynamic_statement_over_a_huge_range_stays_bounded(tree, count, expected):
    """5,000 items: expansion stops at the instance cap and one finding stands for all; a range
    past the evaluator's size limit is unknown, and an unknown makes no finding."""
    huge = '[for i in range(%d) : { actions = ["bedrock:InvokeModel"], resources = ["*"] }]' % count
    report = tree({"main.tf": DYNAMIC_DOCUMENT % huge}, select=["AIA102"])
    assert [(f.code, f.location.span.start_line) for f in report.findings] == expected


@pytest.mark.parametrize("pattern, mutating", [
    ("bedrock:InvokeModel*", False),  # only invoke actions, which do not count (held-out repo)
    ("bedrock:InvokeModelWith*", False), ("bedrock:Invoke*", True),  # InvokeAgent, InvokeFlow count
    ("s3:*Object", True), ("s3:Get*", False), ("dynamodb:*", True), ("*", True),
    ("ec2:*NetworkInterface", True),  # Attach/Detach count; the ENI create/delete do not
    ("nosuchservice:Put*", True), ("s3*:Put*", True),  # not in the IAM data: the literal-prefix test
    ("logs:*", False), ("dynamodb:PutItem", True), ("bedrock:InvokeModel", False),
])
def test_a_wildcard_is_mutating_only_if_it_can_match_a_counted_action(pattern, mutating):
    from aiaas_iac.iam.aws_write import is_mutating_pattern

    assert is_mutating_pattern(pattern) is mutating


def test_hostile_wildcards_are_judged_quickly():
    from aiaas_iac.iam.aws_write import is_mutating_pattern

    start = time.perf_counter()
    for i in range(300):
        is_mutating_pattern("ec2:" + "*a" * 200 + f"{i}*")
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("action, breadth", [
    ("bedrock:InvokeModel*", None),  # invoke actions only: neither mutating nor write breadth
    ("bedrock:Invoke*", "bedrock:Invoke* on *"), ("s3:Put*", "s3:Put* on *"), ("s3:Get*", None),
])
def test_write_breadth_of_a_service_wildcard_follows_the_mutating_grant_exclusions(action, breadth):
    from aiaas_iac.iam.aws_write import write_breadth

    assert write_breadth(statement(Effect="Allow", Action=action, Resource="*")) == breadth
