"""Azure OpenAI / AI Services accounts and their settings, shared by the AIA3xx checks.

An *AI account* (CHECKS.md) is an `azurerm_cognitive_account` or an
`azapi_resource` of type `Microsoft.CognitiveServices/accounts@*` whose kind
is `OpenAI` or `AIServices`, or an `azurerm_ai_services` (azurerm 4.x; always
kind `AIServices`). Each is normalised to an `AIAccount` whose settings
already carry the provider defaults, so checks compare values and never
re-learn azurerm's and azapi's spellings. A setting whose value is `None` is
unknown, and unknown values never produce a finding.

Role assignments live in `azure_roles`, keys placed in compute in
`azure_keys`, diagnostic settings in `azure_diagnostics`.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from aiaas_iac.model import Finding, Resource, Unknown, blocks_of
from aiaas_iac.parsers.hcl_expressions import Traversal
from aiaas_iac.terraform_instances import declared, instances

if TYPE_CHECKING:
    from aiaas_iac.check import Check

AI_ACCOUNT_KINDS = frozenset({"openai", "aiservices"})
# Formats whose resources are ARM resources themselves: `type` is the ARM type, the attributes
# are the resource body (`name`, `kind`, `properties`, `scope`, `parent`...).
ARM_FORMATS = ("bicep", "arm")
ACCOUNT_ARM_TYPE = "microsoft.cognitiveservices/accounts"
# azurerm resources that create a Cognitive Services account (the same ARM resource).
AZURERM_ACCOUNT_TYPES = ("azurerm_cognitive_account", "azurerm_ai_services")


@dataclass(frozen=True)
class Setting:
    """One setting of an AI account after provider defaults: `value` is None when unknown.

    `path` points at the attribute when it is written, else at the resource block
    (the default applies); `written` says which; `source` is the attribute's name."""

    value: Any
    path: tuple
    source: str
    written: bool


@dataclass(frozen=True)
class AIAccount:
    resource: Resource
    kind: str
    local_auth_enabled: Setting
    public_network_access: Setting
    network_acls_deny: Setting
    outbound_restricted: Setting
    inline_customer_key: Setting
    # The resource with its conditionals worked out, which the settings were read from.
    evaluated: Resource | None = None

    @property
    def address(self) -> str:
        return self.resource.address

    def written(self, setting: Setting) -> str:
        """`local_auth_enabled = true`: the setting as the code writes it (conditionals worked
        out), for messages."""
        value = (self.evaluated or self.resource).get(*setting.path)
        if isinstance(value, bool):
            return f"{setting.source} = {'true' if value else 'false'}"
        return f'{setting.source} = "{value}"' if isinstance(value, str) else f"{setting.source} = {{...}}"


def setting_finding(check: Check, account: AIAccount, setting: Setting, when_written: str, when_unset: str) -> Finding:
    """`check`'s finding on `account` about `setting`: "<address> sets <setting as written><when_written>"
    at the attribute when the code writes it, else "<address> <when_unset>" at the resource block
    (the provider default applies)."""
    cause = f"sets {account.written(setting)}{when_written}" if setting.written else when_unset
    return check.finding(account.resource, f"{account.address} {cause}", setting.path, detail=setting.source)


# --- reading Terraform and ARM values ------------------------------------------------------

def ref_parts(ref: str) -> tuple[str, ...]:
    """`azurerm_cognitive_account.a[0].primary_access_key` -> (type, name, attribute). A reference
    that crossed a module boundary keeps its module path on the type
    (`$parent.azurerm_cognitive_account`), so `".".join(parts[:2])` is still its address for
    `ctx.lookup`, and no test of the type alone takes it for a resource of this module."""
    from aiaas_iac.context import split_module_path

    steps, rest = split_module_path(ref) if ref.startswith("$") else ("", ref)
    parts = tuple(re.sub(r"\[[^\]]*\]", "", rest).split("."))
    return (steps + parts[0],) + parts[1:] if steps else parts


def bare_type(part: str) -> str:
    """The resource type of `ref_parts(...)[0]` without the module path a crossed reference
    carries (`$module.search.azurerm_search_service` -> `azurerm_search_service`)."""
    return part.rsplit(".", 1)[-1] if part.startswith("$") else part


