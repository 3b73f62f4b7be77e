"""GCP IAM semantics shared by the Vertex AI checks.

A `Binding` is one role granted to a list of members, normalised from every
place Terraform can write one: `google_{project,folder,organization}_iam_
{member,binding,policy}` (a policy through a `data "google_iam_policy"` or an
inline JSON document) and the resource-level IAM of Vertex AI resources
(`google_vertex_ai_endpoint_iam_*`, `google_vertex_ai_featurestore_iam_*`,
`google_vertex_ai_feature_online_store_iam_*`...). Resources repeated with
`count`/`for_each` over a literal collection become one binding per
instance, so `role = local.roles[count.index]` is read for each role.
`all_bindings` adds the IAM of every other Google resource (buckets, service
accounts...). Also here: who a Vertex AI Agent Engine runs as, user-managed
service accounts and Vertex workload SAs (CHECKS.md definitions). API keys are
in `gcp_api_keys`. Unknown values stay `Unknown` and never count toward a finding.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

from aiaas_iac.context import ScanContext
from aiaas_iac.iam.display import display_value
from aiaas_iac.model import Resource, Unknown
from aiaas_iac.terraform_instances import declared, expanded_blocks, instance_address, instances

PROJECT, FOLDER, ORGANIZATION, RESOURCE = "project", "folder", "organization", "resource"
VERTEX_SERVICE = "aiplatform.googleapis.com"
VERTEX_ROLE_PREFIX = "roles/aiplatform."
VERTEX_ADMIN_ROLE = "roles/aiplatform.admin"
PUBLIC_PRINCIPALS = ("allUsers", "allAuthenticatedUsers")
DATA_ACCESS_LOG_TYPES = ("DATA_READ", "DATA_WRITE")
AUDIT_CONFIG_TYPES = (
    "google_project_iam_audit_config", "google_folder_iam_audit_config", "google_organization_iam_audit_config",
)
IAM_POLICY_DATA = "google_iam_policy"

_HIERARCHY_IAM_RE = re.compile(r"^google_(project|folder|organization)_iam_(member|binding|policy)$")
_VERTEX_RESOURCE_IAM_RE = re.compile(r"^google_vertex_ai_\w+_iam_(member|binding|policy)$")
# `name@project.iam.gserviceaccount.com`, also with an interpolated project: `name@${var.project}.iam...`.
# Values are the scanned repository's: an interpolation is bounded (200 characters), so one
# unclosed `${` cannot make every `name@` before it scan to the end of the text.
_SERVICE_ACCOUNT_EMAIL_RE = re.compile(
    r"(?<![\w.${}-])([a-z][a-z0-9-]{4,28}[a-z0-9])@(?:[\w.-]|\$\{[^}]{0,200}\})+\.iam\.gserviceaccount\.com",
    re.I)


# ---------------------------------------------------------------------------
# Bindings


@dataclass(frozen=True)
class Binding:
    """One role granted to members. `source` is where the role is written (the IAM resource,
    or the `data "google_iam_policy"` it applies); `applied_by` is the IAM resource."""

    source: Resource
    path: tuple  # the binding's attribute path in `source` (`()` for a member/binding resource)
    applied_by: Resource
    level: str  # project / folder / organization / resource (a Vertex AI resource's own IAM)
    role: Any  # str or Unknown
    members: tuple  # str or Unknown each
    member_paths: tuple  # the attribute path of each member in `source`
    conditional: bool
    instance: Any = None  # count index / for_each key of `applied_by`

    @property
    def role_path(self) -> tuple:
        return self.path + ("role",)

    @property
    def where(self) -> str:
        """`google_project_iam_member.admin[0]`, or `data.google_iam_policy.p via google_project_iam_policy.p`."""
        applied = instance_address(self.applied_by.address, self.instance)
        return applied if self.source is self.applied_by else f"{self.source.address} via {applied}"

    @property
    def detail(self) -> str:
        """Tells apart findings on bindings that share a line (instances of one resource)."""
        via = "" if self.source is self.applied_by else f"@{self.applied_by.address}"
        return ".".join(str(p) for p in self.role_path) + via + ("" if self.instance is None else f"[{self.instance}]")

    def is_vertex_role(self) -> bool:
        return isinstance(self.role, str) and self.role.strip().startswith(VERTEX_ROLE_PREFIX)

    def public_members(self) -> list[tuple[str, tuple]]:
        """(member, its path) for each `allUsers` / `allAuthenticatedUsers` member."""
        return [(m.strip(), path) for m, path in zip(self.members, self.member_paths)
                if isinstance(m, str) and m.strip() in PUBLIC_PRINCIPALS]


def iam_level(resource_type: str) -> str | None:
    """The level an IAM resource type grants at, or None if it is not one we read."""
    match = _HIERARCHY_IAM_RE.match(resource_type)
    if match:
        return match.group(1)
    return RESOURCE if _VERTEX_RESOURCE_IAM_RE.match(resource_type) else None


def grant_scope(ctx: ScanContext, binding: Binding) -> str:
    """`at project level`, or `on google_vertex_ai_endpoint.chat` for a Vertex AI resource's own IAM."""
    if binding.level != RESOURCE:
        return f"at {binding.level} level"
    target_type = re.sub(r"_iam_(member|binding|policy)$", "", binding.applied_by.type)
    for value in binding.applied_by.attributes.values():
        for target in ctx.referenced(binding.applied_by, value):
            if target.type == target_type:
                return f"on {target.address}"
    return f"on a {target_type}"


