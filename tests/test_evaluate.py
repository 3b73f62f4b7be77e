"""The evaluator, read like a `terraform console` session: an expression in, its value out.

Each expression is parsed by the real parser (`value = <expr>` in a variables file) and
evaluated in a module whose variables and locals are given below; UNKNOWN means the value is
not certain (it depends on something unknown), INVALID that Terraform would reject it.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from aiaas_iac.evaluate import Invalid
from aiaas_iac.model import Unknown
from aiaas_iac.parsers.terraform import parse_terraform, parse_tfvars
from aiaas_iac.resolve import ModuleResolver

UNKNOWN = "UNKNOWN"
INVALID = "INVALID"

VARIABLES = {
    "private_only": True, "x": None, "cfg": {"create": True, "name": "chat"}, "n": 3, "s": "1",
    "regions": ["eu-west-1", "us-east-1"], "tags": {"b": "2", "a": "1"}, "empty": [],
}
LOCALS_SOURCE = """
locals {
  arn   = aws_iam_role.r.arn
  roles = ["reader", "writer"]
  twice = [local.roles, local.roles]
  a     = local.b
  b     = local.a
  me    = [local.me]
}
"""


def module(tmp_path: Path | None = None) -> ModuleResolver:
    locals_ = {r.name: r.attributes["value"] for r in parse_terraform(LOCALS_SOURCE, "locals.tf", ".")}
    where = tmp_path or Path(".")
    return ModuleResolver(dict(VARIABLES), locals_, where, where)


def console(expression: str, resolver: ModuleResolver | None = None) -> object:
    [parsed] = parse_tfvars(f"value = {expression}\n", "t.tfvars", ".")
    return (resolver or module()).resolve(parsed.attributes["value"])


def check(expression: str, expected: object) -> None:
    value = console(expression)
    if expected == UNKNOWN:
        assert isinstance(value, Unknown) and not isinstance(value, Invalid), (expression, value)
    elif expected == INVALID:
        assert isinstance(value, Invalid), (expression, value)
    else:
        assert value == expected and isinstance(value, bool) == isinstance(expected, bool), (expression, value)
        assert isinstance(value, float) == isinstance(expected, float), (expression, value)


OPERATORS = [
    ("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("10 - 4 - 3", 3), ("2 * 3 % 4", 2), ("7 / 2", 3.5), ("8 / 2", 4),
    ("-7 % 3", -1), ('"1" + 1', 2), ('"a" + 1', INVALID), ("1 / 0", INVALID), ("-var.n", -3),
    ('1 == "1"', False), ("1 == 1.0", True), ("true == 1", False), ('"a" != "b"', True),
    ("[1, 2] == [1, 2]", True), ('{a = 1} == {a = 1}', True), ("null == null", True), ("var.x == null", True),
    ("3 > 2 && 2 >= 2", True), ("1 < 2 || false", True), ('var.s < 2', True), ("!var.private_only", False),
    ("!true", False), ("1 + 2 == 3 ? \"yes\" : \"no\"", "yes"), ("var.x != null ? [1] : []", []),
    ("var.cfg.create ? 1 : 0", 1), ('var.cfg.name == "chat" && var.n > 2', True),
    ("true ? 1 : aws_x.y.z", 1), ("false ? aws_x.y.z : 2", 2), ("aws_x.y.z ? 1 : 2", UNKNOWN),
    ('"true" ? 1 : 2', 1), ("1 ? 2 : 3", INVALID), ("aws_x.y.n + 1", UNKNOWN), ("!aws_x.y.b", UNKNOWN),
    # A decisive operand settles && and || whatever the other is (see evaluate's docstring).
    ("true || aws_x.y.b", True), ("aws_x.y.b && false", False), ("true && aws_x.y.b", UNKNOWN),
]

COLLECTIONS = [
    ("var.regions[1]", "us-east-1"), ('var.tags["a"]', "1"), ("var.tags.b", "2"), ("var.regions[5]", INVALID),
    ("var.tags.missing", INVALID), ("local.roles[var.n - 3]", "reader"), ('{a = {b = 1}}["a"].b', 1),
    ("var.regions[aws_x.y.i]", UNKNOWN), ("[{a = 1}, {a = 2}][*].a", [1, 2]), ("{a = 1}[*].a", [1]),
    ("null[*].a", []), ("var.regions.*", ["eu-west-1", "us-east-1"]), ("aws_x.y[*].arn", UNKNOWN),
    ("[for r in var.regions : upper(r)]", ["EU-WEST-1", "US-EAST-1"]),
    ("[for i, r in var.regions : i if r != \"eu-west-1\"]", [1]),
    ('{for k, v in var.tags : v => k}', {"1": "a", "2": "b"}),
    ('[for k, v in var.tags : k]', ["a", "b"]),  # maps are visited in key order
    ('{for r in ["a", "b", "a"] : r => r...}', {"a": ["a", "a"], "b": ["b"]}),
    ('{for r in ["a", "a"] : r => 1}', INVALID), ("[for r in aws_x.y.list : r]", UNKNOWN),
    ("[for r in var.regions : aws_x.y[r]]", [Unknown]), ("[for r in null : r]", INVALID),
    ("[for r in toset([\"b\", \"a\"]) : r]", ["a", "b"]), ("length([for i in range(3) : i])", 3),
    # A null test on a known collection is decided whatever the collection holds (AVM's
    # `{for k, v in {...} : k => v if v != null}` over nested objects with unknown parts).
    ("{a = aws_x.y.z} != null", True), ("[aws_x.y.z] == null", False), ("aws_x.y.z == null", UNKNOWN),
    # An entry the condition cannot decide may be absent: the map's key set is unknown.
    ("length({for k, v in {a = aws_x.y.z, b = 1} : k => v if v != null})", UNKNOWN),
    ("keys({for k, v in {a = aws_x.y.z, b = 1} : k => v if v != null})", UNKNOWN),
    ("[for k, v in {for k, v in {a = aws_x.y.z} : k => v if v != null} : k]", UNKNOWN),
    ('{for k, v in {a = aws_x.y.z, b = 1} : "k" => v if v != null}', UNKNOWN),
    ("[for v in [aws_x.y.z, 1] : v if v != null]", UNKNOWN),
    ("{for k, v in {a = aws_x.y.z} : k => v... if v != null}", UNKNOWN),
]

FUNCTIONS = [
    ('merge({a = 1, b = 1}, {b = 2}, null)', {"a": 1, "b": 2}), ("concat([1], [2, 3], [])", [1, 2, 3]),
    ('lookup(var.tags, "a")', "1"), ('lookup(var.tags, "z", "d")', "d"), ('lookup(var.tags, "z")', INVALID),
    ('coalesce(null, "", "x")', "x"), ("coalesce(aws_x.y.z, \"x\")", UNKNOWN), ("coalescelist([], [1])", [1]),
    ('compact(["a", "", "b"])', ["a", "b"]), ("flatten([[1, [2]], 3, []])", [1, 2, 3]),
    ("distinct([1, 2, 1])", [1, 2]), ('contains(var.regions, "us-east-1")', True), ("contains([1], 2)", False),
    ("length(var.tags)", 2), ('length("héllo")', 5), ("length([aws_x.y.z, 1])", 2), ("keys(var.tags)", ["a", "b"]),
    ("values(var.tags)", ["1", "2"]), ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
    ("element(var.regions, 3)", "us-east-1"), ("one([])", None), ("one([1, 2])", INVALID),
    ('toset(["b", "a", "b"])', ["a", "b"]), ("tolist([1])", [1]), ("tomap({a = 1})", {"a": 1}),
    ("tostring(1.5)", "1.5"), ("tostring(null)", None), ('tonumber("12")', 12), ('tonumber("x")', INVALID),
    ('tobool("true")', True), ('format("%s-%03d-%v", "a", 7, true)', "a-007-true"), ('format("%q", "x")', '"x"'),
    ('formatlist("%s=%s", ["a", "b"], "v")', ["a=v", "b=v"]), ('join(",", var.regions)', "eu-west-1,us-east-1"),
    ('split(",", "a,b")', ["a", "b"]), ('replace("a-b-c", "-", "_")', "a_b_c"),
    ('replace("hello world", "/o(\\\\w)/", "0$1")', "hello w0rld"), ('replace("x", "/(/", "")', INVALID),
    ('lower("AbC")', "abc"), ('upper("a")', "A"), ('trimprefix("arn:x", "arn:")', "x"), ('trimsuffix("a.b", ".b")', "a"),
    ('startswith("arn:aws", "arn:")', True), ('endswith("a", "b")', False), ('strcontains("abc", "b")', True),
    ('jsonencode({b = 1, a = "<"})', {"b": 1, "a": "<"}), ('"${jsonencode({b = 1, a = "<"})}"', {"b": 1, "a": "<"}),
    ('"p=${jsonencode({b = [1], a = true})}"', 'p={"a":true,"b":[1]}'), ('jsonencode("x")', '"x"'),
    ('jsondecode("{\\"a\\": [1, 2]}")', {"a": [1, 2]}), ('jsondecode("{")', INVALID),
    ('yamldecode("a: [1, 2]")', {"a": [1, 2]}), ('base64encode("hi")', "aGk="), ('base64decode("aGk=")', "hi"),
    ("setunion([\"b\"], [\"a\", \"b\"])", ["a", "b"]), ("setintersection([1, 2], [2, 3])", [2]),
    ("range(3)", [0, 1, 2]), ("range(1, 7, 3)", [1, 4]), ("abs(-2)", 2), ("max(1, 5, 3)", 5), ("min(2, 1)", 1),
    ("ceil(1.2)", 2), ("floor(1.8)", 1), ('substr("hello", 1, 3)', "ell"), ('trimspace("  a ")', "a"),
    ('title("hello world")', "Hello World"), ("alltrue([true, \"true\"])", True), ("anytrue([])", False),
    ("sum([1, 2.5])", 3.5), ("reverse([1, 2])", [2, 1]), ("slice([1, 2, 3], 1, 3)", [2, 3]),
    ('sort(["b", "a"])', ["a", "b"]), ("chunklist([1, 2, 3], 2)", [[1, 2], [3]]),
    ('transpose({a = ["x"], b = ["x", "y"]})', {"x": ["a", "b"], "y": ["b"]}),
    ('md5("a")', "0cc175b9c0f1b6a831c399e269772661"), ("concat(local.twice...)", ["reader", "writer", "reader", "writer"]),
    ("try(var.tags.missing, var.tags.a)", "1"), ("try(aws_x.y.z, 1)", UNKNOWN), ("can(var.tags.missing)", False),
    ("can(var.tags.a)", True), ("provider::aws::arn_parse(\"arn:aws:iam::1:role/x\")", UNKNOWN),
    ("upper(aws_x.y.name)", UNKNOWN), ("no_such_function(1)", UNKNOWN),
    # Held-out repositories: compact drops nulls (`compact([try(var.t.create, null)])` gates a
    # dynamic block), setproduct builds role x member grants, can(regex()) picks a kind.
    ('compact([null, "", "a", null])', ["a"]), ("length(compact([null, null])) > 0", False),
    ('regex("^arn:aws:([a-z]+):", "arn:aws:bedrock:x")', ["bedrock"]), ('regex("b+", "abbbc")', "bbb"),
    ('regex("(?P<svc>[a-z]+)-(?P<n>[0-9]+)", "x bedrock-12")', {"svc": "bedrock", "n": "12"}),
    ('regex("z", "abc")', INVALID), ('can(regex("^sk-", "abc"))', False), ('can(regex("^a", "abc"))', True),
    ('regexall("[0-9]", "a1b2")', ["1", "2"]), ('regexall("z", "a")', []), ('regex("(", "a")', INVALID),
    ('setproduct(["r1", "r2"], ["m1"])', [["r1", "m1"], ["r2", "m1"]]), ("setproduct([1], [])", []),
    ('index(["a", "b"], "b")', 1), ('index(["a"], "c")', INVALID), ("index([aws_x.y.z, 1], 1)", UNKNOWN),
    ('nonsensitive(sensitive({a = 1}))', {"a": 1}), ('chomp("abc\\n\\n")', "abc"), ('strrev("ab")', "ba"),
    ("regex(aws_x.y.z, \"a\")", UNKNOWN),
]

REFERENCES = [
    ("local.arn", Unknown), ("local.a", UNKNOWN), ('"${var.cfg.name}-${var.n}"', "chat-3"),
    ('"${aws_x.y.name}-x"', UNKNOWN), ('"x${var.cfg}"', INVALID), ('"${var.cfg}"', VARIABLES["cfg"]), ("var.not_given", UNKNOWN),
    ('"%{ if var.private_only }private%{ else }public%{ endif }"', "private"),
    ('"%{ for r in var.regions }${r};%{ endfor }"', "eu-west-1;us-east-1;"),
]


@pytest.mark.parametrize("expression, expected", OPERATORS + COLLECTIONS + FUNCTIONS + REFERENCES)
def test_console(expression, expected):
    if expected is Unknown:
        assert isinstance(console(expression), Unknown)
    elif isinstance(expected, list) and expected and expected[0] is Unknown:
        value = console(expression)
        assert isinstance(value, list) and all(isinstance(v, Unknown) for v in value)
    else:
        check(expression, expected)


def test_an_unknown_keeps_the_references_it_depends_on():
    value = console("var.cfg.create ? aws_iam_role.a.arn : aws_iam_role.b.arn")
    assert value.__class__.__name__ == "Traversal" and value.refs == ("aws_iam_role.a.arn",)
    value = console("aws_x.y.on ? local.arn : var.n")
    assert isinstance(value, Unknown) and set(value.refs) == {"aws_x.y.on", "aws_iam_role.r.arn"}
    assert console("local.arn").refs == ("aws_iam_role.r.arn",)  # a local naming a resource is that reference
    assert console("merge({a = aws_x.y.arn}, {b = 2})")["a"].refs == ("aws_x.y.arn",)


def test_an_object_for_keeps_the_entries_its_condition_decides():
    from aiaas_iac.evaluate import MaybeAbsent

    value = console("{for k, v in {kind = \"OpenAI\", sub = aws_x.y.name, off = false, gone = null} : k => v if v != null}")
    assert set(value) == {"kind", "sub", "off"} and value["kind"] == "OpenAI" and value["off"] is False
    assert isinstance(value["sub"], MaybeAbsent) and value["sub"].refs == ("aws_x.y.name",)
    # merge over it: a later known value settles the key; the maybe-absent one never does.
    merged = console("merge({for k, v in {a = aws_x.y.z} : k => v if v != null}, {b = 1})")
    assert merged["b"] == 1 and isinstance(merged["a"], MaybeAbsent)
    assert console("merge({for k, v in {a = aws_x.y.z} : k => v if v != null}, {a = 1})") == {"a": 1}
    assert isinstance(console('lookup({for k, v in {a = aws_x.y.z} : k => v if v != null}, "a", 2)'), Unknown)


def test_jsonencode_keeps_the_statements_of_a_policy_and_their_holes():
    value = console('jsonencode({Statement = [{Action = var.cfg.create ? "bedrock:*" : "s3:*", Resource = aws_x.y.arn}]})')
    statement = value["Statement"][0]
    assert statement["Action"] == "bedrock:*" and statement["Resource"].refs == ("aws_x.y.arn",)


def test_file_and_templatefile_read_only_inside_the_scan(tmp_path):
    (tmp_path / "p.tpl").write_text('{"Action": "${action}", "Resource": [%{ for r in rs ~}"${r}"%{ endfor ~}]}')
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("token")
    resolver = module(tmp_path)
    assert console('templatefile("p.tpl", {action = "bedrock:*", rs = ["a"]})', resolver) == \
        '{"Action": "bedrock:*", "Resource": ["a"]}'
    assert isinstance(console('file(".git/config")', resolver), Unknown)
    assert isinstance(console('file("/etc/passwd")', resolver), Unknown)
    assert isinstance(console('templatefile("p.tpl", {action = var.nope, rs = []})', resolver), Unknown)


@pytest.mark.parametrize("expression", [
    "range(1e9)", "length(range(1e9))", "[for i in range(100000) : [for j in range(100000) : j]]",
    'join("", [for i in range(2000) : join("", [for j in range(2000) : "aaaaaaaaaa"])])',
    "flatten(local.twice)", "local.a", "local.b", "local.me[0]",
    # A backtracking pattern over a long subject, a match list and a product too big to build.
    'regex("(x+x+)+y", join("", [for i in range(5000) : "x"]))',
    'regexall("a", join("", [for i in range(200000) : "a"]))',
    "setproduct(range(1000), range(1000), range(1000))",
])
def test_hostile_expressions_end_quickly_as_unknown(expression):
    start = time.perf_counter()
    value = console(expression)
    assert time.perf_counter() - start < 5
    if expression != "flatten(local.twice)":
        assert isinstance(value, Unknown)


def test_a_value_doubled_forty_times_is_measured_not_written_out():
    source = "locals {\n  a0 = [\"x\"]\n" + "".join(f"  a{i} = [local.a{i - 1}, local.a{i - 1}]\n"
                                                    for i in range(1, 41)) + "}\n"
    locals_ = {r.name: r.attributes["value"] for r in parse_terraform(source, "l.tf", ".")}
    resolver = ModuleResolver({}, locals_, Path("."), Path("."))
    start = time.perf_counter()
    for expression in ("flatten(local.a40)", "jsonencode(local.a40) == \"\"", '"x${jsonencode(local.a40)}"',
                       "local.a40 == local.a39", "length(local.a40)"):
        value = console(expression, resolver)
        assert expression == "length(local.a40)" and value == 2 or isinstance(value, Unknown), expression
    assert time.perf_counter() - start < 5


def test_deep_nesting_is_cut_at_the_depth_limit():
    from aiaas_iac.evaluate import Evaluator
    from aiaas_iac.parsers.hcl_expressions import Traversal

    deep: object = [Traversal("var.n", ("var.n",), ("var", "n"))]
    for _ in range(20_000):
        deep = [deep]
    start = time.perf_counter()
    Evaluator(module()).evaluate(deep)  # returns, without RecursionError
    assert console("length(" + "[" * 40 + "1" + "]" * 40 + ")") == 1
    assert time.perf_counter() - start < 5


def test_a_mebibyte_string_and_a_pathological_regex_stay_bounded():
    big = "a" * (1 << 20)
    start = time.perf_counter()
    assert isinstance(console(f'"{big}${{var.s}}{big}"'), Unknown)  # past the value limit
    assert isinstance(console(f'replace("{big}b", "/(a|aa)*c/", "")'), Unknown)  # longer than a regex may read
    subject = "a" * 5000 + "b"
    value = console(f'replace("{subject}", "/(a|aa)*c/", "")')
    assert value == subject or isinstance(value, Unknown)  # a match or the timeout, never a hang
    assert time.perf_counter() - start < 10


def test_a_long_chain_of_locals_does_not_exhaust_the_stack():
    source = "locals {\n  l0 = 1\n" + "".join(f"  l{i} = local.l{i - 1} + 1\n" for i in range(1, 400)) + "}\n"
    locals_ = {r.name: r.attributes["value"] for r in parse_terraform(source, "l.tf", ".")}
    value = console("local.l399", ModuleResolver({}, locals_, Path("."), Path(".")))
    assert value == 400 or isinstance(value, Unknown)


def test_a_directive_in_tf_json_and_in_a_quoted_string_is_the_same_template():
    from aiaas_iac.parsers.terraform_json import template_value

    resolver = module()
    from_json = template_value("%{ for r in var.regions }${r},%{ endfor }")
    assert resolver.resolve(from_json) == "eu-west-1,us-east-1,"
    assert console('"%{ for r in var.regions }${r},%{ endfor }"') == "eu-west-1,us-east-1,"
    assert isinstance(template_value("%{ if x }unclosed"), Unknown)
