"""The agent/tool graph of a scan: which Lambda each Bedrock agent action group (or AgentCore
gateway target) calls, and that function's execution role (CHECKS.md **Agent tool Lambda**,
**Tool role**). Built once per scan and shared by AIA111, AIA115 and the inventory.

An action group is found in `aws_bedrockagent_agent_action_group`, in the `action_groups` of
`awscc_bedrock_agent` and in the `ActionGroups` of CloudFormation `AWS::Bedrock::Agent`. Its
Lambda is followed through `aws_lambda_function.X.arn` / `.qualified_arn`, `aws_lambda_alias`,
CloudFormation `!GetAtt F.Arn` / `!Sub "${F.Arn}"`, or a literal ARN naming a declared
function. Anything that does not resolve leaves no edge: the checks stay silent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from aiaas_iac.context import ScanContext
from aiaas_iac.iam.aws import as_list
from aiaas_iac.iam.aws_documents import resource_instances
from aiaas_iac.iam.aws_resources import ARN_HOLE, arn_text
from aiaas_iac.iam.glob import glob_match
from aiaas_iac.model import Resource, Unknown
from aiaas_iac.parsers.tfplan import KNOWN_AFTER_APPLY
from aiaas_iac.terraform_instances import declared

BEDROCK_SERVICE_PRINCIPAL = "bedrock.amazonaws.com"
RETURN_CONTROL = "RETURN_CONTROL"


# --- Lambda resource policies (AIA114) -------------------------------------------------------

def is_bedrock_principal(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower() == BEDROCK_SERVICE_PRINCIPAL


def invokes_lambda(value: Any) -> bool:
    """A permission's `action` covers `lambda:InvokeFunction` (`lambda:*`, `*` included)."""
    return isinstance(value, str) and glob_match(value.strip(), "lambda:InvokeFunction")


def agent_source_arn_scope(value: Any) -> str | None:
    """How a permission's source ARN fails to name one agent (for messages), or None when it
    names one or cannot be read (an unresolved reference such as `aws_bedrockagent_agent.x.agent_arn`)."""
    if value is None:
        return "no source_arn"
    text = arn_text(value)
    if text is None:
        return None
    text = text.strip()
    shown = text.replace(ARN_HOLE, "${...}")
    if text == "*":
        return 'source_arn "*"'
    parts = text.split(":", 5)
    if len(parts) < 3 or not glob_match(parts[0], "arn"):
        return None
    if ARN_HOLE not in parts[2] and not glob_match(parts[2], "bedrock"):
        return None
    if len(parts) < 6:
        # An ARN that stops early in a `*` runs across the segments after it.
        return f'source_arn "{shown}" (any agent)' if parts[-1].endswith("*") and ARN_HOLE not in parts[-1] else None
    account, resource = parts[4], parts[5]
    if ARN_HOLE not in account and "*" in account:
        return f'source_arn "{shown}" (any account)'
    if ARN_HOLE in resource:
        return None
    resource_type, slash, agent_id = resource.partition("/")
    if resource_type.strip() == "*" or (not slash and "*" in resource_type):
        return f'source_arn "{shown}" (any agent)'
    if slash and glob_match(resource_type, "agent") and ("*" in agent_id or "?" in agent_id or not agent_id):
        return f'source_arn "{shown}" (any agent)'
    return None


# --- navigation over blocks written as lists (HCL) or mappings (JSON, CloudFormation) ---------

def first(value: Any, *keys: str) -> Any:
    """The value at `keys`, stepping into the first element of a nested-block list."""
    for key in keys:
        if isinstance(value, list):
            value = value[0] if value else None
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value[0]
    return value


def each(value: Any) -> Iterator[tuple[int, dict]]:
    for index, item in enumerate(as_list(value)):
        if isinstance(item, dict):
            yield index, item


