"""Azure OpenAI / AI Services semantics shared by the AIA3xx checks.

An *AI account* (CHECKS.md) is an `azurerm_cognitive_account` or an
`azapi_resource` of type `Microsoft.CognitiveServices/accounts@*` whose kind
is `OpenAI` or `AIServices`. Each is normalised to an `AIAccount` whose
settings already carry the provider defaults, so checks compare values and
never re-learn azurerm's and azapi's spellings. A setting whose value is
`None` is unknown, and unknown values never produce a finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from aiaas_iac.model import Resource, Unknown
from aiaas_iac.parsers.hcl_expressions import Call, Template, Traversal

AI_ACCOUNT_KINDS = frozenset({"openai", "aiservices"})
ACCOUNT_ARM_TYPE = "microsoft.cognitiveservices/accounts"
KEY_ATTRIBUTES = frozenset({"primary_access_key", "secondary_access_key"})
REQUIRED_LOG_CATEGORIES = ("Audit", "RequestResponse")
AI_ROLE_PREFIXES = ("cognitive services", "azure ai")
# Azure renamed the "Azure AI User/Owner/Account Owner/Project Manager" built-in roles
# to "Foundry ..." in 2025; the role IDs (and what they grant) did not change.
RENAMED_AZURE_AI_ROLES = frozenset({
    "foundry user", "foundry owner", "foundry account owner", "foundry project manager",
})
# Built-in role definition IDs of the AI + machine learning roles whose names start with
# "Cognitive Services" or "Azure AI" (Azure built-in roles reference; IDs are the same in every tenant).
BUILTIN_AI_ROLE_IDS = {
    "b78c5d69-af96-48a3-bf8d-a8b4d589de94": "Azure AI Administrator",
    "64702f94-c441-49e6-a78b-ef80e0188fee": "Azure AI Developer",
    "b556d68e-0be0-4f35-a333-ad7ee1ce17ea": "Azure AI Enterprise Network Connection Approver",
    "3afb7f49-54cb-416e-8c09-6dc049efa503": "Azure AI Inference Deployment Operator",
    "53ca6127-db72-4b80-b1b0-d745d6d5456d": "Azure AI User",
    "c883944f-8b7b-4483-af10-35834be79c4a": "Azure AI Owner",
    "e47c6f54-e4a2-4754-9501-8e0985b135e1": "Azure AI Account Owner",
    "eadc314b-1a2d-4efa-be10-5d325db5065e": "Azure AI Project Manager",
    "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68": "Cognitive Services Contributor",
    "c1ff6cc2-c111-46fe-8896-e0ef812ad9f3": "Cognitive Services Custom Vision Contributor",
    "5c4089e1-6d96-4d2f-b296-c1bc7137275f": "Cognitive Services Custom Vision Deployment",
    "88424f51-ebe7-446f-bc41-7fa16989e96c": "Cognitive Services Custom Vision Labeler",
    "93586559-c37d-4a6b-ba08-b9f0940c2d73": "Cognitive Services Custom Vision Reader",
    "0a5ae4ab-0d65-4eeb-be61-29fc9b54394b": "Cognitive Services Custom Vision Trainer",
    "b59867f0-fa02-499b-be73-45a86b5b3e1c": "Cognitive Services Data Reader",
    "9894cab4-e18a-44aa-828b-cb588cd6f2d7": "Cognitive Services Face Recognizer",
    "b2de6794-95db-4659-8781-7e080d3f2b9d": "Cognitive Services Immersive Reader User",
    "f07febfe-79bc-46b1-8b37-790e26e6e498": "Cognitive Services Language Owner",
    "7628b7b8-a8b2-4cdc-b46f-e9b35248918e": "Cognitive Services Language Reader",
    "f2310ca1-dc64-4889-bb49-c8e0fa3d47a8": "Cognitive Services Language Writer",
    "f72c8140-2111-481c-87ff-72b910f6e3f8": "Cognitive Services LUIS Owner",
    "18e81cdc-4e98-4e29-a639-e7d10c5a6226": "Cognitive Services LUIS Reader",
    "6322a993-d5c9-4bed-b113-e49bbea25b27": "Cognitive Services LUIS Writer",
    "cb43c632-a144-4ec5-977c-e80c4affc34a": "Cognitive Services Metrics Advisor Administrator",
    "3b20f47b-3825-43cb-8114-4bd2201156a8": "Cognitive Services Metrics Advisor User",
    "a001fd3d-188f-4b5d-821b-7da978bf7442": "Cognitive Services OpenAI Contributor",
    "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd": "Cognitive Services OpenAI User",
    "f4cc2bf9-21be-47a1-bdf1-5c5804381025": "Cognitive Services QnA Maker Editor",
    "466ccd10-b268-4a11-b098-b4849f024126": "Cognitive Services QnA Maker Reader",
    "0e75ca1e-0464-4b4d-8b93-68208a576181": "Cognitive Services Speech Contributor",
    "f2dc8367-1007-4938-bd23-fe263f013447": "Cognitive Services Speech User",
    "bba48692-92b0-4667-a9ad-c31c7b334ac2": "Cognitive Services Usages Reader",
    "a97b65f3-24c7-4388-baec-2e87135dc908": "Cognitive Services User",
}
_GUID_AT_END = re.compile(r"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})/?$")
# Wrapping a key in these leaves no usable key in the setting.
_DIGEST_CALL = re.compile(r"\b(md5|sha1|sha256|sha512|base64sha256|base64sha512|bcrypt|length)\s*\(")


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

    @property
    def address(self) -> str:
        return self.resource.address

    def written(self, setting: Setting) -> str:
        """`local_auth_enabled = true`: the setting as the code writes it, for messages."""
        value = self.resource.get(*setting.path)
        if isinstance(value, bool):
            return f"{setting.source} = {'true' if value else 'false'}"
        return f'{setting.source} = "{value}"' if isinstance(value, str) else f"{setting.source} = {{...}}"


# --- small helpers ----------------------------------------------------------------------

def ref_parts(ref: str) -> tuple[str, ...]:
    """`azurerm_cognitive_account.a[0].primary_access_key` -> (type, name, attribute)."""
    return tuple(re.sub(r"\[[^\]]*\]", "", ref).split("."))


def _get_ci(mapping: Any, key: str) -> tuple[str | None, Any]:
    """(key as written, value) for an ARM property, whose names are case-insensitive."""
    if not isinstance(mapping, dict):
        return None, None
    for written, value in mapping.items():
        if isinstance(written, str) and written.lower() == key.lower():
            return written, value
    return None, None


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _blocks(value: Any) -> list[dict]:
    if isinstance(value, dict):
        return [value]
    return [b for b in value if isinstance(b, dict)] if isinstance(value, list) else []


def _for_each_items(dynamic: dict) -> list | None:
    """The items a `dynamic` block iterates over, None when they are not known."""
    for_each = dynamic.get("for_each")
    if isinstance(for_each, dict):
        return list(for_each.values())
    return for_each if isinstance(for_each, list) else None


def _substitute(value: Any, iterator: str, item: Any) -> Any:
    """A `dynamic` block's content with `<iterator>.value[.x]` replaced by the item where known."""
    if isinstance(value, dict):
        return {k: _substitute(v, iterator, item) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, iterator, item) for v in value]
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
    found = [((label, i), block) for i, block in enumerate(_blocks(attributes.get(label)))]
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
        content = (_blocks(dynamic.get("content")) or [{}])[0]
        found.extend((("dynamic", index, "content", 0), _substitute(content, iterator, item)) for item in items)
    return found, unknown


