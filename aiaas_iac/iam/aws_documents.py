"""Where AWS identity policies are written, in Terraform and CloudFormation.

`identity_documents(ctx)` lists every policy document of the scan once (the
"policy statement sources" of CHECKS.md). A document written as a reference
to a `data "aws_iam_policy_document"` is not listed twice: the data source is
a source of its own. `document_from_value` follows such references when a
check needs the document behind a role or user.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any

from aiaas_iac.context import ScanContext, address_of_ref
from aiaas_iac.iam.aws import (Statement, as_list, statement_from_block, statements_from_json,
                               statements_from_policy_document_data)
from aiaas_iac.iam.aws_resources import TypedArn
from aiaas_iac.model import Resource, Unknown
from aiaas_iac.parsers.hcl_expressions import Template, collect_refs
from aiaas_iac.terraform_instances import expanded_blocks, instance_scopes, instances

# Terraform resource type -> attribute holding one policy document.
TERRAFORM_POLICY_ATTRIBUTES = {
    "aws_iam_policy": "policy",
    "aws_iam_role_policy": "policy",
    "aws_iam_user_policy": "policy",
    "aws_iam_group_policy": "policy",
    "awscc_iam_managed_policy": "policy_document",
    "awscc_iam_role_policy": "policy_document",
    "awscc_iam_user_policy": "policy_document",
    "awscc_iam_group_policy": "policy_document",
}
CLOUDFORMATION_POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy",
                               "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy")
CLOUDFORMATION_INLINE_POLICY_TYPES = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")
POLICY_DOCUMENT_DATA = "aws_iam_policy_document"
ORGANIZATION_POLICY = "aws_organizations_policy"


@dataclass(frozen=True)
class PolicyDocument:
    resource: Resource  # where the document is written
    path: tuple  # its attribute path there
    statements: tuple[Statement, ...]


def _data_document_statements(ctx: ScanContext, data: Resource, seen: frozenset = frozenset()) -> list[Statement]:
    """A policy-document data source's statements, including its source/override documents."""
    statements = statements_from_policy_document_data(data)
    # `dynamic "statement"` blocks over a known collection, one statement per item, located at the
    # block's `content`; over an unknown one they grant nothing we can know.
    statements += [statement_from_block(data, path, block) for path, block, certain
                   in expanded_blocks(ctx, data, "statement") if certain and path[0] == "dynamic"]
    for attribute in ("source_policy_documents", "override_policy_documents", "source_json", "override_json"):
        for item in as_list(data.get(attribute)):
            document = document_from_value(ctx, data, item, (attribute,), seen | {data.address})
            if document is not None:
                statements.extend(document.statements)
    return statements


_HOLE_RE = re.compile("\ue000(\\d+)\ue001")


def json_with_holes(template: Template) -> Any:
    """A JSON document written as a string template (a heredoc or quoted JSON with `${...}`
    inside strings): the parsed structure, each interpolated string a Template again. None when
    the interpolations are not all inside strings, or the text is not JSON."""
    holes = [p for p in template.parts if not isinstance(p, str)]
    counter = iter(range(len(holes)))
    text = "".join(p if isinstance(p, str) else f"\ue000{next(counter)}\ue001" for p in template.parts)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested past Python's stack
        return None

    def restore(node: Any) -> Any:
        if isinstance(node, dict):
            return {_HOLE_RE.sub(lambda m: "${" + holes[int(m.group(1))].text + "}", k): restore(v)
                    for k, v in node.items()}
        if isinstance(node, list):
            return [restore(v) for v in node]
        if isinstance(node, str) and "\ue000" in node:
            # split() with a group alternates literal text and hole numbers
            pieces = _HOLE_RE.split(node)
            parts = tuple(holes[int(piece)] if index % 2 else piece
                          for index, piece in enumerate(pieces) if piece != "")
            shown = "".join(p if isinstance(p, str) else "${" + p.text + "}" for p in parts)
            return Template(shown, collect_refs(list(parts)), parts)
        return node

    return restore(data)


def _is_json_template(value: Any) -> bool:
    return isinstance(value, Template) and any(isinstance(p, str) for p in value.parts)