def _members(block: dict, prefix: tuple) -> tuple[tuple, tuple]:
    """(members, their paths) of a block with `member` or a `members` list."""
    if "member" in block:
        return (block["member"],), (prefix + ("member",),)
    value = block.get("members")
    if isinstance(value, list):
        return tuple(value), tuple(prefix + ("members", i) for i in range(len(value)))
    if value is None:
        return (), ()
    return (value,), (prefix + ("members",),)


def _has_condition(block: dict) -> bool:
    return bool(block.get("condition")) or any(
        isinstance(d, dict) and d.get("__labels__") == ["condition"] for d in block.get("dynamic") or [])


def _binding(source: Resource, path: tuple, applied_by: Resource, level: str, block: dict, key: Any) -> Binding:
    members, member_paths = _members(block, path)
    return Binding(source, path, applied_by, level, block.get("role"), members, member_paths,
                   _has_condition(block), key)


def _document_bindings(ctx: ScanContext, applied_by: Resource, level: str, key: Any) -> list[Binding]:
    """Bindings of an `*_iam_policy`'s `policy_data`: a data "google_iam_policy" or inline JSON."""
    value = applied_by.get("policy_data")
    if isinstance(value, Unknown):
        return [_binding(data, path, applied_by, level, block, key)
                for data in ctx.referenced(applied_by, value)
                if data.kind == "data" and data.type == IAM_POLICY_DATA
                for path, block, _ in expanded_blocks(ctx, data, "binding")]
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):  # not JSON, or nested past Python's stack
            return []
    items = value.get("bindings") if isinstance(value, dict) else None
    return [_binding(applied_by, ("policy_data", "bindings", index), applied_by, level, item, key)
            for index, item in enumerate(items if isinstance(items, list) else []) if isinstance(item, dict)]


def _compute_bindings(ctx: ScanContext) -> list[Binding]:
    out: list[Binding] = []
    for resource in ctx.of_type("google_*_iam_*", format="terraform"):
        level = iam_level(resource.type)
        if level is None:
            continue
        for key, instance in instances(ctx, resource):
            if resource.type.endswith("_iam_policy"):
                out.extend(_document_bindings(ctx, instance, level, key))
            else:
                out.append(_binding(instance, (), instance, level, dict(instance.attributes), key))
    return out


def bindings(ctx: ScanContext) -> list[Binding]:
    """Every GCP role binding of the scan (project, folder, organization and Vertex AI resource IAM)."""
    return ctx.memo("gcp.bindings", lambda: _compute_bindings(ctx))


def member_text(member: Any) -> str:
    return member.strip() if isinstance(member, str) else display_value(member)


def describe_members(members: tuple, shown: int = 3) -> str:
    """`allUsers, group:ml@example.com and 2 more` for messages."""
    texts = [member_text(m) for m in members] or ["no members"]
    more = f" and {len(texts) - shown} more" if len(texts) > shown else ""
    return ", ".join(texts[:shown]) + more


# ---------------------------------------------------------------------------
# Service accounts


def _accounts_named(ctx: ScanContext, account_id: str) -> list[Resource]:
    return [a for a in ctx.of_type("google_service_account", format="terraform")
            if isinstance(a.get("account_id"), str) and a.get("account_id").lower() == account_id.lower()]