def arm_lookup(mapping: Any, key: str) -> tuple[str | None, Any]:
    """(key as written, value) for an ARM property, whose names are case-insensitive."""
    if not isinstance(mapping, dict):
        return None, None
    for written, value in mapping.items():
        if isinstance(written, str) and written.lower() == key.lower():
            return written, value
    return None, None


def is_arm(resource: Resource) -> bool:
    """A Bicep or ARM template resource (its attributes are the ARM body)."""
    return resource.format in ARM_FORMATS


def arm_type(resource: Resource) -> str:
    """`microsoft.cognitiveservices/accounts` (lower-cased) of an azapi resource or a Bicep/ARM
    resource, '' if unknown."""
    if is_arm(resource):
        return resource.type.lower() if resource.kind in ("resource", "existing") else ""
    type_ = resource.attributes.get("type")
    return type_.split("@", 1)[0].lower() if isinstance(type_, str) else ""


def arm_body(resource: Resource) -> tuple[Any, tuple]:
    """(the ARM resource body, its path in the attributes): an azapi resource's `body`, or a
    Bicep/ARM resource's attributes themselves. Checks read ARM properties through this and stay
    format-agnostic."""
    if is_arm(resource):
        return resource.attributes, ()
    return resource.attributes.get("body"), ("body",)


def arm_resources(ctx, *types: str) -> list[Resource]:
    """Bicep/ARM resources (not `existing` ones) of any of the ARM `types` (any case), in file order."""
    def index() -> dict[str, list[Resource]]:
        found: dict[str, list[Resource]] = {}
        for format in ARM_FORMATS:
            for resource in ctx.of_type("*", format=format):
                found.setdefault(resource.type.lower(), []).append(resource)
        return found

    by_type = ctx.memo("azure.arm_resources", index)
    found = [r for t in types for r in by_type.get(t.lower(), [])]
    return sorted(found, key=lambda r: (r.file, r.span.start_line))


def evaluated_declaration(ctx, resource: Resource) -> Resource | None:
    """`resource` with its conditionals worked out, None when it creates nothing. A Bicep/ARM
    resource is evaluated by its parser already (and one behind `if (false)` is not there)."""
    return resource if is_arm(resource) else declared(ctx, resource)


def declared_instances(ctx, resource: Resource) -> list[tuple[Any, Resource]]:
    """(instance key, values) per instance a resource creates (Terraform `count`/`for_each`);
    a Bicep/ARM loop is one resource per item already."""
    return [(None, resource)] if is_arm(resource) else instances(ctx, resource)


def as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def block_list(value: Any) -> list[dict]:
    """The blocks of a nested block attribute (one block or a list of them)."""
    return [block for _, block in blocks_of(value)]


def _for_each_items(dynamic: dict) -> list[tuple[Any, Any]] | None:
    """(key, value) of each item a `dynamic` block iterates over (a list's key is its index),
    None when they are not known."""
    for_each = dynamic.get("for_each")
    if isinstance(for_each, dict):
        return list(for_each.items())
    return list(enumerate(for_each)) if isinstance(for_each, list) else None


def _substitute(value: Any, iterator: str, key: Any, item: Any) -> Any:
    """A `dynamic` block's content with `<iterator>.key` and `<iterator>.value[.x]` replaced where known."""
    if isinstance(value, dict):
        return {k: _substitute(v, iterator, key, item) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, iterator, key, item) for v in value]
    if isinstance(value, Traversal) and value.parts == (iterator, "key"):
        return key
    if isinstance(value, Traversal) and value.parts[:2] == (iterator, "value"):
        found = item
        for part in value.parts[2:]:
            if not isinstance(found, dict) or part not in found:
                return value
            found = found[part]
        return found
    return value


