"""What a role can change: the role policy set, write breadth and mutating grants (CHECKS.md
**Role policy set**, **Write breadth**, **Mutating grant**), for the agent tool checks.

The policy set of a role is every policy that applies to it in its module or template
(`aws_identities.policies_applied_to`) plus the AWS managed policies attached to it, which
are judged by name only. A permissions boundary that is not in the set makes the result
unknown (`RolePolicySet.known` is False); one in the set must also allow a grant.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from aiaas_iac.context import ScanContext
from aiaas_iac.iam.actions import INVOKE_ACTIONS
from aiaas_iac.iam.aws import Statement
from aiaas_iac.iam.aws_documents import document_from_value
from aiaas_iac.iam.aws_identities import MANAGED_POLICY_DOCUMENTS, ROLE, managed_policy_arns_of, policies_applied_to
from aiaas_iac.iam.aws_resources import ARN_HOLE, arn_text
from aiaas_iac.iam.glob import glob_match
from aiaas_iac.iam.iamdata import service_actions
from aiaas_iac.model import Resource, Unknown

ROLE_TYPES_WITH_POLICIES = ("aws_iam_role", "awscc_iam_role", "AWS::IAM::Role")
MUTATING_VERBS = (
    "Put Post Create Delete Remove Update Modify Patch Set Replace Write Upload Copy Import Restore Reset Send"
    " Publish Start Stop Terminate Reboot Run Execute Invoke Cancel Attach Detach Associate Disassociate Add"
    " Enable Disable Authorize Revoke Grant Pass Assume BatchWrite BatchDelete BatchPut BatchUpdate BatchExecute"
).split()
NOT_COUNTED_SERVICES = ("logs", "xray")
NOT_MUTATING = frozenset(a.lower() for a in (
    "cloudwatch:PutMetricData", *INVOKE_ACTIONS, "bedrock:Retrieve", "bedrock:RetrieveAndGenerate",
    "bedrock:ApplyGuardrail", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
))
PERMISSION_MANAGEMENT = (
    "iam:Attach*Policy", "iam:Put*Policy", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion",
    "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:UpdateAssumeRolePolicy",
    "iam:CreateUser", "iam:CreateRole", "iam:AddUserToGroup",
)
_BROAD_MANAGED = re.compile(r"^(AdministratorAccess.*|PowerUserAccess|.*FullAccess|.*_FullAccess|job-function/.*Administrator)$",
                            re.IGNORECASE)
_NOT_BROAD_MANAGED = ("cloudwatchlogsfullaccess", "awsxrayfullaccess")
_AWS_MANAGED = re.compile(r"^arn:[^:]*:iam::aws:policy/(.+)$", re.IGNORECASE)


def _verb_prefix(name: str) -> bool:
    """The part of an action name before its first wildcard can begin a mutating verb."""
    prefix = re.split(r"[*?]", name, maxsplit=1)[0].lower()
    return any(prefix.startswith(v.lower()) or v.lower().startswith(prefix) for v in MUTATING_VERBS)


def is_mutating_pattern(pattern: str) -> bool:
    """An Action pattern that grants (or, as a wildcard, can grant) a mutating action."""
    pattern = pattern.strip()
    if pattern == "*":
        return True
    service, colon, name = pattern.partition(":")
    if not colon or service.lower() in NOT_COUNTED_SERVICES or pattern.lower() in NOT_MUTATING:
        return False
    if "*" not in name and "?" not in name:
        return any(name.lower().startswith(v.lower()) for v in MUTATING_VERBS)
    return _verb_prefix(name) and _may_match_counted_action(service, pattern)


@functools.lru_cache(maxsize=512)
def _may_match_counted_action(service: str, pattern: str) -> bool:
    """A wildcard can grant a counted mutating action of `service`: `bedrock:InvokeModel*` names
    only invoke actions, which do not count. A service the IAM data does not list (or a
    wildcard service) keeps the literal-prefix test."""
    if "*" in service or "?" in service:
        return True
    actions = service_actions(service)
    if not actions:
        return True
    return any(glob_match(pattern, action) and is_mutating_pattern(action) for action in actions)


def aws_managed_policy_name(arn: Any) -> str | None:
    """`AdministratorAccess` for `arn:aws:iam::aws:policy/AdministratorAccess` (any partition,
    `${AWS::Partition}` included); None for anything else."""
    text = arn_text(arn) if not isinstance(arn, str) else arn
    if text is None and isinstance(arn, Unknown):
        text = arn.text.strip().strip('"')
        text = re.sub(r"\$\{[^}]*\}", "x", text.removeprefix("!Sub").strip().strip('"'))
    if text is None:
        return None
    match = _AWS_MANAGED.match(text.replace(ARN_HOLE, "x").strip())
    return match.group(1) if match else None


def is_broad_managed_policy(name: str) -> bool:
    return bool(_BROAD_MANAGED.match(name)) and name.lower() not in _NOT_BROAD_MANAGED


def _resource_unscoped(value: Any, star_only: bool = False) -> bool:
    text = arn_text(value)
    if text is None or ARN_HOLE in text:
        return False
    text = text.strip()
    if text == "*":
        return True
    if star_only:
        return False
    parts = text.split(":", 5)
    if len(parts) < 6:
        return len(parts) >= 2 and parts[-1] == "*"
    return bool(parts[5]) and set(parts[5]) <= set("*?/:")


def _unscoped(statement: Statement, star_only: bool = False) -> bool:
    return statement.resources is not None and any(_resource_unscoped(r, star_only) for r in statement.resources)


def write_breadth(statement: Statement) -> str | None:
    """Why one statement gives write breadth (categories (a)-(c)), for messages; None if it does not."""
    if not statement.allows:
        return None
    if statement.not_actions is not None:
        return "an Allow with NotAction"
    patterns = statement.known_actions()
    if any(p.strip() == "*" for p in patterns) and _unscoped(statement):
        return 'Action "*"'
    if statement.condition:
        return None
    for pattern in patterns:
        service, _, name = pattern.strip().partition(":")
        if service.lower() in NOT_COUNTED_SERVICES or not name or ("*" not in name and "?" not in name):
            continue
        mutating = name == "*" or (_verb_prefix(name) and _may_match_counted_action(service, pattern.strip()))
        if mutating and _unscoped(statement) and statement.names_service(service.lower()):
            return f"{pattern} on {statement.resource_text()}"
    for action in _permission_management_actions():
        if statement.grants(action):
            return f"{action} (permission management)"
    if statement.grants("iam:PassRole") and _unscoped(statement):
        return f"iam:PassRole on {statement.resource_text()}"
    if statement.grants("sts:AssumeRole") and _unscoped(statement, star_only=True):
        return "sts:AssumeRole on *"
    return None


@functools.lru_cache(maxsize=1)
def _permission_management_actions() -> tuple[str, ...]:
    actions = service_actions("iam")
    return tuple(a for a in actions if any(glob_match(p, a) for p in PERMISSION_MANAGEMENT))


def mutating_patterns(statement: Statement) -> list[str]:
    """The Action patterns of an Allow statement that grant a mutating action (conditions ignored)."""
    if not statement.allows:
        return []
    if statement.not_actions is not None:
        return [] if any(isinstance(p, Unknown) for p in statement.not_actions) else ["NotAction"]
    found = []
    for pattern in statement.known_actions():
        service = pattern.strip().partition(":")[0]
        if is_mutating_pattern(pattern) and (pattern.strip() == "*" or statement.names_service(service.lower())):
            found.append(pattern)
    return found


@dataclass(frozen=True)
class Grant:
    """A statement, or an AWS managed policy attachment, in a role's policy set."""

    holder: Resource
    path: tuple
    statement: Statement | None = None
    managed_policy: str = ""

    def describe(self) -> str:
        if self.managed_policy:
            return f"{self.holder.address} (attaching {self.managed_policy})"
        if self.statement is not None and self.holder.type in ROLE_TYPES_WITH_POLICIES and self.path:
            return f"{self.path[0]} of {self.holder.address}"
        return self.holder.address