def _arm_type(resource: Resource) -> str:
    """`Microsoft.CognitiveServices/accounts` (lower-cased) of an azapi resource, '' if unknown."""
    type_ = resource.attributes.get("type")
    return type_.split("@", 1)[0].lower() if isinstance(type_, str) else ""


# --- AI accounts -----------------------------------------------------------------------

def _bool_setting(resource: Resource, name: str, default: bool) -> Setting:
    if name not in resource.attributes or resource.attributes[name] is None:
        return Setting(default, (), name, False)
    return Setting(_as_bool(resource.attributes[name]), (name,), name, True)


def _azurerm_acl_deny(resource: Resource) -> Setting:
    blocks, unknown = expand_blocks(resource.attributes, "network_acls")
    if not blocks:
        return Setting(None if unknown else False, ("dynamic",) if unknown else (), "network_acls", unknown)
    path, block = blocks[0]
    action = block.get("default_action")
    value = action.lower() == "deny" if isinstance(action, str) else None
    return Setting(value, path + ("default_action",), "network_acls.default_action", True)


def _azurerm_inline_key(resource: Resource) -> Setting:
    blocks, unknown = expand_blocks(resource.attributes, "customer_managed_key")
    if blocks:
        return Setting(True, blocks[0][0], "customer_managed_key", True)
    return Setting(None if unknown else False, ("dynamic",) if unknown else (), "customer_managed_key", unknown)


