"""AI account access keys: which attributes hold them, and where they land in compute settings.

AIA305 reads `key_placements`: an account's `primary_access_key` /
`secondary_access_key` (or an azapi `listKeys` result), or an Azure AI Search
service's `primary_key` / `secondary_key`, in plain app settings or
environment variables. `account_key_attributes` tells any check which
attributes of a resource are AI account keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from aiaas_iac.iam.azure import (
    AZURERM_ACCOUNT_TYPES, AIAccount, account_for, ai_accounts, arm_lookup, arm_resources, block_list,
    bare_type, expand_blocks, is_arm, ref_parts,
)
from aiaas_iac.iam.azure_foundry import SEARCH_KEY_ATTRIBUTES, SearchService, search_service_for
from aiaas_iac.model import Resource, Unknown
from aiaas_iac.parsers.hcl_expressions import Call

KEY_ATTRIBUTES = ("primary_access_key", "secondary_access_key")  # the main one first
APP_SETTINGS_TYPES = ("azurerm_*web_app", "azurerm_*web_app_slot", "azurerm_*function_app*",
                      "azurerm_app_service", "azurerm_app_service_slot")
# Bicep/ARM compute that takes plain settings, and where (see _arm_settings).
ARM_COMPUTE_TYPES = ("Microsoft.Web/sites", "Microsoft.Web/sites/slots", "Microsoft.Web/sites/config",
                     "Microsoft.Web/sites/slots/config", "Microsoft.App/containerApps", "Microsoft.App/jobs",
                     "Microsoft.ContainerInstance/containerGroups")
_ARM_KEY_REF = re.compile(r"\.(list(?:Admin)?Keys)\(\)", re.IGNORECASE)
# Wrapping a key in these leaves no usable key in the setting.
_DIGEST_CALL = re.compile(r"\b(md5|sha1|sha256|sha512|base64sha256|base64sha512|bcrypt|length)\s*\(")


@dataclass(frozen=True)
class KeyPlacement:
    resource: Resource  # the web app, function app, container app or container group
    path: tuple  # where the key sits inside it
    setting: str  # the app setting / environment variable name
    account: AIAccount | SearchService  # whose key it is
    key: str  # primary_access_key, secondary_access_key, primary_key, secondary_key or "listKeys result"


# --- which attributes are keys ---------------------------------------------------------------

def listed_account(ctx, action: Resource) -> AIAccount | None:
    """The AI account whose keys an `azapi_resource_action` calling `listKeys` returns."""
    name = action.attributes.get("action")
    if not (isinstance(name, str) and name.lower() == "listkeys"):
        return None
    targets = ctx.referenced(action, action.attributes.get("resource_id"))
    return next((a for a in ai_accounts(ctx) if a.resource in targets), None)


def account_key_attributes(ctx, resource: Resource) -> tuple[str, ...]:
    """The attributes of `resource` that hold an AI account's access keys: both keys of an azurerm
    AI account, the whole `output` of an azapi `listKeys` action on one; () for anything else,
    including an account whose kind is not known."""
    if resource.type in AZURERM_ACCOUNT_TYPES and any(a.resource is resource for a in ai_accounts(ctx)):
        return KEY_ATTRIBUTES  # an instance of it is an AI account (`kind = each.value.kind` included)
    if resource.type == "azapi_resource_action" and listed_account(ctx, resource) is not None:
        return ("output",)
    return ()


def _list_keys_action(ctx, near: Resource, parts: tuple) -> Resource | None:
    """The azapi action whose `output` a reference (split into `parts`) reads."""
    if parts[:2] == ("data", "azapi_resource_action") and parts[3:4] == ("output",):
        return ctx.lookup(near, ".".join(parts[:3]))
    if parts[0] == "azapi_resource_action" and parts[2:3] == ("output",):
        return ctx.lookup(near, ".".join(parts[:2]))
    return None


def _arm_key_source(ctx, near: Resource, value: Unknown) -> tuple[AIAccount | SearchService, str] | None:
    """Bicep/ARM: `openai.listKeys().key1`, `listKeys(resourceId(...), ...).key1`,
    `search.listAdminKeys().primaryKey` (references `<address>.listKeys()...`)."""
    for ref in value.refs:
        match = _ARM_KEY_REF.search(ref)
        if match is None:
            continue
        target = ctx.lookup(near, ref[:match.start()])
        if target is None:
            continue
        account = next((a for a in ai_accounts(ctx) if a.resource is target), None)
        if account is not None and match.group(1).lower() == "listkeys":
            return account, "listKeys result"
        service = search_service_for(ctx, near, ref[:match.start()])
        if service is not None and match.group(1).lower() in ("listadminkeys", "listkeys"):
            return service, f"{match.group(1)} result"
    return None


def key_source(ctx, near: Resource, value: Any) -> tuple[AIAccount | SearchService, str] | None:
    """(account or search service, key) when `value` carries an AI account's access key or a
    search service's admin key."""
    if not isinstance(value, Unknown) or _DIGEST_CALL.search(value.text):
        return None
    if is_arm(near):
        return _arm_key_source(ctx, near, value)
    for ref in value.refs:
        parts = ref_parts(ref)
        # A key from another module instance (`module.search.primary_key` resolved to the output's
        # reference) is looked up where it was declared.
        resource_type = bare_type(parts[0])
        if resource_type in AZURERM_ACCOUNT_TYPES and parts[2:3] and parts[2] in KEY_ATTRIBUTES:
            account = account_for(ctx, near, ".".join(parts[:2]))
            if account is not None:
                return account, parts[2]
        if resource_type == "azurerm_search_service" and parts[2:3] and parts[2] in SEARCH_KEY_ATTRIBUTES:
            service = search_service_for(ctx, near, ".".join(parts[:2]))
            if service is not None:
                return service, parts[2]
        action = _list_keys_action(ctx, near, parts) if len(parts) > 2 else None
        account = listed_account(ctx, action) if action is not None else None
        if account is not None:
            return account, "listKeys result"
    return None


