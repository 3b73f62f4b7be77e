"""AgentCore resource shapes shared by the AgentCore checks (and the future inventory).

hashicorp/aws writes AgentCore settings as nested blocks (lists of mappings), awscc and
CloudFormation as nested objects (one mapping). `nested` walks both the same way and keeps the
attribute path a finding points at."""

from __future__ import annotations

import dataclasses
from typing import Any, Iterator

from aiaas_iac.model import Resource, Unknown
from aiaas_iac.terraform_instances import expanded_blocks, has_dynamic_block

# A value that cannot be judged: an unresolved reference, or blocks made by `dynamic`.
UNJUDGEABLE = object()


def nested(container: Any, key: str, path: tuple = (), ctx: Any = None,
           near: Resource | None = None) -> Iterator[tuple[tuple, Any]]:
    """(path, block) for each block under `key` in `container`; (path, UNJUDGEABLE) once when the
    blocks are not statically known. Given the scan context and the resource (instance) the
    container belongs to, `dynamic "<key>"` blocks over a known `for_each` are expanded."""
    if not isinstance(container, dict):
        return
    if has_dynamic_block(container, key):
        if ctx is None or near is None:
            yield path + (key,), UNJUDGEABLE
            return
        holder = dataclasses.replace(near, attributes=container)
        for block_path, block, certain in expanded_blocks(ctx, holder, key):
            yield path + block_path, block if certain else UNJUDGEABLE
        return
    value = container.get(key)
    if isinstance(value, Unknown):
        yield path + (key,), UNJUDGEABLE
    elif isinstance(value, dict):
        yield path + (key,), value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield path + (key, index), item
            elif isinstance(item, Unknown):
                yield path + (key, index), UNJUDGEABLE


def enum_text(value: Any) -> str | None:
    """An enum attribute's resolved value, upper-cased; None when absent or unresolved."""
    if isinstance(value, str) and value.strip():
        return value.strip().upper()
    return None


def is_set(value: Any) -> bool:
    """True for an attribute that is given: a non-empty value or an unresolved reference."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, dict)):
        return bool(value)
    return value is not None and value is not False
