"""AI secrets: secret-store entries that hold a key for an AI service (CHECKS.md "AI secret").

An entry of `aws_secretsmanager_secret`, `google_secret_manager_secret` or
`azurerm_key_vault_secret` is an AI secret when (1) its name is an AI secret
name, (2) a version stores a JSON object with an AI credential name as a key, or
(3) an AI consumer reads it: an ECS container `secrets[]` entry, a Bedrock
knowledge base's Pinecone / Redis Enterprise credentials, a Vertex reasoning
engine `secret_env` or a Cloud Run `secret_key_ref` under an AI credential name,
or (Azure) a Key Vault secret whose value is an AI account's or AI Search
service's key. `ai_secrets` returns each with the first reason found.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

from aiaas_iac.iam.azure import block_list
from aiaas_iac.iam.azure_keys import key_source
from aiaas_iac.model import Resource, Unknown
from aiaas_iac.parsers.hcl_expressions import Call
from aiaas_iac.secrets import is_ai_credential_name
from aiaas_iac.iam.instances import created_instances

SECRET_TYPES = ("aws_secretsmanager_secret", "google_secret_manager_secret", "azurerm_key_vault_secret")
NAME_ATTRIBUTES = {"aws_secretsmanager_secret": ("name", "name_prefix"),
                   "google_secret_manager_secret": ("secret_id",), "azurerm_key_vault_secret": ("name",)}
AI_SECRET_TOKENS = frozenset(
    "OPENAI ANTHROPIC GEMINI COHERE MISTRAL GROQ HUGGINGFACE HF TOGETHER REPLICATE PERPLEXITY DEEPSEEK XAI "
    "VOYAGE PINECONE LANGSMITH LANGCHAIN".split())
_CREDENTIAL_IN_NAME = re.compile(
    r"(?:^|_)((?:OPENAI|AZURE_OPENAI|ANTHROPIC|GEMINI|GOOGLE_API|VERTEX|COHERE|MISTRAL|GROQ|HUGGINGFACE|HF|TOGETHER"
    r"|REPLICATE|PERPLEXITY|DEEPSEEK|XAI|VOYAGE|PINECONE|LANGSMITH|LANGCHAIN)[A-Z0-9_]*?(?:KEY|TOKEN|SECRET)"
    r"|AWS_BEARER_TOKEN_BEDROCK)(?=_|$)")
_MAX_NAME = 1024  # longer names are not secret names anyone wrote by hand


@dataclass(frozen=True)
class AISecret:
    resource: Resource  # the scanned secret block
    evaluated: Resource
    reason: str  # why it is an AI secret, for messages


def is_ai_secret_name(name: Any) -> bool:
    """`prod/openai-api-key`, `openai`, `GOOGLE_API_KEY`: yes; `prod/db-password`: no."""
    if not isinstance(name, str) or len(name) > _MAX_NAME:
        return False
    normalized = re.sub(r"[^A-Z0-9]+", "_", name.upper())
    return bool(_CREDENTIAL_IN_NAME.search(normalized)) or any(t in AI_SECRET_TOKENS for t in normalized.split("_"))


def _structure(value: Any) -> Any:
    """A JSON document as data: `jsonencode(x)` -> x, a JSON string parsed, else the value."""
    if isinstance(value, Call) and value.name == "jsonencode" and len(value.args) == 1:
        return value.args[0]
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return value
    return value


def _points_at(ctx, near: Resource, value: Any, secret: Resource) -> bool:
    return isinstance(value, Unknown) and any(r is secret for r in ctx.referenced(near, value))


def _version_keys(ctx, secret: Resource) -> str | None:
    version_type, value_attribute, link = {
        "aws_secretsmanager_secret": ("aws_secretsmanager_secret_version", "secret_string", "secret_id"),
        "google_secret_manager_secret": ("google_secret_manager_secret_version", "secret_data", "secret"),
    }.get(secret.type, (None, None, None))
    if version_type is None:
        return None
    for version in ctx.in_module(secret):
        if version.type != version_type or not _points_at(ctx, version, version.attributes.get(link), secret):
            continue
        document = _structure(version.attributes.get(value_attribute))
        names = [k for k in document if is_ai_credential_name(k)] if isinstance(document, dict) else []
        if names:
            return f"{version.address} stores {names[0]}"
    return None


def _ecs_readers(ctx, secret: Resource, task: Resource) -> Iterator[str]:
    containers = _structure(task.attributes.get("container_definitions"))
    for container in containers if isinstance(containers, list) else []:
        entries = container.get("secrets") if isinstance(container, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if (isinstance(entry, dict) and is_ai_credential_name(entry.get("name"))
                    and _points_at(ctx, task, entry.get("valueFrom"), secret)):
                yield f"{task.address} reads it as {entry['name']}"


def _nested(value: Any, *labels: str) -> Iterator[dict]:
    """Every block reached through the nested block labels."""
    blocks = block_list(value) if not isinstance(value, list) else [b for b in value if isinstance(b, dict)]
    if not labels:
        yield from blocks
        return
    for block in blocks:
        yield from _nested(block.get(labels[0]), *labels[1:])


def _consumer(ctx, secret: Resource) -> str | None:
    for reader in ctx.in_module(secret):
        if reader.kind != "resource":
            continue
        if reader.type == "aws_ecs_task_definition":
            found = next(_ecs_readers(ctx, secret, reader), None)
            if found:
                return found
        elif reader.type == "aws_bedrockagent_knowledge_base":
            for config in ("pinecone_configuration", "redis_enterprise_cloud_configuration"):
                for block in _nested(reader.attributes.get("storage_configuration"), config):
                    if _points_at(ctx, reader, block.get("credentials_secret_arn"), secret):
                        return f"{reader.address} uses it as its {config.split('_')[0]} credentials"
        elif reader.type in ("google_vertex_ai_reasoning_engine", "google_cloud_run_v2_service"):
            if reader.type == "google_vertex_ai_reasoning_engine":
                entries = [(e.get("name"), r.get("secret")) for e in
                           _nested(reader.attributes.get("spec"), "deployment_spec", "secret_env")
                           for r in _nested(e.get("secret_ref"))]
            else:
                entries = [(e.get("name"), r.get("secret")) for e in
                           _nested(reader.attributes.get("template"), "containers", "env")
                           for r in _nested(e.get("value_source"), "secret_key_ref")]
            for name, value in entries:
                if is_ai_credential_name(name) and _points_at(ctx, reader, value, secret):
                    return f"{reader.address} reads it as {name}"
    if secret.type == "azurerm_key_vault_secret":
        source = key_source(ctx, secret, secret.attributes.get("value"))
        if source is not None:
            return f"its value is {source[0].address}'s {source[1]}"
    return None


def ai_secrets(ctx) -> list[AISecret]:
    """Every AI secret the scan creates, in file order, with why it is one. A block with
    `count`/`for_each` is an AI secret when one of its instances is; its first such instance
    is the one judged (`secret_id = each.key` over `{"gemini-api-key" = ..., "smtp-password" = ...}`)."""
    def compute() -> list[AISecret]:
        found = []
        for resource in ctx.of_type(*SECRET_TYPES, format="terraform"):
            created = created_instances(ctx, resource)
            if not created:
                continue
            named = next(((address, instance, name) for address, instance in created
                          for name in (instance.attributes.get(a) for a in NAME_ATTRIBUTES[resource.type])
                          if is_ai_secret_name(name)), None)
            if named is not None:
                address, evaluated, name = named
                found.append(AISecret(resource, evaluated, f'its name "{name}" is an AI secret name'))
                continue
            reason = _version_keys(ctx, resource) or _consumer(ctx, resource)
            if reason:
                found.append(AISecret(resource, created[0][1], reason))
        return found

    return ctx.memo("ai_secrets", compute)
