import json

import yaml

from aiaas_iac.check import Check
from aiaas_iac.context import address_from
from aiaas_iac.iam.aws_agents import each, first, is_active, tool_calls
from aiaas_iac.iam.aws_write import role_policy_set
from aiaas_iac.model import Mappings, Severity

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MAX_SCHEMA_CHARACTERS = 1_000_000

# layout -> (function schema, functions list, function name, require confirmation, api schema, payload)
SCHEMA_FIELDS = {
    # hashicorp/aws has no require_confirmation (S3a); should a release add it, it reads like awscc.
    "aws": ("function_schema", "functions", "name", "require_confirmation", "api_schema", "payload"),
    "awscc": ("function_schema", "functions", "name", "require_confirmation", "api_schema", "payload"),
    "cfn": ("FunctionSchema", "Functions", "Name", "RequireConfirmation", "ApiSchema", "Payload"),
}


def _functions(group_block: dict, layout: str) -> list[dict]:
    schema_key, functions_key = SCHEMA_FIELDS[layout][:2]
    schema = first(group_block, schema_key)
    if not isinstance(schema, dict):
        return []
    # hashicorp/aws nests them in member_functions; its web docs show them directly.
    nested = first(schema, "member_functions")
    listed = first(nested, functions_key) if isinstance(nested, dict) else None
    functions = schema.get(functions_key) if listed is None else nested.get(functions_key)
    return [f for _, f in each(functions)]


def unconfirmed_functions(group_block: dict, layout: str) -> list[str]:
    _, _, name_key, confirm_key, _, _ = SCHEMA_FIELDS[layout]
    found = []
    for function in _functions(group_block, layout):
        confirmation = function.get(confirm_key) if confirm_key else None
        if confirm_key and confirmation is not None and not (
                isinstance(confirmation, str) and confirmation.strip().upper() == "DISABLED"):
            continue  # ENABLED, or a value we cannot know
        name = function.get(name_key)
        found.append(name if isinstance(name, str) else "(unnamed function)")
    return found


def _parse_schema(payload) -> dict | None:
    if not isinstance(payload, str) or len(payload) > MAX_SCHEMA_CHARACTERS:
        return None
    try:
        document = json.loads(payload)
    except (ValueError, RecursionError):
        try:
            document = yaml.safe_load(payload)
        except (yaml.YAMLError, RecursionError, ValueError):
            return None
    return document if isinstance(document, dict) else None


def unconfirmed_operations(group_block: dict, layout: str) -> list[str]:
    """Operations of an inline OpenAPI payload without `x-requireConfirmation: ENABLED`."""
    _, _, _, _, api_key, payload_key = SCHEMA_FIELDS[layout]
    api = first(group_block, api_key)
    document = _parse_schema(api.get(payload_key)) if isinstance(api, dict) else None
    paths = document.get("paths") if document is not None else None
    found = []
    for path, operations in paths.items() if isinstance(paths, dict) else ():
        for method, operation in operations.items() if isinstance(operations, dict) else ():
            if str(method).lower() not in HTTP_METHODS or not isinstance(operation, dict):
                continue
            confirmation = operation.get("x-requireConfirmation")
            if isinstance(confirmation, str) and confirmation.strip().upper() == "ENABLED":
                continue
            found.append(str(operation.get("operationId") or f"{str(method).upper()} {path}"))
    return found


class BedrockAgentActionWithoutConfirmation(Check):
    """An agent action group whose tool Lambda can change things (its execution role has a
    mutating grant) and which has functions or API operations that run without user
    confirmation: awscc/CloudFormation `require_confirmation` absent or `DISABLED`, an inline
    OpenAPI operation without `x-requireConfirmation: ENABLED`, or any hashicorp/aws
    `function_schema` (which has no confirmation setting)."""

    code = "AIA115"
    slug = "bedrock-agent-action-without-confirmation"
    severity = Severity.MEDIUM
    title = "Agent action that can change things runs without user confirmation"
    formats = ("terraform", "cloudformation")
    mappings = Mappings("NHI5", "PR.AA-05", "CWE-862")
    why = """
        The model decides when to call a tool. A prompt injection in a document, an email or a
        web page the agent reads can make it call a tool that writes, deletes or sends with the
        Lambda's role. User confirmation puts a person between the model's decision and the
        change.
    """
    remediation = """
        Set `require_confirmation = "ENABLED"` (CloudFormation `RequireConfirmation: ENABLED`) on
        every function that changes something, or `x-requireConfirmation: ENABLED` on the OpenAPI
        operation. hashicorp/aws action groups have no such setting: move the action group to
        `api_schema` with `x-requireConfirmation`, use `RETURN_CONTROL` and confirm in the
        application, or manage it through awscc or CloudFormation.
    """
    failing_example = """
        resource "awscc_bedrock_agent" "support" {
          agent_name              = "support"
          agent_resource_role_arn = aws_iam_role.agent.arn
          action_groups = [{
            action_group_name     = "refunds"
            action_group_executor = { lambda = aws_lambda_function.refunds.arn }
            function_schema = {
              functions = [{ name = "issue_refund" }]
            }
          }]
        }

        resource "aws_iam_role" "refunds" {
          name               = "refunds-tool"
          assume_role_policy = data.aws_iam_policy_document.lambda_trust.json
        }

        resource "aws_lambda_function" "refunds" {
          function_name = "refunds"
          role          = aws_iam_role.refunds.arn
        }

        resource "aws_iam_role_policy" "refunds" {
          role   = aws_iam_role.refunds.id
          policy = jsonencode({
            Statement = [{ Effect = "Allow", Action = "dynamodb:PutItem", Resource = aws_dynamodb_table.refunds.arn }]
          })
        }
    """
    passing_example = """
        resource "awscc_bedrock_agent" "support" {
          agent_name              = "support"
          agent_resource_role_arn = aws_iam_role.agent.arn
          action_groups = [{
            action_group_name     = "refunds"
            action_group_executor = { lambda = aws_lambda_function.refunds.arn }
            function_schema = {
              functions = [{ name = "issue_refund", require_confirmation = "ENABLED" }]
            }
          }]
        }

        resource "aws_iam_role" "refunds" {
          name               = "refunds-tool"
          assume_role_policy = data.aws_iam_policy_document.lambda_trust.json
        }

        resource "aws_lambda_function" "refunds" {
          function_name = "refunds"
          role          = aws_iam_role.refunds.arn
        }

        resource "aws_iam_role_policy" "refunds" {
          role   = aws_iam_role.refunds.id
          policy = jsonencode({
            Statement = [{ Effect = "Allow", Action = "dynamodb:PutItem", Resource = aws_dynamodb_table.refunds.arn }]
          })
        }
    """

    def run(self, ctx):
        reported = set()
        for group in tool_calls(ctx):
            if group.layout == "gateway" or group.role is None or not is_active(group.block, group.layout):
                continue
            key = (group.holder.file, group.holder.module, group.holder.address, group.path)
            if key in reported:
                continue
            unconfirmed = unconfirmed_functions(group.block, group.layout) + \
                unconfirmed_operations(group.block, group.layout)
            if not unconfirmed:
                continue
            grants = role_policy_set(ctx, group.role).mutating_grants()
            if not grants:
                continue
            reported.add(key)
            shown = ", ".join(grants[:5]) + (", ..." if len(grants) > 5 else "")
            yield self.finding(
                group.holder,
                f"{group.name} runs {', '.join(unconfirmed)} without user confirmation, and its Lambda"
                f" {address_from(group.holder, group.function)} has role {address_from(group.holder, group.role)},"
                f" which is allowed {shown}",
                group.path,
            )
