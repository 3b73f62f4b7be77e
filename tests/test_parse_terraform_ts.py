"""The tree-sitter backend: structured expressions per the contract, and hostile input."""

from __future__ import annotations

import time

import pytest

from aiaas_iac.discover import SourceFile
from aiaas_iac.parsers import parse_file
from aiaas_iac.parsers.hcl_expressions import (BinaryOp, Call, Conditional, ForExpr, Index, Splat, Template, TemplateFor,
                                              TemplateIf, Traversal, UnaryOp)
from aiaas_iac.parsers.terraform import HclSyntaxError
from aiaas_iac.parsers.terraform_ts import MAX_NESTING, parse_terraform, parse_tfvars

SECONDS = 10  # generous for a loaded CI machine; a blow-up takes minutes


def value(expression: str):
    (local,) = parse_terraform(f"locals {{\n  v = {expression}\n}}\n", "m.tf", ".")
    return local.get("value")


def test_operators_follow_hcl_precedence():
    sum_ = value("var.a + var.b * 2")
    assert isinstance(sum_, BinaryOp) and sum_.operator == "+" and sum_.left.text == "var.a"
    assert (sum_.right.operator, sum_.right.text, sum_.refs) == ("*", "var.b * 2", ("var.a", "var.b"))
    assert value("var.a || var.b && var.c").right.operator == "&&"
    assert value("(var.a || var.b) && var.c").left.operator == "||"


def test_conditionals_group_to_the_right():
    chain = value("var.a ? 1 : var.b ? 2 : 3")
    assert isinstance(chain, Conditional) and chain.condition.text == "var.a" and chain.if_true == 1
    assert isinstance(chain.if_false, Conditional) and chain.if_false.text == "var.b ? 2 : 3"
    assert (chain.if_false.if_true, chain.if_false.if_false) == (2, 3)
    grouped = value("(var.a ? var.b : var.c) ? 2 : 3")
    assert grouped.condition.text == "var.a ? var.b : var.c" and grouped.if_true == 2


def test_literals_fold_and_references_stay_traversals():
    assert (value("-1"), value("!true"), value("1.5"), value("1" * 5000)) == (-1, False, 1.5, "1" * 5000)
    negated = value("!var.enabled")
    assert isinstance(negated, UnaryOp) and negated.operand.parts == ("var", "enabled")
    assert value('var.m["k"][0].name').parts == ("var", "m", "k", 0, "name")
    assert value("var.l.0").parts == ("var", "l", 0)
    index = value("local.roles[count.index]")
    assert isinstance(index, Index) and index.key.parts == ("count", "index") and index.base.parts == ("local", "roles")


def test_splats_for_expressions_and_calls():
    full = value("aws_iam_role.r[*].arn")
    assert isinstance(full, Splat) and (full.full, full.parts, full.base.text) == (True, ("arn",), "aws_iam_role.r")
    attribute_only = value("var.l.*.name[0]")
    assert isinstance(attribute_only, Index) and attribute_only.key == 0
    assert (attribute_only.base.full, attribute_only.base.parts) == (False, ("name",))
    listed = value('[for k, v in var.m : v.arn if k != "x"]')
    assert isinstance(listed, ForExpr) and (listed.key_var, listed.value_var, listed.is_object) == ("k", "v", False)
    assert listed.collection.parts == ("var", "m") and listed.condition.operator == "!="
    grouped = value("{for r in var.roles : r.name => r.arn...}")
    assert grouped.is_object and grouped.grouping and grouped.key_expr.text == "r.name"
    call = value("concat(local.lists...)")
    assert isinstance(call, Call) and call.expand and call.args[0].parts == ("local", "lists")
    assert value("provider::aws::arn_parse(var.arn)").name == "provider::aws::arn_parse"


def test_templates_escapes_and_directives():
    assert value(r'"a\"b\n\u00e9 $${x} %%{y}"') == 'a"b\né ${x} %{y}'
    template = value('"arn:${var.p}:%{ if var.on }on%{ else }off%{ endif }"')
    assert isinstance(template, Template) and template.refs == ("var.p", "var.on")
    directive = template.parts[-1]
    assert isinstance(directive, TemplateIf) and (directive.if_true, directive.if_false) == (("on",), ("off",))
    loop = value('"%{ for r in var.l }${r},%{ endfor }"').parts[0]
    assert isinstance(loop, TemplateFor) and loop.value_var == "r" and loop.body[1] == ","
    assert value('"  ${~ var.x ~}  !"').parts == (Traversal("var.x", ("var.x",), ("var", "x")), "!")


def test_heredoc_dedent_and_interpolation():
    (local,) = parse_terraform('locals {\n  v = <<-EOT\n    a ${var.x}\n      b $${y}\n    EOT\n}\n', "m.tf", ".")
    doc = local.get("value")
    assert isinstance(doc, Template) and doc.parts == ("a ", Traversal("var.x", ("var.x",), ("var", "x")), "\n  b ${y}\n")
    assert (local.span.start_line, local.span.end_line) == (2, 5)


