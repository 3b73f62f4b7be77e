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


# Where tree-sitter-hcl's grammar falls short of Terraform's, the default entry point
# (terraform.parse_terraform / parse_tfvars) parses the file again with python-hcl2's parser.

def test_an_exponent_without_a_fraction_parses_through_the_default_entry_point():
    from aiaas_iac.parsers import terraform

    with pytest.raises(HclSyntaxError):  # the grammar gap itself
        parse_tfvars("n = 1e9\n", "t.tfvars", ".")
    (tfvars,) = terraform.parse_tfvars("n = 1e9\nm = [2E-2, 1e+3]\nr = range(1e9)\n", "t.tfvars", ".")
    assert tfvars.get("n") == 1000000000.0 and isinstance(tfvars.get("n"), float)
    assert tfvars.get("m") == [0.02, 1000.0]
    assert isinstance(tfvars.get("r"), Call) and tfvars.get("r").args == (1000000000.0,)
    (local,) = terraform.parse_terraform("locals {\n  v = 5e0 * var.n\n}\n", "m.tf", ".")
    assert local.get("value").left == 5.0 and local.spans[("value",)].start_line == 2


def test_a_heredoc_marker_over_a_kibibyte_parses_through_the_default_entry_point():
    from aiaas_iac.parsers import terraform

    marker = "E" * 1500
    source = f'locals {{\n  v = <<{marker}\nhello ${{var.x}}\n{marker}\n  w = 1\n}}\n'
    with pytest.raises(HclSyntaxError):
        parse_terraform(source, "m.tf", ".")
    value_, w = terraform.parse_terraform(source, "m.tf", ".")
    assert isinstance(value_.get("value"), Template) and value_.get("value").refs == ("var.x",)
    assert (w.get("value"), w.span.start_line) == (1, 5)


def error_of(parse, source: str) -> tuple:
    with pytest.raises(HclSyntaxError) as raised:
        parse(source, "bad.tf", ".")
    return raised.value.line, str(raised.value)


@pytest.mark.parametrize("source, line", [
    ('resource "a" "b" {\n  x = 1 ]\n}\n', 2),
    ('resource "a" "b" {\n  p = <<EOT\n  text\n}\n', 2),
    ('locals {\n  a = 1e9\n  b = = 2\n}\n', 3),
])
def test_when_both_parsers_reject_a_file_tree_sitters_error_stands(source, line):
    from aiaas_iac.parsers import terraform

    lark_error = error_of(terraform.parse_terraform_lark, source)
    assert error_of(terraform.parse_terraform, source) == error_of(parse_terraform, source)
    assert error_of(parse_terraform, source)[0] == line and lark_error[1].startswith("invalid HCL")


def test_a_large_file_tree_sitter_rejects_is_not_parsed_again(tmp_path, monkeypatch):
    from aiaas_iac.parsers import terraform

    calls = []
    monkeypatch.setattr(terraform, "parse_terraform_lark", lambda *args: calls.append(args) or [])
    attributes = "".join(f"  a{i} = {i}\n" for i in range(terraform.FALLBACK_MAX_CHARACTERS // 10))
    parsed, seconds = parse_path(tmp_path, "big.tf", f"locals {{\n{attributes}  z = = 1\n}}\n".encode())
    line = terraform.FALLBACK_MAX_CHARACTERS // 10 + 2
    assert [e.line for e in parsed.errors] == [line] and calls == [] and seconds < SECONDS
    parse_path(tmp_path, "small.tf", b"locals {\n  z = = 1\n}\n")
    assert len(calls) == 1  # the same error in a small file is tried again


def test_a_hostile_file_tree_sitter_rejects_stays_fast_under_the_fallback(tmp_path):
    # Under the fallback's size limit, built for python-hcl2's heredoc regex: an unterminated
    # 1,000-character marker over 200 KB (hcl_guard refuses it) and 20,000 blank lines after one.
    from aiaas_iac.parsers import terraform

    for body in (f'  v = <<{"E" * 1000}\n' + "x\n" * 100_000, "  v = <<EOT\n" + "\n" * 20_000 + "EOT\n  w = = 1\n"):
        source = f"locals {{\n{body}}}\n"
        assert len(source) < terraform.FALLBACK_MAX_CHARACTERS
        parsed, seconds = parse_path(tmp_path, "hostile.tf", source.encode())
        assert [(e.line, e.message) for e in parsed.errors] == [error_of(parse_terraform, source)]
        assert seconds < SECONDS


def test_the_fallback_runs_under_the_per_file_budget(tmp_path):
    from aiaas_iac.parsers import ParseLimits, terraform

    count = terraform.FALLBACK_MAX_CHARACTERS // 20
    source = "locals {\n" + "".join(f"  a{i} = [{i}]\n" for i in range(count)) + "  e = 1e9\n}\n"
    assert len(source) < terraform.FALLBACK_MAX_CHARACTERS
    path = tmp_path / "exp.tf"
    path.write_text(source)
    started = time.perf_counter()
    parsed = parse_file(SourceFile(path, "exp.tf", "terraform"), ParseLimits(max_parse_seconds=0.5))
    assert [e.message for e in parsed.errors] == ["took longer than 0.5 s to parse; skipped"]
    assert time.perf_counter() - started < SECONDS
