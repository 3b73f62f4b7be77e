"""AWS access paths: roles, users, groups, their access keys and Bedrock API keys (Terraform and
CloudFormation), read through the policy semantics the AIA1xx checks use (iam/aws_identities)."""

from __future__ import annotations

from typing import Any

from aiaas_iac.iam.actions import BEDROCK_FULL_ACCESS, INVOKE_ACTIONS, LOGGING_CONFIG_ACTIONS, service_actions
from aiaas_iac.iam.aws import Statement
from aiaas_iac.iam.aws_documents import policy_attachments, identity_documents, is_managed_policy
from aiaas_iac.iam.aws_identities import (
    GROUP, IDENTITY_TYPES, ROLE, USER, AppliedPolicy, names_identity, policies_applied_to,
)
from aiaas_iac.iam.aws_logging import bedrock_logging_state
from aiaas_iac.iam.aws_resources import display_value
from aiaas_iac.iam.iamdata import action_access_levels
from aiaas_iac.inventory import model
from aiaas_iac.inventory.common import Collector, Reach, identity_of, related_key, values_text
from aiaas_iac.terraform_instances import declared

SERVICE = "bedrock"
BEDROCK_API_KEY_SERVICE = "bedrock.amazonaws.com"
ACCESS_KEY_USER_ATTRIBUTES = {"aws_iam_access_key": "user", "AWS::IAM::AccessKey": "UserName"}
API_KEY_TYPE = "aws_iam_service_specific_credential"
SAM_FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Serverless::StateMachine")
# Action names that call a model, an agent, a flow or a knowledge base: data-plane use.
_INVOKE_NAME_PREFIXES = ("invoke", "converse", "retrieve", "callwithbearertoken", "applyguardrail", "renderprompt")
_KIND_NAMES = {ROLE: "aws-role", USER: "aws-user", GROUP: "aws-group"}


def _capability_of_action(action: str, level: str) -> str:
    name = action.partition(":")[2].lower()
    if action in _LOGGING_LOWER:
        return "logging-control"
    if name.startswith(_INVOKE_NAME_PREFIXES):
        return "invoke"
    if level and set(p.strip() for p in level.split(",")) <= {"Read", "List"}:
        return "read"
    return "manage"


_LOGGING_LOWER = {a.lower() for a in LOGGING_CONFIG_ACTIONS}


def statement_capabilities(statement: Statement) -> set[str]:
    """What an Allow statement lets its holder do in Bedrock (CHECKS.md **Grants**)."""
    services = statement.bedrock_services_granted()
    if not services:
        return set()
    if statement.wildcard_bedrock_actions():
        return {"admin"}
    found: set[str] = set()
    if statement.grants_any(INVOKE_ACTIONS):
        found.add("invoke")
    if statement.grants_any(LOGGING_CONFIG_ACTIONS):
        found.add("logging-control")
    for service in services:
        levels = action_access_levels(service)
        for action in service_actions(service):
            capability = _capability_of_action(action.lower(), levels.get(action.lower(), ""))
            if capability not in found and statement.grants(action):
                found.add(capability)
            if {"manage", "invoke", "read"} <= found:
                break
    return found


def _statement_values(statement: Statement) -> list[str]:
    if statement.resources is not None:
        return [display_value(r) for r in statement.resources]
    if statement.not_resources is not None:
        return ["NotResource " + ", ".join(display_value(r) for r in statement.not_resources)]
    return []


def policy_reach(policies: list[AppliedPolicy], near: Any = None) -> Reach:
    """What the policies applied to one identity (declared or named in `near`) let it do in Bedrock."""
    reach = Reach()
    for policy in policies:
        related = {related_key(policy.holder)}
        if policy.managed_policy == BEDROCK_FULL_ACCESS:
            reach.add({"admin"}, [f"arn:aws:iam::aws:policy/{BEDROCK_FULL_ACCESS}"], True, [policy.describe(near)],
                      related)
            continue
        if policy.document is None:
            continue
        related.add(related_key(policy.document.resource))
        for statement in policy.document.statements:
            if not statement.allows:
                continue
            capabilities = statement_capabilities(statement)
            if capabilities:
                unscoped = bool(statement.unscoped_resources()) or "admin" in capabilities and any(
                    v.strip() == "*" for v in _statement_values(statement))
                reach.add(capabilities, _statement_values(statement), unscoped, [policy.describe(near)], related)
    return reach


def scope_words(reach: Reach) -> str:
    if reach.scope_all:
        return f"all Bedrock models and resources in the account ({values_text(reach.values)})"
    count = len(reach.values)
    return f"{count} Bedrock resource{'s' if count != 1 else ''}: {values_text(reach.values)}"


def _logged(ctx: Any, resource: Any) -> bool | None:
    if resource.format != "terraform":
        return None  # CloudFormation has no model invocation logging resource: it cannot be told here
    return ctx.memo("inventory.bedrock_logging", lambda: bedrock_logging_state(ctx))


