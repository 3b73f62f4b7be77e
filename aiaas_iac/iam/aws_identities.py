"""Which identity policies apply to which IAM role or user, within one module or template.

A policy reaches a role or user by being written inside it (`inline_policy`,
`policies`, CloudFormation `Policies`), by an inline policy resource that
names it (`aws_iam_role_policy.role`), or by attaching a managed policy
(`aws_iam_*_policy_attachment`, `managed_policy_arns`, CloudFormation
`ManagedPolicyArns` or a policy's `Roles`/`Users` list). An identity is named
by a reference (`aws_iam_user.bot.name`, `!Ref BotUser`) or by its literal
name. Only policies defined in the same module/template can be read, plus the
AWS managed policy `AmazonBedrockFullAccess`; anything else is left alone.

A user also holds what its groups hold: a group policy applies to every member
the same module/template puts in the group (`aws_iam_user_group_membership`,
`aws_iam_group_membership`, awscc `awscc_iam_user.groups`, CloudFormation
`AWS::IAM::User` `Groups` and `AWS::IAM::UserToGroupAddition`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any, Iterator

from aiaas_iac.context import ScanContext, address_from
from aiaas_iac.iam.actions import BEDROCK_FULL_ACCESS
from aiaas_iac.iam.aws import as_list
from aiaas_iac.iam.aws_documents import PolicyDocument, document_from_value, is_managed_policy, resource_instances
from aiaas_iac.iam.display import display_value
from aiaas_iac.model import Resource, Unknown
from aiaas_iac.terraform_instances import instances

ROLE, USER, GROUP = "role", "user", "group"


@dataclass(frozen=True)
class IdentityType:
    kind: str  # ROLE, USER or GROUP
    name_key: str  # attribute holding its name
    inline_key: str  # list of inline policies written inside it ("" if none)
    document_key: str  # the document inside one inline policy
    managed_key: str  # list of attached managed policy ARNs ("" if none)


IDENTITY_TYPES = {
    "aws_iam_role": IdentityType(ROLE, "name", "inline_policy", "policy", "managed_policy_arns"),
    "awscc_iam_role": IdentityType(ROLE, "role_name", "policies", "policy_document", "managed_policy_arns"),
    "aws_iam_user": IdentityType(USER, "name", "", "", ""),
    "awscc_iam_user": IdentityType(USER, "user_name", "policies", "policy_document", "managed_policy_arns"),
    "AWS::IAM::Role": IdentityType(ROLE, "RoleName", "Policies", "PolicyDocument", "ManagedPolicyArns"),
    "AWS::IAM::User": IdentityType(USER, "UserName", "Policies", "PolicyDocument", "ManagedPolicyArns"),
    "aws_iam_group": IdentityType(GROUP, "name", "", "", ""),
    "awscc_iam_group": IdentityType(GROUP, "group_name", "policies", "policy_document", "managed_policy_arns"),
    "AWS::IAM::Group": IdentityType(GROUP, "GroupName", "Policies", "PolicyDocument", "ManagedPolicyArns"),
}

# Resources that apply one inline document to the identity they name:
# type -> (identity kind, attribute naming the identity, attribute holding the document).
INLINE_POLICY_RESOURCES = {
    "aws_iam_role_policy": (ROLE, "role", "policy"),
    "aws_iam_user_policy": (USER, "user", "policy"),
    "awscc_iam_role_policy": (ROLE, "role_name", "policy_document"),
    "awscc_iam_user_policy": (USER, "user_name", "policy_document"),
    "AWS::IAM::RolePolicy": (ROLE, "RoleName", "PolicyDocument"),
    "AWS::IAM::UserPolicy": (USER, "UserName", "PolicyDocument"),
    "aws_iam_group_policy": (GROUP, "group", "policy"),
    "awscc_iam_group_policy": (GROUP, "group_name", "policy_document"),
    "AWS::IAM::GroupPolicy": (GROUP, "GroupName", "PolicyDocument"),
}

# Resources that attach managed policies to the identities they name:
# type -> (identity kind, attribute naming the identity (or a list of them), attribute with the ARN(s)).
ATTACHMENT_RESOURCES = (
    ("aws_iam_role_policy_attachment", ROLE, "role", "policy_arn"),
    ("aws_iam_user_policy_attachment", USER, "user", "policy_arn"),
    ("aws_iam_policy_attachment", ROLE, "roles", "policy_arn"),
    ("aws_iam_policy_attachment", USER, "users", "policy_arn"),
    ("aws_iam_role_policy_attachments_exclusive", ROLE, "role_name", "policy_arns"),
    ("aws_iam_user_policy_attachments_exclusive", USER, "user_name", "policy_arns"),
    ("aws_iam_group_policy_attachment", GROUP, "group", "policy_arn"),
    ("aws_iam_policy_attachment", GROUP, "groups", "policy_arn"),
    ("aws_iam_group_policy_attachments_exclusive", GROUP, "group_name", "policy_arns"),
)

# Managed policies written in the same module/template, and the attribute holding their document.
MANAGED_POLICY_DOCUMENTS = {
    "aws_iam_policy": "policy",
    "awscc_iam_managed_policy": "policy_document",
    "AWS::IAM::ManagedPolicy": "PolicyDocument",
}

# Resources that put users in groups: type -> (attribute naming the user(s), attribute naming the group(s)).
GROUP_MEMBERSHIP_RESOURCES = {
    "aws_iam_user_group_membership": ("user", "groups"),
    "aws_iam_group_membership": ("users", "group"),
    "AWS::IAM::UserToGroupAddition": ("Users", "GroupName"),
}
# Users that list their own groups: type -> attribute.
USER_GROUP_LISTS = {"awscc_iam_user": "groups", "AWS::IAM::User": "Groups"}

# CloudFormation policies that list the identities they apply to.
CLOUDFORMATION_POLICY_LISTS = {"AWS::IAM::Policy": "PolicyDocument", "AWS::IAM::ManagedPolicy": "PolicyDocument"}


_LISTS_INSIDE_IDENTITIES = {key for t in IDENTITY_TYPES.values() for key in (t.inline_key, t.managed_key) if key}


@dataclass(frozen=True)
class AppliedPolicy:
    """One policy that applies to an identity, and where it is applied."""

    holder: Resource  # the resource that applies it: an attachment, an inline policy, the identity itself
    path: tuple  # the attribute there
    document: PolicyDocument | None  # None for an AWS managed policy
    managed_policy: str = ""  # the AWS managed policy's name, e.g. AmazonBedrockFullAccess
    through: str = ""  # for a user: the group membership the policy reaches it by ("" when applied directly)

    def grants_any_bedrock_action(self) -> bool:
        if self.managed_policy == BEDROCK_FULL_ACCESS:
            return True
        return self.document is not None and any(s.grants_any_bedrock_action() for s in self.document.statements)

    def describe(self, near: Resource | None = None) -> str:
        """How the policy is applied, for messages: `aws_iam_role_policy.chat (data.aws_iam_policy_document.chat)`;
        as `near` names it when given (`module.grant.aws_iam_role_policy.chat` from another module)."""
        through = f" through {self.through}" if self.through else ""
        holder = self.holder.address if near is None else address_from(near, self.holder)
        if self.managed_policy:
            return f"{holder} (attaches {self.managed_policy}){through}"
        where = holder
        if self.path and self.path[0] in _LISTS_INSIDE_IDENTITIES:
            where = f"{self.path[0]} of {where}"
        if self.document is not None and self.document.resource is not self.holder:
            return f"{where} ({self.document.resource.address}){through}"
        return where + through


@dataclass(frozen=True)
class _Link:
    """A policy applied to the identity that `principal` names (a value, or the identity itself)."""

    kind: str
    principal: Any
    policy: AppliedPolicy


def _documents_behind_arn(ctx: ScanContext, holder: Resource, arn: Any, path: tuple) -> Iterator[AppliedPolicy]:
    """What an attached policy ARN stands for: AmazonBedrockFullAccess, or a managed policy
    defined next to it (`aws_iam_policy.app.arn`, `!Ref AppPolicy`)."""
    if is_managed_policy(ctx, holder, arn, BEDROCK_FULL_ACCESS):
        yield AppliedPolicy(holder, path, None, BEDROCK_FULL_ACCESS)
        return
    for target in ctx.referenced(holder, arn):
        attribute = MANAGED_POLICY_DOCUMENTS.get(target.type)
        if attribute is not None and target.kind == "resource":
            document = document_from_value(ctx, target, target.get(attribute), (attribute,))
            if document is not None:
                yield AppliedPolicy(holder, path, document)


def _items(value: Any, path: tuple) -> Iterator[tuple[tuple, Any]]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield path + (index,), item
    elif value is not None:
        yield path, value


def _links_inside_identities(ctx: ScanContext) -> Iterator[_Link]:
    """Policies written inside a role or user, and the managed policies it lists."""
    for resource_type, layout in IDENTITY_TYPES.items():
        for identity in ctx.of_type(resource_type):
            for index, block in identity.blocks(layout.inline_key) if layout.inline_key else ():
                path = (layout.inline_key, index, layout.document_key)
                document = document_from_value(ctx, identity, block.get(layout.document_key), path)
                if document is not None:
                    yield _Link(layout.kind, identity, AppliedPolicy(identity, path, document))
            managed = identity.get(layout.managed_key) if layout.managed_key else None
            for path, arn in _items(managed, (layout.managed_key,)):
                for policy in _documents_behind_arn(ctx, identity, arn, path):
                    yield _Link(layout.kind, identity, policy)


def _links_from_policy_resources(ctx: ScanContext) -> Iterator[_Link]:
    """Inline policy resources and policy attachments that name their role or user."""
    for resource_type, (kind, principal_key, document_key) in INLINE_POLICY_RESOURCES.items():
        for resource in ctx.of_type(resource_type):
            document = document_from_value(ctx, resource, resource.get(document_key), (document_key,))
            for instance in resource_instances(ctx, resource) if document is not None else ():
                yield _Link(kind, instance.get(principal_key), AppliedPolicy(resource, (document_key,), document))
    for resource_type, kind, principal_key, arn_key in ATTACHMENT_RESOURCES:
        for resource in ctx.of_type(resource_type):
            for instance in resource_instances(ctx, resource):
                for path, arn in _items(instance.get(arn_key), (arn_key,)):
                    for policy in _documents_behind_arn(ctx, resource, arn, path):
                        for principal in as_list(instance.get(principal_key)):
                            yield _Link(kind, principal, policy)
    for resource_type, document_key in CLOUDFORMATION_POLICY_LISTS.items():
        for resource in ctx.of_type(resource_type, format="cloudformation"):
            document = document_from_value(ctx, resource, resource.get(document_key), (document_key,))
            for kind, list_key in ((ROLE, "Roles"), (USER, "Users"), (GROUP, "Groups")):
                for principal in as_list(resource.get(list_key)) if document is not None else ():
                    yield _Link(kind, principal, AppliedPolicy(resource, (document_key,), document))


def identity_name(identity: Resource) -> str | None:
    """The literal name of a role or user resource, when it is certain."""
    name = identity.get(IDENTITY_TYPES[identity.type].name_key)
    return name if isinstance(name, str) and name else None


@dataclass(frozen=True)
class _Named:
    """What a value says about the identity it names: the resource it refers to and/or a name."""

    resource: Resource | None
    name: str | None

    def keys(self, near: Resource, kind: str) -> list[tuple]:
        """Index keys: two values name the same identity when they share one."""
        scope = (near.format, near.module, kind)
        keys = [scope + ("name", self.name)] if self.name is not None else []
        if self.resource is not None:
            # A reference may cross into another module instance (module_tree.crossed): the
            # identity is keyed where it is declared.
            resource = self.resource
            keys.append((resource.format, resource.module, kind, "address", resource.address))
        return keys


def _named(ctx: ScanContext, near: Resource, kind: str, value: Any) -> _Named:
    if isinstance(value, Resource):
        return _Named(value, identity_name(value))
    if isinstance(value, str):
        return _Named(None, value or None)
    if isinstance(value, Unknown):
        for target in ctx.referenced(near, value):
            layout = IDENTITY_TYPES.get(target.type)
            if layout is not None and layout.kind == kind and target.kind == "resource":
                return _Named(target, identity_name(target))
    return _Named(None, None)


def _policies_by_identity(ctx: ScanContext) -> dict[tuple, list[AppliedPolicy]]:
    """Every applied policy, indexed by the keys of the identity it applies to."""
    index: dict[tuple, list[AppliedPolicy]] = defaultdict(list)
    for link in [*_links_inside_identities(ctx), *_links_from_policy_resources(ctx)]:
        holder = link.policy.holder
        for key in _named(ctx, holder, link.kind, link.principal).keys(holder, link.kind):
            index[key].append(link.policy)
    return index


def _direct_policies(ctx: ScanContext, near: Resource, kind: str, identity: Any) -> list[AppliedPolicy]:
    index = ctx.memo("aws.policies_by_identity", lambda: _policies_by_identity(ctx))
    found: list[AppliedPolicy] = []
    for key in _named(ctx, near, kind, identity).keys(near, kind):
        for policy in index.get(key, ()):
            if policy not in found:  # named both by reference and by its literal name
                found.append(policy)
    return found


def policies_applied_to(ctx: ScanContext, near: Resource, kind: str, identity: Any) -> list[AppliedPolicy]:
    """The policies in `near`'s module/template that apply to the role, user or group (`kind`) named by
    `identity`: the identity resource itself, a reference to it, or its literal name. A user's
    include its groups' policies (`through` names the membership)."""
    found = _direct_policies(ctx, near, kind, identity)
    if kind != USER:
        return found
    seen: set[tuple] = set()
    for membership in memberships_of(ctx, near, identity):
        for policy in _direct_policies(ctx, membership.holder, GROUP, membership.group):
            key = (id(policy.holder), policy.path, id(policy.document), policy.managed_policy, membership.group_text)
            if key not in seen:  # a group named twice (by reference and by name) in one membership
                seen.add(key)
                found.append(replace(policy, through=membership.describe()))
    return found


