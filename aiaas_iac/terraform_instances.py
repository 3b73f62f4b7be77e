"""Terraform `count`, `for_each` and `dynamic` blocks, expanded where the collection is literal.

The value resolver leaves `count.index`, `each.key`/`each.value` and a dynamic
block's iterator as `Unknown`s: they differ per instance. When the collection
itself is certain (a literal list or map, a `local`, a variable's default,
`length(...)` of one), `instances()` gives one copy of the resource per
instance with those references replaced, so a check reads
`role = local.roles[count.index]` once for each role. Anything else keeps a
single copy whose per-instance values stay unknown.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Iterator

from aiaas_iac.context import ScanContext
from aiaas_iac.model import Resource, Unknown
from aiaas_iac.parsers.hcl_expressions import Template, Traversal, collect_refs
from aiaas_iac.resolve import ModuleResolver, module_inputs

# Terraform allows far more, but a scan must stay bounded on a generated collection.
MAX_INSTANCES = 1000

# `local.roles[count.index]`, `var.roles[each.key].name`: an index the parser cannot evaluate alone.
_INSTANCE_INDEX_RE = re.compile(
    r"^(?P<base>[A-Za-z_][\w.\-\[\]\"]*?)\[(?P<index>count\.index|each\.key|each\.value)\]"
    r"(?P<rest>(?:\.[A-Za-z_][\w-]*|\[\d+\]|\[\"[^\"]*\"\])*)$"
)
_TRAVERSAL_PART_RE = re.compile(r"[A-Za-z_][\w-]*|\[\d+\]|\[\"[^\"]*\"\]")


def _traversal_parts(text: str) -> tuple:
    parts: list[Any] = []
    for piece in _TRAVERSAL_PART_RE.findall(text):
        if piece.startswith('["'):
            parts.append(piece[2:-2])
        elif piece.startswith("["):
            parts.append(int(piece[1:-1]))
        else:
            parts.append(piece)
    return tuple(parts)


def _index(value: Any, parts: tuple) -> Any:
    for part in parts:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
            value = value[part]
        else:
            return None
    return value


def _module_resolver(ctx: ScanContext, near: Resource) -> ModuleResolver:
    def build() -> ModuleResolver:
        variables, locals_ = module_inputs(ctx.in_module(near))
        return ModuleResolver(variables, locals_, ctx.root / near.module, ctx.root)

    return ctx.memo(("terraform_instances.module_resolver", near.format, near.module), build)


def resolve_reference_text(ctx: ScanContext, near: Resource, text: str) -> Any:
    """The value of a reference written as text (`local.roles`, `var.roles`) in `near`'s module."""
    parts = _traversal_parts(text)
    if not parts:
        return Unknown(text)
    return _module_resolver(ctx, near).resolve(Traversal(text, (text,), parts))


class _Substitution:
    """Replaces `count.index`, `each.key`/`each.value` or a dynamic block's iterator in values."""

    def __init__(self, ctx: ScanContext, near: Resource, scope: dict[str, dict]) -> None:
        self.ctx, self.near, self.scope = ctx, near, scope

    def __call__(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, Traversal):
            return self.traversal(value)
        if isinstance(value, Template):
            return self.template(value)
        if type(value) is Unknown:
            return self.indexed(value)
        return value

    def traversal(self, value: Traversal) -> Any:
        head = value.parts[0]
        if head not in self.scope:
            return value
        found = _index(self.scope[head], value.parts[1:])
        return value if found is None else found

    def template(self, value: Template) -> Any:
        parts = [self(p) for p in value.parts]
        if all(isinstance(p, (str, int, float)) and not isinstance(p, bool) for p in parts):
            return "".join(str(p) for p in parts)
        return Template(value.text, collect_refs(parts), tuple(parts))

    def indexed(self, value: Unknown) -> Any:
        match = _INSTANCE_INDEX_RE.match(re.sub(r"\s+", "", value.text))
        if not match or match["index"].split(".")[0] not in self.scope:
            return value
        key = self.traversal(Traversal(match["index"], (), tuple(match["index"].split("."))))
        collection = resolve_reference_text(self.ctx, self.near, match["base"])
        if isinstance(key, Unknown) or isinstance(collection, Unknown):
            return value
        found = _index(collection, (key,) + _traversal_parts(match["rest"]))
        return value if found is None else found


def _instance_count(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    call_args = getattr(value, "args", None)
    if getattr(value, "name", "") == "length" and call_args and isinstance(call_args[0], (list, dict)):
        return len(call_args[0])
    return None


def _instance_scopes(resource: Resource) -> list[tuple[Any, dict]] | None:
    """(instance key, substitution scope) for each instance; None when the collection is unknown."""
    if "count" in resource.attributes:
        count = _instance_count(resource.get("count"))
        if count is None:
            return None
        return [(index, {"count": {"index": index}}) for index in range(min(count, MAX_INSTANCES))]
    collection = resource.get("for_each")
    if isinstance(collection, dict):
        items = list(collection.items())
    elif isinstance(collection, list) and all(isinstance(k, str) for k in collection):
        items = [(k, k) for k in dict.fromkeys(collection)]
    else:
        return None
    return [(key, {"each": {"key": key, "value": value}}) for key, value in items[:MAX_INSTANCES]]


def instances(ctx: ScanContext, resource: Resource) -> list[tuple[Any, Resource]]:
    """(instance key, the resource with that instance's values) for each instance Terraform creates.

    The key is None for a resource without `count`/`for_each`, and for one whose
    collection is unknown (its per-instance values then stay Unknown)."""
    if "count" not in resource.attributes and "for_each" not in resource.attributes:
        return [(None, resource)]
    scopes = _instance_scopes(resource)
    if scopes is None:
        return [(None, resource)]
    out = []
    for key, scope in scopes:
        attributes = _Substitution(ctx, resource, scope)(dict(resource.attributes))
        out.append((key, dataclasses.replace(resource, attributes=attributes)))
    return out


def instance_address(address: str, key: Any) -> str:
    if key is None:
        return address
    return f"{address}[{key}]" if isinstance(key, int) else f'{address}["{key}"]'


def expanded_blocks(ctx: ScanContext, resource: Resource, block_type: str) -> Iterator[tuple[tuple, dict, bool]]:
    """(path, block, certain) for each `block_type` block, including `dynamic` ones expanded
    over a literal `for_each`; `certain` is False for a dynamic block whose collection is unknown."""
    for index, block in resource.blocks(block_type):
        yield (block_type, index), block, True
    for index, dynamic in resource.blocks("dynamic"):
        if dynamic.get("__labels__") != [block_type]:
            continue
        content = next((b for _, b in _blocks_of(dynamic.get("content"))), {})
        path = ("dynamic", index, "content", 0)
        iterator = dynamic.get("iterator")
        name = iterator.parts[0] if isinstance(iterator, Traversal) else block_type
        collection = dynamic.get("for_each")
        if isinstance(collection, list):
            items = list(enumerate(collection))
        elif isinstance(collection, dict):
            items = list(collection.items())
        else:
            yield path, content, False
            continue
        for key, value in items[:MAX_INSTANCES]:
            yield path, _Substitution(ctx, resource, {name: {"key": key, "value": value}})(content), True


def _blocks_of(value: Any) -> Iterator[tuple[int, dict]]:
    for index, item in enumerate(value if isinstance(value, list) else [value]):
        if isinstance(item, dict):
            yield index, item


