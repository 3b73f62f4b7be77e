"""The Terraform parser keeps exact lines for blocks, attributes, nested blocks and values."""

from aiaas_iac.model import Unknown
from aiaas_iac.parsers.hcl_expressions import Call, Template, Traversal
from aiaas_iac.parsers.terraform import HclSyntaxError, parse_terraform, parse_tfvars

import pytest

POLICY = '''\
resource "aws_iam_policy" "app" {
  name = "app-${var.env}"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["bedrock:InvokeModel"]
      Resource = "*"
    }]
  })
}
'''


def by_address(resources):
    return {r.address: r for r in resources}


def test_resource_block_span_and_address():
    (policy,) = parse_terraform(POLICY, "main.tf", ".")
    assert (policy.kind, policy.type, policy.name, policy.address) == ("resource", "aws_iam_policy", "app", "aws_iam_policy.app")
    assert (policy.span.start_line, policy.span.end_line) == (1, 11)


def test_jsonencode_keeps_lines_of_statement_elements():
    (policy,) = parse_terraform(POLICY, "main.tf", ".")
    assert isinstance(policy.get("policy"), Call)
    assert policy.span_of("policy").start_line == 3
    assert policy.span_of("policy", "Statement", 0).start_line == 5
    assert policy.span_of("policy", "Statement", 0, "Action").start_line == 7


def test_interpolated_string_is_a_template_with_refs():
    (policy,) = parse_terraform(POLICY, "main.tf", ".")
    name = policy.get("name")
    assert isinstance(name, Template) and name.refs == ("var.env",)


def test_nested_blocks_are_lists_with_their_own_spans():
    source = '''\
data "aws_iam_policy_document" "d" {
  statement {
    actions   = ["bedrock:*"]
    resources = ["*"]
  }

  statement {
    effect  = "Deny"
    actions = ["s3:*"]
  }
}
'''
    (data,) = parse_terraform(source, "d.tf", ".")
    assert data.address == "data.aws_iam_policy_document.d"
    assert [b["actions"] for _, b in data.blocks("statement")] == [["bedrock:*"], ["s3:*"]]
    assert data.span_of("statement", 1).start_line == 7
    assert data.span_of("statement", 1, "effect").start_line == 8


def test_variables_locals_outputs_modules_and_providers():
    source = '''\
variable "region" {
  default = "us-east-1"
}
locals {
  roles = ["roles/aiplatform.user"]
  name  = "x"
}
output "arn" { value = aws_iam_role.r.arn }
module "net" { source = "./net" }
provider "aws" { region = var.region }
'''
    found = by_address(parse_terraform(source, "vars.tf", "."))
    assert found["var.region"].get("default") == "us-east-1"
    assert found["local.roles"].get("value") == ["roles/aiplatform.user"]
    assert found["local.name"].span.start_line == 6
    assert found["output.arn"].get("value").refs == ("aws_iam_role.r.arn",)
    assert found["module.net"].get("source") == "./net"
    assert found["provider.aws"].kind == "provider"


def test_heredoc_is_a_string_and_its_span_ends_at_the_marker():
    source = 'resource "aws_iam_policy" "p" {\n  policy = <<EOF\n{"Version": "2012-10-17"}\nEOF\n  name = "n"\n}\n'
    (policy,) = parse_terraform(source, "p.tf", ".")
    assert policy.get("policy") == '{"Version": "2012-10-17"}\n'
    assert (policy.span_of("policy").start_line, policy.span_of("policy").end_line) == (2, 4)
    assert policy.span_of("name").start_line == 5


def test_indented_heredoc_is_dedented_and_escaped_interpolation_kept_literal():
    source = 'locals {\n  doc = <<-EOT\n    {"Resource": "arn:aws:s3:::b/$${aws:username}"}\n  EOT\n}\n'
    (doc,) = parse_terraform(source, "l.tf", ".")
    assert doc.get("value") == '{"Resource": "arn:aws:s3:::b/${aws:username}"}\n'


def test_literals_and_unknown_expressions():
    source = '''\
resource "x" "y" {
  n      = 3
  f      = -1.5
  b      = true
  nothing = null
  cond   = var.a ? "x" : "y"
  idx    = var.list[0]
  splat  = aws_instance.web[*].id
}
'''
    (r,) = parse_terraform(source, "x.tf", ".")
    assert (r.get("n"), r.get("f"), r.get("b"), r.get("nothing")) == (3, -1.5, True, None)
    assert isinstance(r.get("cond"), Unknown) and r.get("cond").refs == ("var.a",)
    assert isinstance(r.get("idx"), Traversal) and r.get("idx").parts == ("var", "list", 0)
    assert isinstance(r.get("splat"), Unknown)


def test_string_escapes():
    (r,) = parse_terraform('resource "x" "y" {\n  s = "a\\"b\\n\\u00e9"\n}\n', "x.tf", ".")
    assert r.get("s") == 'a"b\né'


def test_tfvars_become_one_resource():
    (tfvars,) = parse_tfvars('env = "prod"\nroles = ["a", "b"]\n', "terraform.tfvars", ".")
    assert tfvars.kind == "tfvars" and tfvars.attributes == {"env": "prod", "roles": ["a", "b"]}


def test_syntax_error_names_the_line():
    with pytest.raises(HclSyntaxError) as raised:
        parse_terraform('resource "a" "b" {\n  tags = {}\n  x = \n  = 2\n}\n', "bad.tf", ".")
    assert raised.value.line == 3  # the attribute without a value


def test_syntax_error_never_shows_a_long_token():
    secret = "sk-proj-" + "A" * 60
    with pytest.raises(HclSyntaxError) as raised:
        parse_terraform(f'resource "a" "b" {{\n  key "{secret}"\n}}\n', "bad.tf", ".")
    assert secret not in str(raised.value) and secret[:8] not in str(raised.value)
