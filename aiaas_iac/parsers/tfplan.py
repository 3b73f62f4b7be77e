"""Terraform plan JSON (`terraform show -json plan.out`, or a state shown as JSON) -> Resources.

Each resource in `planned_values` (the root module and, recursively, its
`child_modules`) becomes a Terraform `resource` or `data` Resource whose
attributes are the plan's `values`: literal, already resolved (variables,
locals and references are applied), `null` as None. Data sources read during
planning that appear only in `prior_state` are added too. Sensitive values
are kept as they are; like every attribute they are never printed whole.

Naming, so that checks treat a plan like the configuration it came from:

- `address` is module-local: `aws_iam_user.bot`, `data.aws_iam_policy_document.d`,
  with the instance key for `count`/`for_each` (`aws_iam_user.bot[0]`,
  `aws_iam_user.bot["a"]`);
- `module` is `<plan file>#<module address>` (`plan.json#root`,
  `plan.json#module.app`): every module instance of a plan is its own module;
- `name` is the plan's full address (`module.app.aws_iam_user.bot[0]`).

An attribute the plan knows only after apply is absent from `values`; it is
put back as an `Unknown("(known after apply)")` (from `resource_changes[].
change.after_unknown`) so that checks never take it for an absent attribute
and apply the provider default; it carries the references its expression
makes in the plan's `configuration` (`aws_iam_policy.app.arn`), so checks
follow it to the resource like in the source. The configured outputs become
`output` Resources. The location of a resource is its `"address"` entry in
`planned_values`; attribute spans point into `values`. Findings name the
full plan address (`Resource.full_address`).
"""

from __future__ import annotations

import json
from typing import Any

from aiaas_iac.model import Resource, Span, Unknown
from aiaas_iac.parsers import ParsedFile
from aiaas_iac.parsers.positioned_yaml import Document
from aiaas_iac.parsers.tfplan_configuration import (
    CrossedReferences, module_call_path, output_resources, resource_expressions, with_references,
)

FORMAT = "terraform"
KNOWN_AFTER_APPLY = "(known after apply)"
_ROOTS = (("planned_values", "root_module"), ("values", "root_module"))
_PRIOR_STATE_ROOT = ("prior_state", "values", "root_module")


def _at(value: Any, path: tuple) -> Any:
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _modules(document: Document, root_path: tuple) -> list[tuple[dict, tuple]]:
    """(module, its path in the document) for the root module and every child module."""
    root = _at(document.value, root_path)
    found: list[tuple[dict, tuple]] = []
    stack = [(root, root_path)] if isinstance(root, dict) else []
    while stack:
        module, path = stack.pop(0)
        found.append((module, path))
        children = module.get("child_modules")
        if isinstance(children, list):
            stack.extend((child, path + ("child_modules", index))
                         for index, child in enumerate(children) if isinstance(child, dict))
    return found


def local_address(entry: dict) -> str | None:
    """`type.name`, `data.type.name`, plus `[index]` for count/for_each instances."""
    type_, name, mode = entry.get("type"), entry.get("name"), entry.get("mode")
    if not (isinstance(type_, str) and isinstance(name, str)):
        return None
    address = f"{'data.' if mode == 'data' else ''}{type_}.{name}"
    index = entry.get("index")
    if isinstance(index, bool) or index is None:
        return address
    return address + (f"[{index}]" if isinstance(index, int) else f"[{json.dumps(str(index))}]")


def _mark_unknown(values: Any, after_unknown: Any) -> Any:
    """Put `Unknown` where the plan says a value is known only after apply."""
    if after_unknown is True:
        return values if values is not None else Unknown(KNOWN_AFTER_APPLY)
    if isinstance(after_unknown, dict) and isinstance(values, dict):
        for key, marks in after_unknown.items():
            if marks is True and values.get(key) is None:
                values[key] = Unknown(KNOWN_AFTER_APPLY)
            elif key in values:
                values[key] = _mark_unknown(values[key], marks)
    elif isinstance(after_unknown, list) and isinstance(values, list):
        for index, marks in enumerate(after_unknown[:len(values)]):
            values[index] = _mark_unknown(values[index], marks)
    return values