def _azurerm_account(resource: Resource, kind: str) -> AIAccount:
    public = _bool_setting(resource, "public_network_access_enabled", True)
    return AIAccount(
        resource, kind,
        local_auth_enabled=_bool_setting(resource, "local_auth_enabled", True),
        public_network_access=public,
        network_acls_deny=_azurerm_acl_deny(resource),
        outbound_restricted=_bool_setting(resource, "outbound_network_access_restricted", False),
        inline_customer_key=_azurerm_inline_key(resource),
    )


def _arm_property(properties: Any, path: tuple, name: str, default: Any, read) -> Setting:
    """An azapi `body.properties.<name>` setting; `read` turns the written value into ours."""
    source = "properties." + name
    if not isinstance(properties, dict):
        return Setting(None, ("body",), source, False)
    written, value = _get_ci(properties, name)
    if written is None or value is None:
        return Setting(default, (), source, False)
    return Setting(read(value), path + (written,), source, True)


def _enabled_word(value: Any) -> bool | None:
    return {"enabled": True, "disabled": False}.get(value.lower()) if isinstance(value, str) else None


def _acl_deny(network_acls: Any) -> bool | None:
    if not isinstance(network_acls, dict):
        return None
    _, action = _get_ci(network_acls, "defaultAction")
    if action is None:
        return False
    return action.lower() == "deny" if isinstance(action, str) else None


def _key_vault_source(encryption: Any) -> bool | None:
    if not isinstance(encryption, dict):
        return None
    _, source = _get_ci(encryption, "keySource")
    if source is None:
        return False
    return source.lower() == "microsoft.keyvault" if isinstance(source, str) else None


def _azapi_account(resource: Resource, kind: str) -> AIAccount:
    body = resource.attributes.get("body")
    written, properties = _get_ci(body, "properties")
    properties = {} if written is None else properties
    base = ("body", written)

    def prop(name: str, default: Any, read) -> Setting:
        return _arm_property(properties, base, name, default, read)

    acl = prop("networkAcls", False, _acl_deny)
    if acl.written:
        _, acl_value = _get_ci(properties, "networkAcls")
        key, _ = _get_ci(acl_value, "defaultAction")
        acl = Setting(acl.value, acl.path + ((key,) if key else ()), "properties.networkAcls.defaultAction", True)
    return AIAccount(
        resource, kind,
        local_auth_enabled=prop("disableLocalAuth", True, lambda v: None if _as_bool(v) is None else not _as_bool(v)),
        public_network_access=prop("publicNetworkAccess", True, _enabled_word),
        network_acls_deny=acl,
        outbound_restricted=prop("restrictOutboundNetworkAccess", False, _as_bool),
        inline_customer_key=prop("encryption", False, _key_vault_source),
    )


