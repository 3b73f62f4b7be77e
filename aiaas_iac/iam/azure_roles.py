"""Azure role assignments for AIA304: which role each grants, and on what kind of scope.

Roles are read by name, by built-in role definition ID, or through a
`data.azurerm_role_definition`; scopes from literal IDs, references to a
resource's `id` and templates such as `"/subscriptions/${var.subscription_id}"`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from aiaas_iac.iam.azure import ACCOUNT_ARM_TYPE, arm_lookup, arm_resources, arm_type, is_arm, ref_parts
from aiaas_iac.model import Resource, Unknown
from aiaas_iac.parsers.hcl_expressions import Template, Traversal
from aiaas_iac.terraform_instances import instance_address, instances

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
# Built-in roles that control the whole scope: they change any resource or grant access (AIA309).
# Names are compared case-insensitively; IDs from public Bicep/ARM templates (CHECKS.md S12).
PRIVILEGED_ROLE_IDS = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "18d7d88d-d35e-4fb1-a5c3-7773c20a72d9": "User Access Administrator",
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
}
_PRIVILEGED_ROLE_NAMES = {name.lower(): name for name in PRIVILEGED_ROLE_IDS.values()}
_GUID_AT_END = re.compile(r"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})/?$")

_RESOURCE_GROUP_SHAPE = "/subscriptions/{}/resourceGroups/{}"
_ACCOUNT_SHAPE = "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.CognitiveServices/accounts/{}"
_MANAGEMENT_GROUP_SHAPE = "/providers/Microsoft.Management/managementGroups/{}"
# What the `id` of these resources looks like; `{}` stands for one unknown path segment.
_REFERENCE_SHAPES = {
    "azurerm_resource_group": _RESOURCE_GROUP_SHAPE, "data.azurerm_resource_group": _RESOURCE_GROUP_SHAPE,
    "data.azurerm_subscription": "/subscriptions/{}",
    "azurerm_management_group": _MANAGEMENT_GROUP_SHAPE, "data.azurerm_management_group": _MANAGEMENT_GROUP_SHAPE,
    "azurerm_cognitive_account": _ACCOUNT_SHAPE, "data.azurerm_cognitive_account": _ACCOUNT_SHAPE,
    "azurerm_ai_services": _ACCOUNT_SHAPE,
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
    instance: Any = None  # count index / for_each key, for an assignment repeated over a known collection
    principal: Any = None  # `principal_id` (azapi: `properties.principalId`) as written, after resolution
    evaluated: Resource | None = None  # this instance's values

    @property
    def address(self) -> str:
        """`azurerm_role_assignment.ai["Cognitive Services OpenAI User"]` for one instance of many."""
        return instance_address(self.resource.address, self.instance)


def privileged_role(role: str | None) -> str | None:
    """`role` as the catalog names it when it is Owner, Contributor, User Access Administrator,
    Role Based Access Control Administrator or any `... Data Owner` role; else None."""
    lowered = (role or "").strip().lower()
    if lowered in _PRIVILEGED_ROLE_NAMES:
        return _PRIVILEGED_ROLE_NAMES[lowered]
    return role.strip() if role and lowered.endswith(" data owner") else None


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
        return _ARM_TYPE_SHAPES.get(arm_type(target), "{}") if target else "{}"
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
    if not found:
        return None
    guid = found.group(1).lower()
    return BUILTIN_AI_ROLE_IDS.get(guid) or PRIVILEGED_ROLE_IDS.get(guid)


def role_assignments(ctx) -> list[RoleAssignment]:
    """`azurerm_role_assignment`s and azapi `Microsoft.Authorization/roleAssignments` resources
    (worked out once per scan: AIA304 and AIA309 both read them)."""
    return ctx.memo("azure.role_assignments", lambda: _role_assignments(ctx))


def deployment_scope(ctx, near: Resource) -> str:
    """The scope a Bicep/ARM resource without `scope` deploys to: its file's `targetScope`
    (Bicep) or `$schema` (ARM), or its ARM nested deployment's, as a _SCOPE_KINDS name."""
    from aiaas_iac.parsers.arm import TARGET_SCOPE_KEY

    target = near.attributes.get(TARGET_SCOPE_KEY)
    if not isinstance(target, str):
        deployment = ctx.lookup(near, "targetScope")
        target = deployment.attributes.get("targetScope") if deployment is not None else "resourceGroup"
    return {"subscription": "subscription", "managementgroup": "management group",
            "tenant": "tenant"}.get(str(target).lower(), "resource group")


