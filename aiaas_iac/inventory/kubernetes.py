"""Kubernetes access paths: AI workloads (CHECKS.md) that carry a credential for an AI service,
read through k8s_workloads.py as the AIA4xx checks read them."""

from __future__ import annotations

import re
from typing import Any

from aiaas_iac.inventory import model
from aiaas_iac.inventory.common import Collector, Reach, identity_of, related_key, values_text
from aiaas_iac.k8s_workloads import (
    ai_workload_reasons, config_objects, containers, env_from, env_from_names, env_vars, key_file_secret, pod_specs,
)
from aiaas_iac.model import scalar_text
from aiaas_iac.secrets import is_ai_credential_name, is_substitution_or_empty

# The credential name's leading word -> the service it is a key for (longest prefixes first).
_NAME_SERVICES = (
    ("AWS_BEARER_TOKEN_BEDROCK", "bedrock"), ("AZURE_OPENAI", "azure-openai"), ("GOOGLE_API", "gemini-api"),
    ("HUGGINGFACE", "huggingface"), ("OPENAI", "openai"), ("ANTHROPIC", "anthropic"), ("GEMINI", "gemini-api"),
    ("VERTEX", "vertex-ai"), ("BEDROCK", "bedrock"), ("COHERE", "cohere"), ("MISTRAL", "mistral"),
    ("GROQ", "groq"), ("HF", "huggingface"), ("TOGETHER", "together"), ("REPLICATE", "replicate"),
    ("PERPLEXITY", "perplexity"), ("DEEPSEEK", "deepseek"), ("XAI", "xai"), ("VOYAGE", "voyage"),
    ("PINECONE", "pinecone"), ("LANGSMITH", "langsmith"), ("LANGCHAIN", "langsmith"),
)
# Static cloud credentials of an AI workload (what AIA403 reads) reach the cloud's AI service its
# configuration names. GOOGLE_APPLICATION_CREDENTIALS holds the path of a key file: a key only when
# a Secret is mounted there or the path itself comes from a Secret.
_CLOUD_KEYS = {"AWS_SECRET_ACCESS_KEY": ("bedrock",), "AZURE_CLIENT_SECRET": ("azure-openai",),
               "GOOGLE_APPLICATION_CREDENTIALS": ("vertex-ai", "gemini-api")}
_KEY_FILE_VARIABLE = "GOOGLE_APPLICATION_CREDENTIALS"
_WORDS = re.compile(r"[-_.\s]")
_SERVICE_WORDS = {"openai": "openai", "bedrock": "bedrock", "vertex": "vertex-ai", "gemini": "gemini-api",
                  "anthropic": "anthropic", "huggingface": "huggingface", "cohere": "cohere", "mistral": "mistral"}


def service_of_name(name: str) -> str | None:
    normalised = name.replace("-", "_").replace(".", "_").upper()
    for prefix, service in _NAME_SERVICES:
        if normalised == prefix or normalised.startswith(prefix + "_"):
            return service
    return None


def _services_in(texts: list[str]) -> list[str]:
    found = [service_of_name(t) for t in texts]
    found += [_SERVICE_WORDS.get(w) for t in texts for w in _WORDS.split(t.lower())]
    return list(dict.fromkeys(s for s in found if s))


def build(ctx: Any, out: Collector) -> None:
    for pod in pod_specs(ctx):
        reasons = ai_workload_reasons(ctx, pod)
        if not reasons:
            continue
        workload = pod.workload
        found: dict[str, tuple[list[str], str, set]] = {}  # service -> (names, credential, related)

        def note(service: str | None, name: str, credential: str, related: set) -> None:
            if service is None:
                return
            names, previous, known = found.get(service, ([], credential, set()))
            if name not in names:
                names.append(name)
            # the most exposed way a pod holds the key decides the path's credential kind
            order = (model.INJECTED_ENV, model.KUBERNETES_SECRET, model.CONFIG_MAP, model.LITERAL_ENV)
            worst = max(previous, credential, key=lambda c: order.index(c) if c in order else -1)
            found[service] = (names, worst, known | related)

        named_services = _services_in(reasons)

        def service_for(name: str) -> str | None:
            if name in _CLOUD_KEYS:
                return next((s for s in _CLOUD_KEYS[name] if s in named_services), None)
            return service_of_name(name)

        for container in containers(pod):
            for env in env_vars(container):
                if not is_ai_credential_name(env.name) and env.name not in _CLOUD_KEYS:
                    continue
                service = service_for(env.name)
                source = env.value_from or {}
                text = scalar_text(env.value) if env.has_literal else None
                if env.name == _KEY_FILE_VARIABLE:
                    secret = key_file_secret(container, text) if text else None
                    if secret is not None:
                        objects = config_objects(ctx, workload, "Secret", secret)
                        note(service, f"{env.name} (key file from Secret {secret})", model.KUBERNETES_SECRET,
                             {related_key(o) for o in objects})
                elif text is not None and text.strip():  # an empty value carries no key
                    literal = model.INJECTED_ENV if is_substitution_or_empty(text) else model.LITERAL_ENV
                    note(service, env.name, literal, set())
                for reference, kind, credential in (("secretKeyRef", "Secret", model.KUBERNETES_SECRET),
                                                    ("configMapKeyRef", "ConfigMap", model.CONFIG_MAP)):
                    if kind == "ConfigMap" and env.name == _KEY_FILE_VARIABLE:
                        continue  # a path from a ConfigMap says nothing about a key
                    if isinstance(source.get(reference), dict):
                        objects = config_objects(ctx, workload, kind, source[reference].get("name"))
                        note(service, env.name, credential, {related_key(o) for o in objects})
            for source in env_from(container):
                objects = config_objects(ctx, workload, source.source_kind, source.source_name)
                credential = model.KUBERNETES_SECRET if source.source_kind == "Secret" else model.CONFIG_MAP
                for name in env_from_names(ctx, source):
                    if name == _KEY_FILE_VARIABLE and source.source_kind != "Secret":
                        continue
                    if is_ai_credential_name(name) or name in _CLOUD_KEYS:
                        note(service_for(name), name, credential, {related_key(o) for o in objects})
        if not found:
            # Credentials only in Secrets/ConfigMaps named for an AI service (mounted or not in the scan).
            named = [r for r in reasons if r.startswith(("Secret ", "ConfigMap "))]
            for reason in named:
                kind, _, name = reason.partition(" ")
                for service in _services_in([name]):
                    credential = model.KUBERNETES_SECRET if kind == "Secret" else model.CONFIG_MAP
                    note(service, reason, credential, {related_key(o) for o in config_objects(ctx, workload, kind, name)})
        for service, (names, credential, related) in found.items():
            reach = Reach()
            reach.add({"invoke"}, names, True, [f"{workload.address} takes {values_text(names)}"],
                      related | {related_key(workload)})
            out.add(identity_of(workload, "k8s-workload"), service, reach, credential, None,
                    lambda r: f"whatever the key in {values_text(r.values)} allows (all models of its account)")
