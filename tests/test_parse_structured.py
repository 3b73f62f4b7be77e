"""YAML/JSON files are decoded once and recognised by what they decode to, wherever the keys are."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from aiaas_iac.discover import SourceFile
from aiaas_iac.parsers import ParsedFile, parse_file

COMMENTS = "# generated file, do not edit\n" * 7_000  # ~200 KB before any content
MANIFEST = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: runner\n"
TEMPLATE = "Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n"


def parse(tmp_path: Path, text: str, name: str = "file.yaml") -> ParsedFile:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text) if text.startswith("\n") else text)
    return parse_file(SourceFile(path, name, "structured"))


def addresses(parsed: ParsedFile) -> list[str]:
    return [r.address for r in parsed.resources]


def test_manifest_after_200_kb_of_comments(tmp_path):
    assert addresses(parse(tmp_path, COMMENTS + MANIFEST)) == ["ServiceAccount/runner"]


def test_template_without_format_version_after_200_kb_of_comments(tmp_path):
    assert addresses(parse(tmp_path, COMMENTS + TEMPLATE)) == ["Logs"]


def test_plan_with_format_version_after_its_other_keys(tmp_path):
    plan = {"terraform_version": "1.9.5", "variables": {"padding": {"value": "x" * 5000}},
            "planned_values": {"root_module": {"resources": [
                {"address": "aws_iam_user.bot", "mode": "managed", "type": "aws_iam_user", "name": "bot",
                 "values": {"name": "bot"}}]}},
            "format_version": "1.2"}
    assert addresses(parse(tmp_path, json.dumps(plan), "plan.json")) == ["aws_iam_user.bot"]


def test_keys_spelled_with_json_escapes_are_still_recognised(tmp_path):
    template = '{"\\u0052esources": {"Logs": {"Type": "AWS::S3::Bucket"}}}'
    manifest = '{"\\u0061piVersion": "v1", "\\u006bind": "ServiceAccount", "metadata": {"name": "runner"}}'
    assert addresses(parse(tmp_path, template, "t.json")) == ["Logs"]
    assert addresses(parse(tmp_path, manifest, "m.json")) == ["ServiceAccount/runner"]


def test_keys_spelled_with_yaml_escapes_are_still_recognised(tmp_path):
    assert addresses(parse(tmp_path, '"\\x52esources":\n  Logs:\n    Type: AWS::S3::Bucket\n')) == ["Logs"]


def test_other_yaml_and_json_stay_silent_even_when_broken(tmp_path):
    assert parse(tmp_path, '{"name": "app", "scripts": {"test": "jest \\u0021"}}', "package.json") == ParsedFile()
    assert parse(tmp_path, "steps:\n  - run: echo \\x41\n  - [broken\n", "ci.yml") == ParsedFile()
    assert parse(tmp_path, "Resources: [unclosed\n", "notes.yaml") == ParsedFile()


def test_a_multi_document_manifest_mentioning_resources_is_read_as_manifests(tmp_path):
    text = MANIFEST + "---\n" + MANIFEST.replace("runner", "builder") + "# Resources: see docs\n"
    assert addresses(parse(tmp_path, text)) == ["ServiceAccount/runner", "ServiceAccount/builder"]


def test_a_manifest_read_as_a_possible_template_keeps_its_own_tags_plain(tmp_path):
    text = MANIFEST + "secrets:\n  - name: !Ref Resources\n"
    (account,) = parse(tmp_path, text).resources
    assert account.get("secrets", 0, "name") == "Resources"


def test_a_manifest_with_a_repeated_key_is_still_a_manifest(tmp_path):
    text = MANIFEST + "automountServiceAccountToken: true\nautomountServiceAccountToken: false\n# Resources\n"
    (account,) = parse(tmp_path, text).resources
    assert account.get("automountServiceAccountToken") is False


def test_a_template_with_a_repeated_key_is_an_error(tmp_path):
    parsed = parse(tmp_path, TEMPLATE + "    Type: AWS::S3::Bucket\n")
    assert [(e.message, e.line) for e in parsed.errors] == [("invalid template: duplicate key", 4)]