# --- the graph ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ActionGroup:
    """One action group (or gateway target) whose executor is a Lambda function."""

    holder: Resource  # the resource it is written in (the action group, the agent, the target)
    path: tuple  # its path inside holder (() for a resource of its own)
    name: str  # for messages: `aws_bedrockagent_agent_action_group.tools`, `Agent ActionGroups[0] (tools)`
    block: dict  # its attributes (the holder's for a resource of its own)
    layout: str  # "aws", "awscc", "cfn" or "gateway"
    function: Resource  # the agent tool Lambda
    role: Resource | None  # its execution role, None when it does not resolve


# hashicorp/aws action group and the attribute names of the awscc / CloudFormation ones.
_FIELDS = {
    "aws": dict(executor="action_group_executor", lam="lambda", control="custom_control",
                state="action_group_state", parent="parent_action_group_signature", name="action_group_name"),
    "awscc": dict(executor="action_group_executor", lam="lambda", control="custom_control",
                  state="action_group_state", parent="parent_action_group_signature", name="action_group_name"),
    "cfn": dict(executor="ActionGroupExecutor", lam="Lambda", control="CustomControl",
                state="ActionGroupState", parent="ParentActionGroupSignature", name="ActionGroupName"),
}
FUNCTION_TYPES = ("aws_lambda_function", "AWS::Lambda::Function")
ROLE_TYPES = ("aws_iam_role", "awscc_iam_role", "AWS::IAM::Role")
_ROLE_NAME = {"aws_iam_role": "name", "awscc_iam_role": "role_name", "AWS::IAM::Role": "RoleName"}


def _function_name(function: Resource) -> Any:
    return function.get("function_name" if function.format == "terraform" else "FunctionName")


def _declared_function_named(ctx: ScanContext, near: Resource, name: str) -> Resource | None:
    for resource in ctx.in_module(near):
        if resource.type in FUNCTION_TYPES and resource.kind == "resource" and _function_name(resource) == name:
            return resource
    return None


def resolve_function(ctx: ScanContext, near: Resource, value: Any, depth: int = 0) -> Resource | None:
    """The declared Lambda function a tool reference names (see the module docstring)."""
    if isinstance(value, str):
        parts = value.strip().split(":")
        if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function":
            return _declared_function_named(ctx, near, parts[6])
        return None
    if not isinstance(value, Unknown) or depth > 2:
        return None
    for ref in value.refs:
        attribute = ref.split(".")[-1] if near.format == "terraform" else ref.partition(".")[2]
        for target in ctx.referenced(near, Unknown(ref, (ref,))):
            if target.kind != "resource":
                continue
            if target.type in FUNCTION_TYPES and attribute in ("arn", "qualified_arn", "Arn", "invoke_arn"):
                return target
            if target.type == "aws_lambda_alias" and attribute == "arn":
                return resolve_function(ctx, target, target.get("function_name"), depth + 1) \
                    or _function_by_name_value(ctx, target, target.get("function_name"))
    return None


def _function_by_name_value(ctx: ScanContext, near: Resource, value: Any) -> Resource | None:
    if isinstance(value, str):
        return _declared_function_named(ctx, near, value)
    for target in ctx.referenced(near, value):
        if target.type in FUNCTION_TYPES and target.kind == "resource":
            return target
    return None


def resolve_role(ctx: ScanContext, near: Resource, value: Any) -> Resource | None:
    """The declared IAM role a role ARN names: a reference to it, or a literal `...:role/<name>`."""
    if isinstance(value, str):
        name = value.strip().rpartition("/")[2] if ":role/" in value else None
        for resource in ctx.in_module(near) if name else ():
            if resource.type in ROLE_TYPES and resource.kind == "resource" and \
                    resource.get(_ROLE_NAME[resource.type]) == name:
                return resource
        return None
    for target in ctx.referenced(near, value):
        if target.type in ROLE_TYPES and target.kind == "resource":
            return target
    return None


def _tool_role(ctx: ScanContext, function: Resource) -> Resource | None:
    return resolve_role(ctx, function, function.get("role" if function.format == "terraform" else "Role"))


def _executor_lambda(block: dict, fields: dict) -> Any:
    """The executor's Lambda reference; None for RETURN_CONTROL or no executor."""
    executor = first(block, fields["executor"])
    if not isinstance(executor, dict):
        return None
    control = executor.get(fields["control"])
    if isinstance(control, str) and control.strip().upper() == RETURN_CONTROL:
        return None
    return executor.get(fields["lam"])


