"""Terraform `count`, `for_each` and `dynamic` blocks, expanded where the collection is known.

The value resolver leaves `count.index`, `each.key`/`each.value` and a dynamic
block's iterator unknown: they differ per instance. When the collection itself
is certain (a literal list or map, a `local`, a variable's default, a
conditional over them), `instances()` gives one copy of the resource per
instance with those names bound, so a check reads
`role = local.roles[count.index]` once for each role. Anything else keeps a
single copy whose per-instance values stay unknown.

Modules gate almost every optional block, resource and setting with a
conditional (`count = var.enabled ? 1 : 0`, `for_each = var.cmk != null ?
[var.cmk] : []`); the evaluator (`evaluate`) works them out with the module's
(or module instance's) resolver, and `declared()` drops a resource whose
collection is known to be empty.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Iterable, Iterator

from aiaas_iac.context import ScanContext
from aiaas_iac.evaluate import Evaluator, to_number, uncertain_keys
from aiaas_iac.model import Resource, blocks_of
from aiaas_iac.parsers.hcl_expressions import Traversal
from aiaas_iac.resolve import ModuleResolver, module_inputs

# Terraform allows far more, but a scan must stay bounded on a generated collection.
MAX_INSTANCES = 1000


def _module_resolver(ctx: ScanContext, near: Resource) -> ModuleResolver:
    def build() -> ModuleResolver:
        variables, locals_ = module_inputs(ctx.in_module(near))
        # A module instance is `dir#module.a` (see module_tree): files are read from `dir`.
        return ModuleResolver(variables, locals_, ctx.root / near.module.split("#", 1)[0], ctx.root)

    return ctx.memo(("terraform_instances.module_resolver", near.format, near.module), build)


def bind_resolver(ctx: ScanContext, format: str, module: str, resolver: ModuleResolver) -> None:
    """Evaluate `module`'s expressions with `resolver` (a module instance's, which also knows
    the outputs of the modules it calls) instead of one built from its variable defaults."""
    ctx.memo(("terraform_instances.module_resolver", format, module), lambda: resolver)


def evaluate(ctx: ScanContext, near: Resource, value: Any, scope: dict | None = None) -> Any:
    """`value` evaluated in `near`'s module, with `scope`'s names (`count`, `each`, an iterator)
    bound: the value where the code makes it certain, else an Unknown with its references."""
    resolver = _module_resolver(ctx, near)
    if scope:
        return Evaluator(resolver, scope).evaluate(value)
    return resolver.evaluator.evaluate(value)


def _evaluated(ctx: ScanContext, near: Resource, attributes: dict, scope: dict | None) -> dict:
    resolver = _module_resolver(ctx, near)
    evaluator = Evaluator(resolver, scope) if scope else resolver.evaluator
    return {k: evaluator.evaluate(v) for k, v in attributes.items()}


def _instance_count(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    number = to_number(value)
    if number is None or number < 0 or not float(number).is_integer():
        return None
    return int(number)


def instance_scopes(ctx: ScanContext, resource: Resource, limit: int = MAX_INSTANCES) -> list[tuple[Any, dict]] | None:
    """(instance key, substitution scope) for each instance, at most `limit`; None when the
    collection is unknown."""
    if "count" in resource.attributes:
        count = _instance_count(evaluate(ctx, resource, resource.get("count")))
        if count is None:
            return None
        return [(index, {"count": {"index": index}}) for index in range(min(count, limit))]
    collection = evaluate(ctx, resource, resource.get("for_each"))
    if isinstance(collection, dict) and not uncertain_keys(collection):
        items = list(collection.items())
    elif isinstance(collection, list) and all(isinstance(k, str) for k in collection):
        items = [(k, k) for k in sorted(set(collection))]  # a set of strings, in Terraform's order
    else:
        return None
    return [(key, {"each": {"key": key, "value": value}}) for key, value in items[:limit]]


def instances(ctx: ScanContext, resource: Resource) -> list[tuple[Any, Resource]]:
    """(instance key, the resource with that instance's values) for each instance Terraform creates.

    The key is None for a resource without `count`/`for_each`, and for one whose
    collection is unknown (its per-instance values then stay Unknown)."""
    if "count" not in resource.attributes and "for_each" not in resource.attributes:
        return [(None, with_known_values(ctx, resource))]
    scopes = instance_scopes(ctx, resource)
    if scopes is None:
        return [(None, with_known_values(ctx, resource))]
    return [(key, with_known_values(ctx, resource, scope)) for key, scope in scopes]


def declared(ctx: ScanContext, resource: Resource) -> Resource | None:
    """`resource` with its conditionals worked out (see `with_known_values`), or None when its
    `count`/`for_each` certainly creates no instance (`count = var.enabled ? 1 : 0` with the
    variable defaulting to false): the module's defaults do not create it."""
    if ("count" in resource.attributes or "for_each" in resource.attributes) and instance_scopes(ctx, resource) == []:
        return None
    return with_known_values(ctx, resource)


def declared_resources(ctx: ScanContext, resources: Iterable[Resource]) -> Iterator[Resource]:
    """`declared()` over Terraform resources (others pass through): what the module's defaults
    create, with their conditionals worked out."""
    for resource in resources:
        if resource.format != "terraform":
            yield resource
        elif (found := declared(ctx, resource)) is not None:
            yield found


def with_known_values(ctx: ScanContext, resource: Resource, scope: dict | None = None) -> Resource:
    """`resource` with every expression the code makes certain replaced by its value
    (`for_each = var.cmk != null ? [var.cmk] : []` with `var.cmk` defaulting to null is `[]`),
    `scope`'s names bound. The resource itself when nothing changes, so identity comparisons
    with the scanned resources keep working."""
    def compute() -> Resource:
        attributes = _evaluated(ctx, resource, dict(resource.attributes), scope)
        if attributes == resource.attributes:
            return resource
        return dataclasses.replace(resource, attributes=attributes)

    if scope:
        return compute()
    # Checks ask for the same resource again and again; the resource outlives the scan's memo.
    found = ctx.memo(("terraform_instances.with_known_values", id(resource)), lambda: (resource, compute()))
    return found[1] if found[0] is resource else compute()


def instance_address(address: str, key: Any) -> str:
    if key is None:
        return address
    return f"{address}[{key}]" if isinstance(key, int) else f'{address}["{key}"]'


def expanded_blocks(ctx: ScanContext, resource: Resource, block_type: str,
                    container: dict | None = None) -> Iterator[tuple[tuple, dict, bool]]:
    """(path, block, certain) for each `block_type` block of `container` (the resource's
    attributes by default, or a block of it: nested dynamic blocks), including `dynamic` ones
    expanded over a known `for_each` (none when it is known empty); `certain` is False for a
    dynamic block whose collection is unknown. Paths are relative to `container`."""
    attributes = resource.attributes if container is None else container
    for index, block in blocks_of(attributes.get(block_type)):
        yield (block_type, index), block, True
    for index, dynamic in blocks_of(attributes.get("dynamic")):
        if dynamic.get("__labels__") != [block_type]:
            continue
        content = next((b for _, b in blocks_of(dynamic.get("content"))), {})
        path = ("dynamic", index, "content", 0)
        iterator = dynamic.get("iterator")
        name = iterator.parts[0] if isinstance(iterator, Traversal) else block_type
        collection = evaluate(ctx, resource, dynamic.get("for_each"))
        if isinstance(collection, list):
            items = list(enumerate(collection))
        elif isinstance(collection, dict) and not uncertain_keys(collection):
            items = sorted(collection.items(), key=lambda item: item[0])
        else:
            yield path, content, False
            continue
        for key, value in items[:MAX_INSTANCES]:
            # The content's own dynamic blocks keep their for_each, now with this iterator bound.
            yield path, _evaluated(ctx, resource, content, {name: {"key": key, "value": value}}), True


def some_block_may(ctx: ScanContext, resource: Resource, block_type: str, test: Callable[[dict], bool]) -> bool:
    """Does some `block_type` block pass `test`? True as well for a `dynamic` one over an unknown
    collection, which may add such a block: an unknown never counts toward a finding."""
    return any(not certain or test(block) for _, block, certain in expanded_blocks(ctx, resource, block_type))


def has_dynamic_block(block: dict, block_type: str) -> bool:
    """True when `block` holds a `dynamic "<block_type>"` block: the blocks it makes are not known statically."""
    return any(isinstance(item, dict) and (item.get("__labels__") or [None])[0] == block_type
               for item in block.get("dynamic") or [])