def json_structure(value: Any) -> Any:
    """A JSON value written as a structure, a JSON string or a JSON string template; None if it is not one."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return None
    if _is_json_template(value):
        return json_with_holes(value)
    return None if isinstance(value, Unknown) else value


def is_document_value(value: Any) -> bool:
    """A value that can be read as a policy document without following references."""
    return isinstance(value, (dict, str)) or _is_json_template(value)


def _typed_arn(ctx: ScanContext, near: Resource, value: Any) -> Any:
    """A CloudFormation `!GetAtt X.Arn` (or `!Sub "${X.Arn}/..."`) of a resource in the template:
    its type fixes the ARN's service, so it can be told apart from an unknown value."""
    if type(value) is not Unknown or len(value.refs) != 1 or not value.refs[0].endswith(".Arn"):
        return value
    text = value.text.strip()
    if not (text == f"!GetAtt {value.refs[0]}" or text.startswith(f"!Sub ${{{value.refs[0]}}}")):
        return value  # the ARN is not where the value starts: its service is not fixed by it
    types = {t.type for t in ctx.referenced(near, value) if t.kind == "resource"}
    if len(types) != 1 or not next(iter(types)).startswith("AWS::"):
        return value
    return TypedArn(value.text, value.refs, next(iter(types)).startswith(("AWS::Bedrock::", "AWS::BedrockAgentCore::")))


def _json_statements(ctx: ScanContext, resource: Resource, value: Any, path: tuple) -> list[Statement]:
    statements = statements_from_json(resource, value, path)
    if resource.format != "cloudformation":
        return statements
    out = []
    for statement in statements:
        typed = {name: tuple(_typed_arn(ctx, resource, v) for v in getattr(statement, name))
                 for name in ("resources", "not_resources") if getattr(statement, name) is not None}
        out.append(replace(statement, **typed) if typed else statement)
    return out


def document_from_value(ctx: ScanContext, resource: Resource, value: Any, path: tuple,
                        seen: frozenset = frozenset()) -> PolicyDocument | None:
    """The document a policy attribute holds: literal JSON/structure (also a JSON string template
    whose interpolations are unresolved), or the data source it names."""
    if isinstance(value, (dict, str)):
        return PolicyDocument(resource, path, tuple(_json_statements(ctx, resource, value, path)))
    if _is_json_template(value):
        structure = json_with_holes(value)
        if structure is None:
            return None
        statements = statements_from_json(resource, structure, path)
        return PolicyDocument(resource, path, tuple(statements))
    if isinstance(value, Unknown):
        for target in ctx.referenced(resource, value):
            if target.kind == "data" and target.type == POLICY_DOCUMENT_DATA and target.address not in seen:
                return PolicyDocument(target, (), tuple(_data_document_statements(ctx, target, seen)))
    return None


def absent_in_instance(ctx: ScanContext, resource: Resource) -> bool:
    """A resource of a module instance (a caller set the module's inputs) whose `count`/`for_each`
    certainly creates nothing there: Terraform does not create it, so it grants nothing. In a
    root, or a module no caller instantiates, the AWS checks judge what is written instead."""
    return (resource.format == "terraform" and "#" in resource.module
            and ("count" in resource.attributes or "for_each" in resource.attributes)
            and instance_scopes(ctx, resource) == [])