def account_kind(resource: Resource) -> str | None:
    """`OpenAI` / `AIServices` when `resource` is certainly an AI account, else None."""
    if resource.kind != "resource":
        return None
    if resource.type == "azurerm_cognitive_account":
        kind = resource.attributes.get("kind")
    elif resource.type == "azapi_resource" and _arm_type(resource) == ACCOUNT_ARM_TYPE:
        _, kind = _get_ci(resource.attributes.get("body"), "kind")
    else:
        return None
    return kind if isinstance(kind, str) and kind.lower() in AI_ACCOUNT_KINDS else None


def ai_accounts(ctx) -> list[AIAccount]:
    """Every AI account in the scan, in file order."""
    def compute() -> list[AIAccount]:
        found = []
        for resource in ctx.of_type("azurerm_cognitive_account", "azapi_resource", format="terraform"):
            kind = account_kind(resource)
            if kind is not None:
                build = _azurerm_account if resource.type == "azurerm_cognitive_account" else _azapi_account
                found.append(build(resource, kind))
        return found

    return ctx.memo("azure.ai_accounts", compute)


def account_for(ctx, near: Resource, address: str) -> AIAccount | None:
    """The AI account with `address` in `near`'s module."""
    target = ctx.lookup(near, address)
    return next((a for a in ai_accounts(ctx) if a.resource is target), None) if target else None


def refers_to_account(ctx, near: Resource, value: Any, account: AIAccount) -> bool | None:
    """Does `value` (an ID attribute) point at `account`? None when it cannot be told."""
    if isinstance(value, str):
        name = account.resource.attributes.get("name")
        suffix = f"/providers/{ACCOUNT_ARM_TYPE}/{name}".lower() if isinstance(name, str) else None
        return bool(suffix) and value.lower().rstrip("/").endswith(suffix)
    if not isinstance(value, Unknown):
        return False
    targets = [r for r in ctx.referenced(near, value) if r.kind in ("resource", "data")]
    if account.resource in targets:
        return True
    return False if targets else None


# --- customer-managed keys and diagnostic settings -------------------------------------

def separate_customer_key(ctx, account: AIAccount) -> bool | None:
    """Is a customer-managed key set by another resource (`azurerm_cognitive_account_customer_managed_key`,
    or an `azapi_update_resource` that sets `encryption.keySource`)? None when it may be."""
    result: bool | None = False
    for resource in ctx.in_module(account.resource):
        if resource.kind != "resource":
            continue
        if resource.type == "azurerm_cognitive_account_customer_managed_key":
            target, sets_key = resource.attributes.get("cognitive_account_id"), True
        elif resource.type == "azapi_update_resource":
            _, properties = _get_ci(resource.attributes.get("body"), "properties")
            _, encryption = _get_ci(properties, "encryption")
            if encryption is None:
                continue
            target, sets_key = resource.attributes.get("resource_id"), _key_vault_source(encryption)
        else:
            continue
        points = refers_to_account(ctx, resource, target, account)
        if points and sets_key:
            return True
        if points is not False and sets_key is not False:
            result = None
    return result


@dataclass(frozen=True)
class DiagnosticCoverage:
    covered: bool | None  # None: a setting may cover the account, but it cannot be told
    partial: tuple[tuple[Resource, tuple[str, ...]], ...] = ()  # (setting, categories it misses)


def _log_categories(category: Any, group: Any, enabled: Any) -> set[str] | None:
    """Which required categories one log entry enables; None when that is unknown."""
    enabled = _as_bool(enabled)
    if enabled is None or isinstance(group, Unknown) or (group is None and isinstance(category, Unknown)):
        return None
    if not enabled:
        return set()
    if isinstance(group, str):
        return {"alllogs": set(REQUIRED_LOG_CATEGORIES), "audit": {"Audit"}}.get(group.lower(), set())
    if isinstance(category, str):
        return {c for c in REQUIRED_LOG_CATEGORIES if c.lower() == category.lower()}
    return set()


