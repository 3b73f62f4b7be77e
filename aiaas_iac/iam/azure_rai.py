"""Azure OpenAI content-filter (RAI) policies and the deployments that use them, for AIA308.

A deployment names its policy by `rai_policy_name` (azapi: `properties.raiPolicyName`);
the policy (`azurerm_cognitive_account_rai_policy`, azapi
`Microsoft.CognitiveServices/accounts/raiPolicies`) belongs to an account
(`cognitive_account_id` / `parent_id`). A deployment uses a policy when both sit
on the same account and the name matches, literally or by a reference to the
policy's `name`. Prompt shields are the `Jailbreak` and `Indirect Attack`
filters; their spelling varies (`jailbreak`, `Indirect_Attack`), so names are
compared lower-case without spaces, `_` or `-` (CHECKS.md S11d, Unverified 4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from aiaas_iac.iam.azure import (arm_body, arm_lookup, arm_resources, arm_type, as_bool, evaluated_declaration,
                                 expand_blocks, is_arm, ref_parts)
from aiaas_iac.model import Resource, Unknown

PROMPT_SHIELDS = {"jailbreak": "Jailbreak", "indirectattack": "Indirect Attack"}
DEPLOYMENT_ARM_TYPE = "microsoft.cognitiveservices/accounts/deployments"
POLICY_ARM_TYPE = "microsoft.cognitiveservices/accounts/raipolicies"
POLICY_TYPE = "azurerm_cognitive_account_rai_policy"


@dataclass(frozen=True)
class WeakShield:
    """A prompt-shield filter that is off (`enabled` false) or annotate-only (`blocking` false)."""

    name: str  # as written
    path: tuple
    off: bool  # False: annotate-only


@dataclass(frozen=True)
class RaiPolicy:
    resource: Resource
    name: Any
    account: Any
    weak_shields: tuple[WeakShield, ...]


@dataclass(frozen=True)
class Deployment:
    resource: Resource
    policy_name: Any
    policy_path: tuple
    account: Any


def _normalized(name: Any) -> str | None:
    return re.sub(r"[\s_\-]", "", name).lower() if isinstance(name, str) else None


def _weak(name: Any, path: tuple, enabled: Any, blocking: Any, source: Any) -> WeakShield | None:
    if _normalized(name) not in PROMPT_SHIELDS:
        return None
    if isinstance(source, str) and source.lower() == "completion":
        return None  # prompt shields judge prompts; a completion-side entry is something else
    if as_bool(enabled) is False:
        return WeakShield(name, path, off=True)
    if as_bool(blocking) is False:
        return WeakShield(name, path, off=False)
    return None


def _azurerm_policy(scanned: Resource, policy: Resource) -> RaiPolicy:
    weak = [_weak(block.get("name"), path, block.get("filter_enabled"), block.get("block_enabled"), block.get("source"))
            for path, block in expand_blocks(policy.attributes, "content_filter")[0]]
    return RaiPolicy(scanned, policy.attributes.get("name"), policy.attributes.get("cognitive_account_id"),
                     tuple(w for w in weak if w))


def _account_of(resource: Resource) -> Any:
    """The account a child belongs to: azapi `parent_id`, Bicep/ARM `parent`."""
    return resource.attributes.get("parent") if is_arm(resource) else resource.attributes.get("parent_id")


def _azapi_policy(scanned: Resource, policy: Resource) -> RaiPolicy:
    body, at = arm_body(policy)
    body_key, properties = arm_lookup(body, "properties")
    filters_key, filters = arm_lookup(properties, "contentFilters")
    weak = []
    for index, entry in enumerate(filters if isinstance(filters, list) else []):
        if isinstance(entry, dict):
            values = [arm_lookup(entry, key)[1] for key in ("name", "enabled", "blocking", "source")]
            weak.append(_weak(*values[:1], at + (body_key, filters_key, index), *values[1:]))
    name = policy.attributes.get("name")
    if is_arm(policy) and isinstance(name, str):
        name = name.rsplit("/", 1)[-1]  # ARM children may be named `account/policy`
    return RaiPolicy(scanned, name, _account_of(policy), tuple(w for w in weak if w))


def _evaluated(ctx, patterns: tuple, arm: str) -> list[tuple[Resource, Resource]]:
    found = []
    for resource in ctx.of_type(*patterns, format="terraform") + arm_resources(ctx, arm):
        if resource.type == "azapi_resource" and arm_type(resource) != arm:
            continue
        evaluated = evaluated_declaration(ctx, resource)
        if evaluated is not None:
            found.append((resource, evaluated))
    return found


def rai_policies(ctx) -> list[RaiPolicy]:
    def compute() -> list[RaiPolicy]:
        return [(_azurerm_policy if scanned.type == POLICY_TYPE else _azapi_policy)(scanned, evaluated)
                for scanned, evaluated in _evaluated(ctx, (POLICY_TYPE, "azapi_resource"), POLICY_ARM_TYPE)]

    return ctx.memo("azure.rai_policies", compute)


def deployments(ctx) -> list[Deployment]:
    found = []
    for scanned, evaluated in _evaluated(ctx, ("azurerm_cognitive_deployment", "azapi_resource"), DEPLOYMENT_ARM_TYPE):
        if scanned.type != "azurerm_cognitive_deployment":
            body, at = arm_body(evaluated)
            body_key, properties = arm_lookup(body, "properties")
            key, name = arm_lookup(properties, "raiPolicyName")
            found.append(Deployment(scanned, name, at + (body_key, key), _account_of(evaluated)))
        else:
            found.append(Deployment(scanned, evaluated.attributes.get("rai_policy_name"), ("rai_policy_name",),
                                    evaluated.attributes.get("cognitive_account_id")))
    return found


def _same_account(ctx, deployment: Deployment, policy: RaiPolicy) -> bool:
    """Do both point at the same account? Equal literal IDs, or references to the same resource."""
    a, b = deployment.account, policy.account
    if isinstance(a, str) and isinstance(b, str):
        return a.lower().rstrip("/") == b.lower().rstrip("/")
    if isinstance(a, Unknown) and isinstance(b, Unknown):
        if a.text == b.text and len(a.refs) == 1 and not a.refs[0].startswith(("each.", "count.")):
            return True  # the same expression in one module: `azurerm_cognitive_account.openai.id`, `var.account_id`
        ours = [r for r in ctx.referenced(deployment.resource, a) if r.kind == "resource"]
        theirs = ctx.referenced(policy.resource, b)
        return len(ours) == 1 and any(r is ours[0] for r in theirs)
    return False


def _names_policy(ctx, deployment: Deployment, policy: RaiPolicy) -> bool:
    name = deployment.policy_name
    if isinstance(name, str):
        return isinstance(policy.name, str) and name.lower() == policy.name.lower()
    if isinstance(name, Unknown) and len(name.refs) == 1 and ref_parts(name.refs[0])[-1:] == ("name",):
        return any(r is policy.resource for r in ctx.referenced(deployment.resource, name))
    return False


def policy_of(ctx, deployment: Deployment) -> RaiPolicy | None:
    """The RAI policy in the scan that `deployment` uses, None when there is none or it is unresolved."""
    if deployment.policy_name is None:
        return None  # the platform default policy applies
    return next((p for p in rai_policies(ctx)
                 if p.resource.module == deployment.resource.module
                 and _names_policy(ctx, deployment, p) and _same_account(ctx, deployment, p)), None)