def _terraform_documents(ctx: ScanContext) -> list[PolicyDocument]:
    out: list[PolicyDocument] = []
    for resource in ctx.of_type(*TERRAFORM_POLICY_ATTRIBUTES, format="terraform"):
        if absent_in_instance(ctx, resource):
            continue
        attribute = TERRAFORM_POLICY_ATTRIBUTES[resource.type]
        value = resource.get(attribute)
        if is_document_value(value):
            out.append(document_from_value(ctx, resource, value, (attribute,)))
    for role in ctx.of_type("aws_iam_role", format="terraform"):
        if absent_in_instance(ctx, role):
            continue
        for index, block in role.blocks("inline_policy"):
            if is_document_value(block.get("policy")):
                out.append(document_from_value(ctx, role, block["policy"], ("inline_policy", index, "policy")))
    for role in ctx.of_type("awscc_iam_role", "awscc_iam_user", "awscc_iam_group", format="terraform"):
        if absent_in_instance(ctx, role):
            continue
        for index, item in enumerate(as_list(role.get("policies"))):
            if isinstance(item, dict) and is_document_value(item.get("policy_document")):
                out.append(document_from_value(ctx, role, item["policy_document"], ("policies", index, "policy_document")))
    for data in ctx.of_type(POLICY_DOCUMENT_DATA, kind="data", format="terraform"):
        if not _only_organization_policy_content(ctx, data) and not absent_in_instance(ctx, data):
            out.append(PolicyDocument(data, (), tuple(_data_document_statements(ctx, data))))
    return [document for document in out if document is not None]


def _only_organization_policy_content(ctx: ScanContext, data: Resource) -> bool:
    """A policy-document data source used only as an organization policy (an SCP or RCP): its
    Allow statements limit what accounts may do and grant nothing to anyone."""
    def compute() -> dict[str, set[str]]:
        users: dict[str, set[str]] = {}
        for resource in ctx.in_module(data):
            for ref in collect_refs(dict(resource.attributes)):
                users.setdefault(address_of_ref(ref, resource.format), set()).add(resource.type)
        return users

    users = ctx.memo(("aws.policy_document_users", data.format, data.module), compute).get(data.address, set())
    return users == {ORGANIZATION_POLICY}


def _cloudformation_documents(ctx: ScanContext) -> list[PolicyDocument]:
    out: list[PolicyDocument] = []
    for resource in ctx.of_type(*CLOUDFORMATION_POLICY_TYPES, format="cloudformation"):
        value = resource.get("PolicyDocument")
        if isinstance(value, (dict, str)):
            out.append(PolicyDocument(resource, ("PolicyDocument",),
                                      tuple(_json_statements(ctx, resource, value, ("PolicyDocument",)))))
    for resource in ctx.of_type(*CLOUDFORMATION_INLINE_POLICY_TYPES, format="cloudformation"):
        for index, item in enumerate(as_list(resource.get("Policies"))):
            if isinstance(item, dict) and isinstance(item.get("PolicyDocument"), (dict, str)):
                path = ("Policies", index, "PolicyDocument")
                out.append(PolicyDocument(resource, path, tuple(_json_statements(ctx, resource, item["PolicyDocument"], path))))
    for function in ctx.of_type("AWS::Serverless::Function", "AWS::Serverless::StateMachine", format="cloudformation"):
        for index, item in enumerate(as_list(function.get("Policies"))):
            if isinstance(item, dict) and "Statement" in item:
                path = ("Policies", index)
                out.append(PolicyDocument(function, path, tuple(_json_statements(ctx, function, item, path))))
    return out


def _without_principal_statements(document: PolicyDocument) -> PolicyDocument | None:
    """An identity policy cannot name a Principal: statements that do belong to a resource or
    trust policy (a policy-document data source feeding a bucket, key or trust policy)."""
    kept = tuple(s for s in document.statements if not s.principals)
    if document.statements and not kept:
        return None
    return replace(document, statements=kept) if len(kept) != len(document.statements) else document


def identity_documents(ctx: ScanContext) -> list[PolicyDocument]:
    """Every identity policy document in the scan, each listed once."""

    def compute() -> list[PolicyDocument]:
        everywhere = _terraform_documents(ctx) + _cloudformation_documents(ctx)
        documents = (_without_principal_statements(d) for d in everywhere)
        return [d for d in documents if d is not None]

    return ctx.memo("aws.identity_documents", compute)