def is_active(block: dict, layout: str) -> bool:
    """Not a built-in parent group (`AMAZON.UserInput`) and not switched off."""
    fields = _FIELDS[layout]
    if block.get(fields["parent"]) is not None:
        return False
    state = block.get(fields["state"])
    return not (isinstance(state, str) and state.strip().upper() == "DISABLED")


def _groups_written(ctx: ScanContext) -> Iterator[tuple[Resource, tuple, str, dict, str]]:
    for resource in ctx.of_type("aws_bedrockagent_agent_action_group"):
        for instance in resource_instances(ctx, resource):
            yield resource, (), resource.address, dict(instance.attributes), "aws"
    for agent in ctx.of_type("awscc_bedrock_agent"):
        for instance in resource_instances(ctx, agent):
            for index, block in each(instance.get("action_groups")):
                yield agent, ("action_groups", index), f"{agent.address} action_groups[{index}]", block, "awscc"
    for agent in ctx.of_type("AWS::Bedrock::Agent"):
        for index, block in each(agent.get("ActionGroups")):
            yield agent, ("ActionGroups", index), f"{agent.address} ActionGroups[{index}]", block, "cfn"


def _gateway_targets(ctx: ScanContext) -> Iterator[tuple[Resource, tuple, str, Any]]:
    for target in ctx.of_type("aws_bedrockagentcore_gateway_target"):
        for instance in resource_instances(ctx, target):
            lam = first(instance.attributes, "target_configuration", "mcp", "lambda")
            if isinstance(lam, dict):
                yield target, ("target_configuration",), target.address, lam.get("lambda_arn")
    for target in ctx.of_type("AWS::BedrockAgentCore::GatewayTarget"):
        lam = first(target.attributes, "TargetConfiguration", "Mcp", "Lambda")
        if isinstance(lam, dict):
            yield target, ("TargetConfiguration",), target.address, lam.get("LambdaArn")


def _build(ctx: ScanContext) -> tuple[ActionGroup, ...]:
    out: list[ActionGroup] = []
    for holder, path, name, block, layout in _groups_written(ctx):
        fields = _FIELDS[layout]
        label = block.get(fields["name"])
        if isinstance(label, str) and path:
            name = f"{name} ({label})"
        function = resolve_function(ctx, holder, _executor_lambda(block, fields))
        if function is not None:
            out.append(ActionGroup(holder, path, name, block, layout, function, _tool_role(ctx, function)))
    for holder, path, name, value in _gateway_targets(ctx):
        function = resolve_function(ctx, holder, value)
        if function is not None:
            out.append(ActionGroup(holder, path, name, {}, "gateway", function, _tool_role(ctx, function)))
    return tuple(out)


def tool_calls(ctx: ScanContext) -> tuple[ActionGroup, ...]:
    """Every action group and gateway target of the scan whose executor resolves to a declared
    Lambda function, with the function's execution role."""
    return ctx.memo("aws.agent_tool_calls", lambda: _build(ctx))


# --- AI service identities and the roles they run with (AIA112, AIA113) ----------------------

# Resource type -> attribute holding the role the service assumes.
AI_SERVICE_ROLE_ATTRIBUTES = {
    "aws_bedrockagent_agent": "agent_resource_role_arn",
    "awscc_bedrock_agent": "agent_resource_role_arn",
    "AWS::Bedrock::Agent": "AgentResourceRoleArn",
    "aws_bedrockagentcore_agent_runtime": "role_arn",
    "awscc_bedrockagentcore_runtime": "role_arn",
    "AWS::BedrockAgentCore::Runtime": "RoleArn",
    "aws_bedrockagentcore_gateway": "role_arn",
    "awscc_bedrockagentcore_gateway": "role_arn",
    "AWS::BedrockAgentCore::Gateway": "RoleArn",
    "aws_bedrockagent_knowledge_base": "role_arn",
    "awscc_bedrock_knowledge_base": "role_arn",
    "AWS::Bedrock::KnowledgeBase": "RoleArn",
}
KNOWLEDGE_BASE_TYPES = ("aws_bedrockagent_knowledge_base", "awscc_bedrock_knowledge_base", "AWS::Bedrock::KnowledgeBase")