def expand_blocks(attributes: Any, label: str) -> tuple[list[tuple[tuple, dict]], bool]:
    """(path, block) for each nested `label` block, `dynamic` ones expanded over a known
    `for_each`; the flag is True when some dynamic block iterates over unknown items."""
    if not isinstance(attributes, dict):
        return [], False
    found = [((label, i), block) for i, block in enumerate(block_list(attributes.get(label)))]
    unknown = False
    dynamics = attributes.get("dynamic")
    for index, dynamic in enumerate(dynamics if isinstance(dynamics, list) else []):
        if not isinstance(dynamic, dict) or dynamic.get("__labels__") != [label]:
            continue
        items = _for_each_items(dynamic)
        if items is None:
            unknown = True
            continue
        iterator = dynamic.get("iterator")
        iterator = iterator.parts[0] if isinstance(iterator, Traversal) else label
        content = (block_list(dynamic.get("content")) or [{}])[0]
        found.extend((("dynamic", index, "content", 0), _substitute(content, iterator, key, item))
                     for key, item in items)
    return found, unknown


def _enabled_word(value: Any) -> bool | None:
    return {"enabled": True, "disabled": False}.get(value.lower()) if isinstance(value, str) else None


def _arm_value_is(mapping: Any, key: str, expected: str) -> bool | None:
    """Does ARM object `mapping` set `key` to `expected` (any case)? False when `key` is
    absent, None when that cannot be told."""
    if not isinstance(mapping, dict):
        return None
    _, value = arm_lookup(mapping, key)
    if value is None:
        return False
    return value.lower() == expected.lower() if isinstance(value, str) else None


def _acl_deny(network_acls: Any) -> bool | None:
    return _arm_value_is(network_acls, "defaultAction", "Deny")


def _key_vault_source(encryption: Any) -> bool | None:
    return _arm_value_is(encryption, "keySource", "Microsoft.KeyVault")


# --- azurerm accounts ----------------------------------------------------------------------

def _attribute_setting(resource: Resource, name: str, default: Any, read: Callable = as_bool) -> Setting:
    """A top-level azurerm attribute; `read` turns the written value into ours."""
    if name not in resource.attributes or resource.attributes[name] is None:
        return Setting(default, (), name, False)
    return Setting(read(resource.attributes[name]), (name,), name, True)


def _absent_block(label: str, unknown: bool) -> Setting:
    """No `label` block: False, or unknown when a `dynamic` block over unknown items may add one."""
    return Setting(None if unknown else False, ("dynamic",) if unknown else (), label, unknown)


def _azurerm_acl_deny(resource: Resource) -> Setting:
    blocks, unknown = expand_blocks(resource.attributes, "network_acls")
    if not blocks:
        return _absent_block("network_acls", unknown)
    path, block = blocks[0]
    action = block.get("default_action")
    value = action.lower() == "deny" if isinstance(action, str) else None
    return Setting(value, path + ("default_action",), "network_acls.default_action", True)


def _azurerm_inline_key(resource: Resource) -> Setting:
    blocks, unknown = expand_blocks(resource.attributes, "customer_managed_key")
    if blocks:
        return Setting(True, blocks[0][0], "customer_managed_key", True)
    return _absent_block("customer_managed_key", unknown)


def _azurerm_account(resource: Resource, kind: str) -> AIAccount:
    if resource.type == "azurerm_ai_services":  # spells two settings unlike azurerm_cognitive_account
        local_auth = _attribute_setting(resource, "local_authentication_enabled", True)
        public = _attribute_setting(resource, "public_network_access", True, _enabled_word)
    else:
        local_auth = _attribute_setting(resource, "local_auth_enabled", True)
        public = _attribute_setting(resource, "public_network_access_enabled", True)
    return AIAccount(
        resource, kind,
        local_auth_enabled=local_auth,
        public_network_access=public,
        network_acls_deny=_azurerm_acl_deny(resource),
        outbound_restricted=_attribute_setting(resource, "outbound_network_access_restricted", False),
        inline_customer_key=_azurerm_inline_key(resource),
    )


# --- azapi accounts ------------------------------------------------------------------------