# --- where keys land in compute ----------------------------------------------------------------

def _map_entries(value: Any, path: tuple) -> Iterator[tuple[tuple, str, Any]]:
    if isinstance(value, dict):
        yield from ((path + (name,), name, item) for name, item in value.items())
    elif isinstance(value, Call) and value.name == "merge":  # merge(var.common, {KEY = ...})
        for argument in value.args:
            if isinstance(argument, dict):
                yield from ((path, name, item) for name, item in argument.items())


def _container_app_env(template: dict, path: tuple) -> Iterator[tuple[tuple, str, Any]]:
    """Plain `env` values of a container app template (an env with `secret_name` is not plain)."""
    for label in ("container", "init_container"):
        for index, container in enumerate(block_list(template.get(label))):
            for env_path, env in expand_blocks(container, "env")[0]:
                if env.get("secret_name") is None:
                    name = env.get("name") if isinstance(env.get("name"), str) else "?"
                    yield path + (label, index) + env_path + ("value",), name, env.get("value")


def _plain_settings(resource: Resource) -> Iterator[tuple[tuple, str, Any]]:
    """(path, name, value) of every app setting / plain environment variable of a compute resource."""
    attributes = resource.attributes
    if resource.type == "azurerm_container_group":
        for label in ("container", "init_container"):
            for index, container in enumerate(block_list(attributes.get(label))):
                yield from _map_entries(container.get("environment_variables"), (label, index, "environment_variables"))
    elif resource.type == "azurerm_container_app":
        for index, template in enumerate(block_list(attributes.get("template"))):
            yield from _container_app_env(template, ("template", index))
    else:
        yield from _map_entries(attributes.get("app_settings"), ("app_settings",))


def _name_value_list(value: Any, path: tuple, secret_keys: tuple = ()) -> Iterator[tuple[tuple, str, Any]]:
    """`[{name: X, value: V}, ...]` entries (ARM app settings, container env); an entry that
    names a secret (`secretRef`, `secureValue`) is not plain."""
    for index, entry in enumerate(value if isinstance(value, list) else []):
        if not isinstance(entry, dict) or any(arm_lookup(entry, k)[0] for k in secret_keys):
            continue
        name = arm_lookup(entry, "name")[1]
        key, item = arm_lookup(entry, "value")
        if key is not None:
            yield path + (index, key), name if isinstance(name, str) else "?", item


def _arm_settings(resource: Resource) -> Iterator[tuple[tuple, str, Any]]:
    """(path, name, value) of every plain app setting / environment variable of Bicep/ARM compute."""
    type_ = resource.type.lower()
    props_key, properties = arm_lookup(resource.attributes, "properties")
    if type_.endswith("/config"):
        name = resource.attributes.get("name")
        if isinstance(name, str) and name.lower().rsplit("/", 1)[-1] == "appsettings" and isinstance(properties, dict):
            yield from ((("properties", k), k, v) for k, v in properties.items())
        return
    if type_ in ("microsoft.web/sites", "microsoft.web/sites/slots"):
        site_key, site = arm_lookup(properties, "siteConfig")
        settings_key, settings = arm_lookup(site, "appSettings")
        if settings_key:
            yield from _name_value_list(settings, (props_key, site_key, settings_key))
        return
    if type_ == "microsoft.containerinstance/containergroups":
        containers_key, containers = arm_lookup(properties, "containers")
        for index, container in enumerate(containers if isinstance(containers, list) else []):
            inner_key, inner = arm_lookup(container, "properties")
            env_key, env = arm_lookup(inner, "environmentVariables")
            if env_key:
                yield from _name_value_list(env, (props_key, containers_key, index, inner_key, env_key),
                                            ("secureValue",))
        return
    template_key, template = arm_lookup(properties, "template")
    for label in ("containers", "initContainers"):
        containers_key, containers = arm_lookup(template, label)
        for index, container in enumerate(containers if isinstance(containers, list) else []):
            env_key, env = arm_lookup(container, "env")
            if env_key:
                yield from _name_value_list(env, (props_key, template_key, containers_key, index, env_key),
                                            ("secretRef",))


def key_placements(ctx) -> list[KeyPlacement]:
    """Every place an AI account's key lands in plain compute settings."""
    found = []
    compute = ctx.of_type(*APP_SETTINGS_TYPES, "azurerm_container_app", "azurerm_container_group", format="terraform")
    for resource in compute + arm_resources(ctx, *ARM_COMPUTE_TYPES):
        settings = _arm_settings(resource) if is_arm(resource) else _plain_settings(resource)
        for path, name, value in settings:
            source = key_source(ctx, resource, value)
            if source is not None:
                found.append(KeyPlacement(resource, path, name, *source))
    return found