def service_accounts_of(ctx: ScanContext, near: Resource, value: Any) -> list[Resource]:
    """The `google_service_account`s a member or account id names: by reference
    (`google_service_account.x.email` / `.member` / `.name` / `.id`), or by an e-mail
    `name@project.iam.gserviceaccount.com` (the project may be interpolated) whose `name` is
    the account's `account_id`."""
    if isinstance(value, Unknown):
        referenced = [r for r in ctx.referenced(near, value)
                      if r.type == "google_service_account" and r.kind == "resource"]
        if referenced:
            return referenced
    text = value if isinstance(value, str) else value.text if isinstance(value, Unknown) else ""
    match = _SERVICE_ACCOUNT_EMAIL_RE.search(text)
    return _accounts_named(ctx, match.group(1)) if match else []


def _account_key(account: Resource) -> tuple[str, str]:
    return (account.module, account.address)


def vertex_grants_by_account(ctx: ScanContext) -> dict[tuple[str, str], list[Binding]]:
    """Service accounts (by module and address) granted any `roles/aiplatform.*` role, with the grants."""

    def compute() -> dict[tuple[str, str], list[Binding]]:
        out: dict[tuple[str, str], list[Binding]] = {}
        for binding in bindings(ctx):
            if not binding.is_vertex_role():
                continue
            for member in binding.members:
                for account in service_accounts_of(ctx, binding.applied_by, member):
                    grants = out.setdefault(_account_key(account), [])
                    if binding not in grants:
                        grants.append(binding)
        return out

    return ctx.memo("gcp.vertex_grants_by_account", compute)


def vertex_grants_for(ctx: ScanContext, account: Resource) -> list[Binding]:
    return vertex_grants_by_account(ctx).get(_account_key(account), [])


# ---------------------------------------------------------------------------
# Audit logs and Vertex usage


@dataclass(frozen=True)
class AuditConfig:
    resource: Resource
    path: tuple
    service: Any  # str or Unknown
    log_types: tuple  # str or Unknown each
    certain: bool  # False when a dynamic block or an unknown collection hides log types


def _audit_config(resource: Resource, service: Any, blocks: Iterator, path: tuple, certain: bool = True) -> AuditConfig:
    log_types: list[Any] = []
    for _, block, block_certain in blocks:
        certain = certain and block_certain
        log_types.append(block.get("log_type"))
    return AuditConfig(resource, path, service, tuple(log_types), certain)


def _compute_audit_configs(ctx: ScanContext) -> list[AuditConfig]:
    out: list[AuditConfig] = []
    for resource in ctx.of_type(*AUDIT_CONFIG_TYPES, format="terraform"):
        for _, instance in instances(ctx, resource):
            out.append(_audit_config(instance, instance.get("service"),
                                     expanded_blocks(ctx, instance, "audit_log_config"), ()))
    for policy in ctx.of_type("google_project_iam_policy", "google_folder_iam_policy",
                              "google_organization_iam_policy", format="terraform"):
        for data in ctx.referenced(policy, policy.get("policy_data")):
            if data.kind != "data" or data.type != IAM_POLICY_DATA:
                continue
            for path, block, certain in expanded_blocks(ctx, data, "audit_config"):
                inner = dataclasses.replace(data, attributes=block)
                out.append(_audit_config(data, block.get("service"),
                                         expanded_blocks(ctx, inner, "audit_log_configs"), path, certain))
    return out


def audit_configs(ctx: ScanContext) -> list[AuditConfig]:
    return ctx.memo("gcp.audit_configs", lambda: _compute_audit_configs(ctx))


def covers_vertex(config: AuditConfig) -> bool | None:
    """True if the config is for Vertex AI or allServices; None when its service is unknown."""
    if isinstance(config.service, str):
        return config.service.strip() in (VERTEX_SERVICE, "allServices")
    return None


def vertex_data_access_logging(ctx: ScanContext) -> tuple[bool | None, set[str]]:
    """(whether DATA_READ and DATA_WRITE are both enabled for Vertex AI across all audit
    configs, the log types that are), None when an unknown value could complete them."""
    enabled: set[str] = set()
    uncertain = False
    for config in audit_configs(ctx):
        covers = covers_vertex(config)
        if covers is None or (covers and not config.certain):
            uncertain = True
        if covers:
            uncertain = uncertain or any(isinstance(t, Unknown) for t in config.log_types)
            enabled.update(t.strip().upper() for t in config.log_types if isinstance(t, str))
    if all(t in enabled for t in DATA_ACCESS_LOG_TYPES):
        return True, enabled
    return (None if uncertain else False), enabled