def _azapi_setting(properties: Any, path: tuple, name: str, default: Any, read: Callable) -> Setting:
    """An azapi `body.properties.<name>` setting; `read` turns the written value into ours."""
    source = "properties." + name
    if not isinstance(properties, dict):
        return Setting(None, ("body",), source, False)
    written, value = arm_lookup(properties, name)
    if written is None or value is None:
        return Setting(default, (), source, False)
    return Setting(read(value), path + (written,), source, True)


def _local_auth_from_disable(value: Any) -> bool | None:
    disabled = as_bool(value)
    return None if disabled is None else not disabled


def _azapi_account(resource: Resource, kind: str) -> AIAccount:
    """An azapi account's `body`, or a Bicep/ARM account's own body."""
    body, at = arm_body(resource)
    written, properties = arm_lookup(body, "properties")
    properties = {} if written is None else properties
    base = at + (written,)

    def prop(name: str, default: Any, read: Callable) -> Setting:
        return _azapi_setting(properties, base, name, default, read)

    acl = prop("networkAcls", False, _acl_deny)
    if acl.written:
        _, acl_value = arm_lookup(properties, "networkAcls")
        key, _ = arm_lookup(acl_value, "defaultAction")
        acl = Setting(acl.value, acl.path + ((key,) if key else ()), "properties.networkAcls.defaultAction", True)
    return AIAccount(
        resource, kind,
        local_auth_enabled=prop("disableLocalAuth", True, _local_auth_from_disable),
        public_network_access=prop("publicNetworkAccess", True, _enabled_word),
        network_acls_deny=acl,
        outbound_restricted=prop("restrictOutboundNetworkAccess", False, as_bool),
        inline_customer_key=prop("encryption", False, _key_vault_source),
    )


# --- which resources are AI accounts -------------------------------------------------------

def account_kind(resource: Resource) -> str | None:
    """`OpenAI` / `AIServices` when `resource` (or one instance of it) is certainly an AI account,
    else None."""
    if resource.kind != "resource":
        return None
    if resource.type == "azurerm_ai_services":
        return "AIServices"  # the resource has no `kind`: it always creates an AIServices account
    if resource.type == "azurerm_cognitive_account":
        kind = resource.attributes.get("kind")
    elif (resource.type == "azapi_resource" or is_arm(resource)) and arm_type(resource) == ACCOUNT_ARM_TYPE:
        _, kind = arm_lookup(arm_body(resource)[0], "kind")
    else:
        return None
    return kind if isinstance(kind, str) and kind.lower() in AI_ACCOUNT_KINDS else None


def ai_accounts(ctx) -> list[AIAccount]:
    """Every AI account in the scan, in file order."""
    def compute() -> list[AIAccount]:
        found = []
        candidates = ctx.of_type(*AZURERM_ACCOUNT_TYPES, "azapi_resource", format="terraform")
        for resource in candidates + arm_resources(ctx, ACCOUNT_ARM_TYPE):
            build = _azapi_account if resource.type not in AZURERM_ACCOUNT_TYPES else _azurerm_account
            # One account per instance a `count`/`for_each` creates, read with that instance's
            # values (`kind = each.value.kind`, `local_auth_enabled = each.value.keys`); the account
            # keeps the scanned resource itself, which other resources' references resolve to.
            # A check's findings on several instances of one block at one line are one finding.
            for evaluated in _account_instances(ctx, resource):
                kind = account_kind(evaluated)
                if kind is not None:
                    found.append(dataclasses.replace(build(evaluated, kind), resource=resource, evaluated=evaluated))
        return found

    return ctx.memo("azure.ai_accounts", compute)


def _account_instances(ctx, resource: Resource) -> list[Resource]:
    """The instances of a candidate account with their values; none when it creates nothing.
    Only a block that may be an account is evaluated (a kind literal that is not an AI kind is not)."""
    kind = resource.attributes.get("kind") if resource.type == "azurerm_cognitive_account" else None
    if isinstance(kind, str) and kind.lower() not in AI_ACCOUNT_KINDS:
        return []
    if is_arm(resource) or ("count" not in resource.attributes and "for_each" not in resource.attributes):
        evaluated = evaluated_declaration(ctx, resource)
        return [] if evaluated is None else [evaluated]
    return [instance for _, instance in declared_instances(ctx, resource)]