def _azurerm_log_categories(setting: Resource) -> set[str] | None:
    """Required categories an `azurerm_monitor_diagnostic_setting` enables (`enabled_log`, and
    the legacy `log` whose `enabled` defaults to true); None when that is unknown."""
    found: set[str] = set()
    unknown = False
    for label in ("enabled_log", "log"):
        blocks, dynamic_unknown = expand_blocks(setting.attributes, label)
        unknown |= dynamic_unknown
        for _, block in blocks:
            enabled = block.get("enabled", True) if label == "log" else True
            categories = _log_categories(block.get("category"), block.get("category_group"), enabled)
            unknown |= categories is None
            found |= categories or set()
    return None if unknown and not set(REQUIRED_LOG_CATEGORIES) <= found else found


def _azapi_log_categories(setting: Resource) -> set[str] | None:
    _, properties = _get_ci(setting.attributes.get("body"), "properties")
    _, logs = _get_ci(properties, "logs")
    if not isinstance(logs, list):
        return None if isinstance(logs, Unknown) or not isinstance(properties, dict) else set()
    found: set[str] = set()
    unknown = False
    for entry in logs:
        values = [_get_ci(entry, key)[1] for key in ("category", "categoryGroup", "enabled")]
        categories = _log_categories(values[0], values[1], True if values[2] is None else values[2]) \
            if isinstance(entry, dict) else None
        unknown |= categories is None
        found |= categories or set()
    return None if unknown and not set(REQUIRED_LOG_CATEGORIES) <= found else found


def diagnostic_coverage(ctx, account: AIAccount) -> DiagnosticCoverage:
    """Whether a diagnostic setting in the account's module enables its Audit and RequestResponse logs."""
    covered: bool | None = False
    partial = []
    for setting in ctx.in_module(account.resource):
        if setting.kind != "resource":
            continue
        if setting.type == "azurerm_monitor_diagnostic_setting":
            target, categories = setting.attributes.get("target_resource_id"), _azurerm_log_categories(setting)
        elif setting.type == "azapi_resource" and _arm_type(setting) == "microsoft.insights/diagnosticsettings":
            target, categories = setting.attributes.get("parent_id"), _azapi_log_categories(setting)
        else:
            continue
        points = refers_to_account(ctx, setting, target, account)
        complete = None if categories is None else set(REQUIRED_LOG_CATEGORIES) <= categories
        if points and complete:
            return DiagnosticCoverage(True)
        if points is not False and complete is not False:
            covered = None
        elif points and categories is not None:
            partial.append((setting, tuple(c for c in REQUIRED_LOG_CATEGORIES if c not in categories)))
    return DiagnosticCoverage(covered, tuple(partial))


# --- role assignments ------------------------------------------------------------------

_RESOURCE_GROUP_SHAPE = "/subscriptions/{}/resourceGroups/{}"
_ACCOUNT_SHAPE = "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.CognitiveServices/accounts/{}"
_MANAGEMENT_GROUP_SHAPE = "/providers/Microsoft.Management/managementGroups/{}"
# What the `id` of these resources looks like; `{}` stands for one unknown path segment.
_REFERENCE_SHAPES = {
    "azurerm_resource_group": _RESOURCE_GROUP_SHAPE, "data.azurerm_resource_group": _RESOURCE_GROUP_SHAPE,
    "data.azurerm_subscription": "/subscriptions/{}",
    "azurerm_management_group": _MANAGEMENT_GROUP_SHAPE, "data.azurerm_management_group": _MANAGEMENT_GROUP_SHAPE,
    "azurerm_cognitive_account": _ACCOUNT_SHAPE, "data.azurerm_cognitive_account": _ACCOUNT_SHAPE,
}
_ARM_TYPE_SHAPES = {"microsoft.resources/resourcegroups": _RESOURCE_GROUP_SHAPE, ACCOUNT_ARM_TYPE: _ACCOUNT_SHAPE}
_SCOPE_KINDS = (  # first match wins
    ("account", re.compile(r"^/subscriptions/[^/]+/resourcegroups/[^/]+"
                           r"/providers/microsoft\.cognitiveservices/accounts/[^/]+(/.*)?$")),
    ("resource", re.compile(r"^/subscriptions/[^/]+/resourcegroups/[^/]+/providers/.+$")),
    ("resource group", re.compile(r"^/subscriptions/[^/]+/resourcegroups/[^/]+/?$")),
    ("subscription", re.compile(r"^/subscriptions/[^/]+/?$")),
    ("management group", re.compile(r"^/providers/microsoft\.management/managementgroups/[^/]+/?$")),
)
BROAD_SCOPES = frozenset({"subscription", "resource group", "management group"})


