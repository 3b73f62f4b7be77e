"""Where AWS identity policies are written, in Terraform and CloudFormation.

`identity_documents(ctx)` lists every policy document of the scan once (the
"policy statement sources" of CHECKS.md). A document written as a reference
to a `data "aws_iam_policy_document"` is not listed twice: the data source is
a source of its own. `document_from_value` follows such references when a
check needs the document behind a role or user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiaas_iac.context import ScanContext
from aiaas_iac.iam.aws import Statement, as_list, statements_from_json, statements_from_policy_document_data
from aiaas_iac.model import Resource, Unknown

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
CLOUDFORMATION_POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
CLOUDFORMATION_INLINE_POLICY_TYPES = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")
POLICY_DOCUMENT_DATA = "aws_iam_policy_document"


@dataclass(frozen=True)
class PolicyDocument:
    resource: Resource  # where the document is written
    path: tuple  # its attribute path there
    statements: tuple[Statement, ...]


def _data_document_statements(ctx: ScanContext, data: Resource, seen: frozenset = frozenset()) -> list[Statement]:
    """A policy-document data source's statements, including its source/override documents."""
    statements = statements_from_policy_document_data(data)
    for attribute in ("source_policy_documents", "override_policy_documents", "source_json", "override_json"):
        for item in as_list(data.get(attribute)):
            document = document_from_value(ctx, data, item, (attribute,), seen | {data.address})
            if document is not None:
                statements.extend(document.statements)
    return statements


def document_from_value(ctx: ScanContext, resource: Resource, value: Any, path: tuple,
                        seen: frozenset = frozenset()) -> PolicyDocument | None:
    """The document a policy attribute holds: literal JSON/structure, or the data source it names."""
    if isinstance(value, (dict, str)):
        return PolicyDocument(resource, path, tuple(statements_from_json(resource, value, path)))
    if isinstance(value, Unknown):
        for target in ctx.referenced(resource, value):
            if target.kind == "data" and target.type == POLICY_DOCUMENT_DATA and target.address not in seen:
                return PolicyDocument(target, (), tuple(_data_document_statements(ctx, target, seen)))
    return None


def _terraform_documents(ctx: ScanContext) -> list[PolicyDocument]:
    out: list[PolicyDocument] = []
    for resource in ctx.of_type(*TERRAFORM_POLICY_ATTRIBUTES, format="terraform"):
        attribute = TERRAFORM_POLICY_ATTRIBUTES[resource.type]
        value = resource.get(attribute)
        if isinstance(value, (dict, str)):
            out.append(document_from_value(ctx, resource, value, (attribute,)))  # type: ignore[arg-type]
    for role in ctx.of_type("aws_iam_role", format="terraform"):
        for index, block in role.blocks("inline_policy"):
            if isinstance(block.get("policy"), (dict, str)):
                out.append(document_from_value(ctx, role, block["policy"], ("inline_policy", index, "policy")))  # type: ignore[arg-type]
    for role in ctx.of_type("awscc_iam_role", "awscc_iam_user", "awscc_iam_group", format="terraform"):
        for index, item in enumerate(as_list(role.get("policies"))):
            if isinstance(item, dict) and isinstance(item.get("policy_document"), (dict, str)):
                out.append(document_from_value(ctx, role, item["policy_document"], ("policies", index, "policy_document")))  # type: ignore[arg-type]
    for data in ctx.of_type(POLICY_DOCUMENT_DATA, kind="data", format="terraform"):
        out.append(PolicyDocument(data, (), tuple(_data_document_statements(ctx, data))))
    return out


def _cloudformation_documents(ctx: ScanContext) -> list[PolicyDocument]:
    out: list[PolicyDocument] = []
    for resource in ctx.of_type(*CLOUDFORMATION_POLICY_TYPES, format="cloudformation"):
        value = resource.get("PolicyDocument")
        if isinstance(value, (dict, str)):
            out.append(PolicyDocument(resource, ("PolicyDocument",),
                                      tuple(statements_from_json(resource, value, ("PolicyDocument",)))))
    for resource in ctx.of_type(*CLOUDFORMATION_INLINE_POLICY_TYPES, format="cloudformation"):
        for index, item in enumerate(as_list(resource.get("Policies"))):
            if isinstance(item, dict) and isinstance(item.get("PolicyDocument"), (dict, str)):
                path = ("Policies", index, "PolicyDocument")
                out.append(PolicyDocument(resource, path, tuple(statements_from_json(resource, item["PolicyDocument"], path))))
    for function in ctx.of_type("AWS::Serverless::Function", "AWS::Serverless::StateMachine", format="cloudformation"):
        for index, item in enumerate(as_list(function.get("Policies"))):
            if isinstance(item, dict) and "Statement" in item:
                path = ("Policies", index)
                out.append(PolicyDocument(function, path, tuple(statements_from_json(function, item, path))))
    return out


def identity_documents(ctx: ScanContext) -> list[PolicyDocument]:
    """Every identity policy document in the scan, each listed once."""
    return ctx.memo("aws.identity_documents", lambda: _terraform_documents(ctx) + _cloudformation_documents(ctx))


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


@dataclass(frozen=True)
class PolicyAttachment:
    resource: Resource  # the attachment, or the role/user/group that lists the ARN
    path: tuple
    arn: Any  # literal ARN, or an Unknown reference


def policy_attachments(ctx: ScanContext) -> list[PolicyAttachment]:
    """Every managed-policy ARN attached anywhere in the scan."""

    def compute() -> list[PolicyAttachment]:
        out: list[PolicyAttachment] = []
        for resource_type, attribute in TERRAFORM_ATTACHMENT_ATTRIBUTES:
            for resource in ctx.of_type(resource_type, format="terraform"):
                value = resource.get(attribute)
                if isinstance(value, list):
                    out.extend(PolicyAttachment(resource, (attribute, i), v) for i, v in enumerate(value))
                elif value is not None:
                    out.append(PolicyAttachment(resource, (attribute,), value))
        for resource in ctx.of_type(*CLOUDFORMATION_ATTACHMENT_TYPES, format="cloudformation"):
            for index, value in enumerate(as_list(resource.get("ManagedPolicyArns"))):
                out.append(PolicyAttachment(resource, ("ManagedPolicyArns", index), value))
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