def ai_account_blocks(ctx) -> list[AIAccount]:
    """`ai_accounts` with one account per resource block (its first AI instance)."""
    def compute() -> list[AIAccount]:
        seen: set[int] = set()
        return [a for a in ai_accounts(ctx) if id(a.resource) not in seen and not seen.add(id(a.resource))]

    return ctx.memo("azure.ai_account_blocks", compute)


def account_for(ctx, near: Resource, address: str) -> AIAccount | None:
    """The AI account with `address` in `near`'s module."""
    target = ctx.lookup(near, address)
    return next((a for a in ai_accounts(ctx) if a.resource is target), None) if target else None


def refers_to_account(ctx, near: Resource, value: Any, account: AIAccount) -> bool | None:
    """Does `value` (an ID attribute) point at `account`? None when it cannot be told."""
    if isinstance(value, str):
        name = account.resource.attributes.get("name")
        suffix = f"{ACCOUNT_ARM_TYPE}/{name}".lower() if isinstance(name, str) else None
        value = value.lower().rstrip("/")
        # `/subscriptions/.../providers/Microsoft.CognitiveServices/accounts/x`, or an ARM template's
        # relative `Microsoft.CognitiveServices/accounts/x` scope.
        return bool(suffix) and (value.endswith("/providers/" + suffix) or value == suffix)
    if not isinstance(value, Unknown):
        return False
    found = ctx.referenced(near, value)
    targets = [r for r in found if r.kind in ("resource", "data")]
    if account.resource in targets:
        return True
    for target in found:
        # Bicep `resource account '...' existing = { name: accountName }` in a module or the caller.
        if target.kind == "existing" and arm_type(target) == ACCOUNT_ARM_TYPE:
            same = _same_name(target, account.resource)
            if same is not False:
                return same
            targets.append(target)
    return False if targets else None


def _same_name(existing: Resource, account: Resource) -> bool | None:
    """Does an `existing` account declaration name `account`? None when either name is unknown."""
    names = [arm_lookup(r.attributes, "name")[1] for r in (existing, account)]
    if not all(isinstance(n, str) for n in names):
        return None
    return names[0].lower() == names[1].lower()


def same_deployment(ctx, resource: Resource) -> list[Resource]:
    """The resources a check may match `resource` with: its Terraform module, or its whole
    Bicep/ARM deployment (the deployment file with every module instance it calls)."""
    if not is_arm(resource):
        return ctx.in_module(resource)
    from aiaas_iac.context import deployment_root

    def index() -> dict[tuple[str, str], list[Resource]]:
        found: dict[tuple[str, str], list[Resource]] = {}
        for candidate in ctx.resources:
            if is_arm(candidate):
                found.setdefault((candidate.format, deployment_root(candidate.module)), []).append(candidate)
        return found

    return ctx.memo("azure.deployments", index).get((resource.format, deployment_root(resource.module)), [])


# --- customer-managed keys set by another resource ----------------------------------------

def separate_customer_key(ctx, account: AIAccount) -> bool | None:
    """Is a customer-managed key set by another resource (`azurerm_cognitive_account_customer_managed_key`,
    or an `azapi_update_resource` that sets `encryption.keySource`)? None when it may be."""
    result: bool | None = False
    settings = [instance for resource in ctx.in_module(account.resource) if resource.kind == "resource"
                and resource.type in ("azurerm_cognitive_account_customer_managed_key", "azapi_update_resource")
                for _, instance in instances(ctx, resource)]  # one gated off by `count = 0` sets nothing
    for resource in settings:
        if resource.type == "azurerm_cognitive_account_customer_managed_key":
            target, sets_key = resource.attributes.get("cognitive_account_id"), True
        else:
            _, properties = arm_lookup(resource.attributes.get("body"), "properties")
            _, encryption = arm_lookup(properties, "encryption")
            if encryption is None:
                continue
            target, sets_key = resource.attributes.get("resource_id"), _key_vault_source(encryption)
        points = refers_to_account(ctx, resource, target, account)
        if points and sets_key:
            return True
        if points is not False and sets_key is not False:
            result = None
    return result