@dataclass(frozen=True)
class VertexUse:
    resource: Resource
    path: tuple
    reason: str  # "google_vertex_ai_endpoint.chat", "google_project_iam_member.ml grants roles/aiplatform.user"


def vertex_uses(ctx: ScanContext) -> list[VertexUse]:
    """Every Terraform block that makes the scan use Vertex AI, in file and line order."""
    found: list[VertexUse] = []
    for resource in ctx.of_type("google_vertex_ai_*", format="terraform"):
        if declared(ctx, resource) is not None:
            found.append(VertexUse(resource, (), resource.address))
    for resource in ctx.of_type("google_project_service", format="terraform"):
        for key, instance in instances(ctx, resource):
            if instance.get("service") == VERTEX_SERVICE:
                found.append(VertexUse(resource, ("service",),
                                       f"{instance_address(resource.address, key)} enables {VERTEX_SERVICE}"))
    for binding in bindings(ctx):
        if binding.is_vertex_role():
            found.append(VertexUse(binding.source, binding.role_path, f"{binding.where} grants {binding.role}"))
    return sorted(found, key=lambda u: (u.resource.file, u.resource.span_of(*u.path).start_line))


# ---------------------------------------------------------------------------
# Vertex AI Agent Engine (reasoning engine) identities

REASONING_ENGINE = "google_vertex_ai_reasoning_engine"
AGENT_IDENTITY = "AGENT_IDENTITY"


@dataclass(frozen=True)
class EngineIdentity:
    """Who a reasoning engine runs as. `service_account` is None when `spec.service_account` is
    absent (or empty); `path` is the `spec` block (`()` when the engine has none)."""

    engine: Resource
    path: tuple
    service_account: Any
    identity_type: Any

    @property
    def shared_default(self) -> bool:
        """Runs as the project's Reasoning Engine Service Agent (CHECKS.md AIA209): no service
        account and an identity type that is certainly not AGENT_IDENTITY."""
        if self.service_account is not None:
            return False
        if self.identity_type is None:
            return True
        return isinstance(self.identity_type, str) and self.identity_type.strip().upper() != AGENT_IDENTITY


def engine_identities(ctx: ScanContext, engine: Resource) -> list[EngineIdentity]:
    """The identity of each `spec` block of an (evaluated) reasoning engine; one with path `()`
    when it has no `spec` at all. A `dynamic "spec"` over an unknown collection gives none."""
    found: list[EngineIdentity] = []
    for path, spec, certain in expanded_blocks(ctx, engine, "spec"):
        if not certain:
            return []
        account = spec.get("service_account")
        if isinstance(account, str) and not account.strip():
            account = None
        found.append(EngineIdentity(engine, path, account, spec.get("identity_type")))
    return found or [EngineIdentity(engine, (), None, None)]


def reasoning_engine_accounts(ctx: ScanContext) -> dict[tuple[str, str], list[Resource]]:
    """Service accounts (by module and address) that reasoning engines name as `spec.service_account`."""

    def compute() -> dict[tuple[str, str], list[Resource]]:
        out: dict[tuple[str, str], list[Resource]] = {}
        for engine in ctx.of_type(REASONING_ENGINE, format="terraform"):
            for _, instance in instances(ctx, engine):
                for identity in engine_identities(ctx, instance):
                    if identity.service_account is None:
                        continue
                    for account in service_accounts_of(ctx, engine, identity.service_account):
                        engines = out.setdefault(_account_key(account), [])
                        if engine not in engines:
                            engines.append(engine)
        return out

    return ctx.memo("gcp.reasoning_engine_accounts", compute)


# ---------------------------------------------------------------------------
# User-managed service accounts, Vertex workload SAs, and bindings on any resource

VERTEX_SERVICE_AGENT_ROLE = "roles/aiplatform.serviceAgent"
TOKEN_CREATOR_ROLE = "roles/iam.serviceAccountTokenCreator"
SERVICE_ACCOUNT_IAM_TYPES = ("google_service_account_iam_member", "google_service_account_iam_binding")
_ANY_RESOURCE_IAM_RE = re.compile(r"^google_\w+_iam_(member|binding|policy)$")
# A literal user-managed account member: `serviceAccount:<name>@<project>.iam.gserviceaccount.com`.
_USER_MANAGED_MEMBER_RE = re.compile(
    r"serviceAccount:([a-z][a-z0-9-]{0,62})@([a-z][a-z0-9-]{0,62})\.iam\.gserviceaccount\.com", re.I)