@dataclass(frozen=True)
class RoleAssignment:
    resource: Resource
    role: str | None  # the role's name (built-in IDs translated); None when unknown
    scope: str | None  # a _SCOPE_KINDS name; None when unknown
    scope_path: tuple


def is_ai_role(role: str | None) -> bool:
    lowered = (role or "").lower()
    return lowered.startswith(AI_ROLE_PREFIXES) or lowered in RENAMED_AZURE_AI_ROLES


def _reference_shape(ctx, near: Resource, ref: str) -> str:
    parts = ref_parts(ref)
    type_, attribute = (".".join(parts[:2]), parts[3:4]) if parts[0] == "data" else (parts[0], parts[2:3])
    if attribute != ("id",):
        return "{}"
    if type_ == "azapi_resource":
        target = ctx.lookup(near, ".".join(parts[:2]))
        return _ARM_TYPE_SHAPES.get(_arm_type(target), "{}") if target else "{}"
    return _REFERENCE_SHAPES.get(type_, "{}")


def scope_kind(ctx, near: Resource, value: Any) -> str | None:
    """What a scope ID names: a literal ID, a reference to a resource's `id`, or a template
    whose literal structure is a known path (`/subscriptions/${var.id}` is a subscription)."""
    if isinstance(value, str):
        shape = value
    elif isinstance(value, Traversal):
        shape = _reference_shape(ctx, near, value.refs[0])
    elif isinstance(value, Template):
        shape = "".join(p if isinstance(p, str) else _reference_shape(ctx, near, p.refs[0])
                        if isinstance(p, Traversal) else "{}" for p in value.parts)
    else:
        return None
    return next((kind for kind, pattern in _SCOPE_KINDS if pattern.match(shape.lower())), None)


def _role_from_id(ctx, near: Resource, value: Any) -> str | None:
    if isinstance(value, Traversal) and ref_parts(value.refs[0])[:2] == ("data", "azurerm_role_definition"):
        definition = ctx.lookup(near, ".".join(ref_parts(value.refs[0])[:3]))
        name = definition.attributes.get("name") if definition else None
        if isinstance(name, str):
            return name
        value = definition.attributes.get("role_definition_id") if definition else None
    text = value if isinstance(value, str) else value.parts[-1] if isinstance(value, Template) else None
    found = _GUID_AT_END.search(text) if isinstance(text, str) else None
    return BUILTIN_AI_ROLE_IDS.get(found.group(1).lower()) if found else None


def role_assignments(ctx) -> list[RoleAssignment]:
    """`azurerm_role_assignment`s and azapi `Microsoft.Authorization/roleAssignments` resources."""
    found = []
    for resource in ctx.of_type("azurerm_role_assignment", "azapi_resource", format="terraform"):
        if resource.type == "azurerm_role_assignment":
            scope_path = ("scope",)
            role = resource.attributes.get("role_definition_name")
            if not isinstance(role, str):
                role = _role_from_id(ctx, resource, resource.attributes.get("role_definition_id"))
        elif _arm_type(resource) == "microsoft.authorization/roleassignments":
            scope_path = ("parent_id",)
            _, properties = _get_ci(resource.attributes.get("body"), "properties")
            role = _role_from_id(ctx, resource, _get_ci(properties, "roleDefinitionId")[1])
        else:
            continue
        scope = scope_kind(ctx, resource, resource.attributes.get(scope_path[0]))
        found.append(RoleAssignment(resource, role, scope, scope_path))
    return found