@dataclass(frozen=True)
class RolePolicySet:
    role: Resource
    known: bool  # False when a permissions boundary outside the set makes the result unknown
    statements: tuple[Statement, ...]
    managed: tuple[Grant, ...]  # AWS managed policies attached, by name
    boundary: tuple[Statement, ...] | None  # the boundary's statements when it is in the set

    def boundary_allows(self, patterns: list[str]) -> bool:
        if self.boundary is None:
            return True
        for statement in self.boundary:
            if not statement.allows:
                continue
            if statement.not_actions is not None:
                return True
            for b in statement.known_actions():
                if any(glob_match(b, p) or glob_match(p, b) for p in patterns):
                    return True
        return False

    def write_breadth_grants(self) -> list[tuple[Grant, str]]:
        """(grant, why) for every statement or managed attachment that gives write breadth."""
        if not self.known:
            return []
        found = []
        for statement in self.statements:
            why = write_breadth(statement)
            if why is not None and self.boundary_allows(statement.known_actions() or ["*"]):
                found.append((Grant(statement.resource, statement.path, statement), why))
        for grant in self.managed:
            if is_broad_managed_policy(grant.managed_policy) and self.boundary_allows(["*"]):
                found.append((grant, "an administrator, power-user or full-access AWS managed policy"))
        return found

    def mutating_grants(self) -> list[str]:
        """Descriptions of the grants that let the role change something."""
        if not self.known:
            return []
        found = []
        for statement in self.statements:
            patterns = mutating_patterns(statement)
            if patterns and self.boundary_allows([p for p in patterns if p != "NotAction"] or ["*"]):
                found.extend(p for p in patterns if p not in found)
        for grant in self.managed:
            if is_broad_managed_policy(grant.managed_policy) and self.boundary_allows(["*"]):
                found.append(grant.managed_policy)
        return found


def _boundary(ctx: ScanContext, role: Resource) -> tuple[bool, tuple[Statement, ...] | None]:
    """(known, statements) of the role's permissions boundary: (True, None) when it has none."""
    value = role.get("permissions_boundary" if role.format == "terraform" else "PermissionsBoundary")
    if value is None:
        return True, None
    for target in ctx.referenced(role, value) if isinstance(value, Unknown) else ():
        attribute = MANAGED_POLICY_DOCUMENTS.get(target.type)
        if attribute is not None and target.kind == "resource":
            document = document_from_value(ctx, target, target.get(attribute), (attribute,))
            if document is not None:
                return True, document.statements
    return False, None


def role_policy_set(ctx: ScanContext, role: Resource) -> RolePolicySet:
    """The role policy set of a declared role, computed once per scan."""
    def build() -> RolePolicySet:
        known, boundary = _boundary(ctx, role)
        statements: list[Statement] = []
        for policy in policies_applied_to(ctx, role, ROLE, role):
            if policy.document is not None:
                statements.extend(s for s in policy.document.statements if s not in statements)
        managed = []
        for holder, path, arn in managed_policy_arns_of(ctx, role, ROLE):
            name = aws_managed_policy_name(arn)
            if name is not None:
                managed.append(Grant(holder, path, managed_policy=name))
        return RolePolicySet(role, known, tuple(statements), tuple(managed), boundary)

    return ctx.memo(("aws.role_policy_set", role.format, role.module, role.address), build)