_SCOPE_FUNCTIONS = {"resourcegroup()": "resource group", "subscription()": "subscription",
                    "managementgroup()": "management group"}
_ARM_TYPE_KINDS = {ACCOUNT_ARM_TYPE: "account", "microsoft.resources/resourcegroups": "resource group"}


def arm_scope_kind(ctx, near: Resource, value: Any) -> str | None:
    """What a Bicep/ARM `scope` names: a resource symbol or `resourceId(...)` (its type decides),
    `resourceGroup()` / `subscription()` (and their `.id`), a relative or full ID string."""
    if value is None:
        return deployment_scope(ctx, near)
    if isinstance(value, str):
        relative = re.match(r"^[a-z0-9]+\.[a-z0-9.]+/[^/]+/[^/]+", value.lower())
        if relative and not value.startswith("/"):
            type_ = "/".join(value.lower().split("/")[:2])
            return _ARM_TYPE_KINDS.get(type_, "resource")
        return scope_kind(ctx, near, value)
    if not isinstance(value, Unknown) or len(value.refs) != 1:
        return None
    ref = value.refs[0]
    text = value.text.replace(" ", "").lower().removesuffix(".id")
    if ref.lower() in _SCOPE_FUNCTIONS:
        return _SCOPE_FUNCTIONS[ref.lower()] if text == ref.lower() else None
    target = ctx.referenced(near, value)
    if not target or not (ref == target[0].address or ref == target[0].address + ".id"):
        return None
    return _ARM_TYPE_KINDS.get(target[0].type.lower(), "resource")


def _arm_role(ctx, near: Resource, value: Any) -> str | None:
    """A role definition ID in Bicep/ARM: a literal ID, `subscriptionResourceId(
    'Microsoft.Authorization/roleDefinitions', '<guid>')`, or an `existing` role definition's `id`."""
    if isinstance(value, Unknown) and len(value.refs) == 1:
        target = ctx.referenced(near, value)
        if target and target[0].type.lower() == "microsoft.authorization/roledefinitions":
            value = target[0].attributes.get("name")
        else:
            value = value.refs[0].removesuffix(".id")
    return _role_from_id(ctx, near, value) if isinstance(value, str) else None


def _arm_role_assignments(ctx) -> list[RoleAssignment]:
    found = []
    for resource in arm_resources(ctx, "Microsoft.Authorization/roleAssignments"):
        _, properties = arm_lookup(resource.attributes, "properties")
        role = _arm_role(ctx, resource, arm_lookup(properties, "roleDefinitionId")[1])
        scope = arm_scope_kind(ctx, resource, arm_lookup(resource.attributes, "scope")[1])
        principal = arm_lookup(properties, "principalId")[1]
        found.append(RoleAssignment(resource, role, scope, ("scope",), None, principal, resource))
    return found


def _role_assignments(ctx) -> list[RoleAssignment]:
    found = _arm_role_assignments(ctx)
    for resource in ctx.of_type("azurerm_role_assignment", "azapi_resource", format="terraform"):
        if resource.type != "azurerm_role_assignment" and arm_type(resource) != "microsoft.authorization/roleassignments":
            continue
        # `for_each = toset(["Cognitive Services OpenAI User", ...])` is one assignment per role.
        for key, instance in instances(ctx, resource):
            role, scope_path = _role_and_scope_path(ctx, instance)
            scope = scope_kind(ctx, instance, instance.attributes.get(scope_path[0]))
            principal = (instance.attributes.get("principal_id") if resource.type == "azurerm_role_assignment"
                         else arm_lookup(arm_lookup(instance.attributes.get("body"), "properties")[1], "principalId")[1])
            found.append(RoleAssignment(resource, role, scope, scope_path, key, principal, instance))
    return found


def _role_and_scope_path(ctx, assignment: Resource) -> tuple[str | None, tuple]:
    if assignment.type == "azurerm_role_assignment":
        role = assignment.attributes.get("role_definition_name")
        if not isinstance(role, str):
            role = _role_from_id(ctx, assignment, assignment.attributes.get("role_definition_id"))
        return role, ("scope",)
    _, properties = arm_lookup(assignment.attributes.get("body"), "properties")
    return _role_from_id(ctx, assignment, arm_lookup(properties, "roleDefinitionId")[1]), ("parent_id",)
