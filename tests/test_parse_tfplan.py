"""Terraform plan JSON -> Terraform Resources with literal values, located at their `address` line."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from aiaas_iac.discover import SourceFile
from aiaas_iac.model import Span, Unknown
from aiaas_iac.parsers import ParsedFile, parse_file

PLAN = """\
{
  "format_version": "1.2",
  "terraform_version": "1.9.5",
  "planned_values": {
    "root_module": {
      "resources": [
        {
          "address": "aws_iam_user.bot",
          "mode": "managed",
          "type": "aws_iam_user",
          "name": "bot",
          "provider_name": "registry.terraform.io/hashicorp/aws",
          "schema_version": 0,
          "values": {
            "force_destroy": false,
            "name": "bedrock-bot",
            "path": "/",
            "permissions_boundary": null
          },
          "sensitive_values": {}
        }
      ],
      "child_modules": [
        {
          "resources": [
            {
              "address": "module.ai.aws_iam_policy.invoke[0]",
              "mode": "managed",
              "type": "aws_iam_policy",
              "name": "invoke",
              "index": 0,
              "provider_name": "registry.terraform.io/hashicorp/aws",
              "schema_version": 0,
              "values": {
                "name": "bedrock-invoke",
                "policy": "{\\"Statement\\":[{\\"Action\\":\\"bedrock:*\\",\\"Effect\\":\\"Allow\\",\\"Resource\\":\\"*\\"}]}"
              },
              "sensitive_values": {}
            },
            {
              "address": "module.ai.aws_iam_user_policy_attachment.each[\\"bot\\"]",
              "mode": "managed",
              "type": "aws_iam_user_policy_attachment",
              "name": "each",
              "index": "bot",
              "values": {"user": "bedrock-bot"}
            }
          ],
          "address": "module.ai"
        }
      ]
    }
  },
  "resource_changes": [
    {
      "address": "aws_iam_user.bot",
      "mode": "managed",
      "type": "aws_iam_user",
      "name": "bot",
      "change": {
        "actions": ["create"],
        "after_unknown": {"arn": true, "id": true, "tags_all": true}
      }
    }
  ],
  "prior_state": {
    "format_version": "1.0",
    "values": {
      "root_module": {
        "resources": [
          {
            "address": "data.aws_caller_identity.current",
            "mode": "data",
            "type": "aws_caller_identity",
            "name": "current",
            "values": {"account_id": "123456789012"}
          }
        ]
      }
    }
  }
}
"""


def parse(tmp_path: Path, text: str, name: str = "plan.json"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return parse_file(SourceFile(path, name, "structured"))


def by_name(parsed) -> dict:
    return {r.name: r for r in parsed.resources}


def test_root_and_child_module_resources_become_terraform_resources(tmp_path):
    parsed = parse(tmp_path, PLAN)
    assert parsed.errors == ()
    assert [(r.format, r.kind, r.type, r.address, r.module) for r in parsed.resources] == [
        ("terraform", "resource", "aws_iam_user", "aws_iam_user.bot", "plan.json#root"),
        ("terraform", "resource", "aws_iam_policy", "aws_iam_policy.invoke[0]", "plan.json#module.ai"),
        ("terraform", "resource", "aws_iam_user_policy_attachment", 'aws_iam_user_policy_attachment.each["bot"]',
         "plan.json#module.ai"),
        ("terraform", "data", "aws_caller_identity", "data.aws_caller_identity.current", "plan.json#root"),
    ]


def test_name_is_the_full_plan_address(tmp_path):
    names = [r.name for r in parse(tmp_path, PLAN).resources]
    assert names[1:3] == ["module.ai.aws_iam_policy.invoke[0]", 'module.ai.aws_iam_user_policy_attachment.each["bot"]']


def test_attributes_are_the_planned_values(tmp_path):
    policy = by_name(parse(tmp_path, PLAN))["module.ai.aws_iam_policy.invoke[0]"]
    assert policy.attributes == {
        "name": "bedrock-invoke",
        "policy": '{"Statement":[{"Action":"bedrock:*","Effect":"Allow","Resource":"*"}]}',
    }


def test_values_known_only_after_apply_are_unknown_not_absent(tmp_path):
    user = by_name(parse(tmp_path, PLAN))["aws_iam_user.bot"]
    assert user.get("arn") == Unknown("(known after apply)")
    assert user.get("permissions_boundary") is None
    assert user.get("name") == "bedrock-bot"


def test_resource_is_located_at_its_address_line(tmp_path):
    resources = by_name(parse(tmp_path, PLAN))
    assert resources["aws_iam_user.bot"].span == Span(8, 8, 11, 40)
    assert resources["module.ai.aws_iam_policy.invoke[0]"].span.start_line == 27
    assert resources["data.aws_caller_identity.current"].span.start_line == 72


def test_attribute_spans_point_into_values(tmp_path):
    user = by_name(parse(tmp_path, PLAN))["aws_iam_user.bot"]
    assert user.span_of("name") == Span(16, 16, 13, 34)


def test_minified_plan_has_columns_on_line_one(tmp_path):
    minified = json.dumps(json.loads(PLAN), separators=(",", ":"))
    user = by_name(parse(tmp_path, minified))["aws_iam_user.bot"]
    assert (user.span.start_line, user.span.end_line) == (1, 1)
    assert minified[user.span.start_column - 1:].startswith('"address":"aws_iam_user.bot"')


def test_state_shown_as_json_is_read_too(tmp_path):
    state = {"format_version": "1.0", "terraform_version": "1.9.5", "values": {"root_module": {"resources": [
        {"address": "aws_iam_access_key.bot", "mode": "managed", "type": "aws_iam_access_key", "name": "bot",
         "values": {"user": "bedrock-bot", "status": "Active"}}]}}}
    parsed = parse(tmp_path, json.dumps(state, indent=2), name="state.json")
    assert [(r.address, r.get("user")) for r in parsed.resources] == [("aws_iam_access_key.bot", "bedrock-bot")]


def test_json_with_format_version_that_is_not_a_plan_is_ignored(tmp_path):
    schema = '{"format_version": "1.0", "provider_schemas": {}, "notes": "planned_values come later"}'
    assert parse(tmp_path, schema, name="schema.json") == ParsedFile()


def test_broken_plan_json_is_an_error_with_its_line(tmp_path):
    parsed = parse(tmp_path, '{\n  "format_version": "1.2",\n  "planned_values": {"root_module": }\n}\n')
    assert [(e.file, e.line, e.message) for e in parsed.errors] == [("plan.json", 3, "invalid JSON: Expecting value")]
