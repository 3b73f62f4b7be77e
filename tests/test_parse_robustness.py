"""Hostile and broken YAML/JSON: one ParseError or a clean result, never an exception, in bounded time."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiaas_iac.discover import SourceFile, file_kind
from aiaas_iac.parsers import ParsedFile, ParseLimits, parse_file
from aiaas_iac.parsers.structured import parse as parse_structured
from aiaas_iac.parsers.terraform_json import parse as parse_terraform_json

REPO = Path(__file__).resolve().parent.parent
SECONDS = 10  # generous: CI machines are slow; a real blow-up takes minutes or all memory

CFN_HEAD = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n"
K8S_HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n"
DEEP = "[" * 10_000 + "]" * 10_000
TOO_DEEP_FOR_LIMITS = "[" * 500 + "]" * 500
BILLION_LAUGHS = "".join(
    [' a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n']
    + [f" {chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)]
)


def parse_bytes(tmp_path: Path, name: str, data: bytes) -> tuple[ParsedFile, float]:
    path = tmp_path / name
    path.write_bytes(data)
    started = time.perf_counter()
    parsed = parse_file(SourceFile(path, name, file_kind(name) or "structured"))
    return parsed, time.perf_counter() - started


def assert_one_error(parsed: ParsedFile, line: int | None = None) -> None:
    assert parsed.resources == ()
    assert len(parsed.errors) == 1, parsed.errors
    if line is not None:
        assert parsed.errors[0].line == line


@pytest.mark.parametrize("name, text, line", [
    ("manifest.yaml", K8S_HEAD + "data:\n  a: [unclosed\n", 6),
    ("template.yaml", CFN_HEAD + "      BucketName: {unclosed\n", 7),
    ("template.json", '{"AWSTemplateFormatVersion": "2010-09-09",\n "Resources": {"B": {"Type": "AWS::S3::Bucket"}\n', 3),
    ("main.tf.json", '{"resource": {"aws_iam_user": {"bot": {"name": "b",}}}', 1),
    ("plan.json", '{"format_version": "1.2", "planned_values": {"root_module": {\n', 2),
])
def test_malformed_file_is_one_error_with_its_line(tmp_path, name, text, line):
    parsed, _ = parse_bytes(tmp_path, name, text.encode())
    assert_one_error(parsed, line)


@pytest.mark.parametrize("name, text", [
    ("manifest.yaml", K8S_HEAD + "data: " + DEEP + "\n"),
    ("template.yaml", CFN_HEAD + "      Tags: " + DEEP + "\n"),
    ("template.json", '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"B": {"Type": "AWS::S3::Bucket", '
                      '"Properties": {"Tags": ' + DEEP + '}}}}'),
    ("main.tf.json", '{"resource": {"aws_s3_bucket": {"b": {"tags": ' + DEEP + '}}}}'),
    ("plan.json", '{"format_version": "1.2", "planned_values": {"root_module": {"resources": ' + DEEP + '}}}'),
])
def test_ten_thousand_levels_of_nesting(tmp_path, name, text):
    parsed, seconds = parse_bytes(tmp_path, name, text.encode())
    assert_one_error(parsed)
    assert seconds < SECONDS


@pytest.mark.parametrize("name, text", [
    ("manifest.yaml", K8S_HEAD + "data: " + TOO_DEEP_FOR_LIMITS + "\n"),
    ("template.yaml", CFN_HEAD + "      Tags: " + TOO_DEEP_FOR_LIMITS + "\n"),
    ("main.tf.json", '{"resource": {"aws_s3_bucket": {"b": {"tags": ' + TOO_DEEP_FOR_LIMITS + '}}}}'),
])
def test_nesting_beyond_the_depth_limit_is_an_error(tmp_path, name, text):
    parsed, _ = parse_bytes(tmp_path, name, text.encode())
    assert_one_error(parsed)
    assert "nesting" in parsed.errors[0].message


@pytest.mark.parametrize("name, head", [("manifest.yaml", K8S_HEAD + "data:\n"), ("template.yaml", CFN_HEAD + "     ")])
def test_billion_laughs_alias_bomb(tmp_path, name, head):
    bomb = BILLION_LAUGHS if name == "manifest.yaml" else BILLION_LAUGHS.replace("\n ", "\n      ")
    parsed, seconds = parse_bytes(tmp_path, name, (head + bomb).encode())
    assert_one_error(parsed)
    assert "alias" in parsed.errors[0].message
    assert seconds < SECONDS


def test_alias_that_contains_itself(tmp_path):
    parsed, _ = parse_bytes(tmp_path, "manifest.yaml", (K8S_HEAD + "data: &loop\n  self: *loop\n").encode())
    assert_one_error(parsed)


def test_moderate_anchor_reuse_is_fine(tmp_path):
    services = "".join(f"  s{i}:\n    <<: *defaults\n    name: s{i}\n" for i in range(300))
    text = K8S_HEAD + "defaults: &defaults {image: api, replicas: 2, env: {A: 1, B: 2, C: 3}}\ndata:\n" + services
    parsed, _ = parse_bytes(tmp_path, "manifest.yaml", text.encode())
    assert parsed.errors == ()
    assert parsed.resources[0].get("data", "s299", "env", "C") == 3


@pytest.mark.parametrize("name", ["manifest.yaml", "template.yaml", "main.tf.json"])
def test_nul_bytes(tmp_path, name):
    parsed, _ = parse_bytes(tmp_path, name, b"apiVersion: v1\nkind: Pod\nmetadata: {name: \x00}\n")
    assert [(e.line, e.message) for e in parsed.errors] == [(3, "contains NUL bytes (binary file?)")]


@pytest.mark.parametrize("name", ["manifest.yaml", "plan.json"])
def test_invalid_utf8(tmp_path, name):
    parsed, _ = parse_bytes(tmp_path, name, b"apiVersion: v1\nkind: Pod\nmetadata: {name: caf\xe9}\n")
    assert [(e.line, e.message) for e in parsed.errors] == [(3, "not valid UTF-8 (byte 0xe9)")]


def test_unacceptable_control_character_in_a_manifest(tmp_path):
    parsed, _ = parse_bytes(tmp_path, "manifest.yaml", b"apiVersion: v1\nkind: Pod\nmetadata: {name: \x1b[31m}\n")
    assert [(e.line, e.message) for e in parsed.errors] == [(3, "invalid YAML: unacceptable character #x001b")]


def crlf_with_bom(text: str) -> bytes:
    return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()


def test_bom_and_crlf_manifest_keeps_its_lines(tmp_path):
    parsed, _ = parse_bytes(tmp_path, "manifest.yaml", crlf_with_bom(K8S_HEAD + "data:\n  MODEL: gpt-4o\n"))
    (config,) = parsed.resources
    assert config.address == "ConfigMap/settings"
    assert config.span_of("data", "MODEL").start_line == 5


def test_bom_and_crlf_template_keeps_its_lines(tmp_path):
    parsed, _ = parse_bytes(tmp_path, "template.yaml", crlf_with_bom(CFN_HEAD + "      BucketName: logs\n"))
    (bucket,) = parsed.resources
    assert (bucket.span.start_line, bucket.span.end_line) == (3, 6)
    assert bucket.span_of("BucketName").start_line == 6


def test_bom_and_crlf_terraform_json_keeps_its_lines(tmp_path):
    text = '{\n  "resource": {\n    "aws_iam_user": {\n      "bot": {"name": "b"}\n    }\n  }\n}\n'
    parsed, _ = parse_bytes(tmp_path, "main.tf.json", crlf_with_bom(text))
    assert [(r.address, r.span.start_line) for r in parsed.resources] == [("aws_iam_user.bot", 4)]


def fragments(*tokens: str) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(tokens), max_size=60).map("".join)


YAMLISH = fragments(*"abk:-[]{}&*!|>'\"#\t ,?%@`$", "\n", "\n  ", "apiVersion: v1\n", "kind: Pod\n",
                    "Resources:\n", "Type: AWS::S3::Bucket\n", "<<: ", "${", "}", "{{")
JSONISH = fragments(*'{}[]":,0a', "\\", "\n", '"resource"', '"locals"', '"${var.x}"', '"${', "%{", "$${")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=YAMLISH)
def test_arbitrary_yaml_never_raises(tmp_path, text):
    source = SourceFile(tmp_path / "x.yaml", "x.yaml", "structured")
    parsed = parse_structured(source, text, ParseLimits())
    assert len(parsed.errors) <= 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=JSONISH)
def test_arbitrary_terraform_json_never_raises(tmp_path, text):
    source = SourceFile(tmp_path / "x.tf.json", "x.tf.json", "tfjson")
    parsed = parse_terraform_json(source, text, ParseLimits())
    assert len(parsed.errors) <= 1


PLAIN_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(value=PLAIN_VALUES, flow=st.booleans())
def test_positioned_values_equal_pyyaml_values(value, flow):
    import yaml

    from aiaas_iac.parsers.positioned_yaml import load_yaml_documents

    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    (document,) = load_yaml_documents(text)
    assert document.value == yaml.safe_load(text)


AGENT_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  SupportAgent:
    Type: AWS::Bedrock::Agent
    Properties:
      AgentName: !Sub ${AWS::StackName}-support
      FoundationModel: anthropic.claude-3-haiku-20240307-v1:0
"""


def test_no_scan_imports_cfn_lint_not_even_of_templates(tmp_path):
    # cfn-lint is a test dependency only (sample validation); importing it costs about half a second.
    (tmp_path / "main.tf").write_text('resource "aws_iam_user" "bot" {\n  name = "bedrock-bot"\n}\n')
    (tmp_path / "ci.yml").write_text("on: [push]\njobs: {}\n")
    (tmp_path / "deploy.yaml").write_text(K8S_HEAD)
    (tmp_path / "agent.yaml").write_text(AGENT_TEMPLATE)
    (tmp_path / "users.json").write_text('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {\n'
                                         '  "User": {"Type": "AWS::IAM::User"},\n  "User": {"Type": "AWS::IAM::User"}}}')
    code = ("import sys; from aiaas_iac.engine import scan; report = scan(sys.argv[1]); "
            "print([(f.code, f.location.file) for f in report.findings if f.code == 'AIA105'], "
            "[(e.file, e.line) for e in report.errors], 'cfnlint' in sys.modules)")
    environment = {**os.environ, "AIAAS_IAC_CACHE_DIR": str(tmp_path / ".cache")}
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=REPO, env=environment,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "[('AIA105', 'agent.yaml')] [('users.json', 3)] False", result.stderr