# Where a managed policy ARN is attached: (resource type, attribute, is a list).
TERRAFORM_ATTACHMENT_ATTRIBUTES = (
    ("aws_iam_role_policy_attachment", "policy_arn"),
    ("aws_iam_user_policy_attachment", "policy_arn"),
    ("aws_iam_group_policy_attachment", "policy_arn"),
    ("aws_iam_policy_attachment", "policy_arn"),
    ("aws_iam_role", "managed_policy_arns"),
    ("aws_iam_role_policy_attachments_exclusive", "policy_arns"),
    ("aws_iam_user", "managed_policy_arns"),
    ("awscc_iam_role", "managed_policy_arns"),
    ("awscc_iam_user", "managed_policy_arns"),
    ("awscc_iam_group", "managed_policy_arns"),
)
CLOUDFORMATION_ATTACHMENT_TYPES = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")
# SAM resources whose `Policies` may name AWS managed policies (by name or ARN) for their role.
SAM_POLICY_TYPES = ("AWS::Serverless::Function", "AWS::Serverless::StateMachine")


def _sam_managed_policy_arn(value: str) -> str:
    """SAM accepts an AWS managed policy by its bare name (`AmazonBedrockFullAccess`)."""
    return value if ":" in value else f"arn:aws:iam::aws:policy/{value.strip()}"


@dataclass(frozen=True)
class PolicyAttachment:
    resource: Resource  # the attachment, or the role/user/group that lists the ARN
    path: tuple
    arn: Any  # literal ARN, or an Unknown reference


def resource_instances(ctx: ScanContext, resource: Resource) -> list[Resource]:
    """A Terraform resource once per `count`/`for_each` instance the code makes certain, with that
    instance's values (`policy_arn = each.value` over a literal set of ARNs); the resource itself
    otherwise, also when its defaults create no instance: the AWS checks judge what is written.
    None in a module instance whose caller's inputs certainly create none (`absent_in_instance`)."""
    if resource.format != "terraform":
        return [resource]
    if absent_in_instance(ctx, resource):
        return []
    return [instance for _, instance in instances(ctx, resource)] or [resource]


def policy_attachments(ctx: ScanContext) -> list[PolicyAttachment]:
    """Every managed-policy ARN attached anywhere in the scan."""

    def compute() -> list[PolicyAttachment]:
        out: list[PolicyAttachment] = []
        for resource_type, attribute in TERRAFORM_ATTACHMENT_ATTRIBUTES:
            for resource in ctx.of_type(resource_type, format="terraform"):
                for instance in resource_instances(ctx, resource):
                    value = instance.get(attribute)
                    if isinstance(value, list):
                        out.extend(PolicyAttachment(resource, (attribute, i), v) for i, v in enumerate(value))
                    elif value is not None:
                        out.append(PolicyAttachment(resource, (attribute,), value))
        for resource in ctx.of_type(*CLOUDFORMATION_ATTACHMENT_TYPES, format="cloudformation"):
            for index, value in enumerate(as_list(resource.get("ManagedPolicyArns"))):
                out.append(PolicyAttachment(resource, ("ManagedPolicyArns", index), value))
        for function in ctx.of_type(*SAM_POLICY_TYPES, format="cloudformation"):
            policies = function.get("Policies")
            if isinstance(policies, str):
                out.append(PolicyAttachment(function, ("Policies",), _sam_managed_policy_arn(policies)))
                continue
            for index, value in enumerate(as_list(policies)):
                if isinstance(value, str):
                    out.append(PolicyAttachment(function, ("Policies", index), _sam_managed_policy_arn(value)))
        return out

    return ctx.memo("aws.policy_attachments", compute)


def is_managed_policy(ctx: ScanContext, near: Resource, arn: Any, policy_name: str) -> bool:
    """True when `arn` certainly names the AWS managed policy `policy_name`
    (a literal ARN, an ARN template with an unknown partition, or a `data "aws_iam_policy"`)."""
    suffix = f":policy/{policy_name}".lower()
    if isinstance(arn, str):
        return arn.strip().lower().endswith(suffix)
    if isinstance(arn, Unknown):
        text = arn.text.strip().strip('"').lower()
        if text.endswith(suffix) and ":aws:policy/" in text.replace("}", ""):
            return True
        for target in ctx.referenced(near, arn):
            if target.kind == "data" and target.type == "aws_iam_policy":
                if target.get("name") == policy_name or (
                    isinstance(target.get("arn"), str) and target.get("arn").lower().endswith(suffix)):
                    return True
    return False