@dataclass(frozen=True)
class ServiceIdentity:
    """An agent, AgentCore runtime or gateway, or knowledge base, and the role it names."""

    resource: Resource
    attribute: str
    role_value: Any  # as evaluated (per instance)
    instances: int  # how many count/for_each instances the block certainly creates (1 when unknown)
    role_key: tuple | None  # equal keys name the same role (CHECKS.md **Same role**); None: unusable
    # The declared role the value resolves to, from any module instance (`var.role_arn` given
    # `aws_iam_role.shared.arn` by the caller): equal targets name the same role too.
    role_target: tuple | None = None

    @property
    def same_role_key(self) -> tuple | None:
        return self.role_target or self.role_key


def role_key(near: Resource, value: Any) -> tuple | None:
    """Resolved ARNs compare by text across the scan; references and `var.`/`local.`/`!Ref`
    expressions compare by text inside one module instance or template."""
    if isinstance(value, str):
        return ("arn", value.strip()) if value.strip() else None
    text = arn_text(value)
    if text is not None and ARN_HOLE not in text:
        return ("arn", text.strip())
    if isinstance(value, Unknown) and value.refs:
        shown = value.text.strip()
        if shown == KNOWN_AFTER_APPLY:  # a plan: the expression is only known by its references
            return ("references", near.format, near.module, tuple(sorted(value.refs)))
        if _per_instance(value):
            # `aws_iam_role.runtime[each.key].arn` names a different role in every instance: the
            # same text in two blocks (or two unresolved instances) is no evidence of one role.
            return ("per-instance", near.format, near.module, near.address, shown)
        return ("expression", near.format, near.module, shown)
    return None


def role_target(ctx: ScanContext, near: Resource, value: Any) -> tuple | None:
    """The one declared role (not one of several `count`/`for_each` instances) a reference names."""
    if not isinstance(value, Unknown) or _per_instance(value):
        return None
    targets = [t for t in ctx.referenced(near, value) if t.type in ROLE_TYPES]
    if len(targets) != 1 or "count" in targets[0].attributes or "for_each" in targets[0].attributes:
        return None
    return ("role", targets[0].format, targets[0].module, targets[0].kind, targets[0].address)


def _per_instance(value: Unknown) -> bool:
    return any(ref.split(".", 1)[0] in ("each", "count") for ref in value.refs) \
        or "each." in value.text or "count.index" in value.text


def service_identities(ctx: ScanContext) -> tuple[ServiceIdentity, ...]:
    """Every AI service identity of the scan with the role it uses."""
    def build() -> tuple[ServiceIdentity, ...]:
        out = []
        for resource in ctx.of_type(*AI_SERVICE_ROLE_ATTRIBUTES):
            if resource.format == "terraform" and declared(ctx, resource) is None:
                continue  # its count/for_each creates no instance: it shares nothing
            attribute = AI_SERVICE_ROLE_ATTRIBUTES[resource.type]
            copies = resource_instances(ctx, resource)
            keys = [role_key(resource, c.get(attribute)) for c in copies]
            # A per-instance role (`aws_iam_role.kb[each.key].arn`) is another role in every copy.
            keys = [key + (index,) if key and key[0] == "per-instance" else key for index, key in enumerate(keys)]
            for key in dict.fromkeys(keys):
                count = sum(1 for k in keys if k == key)
                value = copies[keys.index(key)].get(attribute)
                target = role_target(ctx, resource, value) if key and key[0] != "per-instance" else None
                out.append(ServiceIdentity(resource, attribute, value, count, key, target))
        return tuple(out)

    return ctx.memo("aws.ai_service_identities", build)


# --- knowledge bases and the buckets they read (AIA113) --------------------------------------