@dataclass(frozen=True)
class Membership:
    """One user's membership of one group, as a resource of the configuration declares it."""

    holder: Resource  # the membership resource, or the user that lists its groups
    group: Any  # the value naming the group, written in `holder`
    group_text: str  # the group, for messages: its resource's address, or its name

    def describe(self) -> str:
        if self.holder.type in USER_GROUP_LISTS:
            return f"group {self.group_text} ({USER_GROUP_LISTS[self.holder.type]} of {self.holder.address})"
        return f"group {self.group_text} ({self.holder.address})"


def _group_addresses(ctx: ScanContext) -> dict[tuple, str]:
    """(format, module, literal name) -> address of the group resource of that name."""
    found: dict[tuple, str] = {}
    for resource_type, layout in IDENTITY_TYPES.items():
        if layout.kind == GROUP:
            for group in ctx.of_type(resource_type):
                name = identity_name(group)
                if group.kind == "resource" and name is not None:
                    found.setdefault((group.format, group.module, name), group.full_address or group.address)
    return found


def _group_text(ctx: ScanContext, holder: Resource, value: Any) -> str:
    """The group a membership names, for messages: its resource's address, or its name."""
    named = _named(ctx, holder, GROUP, value)
    if named.resource is not None:
        return named.resource.full_address or named.resource.address
    if named.name is not None:
        groups = ctx.memo("aws.group_addresses", lambda: _group_addresses(ctx))
        return groups.get((holder.format, holder.module, named.name), named.name)
    return display_value(value)


