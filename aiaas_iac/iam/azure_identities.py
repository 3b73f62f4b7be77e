"""AI identities (Azure): the managed identities that AI resources act as, for AIA309.

An *AI identity* (CHECKS.md) is the `identity[0].principal_id` of an AI account,
an `azurerm_ai_services`, an `azurerm_ai_foundry` hub or an
`azurerm_ai_foundry_project`, or the `principal_id` of an
`azurerm_user_assigned_identity` listed in one of those resources'
`identity.identity_ids`; in Bicep/ARM, the same resources' `identity.principalId`,
or the `properties.principalId` of a `Microsoft.ManagedIdentity/userAssignedIdentities`
listed among their `identity.userAssignedIdentities` keys. `ai_identity_owners` tells which AI resources a
`principal_id` value belongs to; an unresolved value belongs to none.
"""

from __future__ import annotations

from typing import Any

from aiaas_iac.context import address_of_ref
from aiaas_iac.iam.azure import ai_accounts, arm_lookup, arm_resources, block_list, is_arm, ref_parts
from aiaas_iac.iam.azure_foundry import HUB_TYPE, PROJECT_TYPE, WORKSPACE_ARM_TYPE, workspace_kind
from aiaas_iac.model import Resource, Unknown
from aiaas_iac.terraform_instances import declared

UAI_TYPE = "azurerm_user_assigned_identity"
UAI_ARM_TYPE = "microsoft.managedidentity/userassignedidentities"


def ai_resources(ctx) -> list[Resource]:
    """The scanned blocks of every AI account, Foundry hub and Foundry project the scan creates."""
    def compute() -> list[Resource]:
        found = [account.resource for account in ai_accounts(ctx)]
        found += [r for r in ctx.of_type(HUB_TYPE, PROJECT_TYPE, format="terraform") if declared(ctx, r) is not None]
        found += [r for r in arm_resources(ctx, WORKSPACE_ARM_TYPE) if workspace_kind(r) is not None]
        return found

    return ctx.memo("azure.ai_resources", compute)


def _identity_ids_name(ctx, owner: Resource, identity: Resource) -> bool:
    """Does `owner` list user-assigned `identity` in an `identity` block's `identity_ids`?"""
    for block in block_list(owner.attributes.get("identity")):
        ids = block.get("identity_ids")
        for value in ids if isinstance(ids, list) else [ids]:
            if any(r is identity for r in ctx.referenced(owner, value)):
                return True
    return False


def _lists_user_identity(ctx, owner: Resource, identity: Resource) -> bool:
    """Does Bicep/ARM `owner` list user-assigned `identity` among `identity.userAssignedIdentities`
    (keys `'${uami.id}'`, `resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', n)`)?"""
    _, block = arm_lookup(owner.attributes, "identity")
    _, listed = arm_lookup(block, "userAssignedIdentities")
    if not isinstance(listed, dict) or owner.module != identity.module:
        return False
    for key in listed:
        if isinstance(key, Unknown) and any(r is identity for r in ctx.referenced(owner, key)):
            return True
        if isinstance(key, str) and _names_identity(key, identity):
            return True
    return False


def _names_identity(resource_id: str, identity: Resource) -> bool:
    """A literal `/subscriptions/.../userAssignedIdentities/<name>` naming `identity`."""
    name = identity.attributes.get("name")
    return isinstance(name, str) and resource_id.lower().rstrip("/").endswith(
        f"/providers/{UAI_ARM_TYPE}/{name.lower()}")


def ai_identity_owners(ctx, near: Resource, principal: Any) -> list[Resource]:
    return [owner for owner, _ in ai_identity_sources(ctx, near, principal)]


def ai_identity_sources(ctx, near: Resource, principal: Any) -> list[tuple[Resource, Resource | None]]:
    """(AI resource, the user-assigned identity it lists or None for its own identity) for each
    AI resource whose identity `principal` is; see `ai_identity_owners`."""
    """The AI resources whose identity `principal` (a `principal_id` written in `near`) is:
    `<ai resource>.identity[0].principal_id`, or `azurerm_user_assigned_identity.X.principal_id`
    of an identity an AI resource lists. Empty when it is none of them or unresolved."""
    if not isinstance(principal, Unknown):
        return []
    owners: list[tuple[Resource, Resource | None]] = []
    resources = ai_resources(ctx)
    if is_arm(near):
        # `openai.identity.principalId` (Bicep), `reference(resourceId(...), v, 'Full').identity.principalId`;
        # `uami.properties.principalId`, `reference(resourceId('...userAssignedIdentities', n)).principalId`
        for ref in principal.refs:
            address = address_of_ref(ref, near.format)
            target = ctx.lookup(near, address)
            rest = ref[len(address):].lower()
            if target is None:
                continue
            if rest == ".identity.principalid" and any(r is target for r in resources):
                owners.append((target, None))
            elif rest == ".properties.principalid" and target.type.lower() == UAI_ARM_TYPE:
                owners += [(r, target) for r in resources if is_arm(r) and _lists_user_identity(ctx, r, target)]
        return list({id(owner): (owner, via) for owner, via in owners}.values())
    for ref in principal.refs:
        parts = ref_parts(ref)
        if len(parts) < 3 or parts[-1] != "principal_id" or parts[0] == "data":
            continue
        target = ctx.lookup(near, ".".join(parts[:2]))
        if target is None:
            continue
        if parts[2:] == ("identity", "principal_id") and any(r is target for r in resources):
            owners.append((target, None))
        elif target.type == UAI_TYPE and parts[2:] == ("principal_id",):
            owners += [(r, target) for r in resources if r.format == target.format and _identity_ids_name(ctx, r, target)]
    return list({id(owner): (owner, via) for owner, via in owners}.values())
