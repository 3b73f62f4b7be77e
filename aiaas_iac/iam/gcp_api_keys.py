"""GCP API keys (`google_apikeys_key`): what a key may call and from where, and which AI API
services the configuration enables (CHECKS.md "AI API service", "Caller restriction").

Values are the evaluated ones; a `dynamic` block over an unknown collection makes a key's
restrictions uncertain, and unknown caller restrictions count as restricting: an unknown
never counts toward a finding.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from aiaas_iac.context import ScanContext
from aiaas_iac.iam.gcp import VERTEX_SERVICE
from aiaas_iac.model import Resource, Unknown
from aiaas_iac.terraform_instances import expanded_blocks, instance_address, instances

GEMINI_SERVICE = "generativelanguage.googleapis.com"
AI_API_SERVICES = (GEMINI_SERVICE, VERTEX_SERVICE)  # CHECKS.md "AI API service (GCP)"
_WILDCARD_IPS = frozenset({"0.0.0.0/0", "::/0"})
_WILDCARD_REFERRERS = frozenset({".*", "*"})


@dataclass(frozen=True)
class ApiKeyRestrictions:
    """What a `google_apikeys_key`'s `restrictions` allow, as far as it is certain. `targets` is
    None when no `api_targets` block is written ("all targets are allowed")."""

    certain: bool  # False: a dynamic block or an unknown collection hides part of it
    targets: tuple | None  # api_targets[].service values (str or Unknown each)
    caller_restricted: bool  # CHECKS.md "Caller restriction"; True also when a value is unknown

    def ai_targets(self) -> list[str]:
        return [t.strip() for t in self.targets or () if isinstance(t, str) and t.strip().lower() in AI_API_SERVICES]

    def other_targets(self) -> list[str]:
        return [t.strip() for t in self.targets or () if isinstance(t, str) and t.strip()
                and t.strip().lower() not in AI_API_SERVICES]


def _inner_blocks(ctx: ScanContext, near: Resource, block: dict, block_type: str) -> list[tuple[dict, bool]]:
    inner = dataclasses.replace(near, attributes=block)
    return [(b, certain) for _, b, certain in expanded_blocks(ctx, inner, block_type)]


def _narrows(value: Any, wildcards: frozenset) -> bool:
    """A list with at least one value that is not a wildcard; unknown values count as narrowing."""
    if value is None:
        return False
    if not isinstance(value, list):
        return True if isinstance(value, Unknown) else (isinstance(value, str) and value.strip() not in wildcards)
    return any(isinstance(v, Unknown) or (isinstance(v, str) and v.strip() and v.strip() not in wildcards)
               for v in value)


def _caller_restricted(ctx: ScanContext, key: Resource, restrictions: dict) -> tuple[bool, bool]:
    """(restricted, certain) for one `restrictions` block."""
    certain = True
    for block_type, attribute, wildcards in (("server_key_restrictions", "allowed_ips", _WILDCARD_IPS),
                                             ("browser_key_restrictions", "allowed_referrers", _WILDCARD_REFERRERS)):
        for block, block_certain in _inner_blocks(ctx, key, restrictions, block_type):
            certain = certain and block_certain
            if _narrows(block.get(attribute), wildcards):
                return True, certain
    for block_type, inner_type, attribute in (("android_key_restrictions", "allowed_applications", None),
                                              ("ios_key_restrictions", None, "allowed_bundle_ids")):
        for block, block_certain in _inner_blocks(ctx, key, restrictions, block_type):
            certain = certain and block_certain
            if inner_type and _inner_blocks(ctx, key, block, inner_type):
                return True, certain
            if attribute and _narrows(block.get(attribute), frozenset()):
                return True, certain
    return False, certain


def api_key_restrictions(ctx: ScanContext, key: Resource) -> ApiKeyRestrictions:
    """The restrictions of an (evaluated) `google_apikeys_key`."""
    certain, targets, restricted = True, None, False
    for _, restrictions, block_certain in expanded_blocks(ctx, key, "restrictions"):
        certain = certain and block_certain
        for block, target_certain in _inner_blocks(ctx, key, restrictions, "api_targets"):
            certain = certain and target_certain
            targets = (targets or ()) + (block.get("service"),)
        caller, caller_certain = _caller_restricted(ctx, key, restrictions)
        restricted, certain = restricted or caller, certain and caller_certain
    return ApiKeyRestrictions(certain, targets, restricted)


@dataclass(frozen=True)
class EnabledApi:
    resource: Resource
    instance: Any
    service: str
    project: Any  # None when absent (the provider's project), else str or Unknown

    @property
    def where(self) -> str:
        return instance_address(self.resource.address, self.instance)


def enabled_ai_apis(ctx: ScanContext) -> list[EnabledApi]:
    """Every `google_project_service` instance that enables an AI API service."""

    def compute() -> list[EnabledApi]:
        found: list[EnabledApi] = []
        for resource in ctx.of_type("google_project_service", format="terraform"):
            for key, instance in instances(ctx, resource):
                service = instance.get("service")
                if isinstance(service, str) and service.strip().lower() in AI_API_SERVICES:
                    found.append(EnabledApi(resource, key, service.strip(), instance.get("project")))
        return found

    return ctx.memo("gcp.enabled_ai_apis", compute)


def same_project(a: Any, b: Any) -> bool:
    """Both absent (the provider's project), or equal after resolution; unknown is never the same."""
    if a is None and b is None:
        return True
    return isinstance(a, str) and isinstance(b, str) and a.strip() == b.strip()