def _memberships_by_user(ctx: ScanContext) -> dict[tuple, list[Membership]]:
    """Every membership, indexed by the keys of the user it puts in a group."""
    index: dict[tuple, dict[tuple, Membership]] = defaultdict(dict)

    def add(holder: Resource, user: Any, group: Any) -> None:
        if group is None:
            return
        membership = Membership(holder, group, _group_text(ctx, holder, group))
        for key in _named(ctx, holder, USER, user).keys(holder, USER):
            index[key].setdefault((id(holder), membership.group_text), membership)

    for resource_type, (user_key, group_key) in GROUP_MEMBERSHIP_RESOURCES.items():
        for resource in ctx.of_type(resource_type):
            if resource.kind != "resource":
                continue
            # a membership whose count/for_each certainly creates none puts nobody in a group
            made = [i for _, i in instances(ctx, resource)] if resource.format == "terraform" else [resource]
            for instance in made:
                for user in as_list(instance.get(user_key)):
                    for group in as_list(instance.get(group_key)):
                        add(resource, user, group)
    for resource_type, group_key in USER_GROUP_LISTS.items():
        for user in ctx.of_type(resource_type):
            if user.kind == "resource":
                for group in as_list(user.get(group_key)):
                    add(user, user, group)
    return {key: list(memberships.values()) for key, memberships in index.items()}