def test_columns_count_characters_not_bytes():
    (resource,) = parse_terraform('resource "x" "y" {\n  a = "é" ; b = 1\n}\n'.replace(" ; ", "\n  "), "m.tf", ".")
    assert resource.span_of("b").start_column == 3
    (tfvars,) = parse_tfvars('name = "ééé"\nn = 1\n', "t.tfvars", ".")
    assert tfvars.spans[("name",)].end_column == 13 and tfvars.attributes == {"name": "ééé", "n": 1}


# Hostile input: one error line (with the line where it is known) or a result, quickly.

@pytest.mark.parametrize("source, line, message", [
    ('resource "a" "b" {\n  tags = {}\n', 2, "invalid HCL: unexpected end of file (unclosed block, string or bracket?)"),
    ('resource "a" "b" {\n  x = 1 ]\n}\n', 2, "invalid HCL: unexpected ']'"),
    ('resource "a" "b" {\n  p = <<EOT\n  text\n}\n', 2, "invalid HCL: unterminated heredoc"),
    ('resource "a" "b" {\n  name = "abc\n}\n', 2, "invalid HCL: unterminated string"),
    ('locals {\n  v = "${}"\n}\n', 2, "invalid HCL: empty ${} interpolation"),
    ('locals {\n  v = 0x1F\n}\n', 2, "invalid HCL: hexadecimal numbers are not HCL"),
    ("{\n  a = 1\n}\n", 1, "invalid HCL: unexpected '{'"),
])
def test_malformed_hcl_is_one_error_with_its_line(source, line, message):
    with pytest.raises(HclSyntaxError) as raised:
        parse_terraform(source, "bad.tf", ".")
    assert (raised.value.line, str(raised.value)) == (line, message)


def test_a_long_token_is_never_echoed():
    secret = "sk-proj-" + "A" * 60
    with pytest.raises(HclSyntaxError) as raised:
        parse_terraform(f'resource "a" "b" {{\n  key "{secret}" x\n}}\n', "bad.tf", ".")
    assert secret[:8] not in str(raised.value)


def parse_path(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    started = time.perf_counter()
    parsed = parse_file(SourceFile(path, name, "terraform"))
    return parsed, time.perf_counter() - started


@pytest.mark.parametrize("data, line, message", [
    (b'resource "a" "b" {\n  n = "\x00"\n}\n', 2, "contains NUL bytes (binary file?)"),
    (b'resource "a" "b" {\n  n = "caf\xe9"\n}\n', 2, "not valid UTF-8 (byte 0xe9)"),
])
def test_binary_and_invalid_utf8_are_refused_before_parsing(tmp_path, data, line, message):
    parsed, _ = parse_path(tmp_path, "main.tf", data)
    assert [(e.line, e.message) for e in parsed.errors] == [(line, message)] and not parsed.resources


@pytest.mark.parametrize("nested", ["{ a = " * 10_000 + "1" + " }" * 10_000, "[" * 10_000 + "]" * 10_000,
                                    '"${' * 10_000 + "x" + '}"' * 10_000, "f(" * 10_000 + ")" * 10_000,
                                    " + ".join(["var.x"] * 10_000), "-" * 10_000 + "1",
                                    "{ a = " * (MAX_NESTING + 1) + "1" + " }" * (MAX_NESTING + 1)])
def test_ten_thousand_levels_are_one_nesting_error(tmp_path, nested):
    parsed, seconds = parse_path(tmp_path, "deep.tf", f"locals {{\n  x = {nested}\n}}\n".encode())
    assert [e.line for e in parsed.errors] == [2] and "nesting" in parsed.errors[0].message
    assert seconds < SECONDS


def test_nesting_under_the_limit_parses(tmp_path):
    depth = MAX_NESTING - 10
    parsed, _ = parse_path(tmp_path, "deep.tf", f"locals {{\n  x = {'[' * depth}1{']' * depth}\n}}\n".encode())
    assert not parsed.errors and parsed.resources[0].get("value") == eval("[" * depth + "1" + "]" * depth)


def test_one_mebibyte_line_and_a_hundred_thousand_attributes(tmp_path):
    long_line = 'locals {\n  v = "' + "a" * (1 << 20) + '"\n}\n'
    parsed, seconds = parse_path(tmp_path, "long.tf", long_line.encode())
    assert not parsed.errors and len(parsed.resources[0].get("value")) == 1 << 20 and seconds < SECONDS
    wide = "locals {\n" + "".join(f"  a{i} = {i}\n" for i in range(100_000)) + "}\n"
    parsed, seconds = parse_path(tmp_path, "wide.tf", wide.encode())
    assert len(parsed.resources) == 100_000 and parsed.resources[-1].span.start_line == 100_001
    assert seconds < SECONDS


@pytest.mark.parametrize("blank", [" ", "\n"])
def test_a_mebibyte_of_blanks_between_tokens_is_cancelled_by_the_read_meter(tmp_path, blank):
    parsed, seconds = parse_path(tmp_path, "blank.tf", ("locals {\n  v = (" + blank * (1 << 20) + "1)\n}\n").encode())
    assert [(e.line, e.message) for e in parsed.errors] == [
        (2, "invalid HCL: too costly to parse (a very long run of blank characters?); skipped")]
    assert seconds < SECONDS
    # The parser is reset after a cancelled parse: the next file is parsed from its start.
    assert [r.address for r in parse_terraform('resource "a" "b" {}\n', "ok.tf", ".")] == ["a.b"]