# An e-mail inside a service-account id (`projects/p/serviceAccounts/<email>`) or a member.
_ACCOUNT_EMAIL_RE = re.compile(r"([a-z][a-z0-9-]{0,62}@[a-z][a-z0-9-]{0,62}\.iam\.gserviceaccount\.com)", re.I)


def is_service_agent_email(email: str) -> bool:
    """Google-managed service agents (`service-123@gcp-sa-aiplatform.iam.gserviceaccount.com`)."""
    domain = email.rsplit("@", 1)[-1].lower()
    return domain.startswith("gcp-sa-")


def account_ids(ctx: ScanContext, near: Resource, value: Any) -> set[tuple]:
    """Identity keys of the service accounts a member or a `service_account_id` names: a declared
    `google_service_account` by module and address, else the literal e-mail (lower case). Empty
    when the value names none (or is unknown)."""
    declared_accounts = service_accounts_of(ctx, near, value)
    if declared_accounts:
        return {("sa",) + _account_key(a) for a in declared_accounts}
    if isinstance(value, str):
        match = _ACCOUNT_EMAIL_RE.search(value[:1000])
        if match:
            return {("email", match.group(1).lower())}
    return set()


def user_managed_member(ctx: ScanContext, near: Resource, member: Any) -> set[tuple]:
    """Identity keys of the user-managed service account a member is (CHECKS.md "User-managed
    service account"): `google_service_account.X.member`, `serviceAccount:${google_service_account.X.email}`,
    or a literal `serviceAccount:<name>@<project>.iam.gserviceaccount.com` whose project is not a
    `gcp-sa-*` service-agent domain. Empty for anything else (humans, groups, service agents, unknowns)."""
    if isinstance(member, Unknown):
        text = member.text
        if "serviceAccount:" not in text and not re.search(r"\.member\b", text):
            return set()
        return {("sa",) + _account_key(a) for a in ctx.referenced(near, member)
                if a.type == "google_service_account" and a.kind == "resource"}
    if not isinstance(member, str):
        return set()
    match = _USER_MANAGED_MEMBER_RE.fullmatch(member.strip())
    if match is None or match.group(2).lower().startswith("gcp-sa-"):
        return set()
    return account_ids(ctx, near, member.strip())


def _compute_any_resource_bindings(ctx: ScanContext) -> list[Binding]:
    """Bindings on IAM resources `bindings()` does not read (storage buckets, service accounts,
    secrets...): any `google_*_iam_{member,binding,policy}`."""
    out: list[Binding] = []
    for resource in ctx.of_type("google_*_iam_*", format="terraform"):
        if iam_level(resource.type) is not None or not _ANY_RESOURCE_IAM_RE.match(resource.type):
            continue
        for key, instance in instances(ctx, resource):
            if resource.type.endswith("_iam_policy"):
                out.extend(_document_bindings(ctx, instance, RESOURCE, key))
            else:
                out.append(_binding(instance, (), instance, RESOURCE, dict(instance.attributes), key))
    return out


def all_bindings(ctx: ScanContext) -> list[Binding]:
    """`bindings()` plus the IAM of every other Google resource."""
    return ctx.memo("gcp.all_bindings", lambda: bindings(ctx) + _compute_any_resource_bindings(ctx))


def vertex_workload_accounts(ctx: ScanContext) -> set[tuple]:
    """Identity keys of Vertex workload SAs: user-managed accounts named by a reasoning engine's
    `spec.service_account` or granted any `roles/aiplatform.*` role in the scan."""

    def compute() -> set[tuple]:
        found = {("sa",) + key for key in reasoning_engine_accounts(ctx)}
        for engine in ctx.of_type(REASONING_ENGINE, format="terraform"):
            for _, instance in instances(ctx, engine):
                for identity in engine_identities(ctx, instance):
                    if isinstance(identity.service_account, str) and not is_service_agent_email(identity.service_account):
                        found |= account_ids(ctx, engine, identity.service_account)
        for binding in bindings(ctx):
            if binding.is_vertex_role():
                for member in binding.members:
                    found |= user_managed_member(ctx, binding.applied_by, member)
        return found

    return ctx.memo("gcp.vertex_workload_accounts", compute)