def _after_unknown(plan: dict) -> dict[str, Any]:
    changes = plan.get("resource_changes")
    out: dict[str, Any] = {}
    for change in changes if isinstance(changes, list) else []:
        if isinstance(change, dict) and isinstance(change.get("address"), str):
            marks = _at(change, ("change", "after_unknown"))
            if marks:
                out[change["address"]] = marks
    return out


def _spans_by_resource(document: Document) -> dict[tuple, dict]:
    """Spans under each `...resources[i].values`, re-based to the values, in one pass."""
    grouped: dict[tuple, dict] = {}
    for path, span in document.spans.items():
        position = next((i for i, part in enumerate(path) if part == "resources"), None)
        if position is not None and len(path) > position + 3 and path[position + 2] == "values":
            grouped.setdefault(path[:position + 2], {})[path[position + 3:]] = span
    return grouped


class _PlanReader:
    def __init__(self, document: Document, rel: str) -> None:
        self.document = document
        self.rel = rel
        self.spans = _spans_by_resource(document)
        self.after_unknown = _after_unknown(document.value)
        self.expressions = resource_expressions(document.value)
        self.crossed = CrossedReferences(document.value)
        self.seen: set[str] = set()

    def module_resources(self, module: dict, path: tuple, only_data: bool = False) -> list[Resource]:
        module_address = module.get("address") if isinstance(module.get("address"), str) else "root"
        entries = module.get("resources")
        out = []
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            if not isinstance(entry, dict) or (only_data and entry.get("mode") != "data"):
                continue
            resource = self.resource(entry, path + ("resources", index), module_address)
            if resource is not None:
                out.append(resource)
        return out

    def resource(self, entry: dict, path: tuple, module_address: str) -> Resource | None:
        address = local_address(entry)
        full_address = entry.get("address") if isinstance(entry.get("address"), str) else address
        if address is None or full_address in self.seen:
            return None
        self.seen.add(full_address)
        values = entry.get("values") if isinstance(entry.get("values"), dict) else {}
        values = _mark_unknown(values, self.after_unknown.get(full_address))
        call_path = module_call_path(module_address)
        expressions = self.expressions.get((call_path, address.split("[", 1)[0]))
        if expressions:
            values = with_references(values, expressions, (self.crossed, call_path))
        spans = self.document.spans
        span = spans.get(path + ("address",)) or spans.get(path) or Span(1, 1)
        kind = "data" if entry.get("mode") == "data" else "resource"
        return Resource(FORMAT, kind, entry["type"], full_address, address, values, self.rel,
                        f"{self.rel}#{module_address}", span, self.spans.get(path, {}), full_address=full_address)


def is_plan(value: Any) -> bool:
    """A decoded JSON value is a plan (or a state shown as JSON): `format_version` and a root module."""
    return isinstance(value, dict) and "format_version" in value and any(
        isinstance(_at(value, path), dict) for path in _ROOTS)


def from_document(document: Document, rel: str) -> ParsedFile:
    """The resources of a decoded plan (`structured.py` decodes it and decides it is one)."""
    root_path = next(p for p in _ROOTS if isinstance(_at(document.value, p), dict))
    reader = _PlanReader(document, rel)
    modules = _modules(document, root_path)
    resources = [r for module, path in modules for r in reader.module_resources(module, path)]
    for module, path in _modules(document, _PRIOR_STATE_ROOT):
        resources.extend(reader.module_resources(module, path, only_data=True))
    instances = [m["address"] for m, _ in modules if isinstance(m.get("address"), str)]
    resources.extend(output_resources(document, rel, instances))
    return ParsedFile(resources=tuple(resources))