def memberships_of(ctx: ScanContext, near: Resource, user: Any) -> list[Membership]:
    """The groups that the user named by `user` (written in `near`) is put in, in its module/template."""
    index = ctx.memo("aws.memberships_by_user", lambda: _memberships_by_user(ctx))
    found: dict[tuple, Membership] = {}
    for key in _named(ctx, near, USER, user).keys(near, USER):
        for membership in index.get(key, ()):
            found.setdefault((id(membership.holder), membership.group_text), membership)
    return list(found.values())


def bedrock_granting_policies(ctx: ScanContext, near: Resource, kind: str, identity: Any) -> list[AppliedPolicy]:
    """The policies applied to the identity that grant it at least one Bedrock action."""
    return [p for p in policies_applied_to(ctx, near, kind, identity) if p.grants_any_bedrock_action()]


def names_identity(ctx: ScanContext, near: Resource, kind: str, value: Any, identity: Resource) -> bool:
    """True when `value` (written in `near`) names the role or user resource `identity`."""
    wanted = set(_named(ctx, identity, kind, identity).keys(identity, kind))
    return bool(wanted.intersection(_named(ctx, near, kind, value).keys(near, kind)))


def managed_policy_arns_of(ctx: ScanContext, identity: Resource, kind: str) -> list[tuple[Resource, tuple, Any]]:
    """(holder, path, ARN) of every managed policy attached to the role or user `identity`: its own
    `managed_policy_arns` / `ManagedPolicyArns`, and attachments naming it (in its module/template, or
    in another module instance by a reference passed across)."""
    found: list[tuple[Resource, tuple, Any]] = []
    layout = IDENTITY_TYPES.get(identity.type)
    if layout is not None and layout.managed_key:
        found.extend((identity, path, arn) for path, arn in _items(identity.get(layout.managed_key), (layout.managed_key,)))
    for resource_type, attachment_kind, principal_key, arn_key in ATTACHMENT_RESOURCES:
        if attachment_kind != kind:
            continue
        for resource in ctx.of_type(resource_type):
            # Another module's attachment names it only through a reference (module_tree.crossed).
            if resource.format != identity.format:
                continue
            for instance in resource_instances(ctx, resource):
                if any(names_identity(ctx, resource, kind, p, identity) for p in as_list(instance.get(principal_key))):
                    found.extend((resource, path, arn) for path, arn in _items(instance.get(arn_key), (arn_key,)))
    return found
