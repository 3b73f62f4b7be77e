"""Azure access paths: principals in role assignments (managed identities, service principals,
principal IDs) and AI accounts whose keys work, read through iam/azure*.py as AIA3xx reads them."""

from __future__ import annotations

from typing import Any

from aiaas_iac.iam.aws_resources import display_value
from aiaas_iac.context import address_of_ref
from aiaas_iac.iam.azure import AIAccount, ai_account_blocks, is_arm, ref_parts, refers_to_account
from aiaas_iac.iam.azure_diagnostics import diagnostic_coverage
from aiaas_iac.iam.azure_roles import BROAD_SCOPES, RoleAssignment, is_ai_role, privileged_role, role_assignments
from aiaas_iac.inventory import model
from aiaas_iac.inventory.common import Collector, Reach, identity_of, related_key, values_text
from aiaas_iac.inventory.model import Identity
from aiaas_iac.model import Unknown

SERVICE = "azure-openai"
UAI_TYPE = "azurerm_user_assigned_identity"


def role_capability(role: str) -> str | None:
    """What an AI role (`Cognitive Services OpenAI User`, `Azure AI Developer`, ...) or a privileged
    role lets its principal do on the AI accounts in its scope."""
    name = role.strip().lower()
    if privileged_role(role):
        return "admin"
    if not is_ai_role(role):
        return None
    if name.endswith(("administrator", " owner", "account owner")):
        return "admin"
    if name.endswith("reader") or "reader" in name.split():
        return "read"
    if name.endswith(" user") or name.endswith("recognizer") or name == "cognitive services user":
        return "invoke"
    return "manage"


def _accounts_in_scope(ctx: Any, assignment: RoleAssignment) -> list[AIAccount]:
    near = assignment.evaluated or assignment.resource
    value = near.attributes.get(assignment.scope_path[0])
    return [a for a in ai_account_blocks(ctx) if refers_to_account(ctx, near, value, a)]


def _logged(ctx: Any, accounts: list[AIAccount]) -> bool | None:
    if not accounts:
        return None
    states = [diagnostic_coverage(ctx, account).covered for account in accounts]
    if any(state is False for state in states):
        return False
    return True if all(states) else None


ARM_UAI_TYPE = "microsoft.managedidentity/userassignedidentities"


def _principal(ctx: Any, assignment: RoleAssignment) -> tuple[Identity, str, set]:
    """(identity, credential kind, related resources) of the principal an assignment names."""
    near = assignment.evaluated or assignment.resource
    principal = assignment.principal
    fallback = Identity("azure-principal", display_value(principal) if principal is not None else "(unknown)",
                        near.file, near.span.start_line)
    if isinstance(principal, str):
        return Identity("azure-principal", principal.strip(), near.file, near.span.start_line), model.PRINCIPAL, set()
    if not isinstance(principal, Unknown):
        return fallback, model.PRINCIPAL, set()
    for ref in principal.refs:
        if is_arm(near):
            # Bicep `web.identity.principalId`, `uami.properties.principalId`; ARM `reference(...)`.
            address = address_of_ref(ref, near.format)
            target, rest = ctx.lookup(near, address), ref[len(address):].lower()
            if target is None:
                continue
            if target.type.lower() == ARM_UAI_TYPE:
                return identity_of(target, "azure-managed-identity"), model.MANAGED_IDENTITY, {related_key(target)}
            if rest.startswith(".identity."):
                return (Identity("azure-managed-identity", f"{target.full_address or target.address}.identity",
                                 target.file, target.span.start_line), model.MANAGED_IDENTITY, set())
            continue
        parts = ref_parts(ref)
        if parts[0] == "data":
            continue
        target = ctx.lookup(near, ".".join(parts[:2]))
        if target is None:
            continue
        if target.type == UAI_TYPE:
            return identity_of(target, "azure-managed-identity"), model.MANAGED_IDENTITY, {related_key(target)}
        if target.type.startswith("azuread_service_principal"):
            return identity_of(target, "azure-service-principal"), model.SERVICE_PRINCIPAL, {related_key(target)}
        if "identity" in parts[2:3]:  # <resource>.identity[0].principal_id: its system-assigned identity
            address = f"{target.full_address or target.address}.identity"
            return (Identity("azure-managed-identity", address, target.file, target.span.start_line),
                    model.MANAGED_IDENTITY, set())
    return fallback, model.PRINCIPAL, set()


def _account_name(account: AIAccount) -> str:
    """The account's `name` when it is known, else its address."""
    name = (account.evaluated or account.resource).attributes.get("name")
    return name if isinstance(name, str) and name else account.resource.full_address or account.address


def scope_words(reach: Reach) -> str:
    if reach.scope_all:
        return f"every AI account in the {values_text(reach.values)}"
    return f"the {values_text(reach.values)}"


def build(ctx: Any, out: Collector) -> None:
    accounts = ai_account_blocks(ctx)
    for assignment in role_assignments(ctx):
        if assignment.role is None:
            continue
        capability = role_capability(assignment.role)
        if capability is None:
            continue
        in_scope = _accounts_in_scope(ctx, assignment)
        if assignment.scope in BROAD_SCOPES:
            if privileged_role(assignment.role):
                continue  # Owner of a subscription reaches AI only if an account is in it: not certain
            covered, scope_all = accounts, True
        elif in_scope:
            covered, scope_all = in_scope, False
        elif privileged_role(assignment.role) or assignment.scope not in ("account", None):
            continue
        else:
            covered, scope_all = [], False
        near = assignment.evaluated or assignment.resource
        if in_scope and not scope_all:  # the accounts by name: `account oai-chat`, not `....id`
            values = [f"account {_account_name(a)}" for a in in_scope]
        else:
            scope_value = near.attributes.get(assignment.scope_path[0])
            shown = display_value(scope_value) if scope_value is not None else "(no scope)"
            values = [f"{assignment.scope} {shown}" if assignment.scope else shown]
        identity, credential, related = _principal(ctx, assignment)
        reach = Reach()
        reach.add({capability}, values, scope_all, [f"{assignment.address} grants {assignment.role}"],
                  {related_key(assignment.resource)} | related)
        out.add(identity, SERVICE, reach, credential, _logged(ctx, covered), scope_words)
    for account in accounts:
        if account.local_auth_enabled.value is not True:
            continue  # local_auth_enabled = false: keys do not work; unknown: no path is claimed
        reach = Reach()
        reach.add({"invoke"}, [_account_name(account)], False,
                  [f"{account.address} keys (local authentication)"], {related_key(account.resource)})
        out.add(identity_of(account.resource, "azure-account-key"), SERVICE, reach, model.ACCOUNT_KEY,
                _logged(ctx, [account]), lambda r: f"every deployment of AI account {values_text(r.values)}")