# --- account keys in compute settings ----------------------------------------------------

APP_SETTINGS_TYPES = ("azurerm_*web_app", "azurerm_*web_app_slot", "azurerm_*function_app*",
                      "azurerm_app_service", "azurerm_app_service_slot")


@dataclass(frozen=True)
class KeyPlacement:
    resource: Resource  # the web app, function app, container app or container group
    path: tuple  # where the key sits inside it
    setting: str  # the app setting / environment variable name
    account: AIAccount
    key: str  # primary_access_key, secondary_access_key or "listKeys result"


def _map_entries(value: Any, path: tuple) -> Iterator[tuple[tuple, str, Any]]:
    if isinstance(value, dict):
        yield from ((path + (name,), name, item) for name, item in value.items())
    elif isinstance(value, Call) and value.name == "merge":  # merge(var.common, {KEY = ...})
        for argument in value.args:
            if isinstance(argument, dict):
                yield from ((path, name, item) for name, item in argument.items())


def _plain_settings(resource: Resource) -> Iterator[tuple[tuple, str, Any]]:
    """(path, name, value) of every app setting / plain environment variable of a compute resource."""
    attributes = resource.attributes
    if resource.type == "azurerm_container_group":
        for label in ("container", "init_container"):
            for index, container in enumerate(_blocks(attributes.get(label))):
                yield from _map_entries(container.get("environment_variables"), (label, index, "environment_variables"))
    elif resource.type == "azurerm_container_app":
        for t_index, template in enumerate(_blocks(attributes.get("template"))):
            for label in ("container", "init_container"):
                for c_index, container in enumerate(_blocks(template.get(label))):
                    for path, env in expand_blocks(container, "env")[0]:
                        if env.get("secret_name") is None:
                            name = env.get("name") if isinstance(env.get("name"), str) else "?"
                            yield ("template", t_index, label, c_index) + path + ("value",), name, env.get("value")
    else:
        yield from _map_entries(attributes.get("app_settings"), ("app_settings",))


def _list_keys_account(ctx, near: Resource, parts: tuple) -> AIAccount | None:
    """The AI account whose keys an azapi `listKeys` action's `output` (in `parts`) holds."""
    if parts[:2] == ("data", "azapi_resource_action") and parts[3:4] == ("output",):
        action = ctx.lookup(near, ".".join(parts[:3]))
    elif parts[0] == "azapi_resource_action" and parts[2:3] == ("output",):
        action = ctx.lookup(near, ".".join(parts[:2]))
    else:
        return None
    name = action.attributes.get("action") if action else None
    if not (isinstance(name, str) and name.lower() == "listkeys"):
        return None
    targets = ctx.referenced(action, action.attributes.get("resource_id"))
    return next((a for a in ai_accounts(ctx) if a.resource in targets), None)


def key_source(ctx, near: Resource, value: Any) -> tuple[AIAccount, str] | None:
    """(account, key) when `value` carries an AI account's access key."""
    if not isinstance(value, Unknown) or _DIGEST_CALL.search(value.text):
        return None
    for ref in value.refs:
        parts = ref_parts(ref)
        if parts[0] == "azurerm_cognitive_account" and parts[2:3] and parts[2] in KEY_ATTRIBUTES:
            account = account_for(ctx, near, ".".join(parts[:2]))
            if account is not None:
                return account, parts[2]
        account = _list_keys_account(ctx, near, parts) if len(parts) > 2 else None
        if account is not None:
            return account, "listKeys result"
    return None


def key_placements(ctx) -> list[KeyPlacement]:
    """Every place an AI account's key lands in plain compute settings."""
    found = []
    compute = ctx.of_type(*APP_SETTINGS_TYPES, "azurerm_container_app", "azurerm_container_group", format="terraform")
    for resource in compute:
        for path, name, value in _plain_settings(resource):
            source = key_source(ctx, resource, value)
            if source is not None:
                found.append(KeyPlacement(resource, path, name, *source))
    return found