DATA_SOURCE_TYPES = {
    "aws_bedrockagent_data_source": "knowledge_base_id",
    "awscc_bedrock_data_source": "knowledge_base_id",
    "AWS::Bedrock::DataSource": "KnowledgeBaseId",
}
BUCKET_NAME_ATTRIBUTES = {"aws_s3_bucket": "bucket", "AWS::S3::Bucket": "BucketName"}
_S3_ARN = re.compile(r"^arn:[^:]*:s3:::([^/]+)(/.*)?$", re.IGNORECASE | re.DOTALL)
_S3_URI = re.compile(r"^s3://([^/]+)(/.*)?$", re.IGNORECASE | re.DOTALL)


def s3_bucket_of(text: str) -> str | None:
    """The bucket an S3 ARN or `s3://` URI names (it may still hold wildcards or holes)."""
    match = _S3_ARN.match(text.strip()) or _S3_URI.match(text.strip())
    return match.group(1) if match else None


@dataclass(frozen=True)
class KnowledgeBaseSources:
    """The approved buckets of one knowledge base (CHECKS.md **Approved KB buckets**)."""

    knowledge_base: Resource
    data_sources: int  # data sources in the set that point to it
    buckets: frozenset[str]
    complete: bool  # False when a bucket or a data source's knowledge base could not be resolved


S3_LOCATION_KEYS = frozenset({"bucket_arn", "uri", "bucketarn"})


def _buckets_in(ctx: ScanContext, near: Resource, value: Any, found: set, key: str = "", depth: int = 0) -> bool:
    """Collect the buckets named anywhere in `value`; False when a bucket ARN or URI attribute
    (`bucket_arn`, `uri`, `BucketArn`, `URI`) stays unresolved."""
    if depth > 40:
        return True
    if isinstance(value, dict):
        results = [_buckets_in(ctx, near, v, found, str(k), depth + 1) for k, v in value.items()]
        return all(results)
    if isinstance(value, list):
        results = [_buckets_in(ctx, near, v, found, key, depth + 1) for v in value]
        return all(results)
    if isinstance(value, str):
        bucket = s3_bucket_of(value)
        if bucket is not None:
            found.add(bucket)
        return True
    if not isinstance(value, Unknown):
        return True
    text = arn_text(value)
    bucket = s3_bucket_of(text) if text is not None else None
    if bucket is not None and ARN_HOLE not in bucket:
        found.add(bucket)
        return True
    resolved = False
    for target in ctx.referenced(near, value):
        attribute = BUCKET_NAME_ATTRIBUTES.get(target.type)
        name = target.get(attribute) if attribute is not None else None
        if isinstance(name, str) and name:
            found.add(name)
            resolved = True
    return resolved or (key.lower() not in S3_LOCATION_KEYS and bucket is None)


def knowledge_base_sources(ctx: ScanContext) -> dict[tuple, KnowledgeBaseSources]:
    """(format, module, address) of each knowledge base -> its approved buckets."""
    def build() -> dict[tuple, KnowledgeBaseSources]:
        bases = {(kb.format, kb.module, kb.address): kb for kb in ctx.of_type(*KNOWLEDGE_BASE_TYPES)}
        buckets = {key: set() for key in bases}
        complete = {key: _buckets_in(ctx, kb, dict(kb.attributes), buckets[key]) for key, kb in bases.items()}
        counts = dict.fromkeys(bases, 0)
        for source in ctx.of_type(*DATA_SOURCE_TYPES):
            targets = [t for t in ctx.referenced(source, source.get(DATA_SOURCE_TYPES[source.type]))
                       if t.type in KNOWLEDGE_BASE_TYPES]
            if not targets:  # a literal or unresolved id: it may point to any base of its module
                for key in bases:
                    if key[:2] == (source.format, source.module):
                        complete[key] = False
                continue
            key = (targets[0].format, targets[0].module, targets[0].address)
            counts[key] += 1
            complete[key] &= _buckets_in(ctx, source, dict(source.attributes), buckets[key])
        return {key: KnowledgeBaseSources(kb, counts[key], frozenset(buckets[key]), complete[key])
                for key, kb in bases.items()}

    return ctx.memo("aws.knowledge_base_sources", build)
