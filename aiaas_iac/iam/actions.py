"""AWS IAM action knowledge and glob matching.

The action lists come from cfn-lint's maintained `Policies.json` (every action
of every service), read as a data file, so importing this never imports
cfn-lint itself.
Globs are matched by `iam/glob.py` in linear time (patterns are hostile input).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os

from aiaas_iac.iam.glob import glob_match  # noqa: F401  (re-exported: callers import it from here)

INVOKE_ACTIONS = (
    "bedrock:InvokeModel",
    "bedrock:InvokeModelWithResponseStream",
    "bedrock:Converse",
    "bedrock:ConverseStream",
    "bedrock:InvokeModelWithBidirectionalStream",
    "bedrock:CallWithBearerToken",
)
LOGGING_CONFIG_ACTIONS = (
    "bedrock:PutModelInvocationLoggingConfiguration",
    "bedrock:DeleteModelInvocationLoggingConfiguration",
)
BEDROCK_FULL_ACCESS = "AmazonBedrockFullAccess"


@functools.lru_cache(maxsize=1)
def _policies_data() -> dict:
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = os.path.join(list(spec.submodule_search_locations)[0], "data", "AdditionalSpecs", "Policies.json")
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}


@functools.lru_cache(maxsize=64)
def service_actions(prefix: str) -> tuple[str, ...]:
    """Every action of an AWS service (lower-case names, `prefix:action`), from maintained data."""
    service = _policies_data().get(prefix.lower(), {})
    return tuple(f"{prefix.lower()}:{name}" for name in service.get("Actions", {}))


@functools.lru_cache(maxsize=1)
def bedrock_services() -> tuple[str, ...]:
    """The `bedrock*` service prefixes (bedrock, bedrock-agentcore, ...)."""
    known = tuple(sorted(k for k in _policies_data() if k.startswith("bedrock")))
    return known or ("bedrock", "bedrock-agentcore")


@functools.lru_cache(maxsize=1)
def bedrock_actions() -> tuple[str, ...]:
    return tuple(a for service in bedrock_services() for a in service_actions(service))


@functools.lru_cache(maxsize=4096)
def matches_any_bedrock_action(pattern: str) -> bool:
    """True when an Action pattern matches at least one action of a `bedrock*` service."""
    return any(glob_match(pattern, action) for action in bedrock_actions() + INVOKE_ACTIONS)
