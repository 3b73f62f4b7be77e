"""The access inventory's record: one access path from an identity, key or workload to an AI service."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = "1.0"

# Weakest first: `widened` compares these ranks.
CAPABILITIES = ("read", "invoke", "manage", "logging-control", "admin")
CAPABILITY_RANK = {name: rank for rank, name in enumerate(CAPABILITIES)}

SERVICES = ("bedrock", "vertex-ai", "gemini-api", "azure-openai", "openai", "anthropic", "cohere", "mistral",
            "groq", "huggingface", "together", "replicate", "perplexity", "deepseek", "xai", "voyage",
            "pinecone", "langsmith")

# Credential kinds, in the words the report uses; the long-lived ones carry a static secret.
ROLE = "role (workload identity)"
IAM_USER = "IAM user (no access key declared)"
ACCESS_KEY = "long-lived access key"
API_KEY = "API key"
ACCOUNT_KEY = "account key"
GROUP_MEMBERSHIP = "group membership (members' own credentials)"
SERVICE_ACCOUNT = "service account (attached or impersonated)"
SERVICE_ACCOUNT_KEY = "service account key"
MANAGED_IDENTITY = "managed identity"
SERVICE_PRINCIPAL = "service principal"
PRINCIPAL = "principal (credential unknown)"
GOOGLE_ACCOUNT = "Google account"
ANONYMOUS = "none (public)"
KUBERNETES_SECRET = "Kubernetes Secret"
CONFIG_MAP = "ConfigMap value"
LITERAL_ENV = "literal environment value"
INJECTED_ENV = "environment value injected at deploy time"
LONG_LIVED = frozenset({ACCESS_KEY, API_KEY, ACCOUNT_KEY, SERVICE_ACCOUNT_KEY, KUBERNETES_SECRET, CONFIG_MAP,
                        LITERAL_ENV, INJECTED_ENV})


def credential_rank(credential: str) -> int:
    return 1 if credential in LONG_LIVED else 0


@dataclass(frozen=True)
class Identity:
    kind: str  # aws-role, aws-user, gcp-service-account, azure-managed-identity, k8s-workload, ...
    address: str  # as findings name it (module instances included)
    file: str
    line: int


@dataclass
class AccessPath:
    identity: Identity
    service: str
    capability: str  # the strongest of `capabilities`
    capabilities: tuple[str, ...]
    scope: str  # in words
    scope_values: tuple[str, ...]  # model ARNs, roles' scopes, projects, targets
    scope_all: bool  # every resource of the service the identity's account/project/subscription holds
    credential: str
    logged: bool | None
    via: tuple[str, ...] = ()  # the resources that grant it (policies, bindings, role assignments)
    findings: list[str] = field(default_factory=list)
    # (module, address) of every resource whose findings belong to the path: not reported.
    related: set = field(default_factory=set, repr=False, compare=False)

    @property
    def long_lived(self) -> bool:
        return self.credential in LONG_LIVED

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What identifies a path across two trees (the diff)."""
        return (self.identity.kind, self.identity.file, self.identity.address, self.service)

    def as_dict(self) -> dict[str, Any]:
        return {
            "identity": {"kind": self.identity.kind, "address": self.identity.address,
                         "file": self.identity.file, "line": self.identity.line},
            "service": self.service,
            "capability": self.capability,
            "capabilities": list(self.capabilities),
            "scope": self.scope,
            "scope_values": list(self.scope_values),
            "scope_all": self.scope_all,
            "credential": self.credential,
            "long_lived": self.long_lived,
            "logged": self.logged,
            "via": list(self.via),
            "findings": list(self.findings),
        }


def strongest(capabilities: Any) -> str:
    return max(capabilities, key=lambda c: CAPABILITY_RANK[c])


def ordered(capabilities: Any) -> tuple[str, ...]:
    return tuple(sorted(set(capabilities), key=lambda c: CAPABILITY_RANK[c]))
