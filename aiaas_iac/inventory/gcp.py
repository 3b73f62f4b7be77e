"""GCP access paths: service accounts (and their keys), members of Vertex AI role bindings and API
keys, read through iam/gcp.py and iam/gcp_api_keys.py as the AIA2xx checks read them."""

from __future__ import annotations

from typing import Any

from aiaas_iac.iam.aws_resources import display_value
from aiaas_iac.iam.gcp import (
    PUBLIC_PRINCIPALS, VERTEX_SERVICE, Binding, bindings, grant_scope, is_service_agent_email, service_accounts_of,
    vertex_data_access_logging,
    vertex_grants_for,
)
from aiaas_iac.iam.gcp_api_keys import GEMINI_SERVICE, api_key_restrictions, enabled_ai_apis, same_project
from aiaas_iac.inventory import model
from aiaas_iac.inventory.common import Collector, Reach, identity_of, related_key, values_text
from aiaas_iac.inventory.model import Identity
from aiaas_iac.terraform_instances import declared, instance_address, instances

SERVICES = {VERTEX_SERVICE: "vertex-ai", GEMINI_SERVICE: "gemini-api"}
_LEVEL_ATTRIBUTES = {"project": "project", "folder": "folder", "organization": "org_id"}


def role_capability(role: str) -> str:
    """What a `roles/aiplatform.*` role lets a member do."""
    name = role.strip().lower().removeprefix("roles/aiplatform.")
    if name in ("admin", "serviceagent"):
        return "admin"
    if name.endswith(("viewer", "reader")):
        return "read"
    if name.endswith("user"):
        return "invoke"
    return "manage"


def binding_reach(ctx: Any, binding: Binding) -> Reach:
    reach = Reach()
    if not binding.is_vertex_role():
        return reach
    if binding.level in _LEVEL_ATTRIBUTES:
        where = binding.applied_by.get(_LEVEL_ATTRIBUTES[binding.level])
        value = f"{binding.level} {display_value(where)}" if where is not None else f"the provider's {binding.level}"
        scope_all = True
    else:
        value, scope_all = grant_scope(ctx, binding).removeprefix("on "), False
    if binding.conditional:
        value += " (conditional)"
    reach.add({role_capability(binding.role)}, [value], scope_all, [f"{binding.where} grants {binding.role}"],
              {related_key(binding.source), related_key(binding.applied_by)})
    return reach


def scope_words(reach: Reach) -> str:
    if reach.scope_all:
        return f"all Vertex AI models and endpoints of {values_text(reach.values)}"
    return f"Vertex AI resources: {values_text(reach.values)}"


def _logged(ctx: Any) -> bool | None:
    return ctx.memo("inventory.vertex_logging", lambda: vertex_data_access_logging(ctx)[0])


def _member_identity(member: str, binding: Binding) -> tuple[str, str, str] | None:
    """(kind, address, credential) of a member that is no service account resource of the scan."""
    text = member.strip()
    if text in PUBLIC_PRINCIPALS:
        return "gcp-public", text, model.ANONYMOUS if text == "allUsers" else model.GOOGLE_ACCOUNT
    kind, _, name = text.partition(":")
    if kind == "serviceAccount" and name and not is_service_agent_email(name):  # Google's own agents are not
        return "gcp-service-account", name, model.SERVICE_ACCOUNT
    if kind in ("principal", "principalSet") and name:
        return "gcp-workload-identity", text, model.ROLE
    return None  # people and groups are not machine identities


def build(ctx: Any, out: Collector) -> None:
    logged = _logged(ctx)
    accounts = [a for a in ctx.of_type("google_service_account", format="terraform") if declared(ctx, a) is not None]
    keys = [k for k in ctx.of_type("google_service_account_key", format="terraform") if declared(ctx, k) is not None]
    for account in accounts:
        reach = Reach()
        for binding in vertex_grants_for(ctx, account):
            granted = binding_reach(ctx, binding)
            reach.add(granted.capabilities, granted.values, granted.scope_all, granted.via, granted.related)
        if not reach:
            continue
        own_keys = [k for k in keys if account in service_accounts_of(ctx, k, k.get("service_account_id"))]
        credential = model.SERVICE_ACCOUNT_KEY if own_keys else model.SERVICE_ACCOUNT
        out.add(identity_of(account, "gcp-service-account"), "vertex-ai", reach, credential, logged, scope_words,
                {related_key(account)} | {related_key(k) for k in own_keys})
        for key in own_keys:
            out.add(identity_of(key, "gcp-service-account-key"), "vertex-ai", reach, model.SERVICE_ACCOUNT_KEY,
                    logged, scope_words, {related_key(key)})
    for binding in bindings(ctx):
        if not binding.is_vertex_role():
            continue
        for member in binding.members:
            if not isinstance(member, str) or service_accounts_of(ctx, binding.applied_by, member):
                continue
            found = _member_identity(member, binding)
            if found is not None:
                kind, address, credential = found
                where = binding.applied_by
                out.add(Identity(kind, address, where.file, where.span.start_line), "vertex-ai",
                        binding_reach(ctx, binding), credential, logged, scope_words)
    _api_keys(ctx, out, logged)


def _api_keys(ctx: Any, out: Collector, vertex_logged: bool | None) -> None:
    for key in ctx.of_type("google_apikeys_key", format="terraform"):
        for instance_key, instance in instances(ctx, key):
            restrictions = api_key_restrictions(ctx, instance)
            address = instance_address(key.full_address or key.address, instance_key)
            if restrictions.targets is None:
                enabled = [api for api in enabled_ai_apis(ctx) if same_project(api.project, instance.get("project"))]
                targets = {api.service.lower(): f"every API enabled in the project, including {api.service}"
                           f" ({api.where})" for api in enabled}
                scope_all = True
            else:
                targets = {t.lower(): f"api_targets {t}" for t in restrictions.ai_targets()}
                scope_all = False
            for service, words_text in targets.items():
                name = SERVICES.get(service)
                if name is None:
                    continue
                reach = Reach()
                caller = "" if restrictions.caller_restricted else ", from any caller"
                reach.add({"invoke"}, [service], scope_all, [address], {related_key(key)})
                out.add(Identity("gcp-api-key", address, key.file, key.span.start_line), name, reach, model.API_KEY,
                        vertex_logged if name == "vertex-ai" else None,
                        lambda _, text=words_text + caller: text)
