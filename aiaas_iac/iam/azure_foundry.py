"""Azure AI Foundry hubs and Azure AI Search services, shared by AIA309-AIA311 and AIA305.

`azurerm_ai_foundry` is the hub (an Azure ML workspace of kind Hub): its
`public_network_access` defaults to `Enabled` and its outbound isolation is
`managed_network.isolation_mode` (S10d). `azurerm_ai_foundry_project` has no
network attribute of its own. An Azure AI Search service keeps API keys
working unless `local_authentication_enabled = false` (azurerm, default `true`,
S10e) or `properties.disableLocalAuth = true` (azapi, S11c).

`ai_usage` says whether a configuration is an AI configuration for AIA311: it
declares an AI account, `azurerm_ai_services` or `azurerm_ai_foundry`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiaas_iac.iam.azure import (Setting, ai_accounts, arm_body, arm_lookup, arm_resources, arm_type, as_bool,
                                 evaluated_declaration, expand_blocks, is_arm)
from aiaas_iac.model import Resource

HUB_TYPE = "azurerm_ai_foundry"
PROJECT_TYPE = "azurerm_ai_foundry_project"
SEARCH_ARM_TYPE = "microsoft.search/searchservices"
SEARCH_KEY_ATTRIBUTES = ("primary_key", "secondary_key")
# Bicep/ARM: a Foundry hub or project is an Azure ML workspace of kind Hub / Project.
WORKSPACE_ARM_TYPE = "Microsoft.MachineLearningServices/workspaces"


def workspace_kind(resource: Resource) -> str | None:
    """`hub` / `project` for a Bicep/ARM ML workspace of that kind, else None."""
    kind = resource.attributes.get("kind") if is_arm(resource) else None
    return kind.lower() if isinstance(kind, str) and kind.lower() in ("hub", "project") else None


def is_hub(resource: Resource) -> bool:
    return resource.type == HUB_TYPE or workspace_kind(resource) == "hub"


@dataclass(frozen=True)
class FoundryHub:
    resource: Resource  # the scanned block (what references resolve to)
    evaluated: Resource  # the same with its conditionals worked out
    public_network_access: Setting  # True = Enabled, False = Disabled, None = unknown
    outbound_isolated: Setting  # True = an isolation mode other than Disabled, None = unknown


@dataclass(frozen=True)
class SearchService:
    resource: Resource
    evaluated: Resource
    local_auth_enabled: Setting  # True when API keys work

    @property
    def address(self) -> str:
        return self.resource.address


def _enabled_word(value: Any) -> bool | None:
    return {"enabled": True, "disabled": False}.get(value.lower()) if isinstance(value, str) else None


def _hub_isolation(hub: Resource) -> Setting:
    blocks, unknown = expand_blocks(hub.attributes, "managed_network")
    if not blocks:
        return Setting(None if unknown else False, (), "managed_network.isolation_mode", False)
    path, block = blocks[0]
    mode = block.get("isolation_mode")
    if mode is None:
        return Setting(False, path, "managed_network.isolation_mode", False)
    value = mode.lower() != "disabled" if isinstance(mode, str) else None
    return Setting(value, path + ("isolation_mode",), "managed_network.isolation_mode", True)


def _arm_hub(resource: Resource) -> FoundryHub:
    props_key, properties = arm_lookup(resource.attributes, "properties")
    key, value = arm_lookup(properties, "publicNetworkAccess")
    public = (Setting(True, (), "properties.publicNetworkAccess", False) if value is None else
              Setting(_enabled_word(value), (props_key, key), "properties.publicNetworkAccess", True))
    network_key, network = arm_lookup(properties, "managedNetwork")
    mode_key, mode = arm_lookup(network, "isolationMode")
    source = "properties.managedNetwork.isolationMode"
    isolated = (Setting(False, (), source, False) if mode is None else
                Setting(mode.lower() != "disabled" if isinstance(mode, str) else None,
                        (props_key, network_key, mode_key), source, True))
    return FoundryHub(resource, resource, public, isolated)


def foundry_hubs(ctx) -> list[FoundryHub]:
    """Every Foundry hub the configuration creates (`azurerm_ai_foundry`, or a Bicep/ARM ML
    workspace of kind Hub), in file order."""
    def compute() -> list[FoundryHub]:
        found = [_arm_hub(r) for r in arm_resources(ctx, WORKSPACE_ARM_TYPE) if workspace_kind(r) == "hub"]
        for resource in ctx.of_type(HUB_TYPE, format="terraform"):
            evaluated = evaluated_declaration(ctx, resource)
            if evaluated is None:
                continue
            written = evaluated.attributes.get("public_network_access")
            public = (Setting(True, (), "public_network_access", False) if written is None
                      else Setting(_enabled_word(written), ("public_network_access",), "public_network_access", True))
            found.append(FoundryHub(resource, evaluated, public, _hub_isolation(evaluated)))
        return found

    return ctx.memo("azure.foundry_hubs", compute)


def _azurerm_search_local_auth(service: Resource) -> Setting:
    written = service.attributes.get("local_authentication_enabled")
    if written is None:
        return Setting(True, (), "local_authentication_enabled", False)
    return Setting(as_bool(written), ("local_authentication_enabled",), "local_authentication_enabled", True)


def _azapi_search_local_auth(service: Resource) -> Setting:
    """An azapi search service's `body`, or a Bicep/ARM one's own body."""
    source = "properties.disableLocalAuth"
    body, at = arm_body(service)
    if body is not None and not isinstance(body, dict):
        return Setting(None, at, source, False)  # a body built from unknown values
    key, properties = arm_lookup(body, "properties")
    if key is not None and not isinstance(properties, dict):
        return Setting(None, at + (key,), source, False)
    written, value = arm_lookup(properties, "disableLocalAuth")
    if written is None or value is None:
        return Setting(True, (), source, False)
    disabled = as_bool(value)
    return Setting(None if disabled is None else not disabled, at + (key, written), source, True)


def search_services(ctx) -> list[SearchService]:
    """Every Azure AI Search service (azurerm or azapi) the configuration creates, in file order."""
    def compute() -> list[SearchService]:
        found = []
        candidates = ctx.of_type("azurerm_search_service", "azapi_resource", format="terraform")
        for resource in candidates + arm_resources(ctx, SEARCH_ARM_TYPE):
            if resource.type == "azapi_resource" and arm_type(resource) != SEARCH_ARM_TYPE:
                continue
            evaluated = evaluated_declaration(ctx, resource)
            if evaluated is None:
                continue
            read = _azurerm_search_local_auth if resource.type == "azurerm_search_service" else _azapi_search_local_auth
            found.append(SearchService(resource, evaluated, read(evaluated)))
        return found

    return ctx.memo("azure.search_services", compute)


def search_service_for(ctx, near: Resource, address: str) -> SearchService | None:
    """The search service with `address` in `near`'s module."""
    target = ctx.lookup(near, address)
    return next((s for s in search_services(ctx) if s.resource is target), None) if target else None


def ai_usage(ctx) -> Resource | None:
    """The first block that makes this an AI configuration (an AI account, `azurerm_ai_services`
    or an `azurerm_ai_foundry` hub), None when there is none."""
    candidates = [a.resource for a in ai_accounts(ctx)] + [h.resource for h in foundry_hubs(ctx)]
    return min(candidates, key=lambda r: (r.file, r.span.start_line)) if candidates else None