def _access_keys(ctx: Any) -> list[Any]:
    return [key for key in ctx.of_type(*ACCESS_KEY_USER_ATTRIBUTES) if key.kind == "resource" and
            (key.format != "terraform" or declared(ctx, key) is not None)]


def _keys_of_user(ctx: Any, user: Any, keys: list[Any]) -> list[Any]:
    return [key for key in keys if key.format == user.format and key.module == user.module and
            names_identity(ctx, key, USER, key.get(ACCESS_KEY_USER_ATTRIBUTES[key.type]), user)]


def _api_keys(ctx: Any) -> list[Any]:
    found = []
    for credential in ctx.of_type(API_KEY_TYPE, format="terraform"):
        service = credential.get("service_name")
        if isinstance(service, str) and service.strip().lower() == BEDROCK_API_KEY_SERVICE and \
                declared(ctx, credential) is not None:
            found.append(credential)
    return found


def build(ctx: Any, out: Collector) -> None:
    api_keys = _api_keys(ctx)
    access_keys = _access_keys(ctx)
    claimed_api_keys: set[int] = set()
    claimed_keys: set[int] = set()
    for resource_type, layout in IDENTITY_TYPES.items():
        for identity in ctx.of_type(resource_type):
            if identity.format == "terraform" and declared(ctx, identity) is None:
                continue  # count/for_each creates none
            reach = policy_reach(policies_applied_to(ctx, identity, layout.kind, identity), identity)
            logged = _logged(ctx, identity)
            keys = _keys_of_user(ctx, identity, access_keys) if layout.kind == USER else []
            claimed_keys.update(id(k) for k in keys)
            user_api_keys = [k for k in api_keys if layout.kind == USER and names_identity(
                ctx, k, USER, k.get("user_name"), identity)]
            claimed_api_keys.update(id(k) for k in user_api_keys)
            if not reach:
                for api_key in user_api_keys:  # the key can call Bedrock as far as the user may
                    _api_key_path(ctx, out, api_key, None)
                continue
            credential = {ROLE: model.ROLE, USER: model.ACCESS_KEY if keys else model.IAM_USER,
                          GROUP: model.GROUP_MEMBERSHIP}[layout.kind]
            related = {related_key(identity)} | {related_key(k) for k in keys}
            out.add(identity_of(identity, _KIND_NAMES[layout.kind]), SERVICE, reach, credential, logged,
                    scope_words, related)
            for key in keys:
                out.add(identity_of(key, "aws-access-key"), SERVICE, reach, model.ACCESS_KEY, logged, scope_words,
                        {related_key(key)})
            for api_key in user_api_keys:
                _api_key_path(ctx, out, api_key, reach)
    # Keys of a user the configuration names but does not declare: as far as the policies it
    # applies to that user name reach (what AIA107 reads).
    for key in access_keys:
        if id(key) not in claimed_keys:
            reach = policy_reach(policies_applied_to(ctx, key, USER, key.get(ACCESS_KEY_USER_ATTRIBUTES[key.type])))
            out.add(identity_of(key, "aws-access-key"), SERVICE, reach, model.ACCESS_KEY, _logged(ctx, key),
                    scope_words, {related_key(key)})
    for api_key in api_keys:
        if id(api_key) not in claimed_api_keys:
            reach = policy_reach(policies_applied_to(ctx, api_key, USER, api_key.get("user_name")))
            _api_key_path(ctx, out, api_key, reach or None)
    _sam_functions(ctx, out)


def _api_key_path(ctx: Any, out: Collector, api_key: Any, user_reach: Reach | None) -> None:
    """A Bedrock API key calls Bedrock as its user: as far as the user's policies allow, or (when
    they are not in the configuration) at least to invoke, which is what the key is made for."""
    if user_reach:
        reach, words = user_reach, scope_words
    else:
        reach = Reach()
        reach.add({"invoke"}, [], False, [api_key.full_address or api_key.address])
        user = display_value(api_key.get("user_name"))

        def words(_: Reach) -> str:
            return f"what the policies of user {user} allow (not declared in this configuration)"
    out.add(identity_of(api_key, "bedrock-api-key"), SERVICE, reach, model.API_KEY, _logged(ctx, api_key), words,
            {related_key(api_key)})


def _sam_functions(ctx: Any, out: Collector) -> None:
    """A SAM function's `Policies` make its execution role: the function is the identity."""
    documents = [d for d in identity_documents(ctx) if d.resource.type in SAM_FUNCTION_TYPES]
    attachments = [a for a in policy_attachments(ctx) if a.resource.type in SAM_FUNCTION_TYPES]
    for function in ctx.of_type(*SAM_FUNCTION_TYPES, format="cloudformation"):
        policies = [AppliedPolicy(function, d.path, d) for d in documents if d.resource is function]
        policies += [AppliedPolicy(function, a.path, None, BEDROCK_FULL_ACCESS) for a in attachments
                     if a.resource is function and is_managed_policy(ctx, function, a.arn, BEDROCK_FULL_ACCESS)]
        reach = policy_reach(policies)
        out.add(identity_of(function, "aws-role"), SERVICE, reach, model.ROLE, None, scope_words,
                {related_key(function)})
