"""Terraform value resolution: make values certain where the code makes them certain.

Within one module (directory): `var.x` becomes the variable's literal default,
overridden by `terraform.tfvars` and then `*.auto.tfvars` (lexical order, as
Terraform loads them); `local.x` its literal value; `jsonencode(x)` the
structure `x`; `file()`/`templatefile()` the content of a regular file inside
the scanned paths (see `file_reads`: no symlink escape, no `.git`, no devices);
a string template whose parts are all known, the joined string.
Anything else stays an `Unknown` and never produces a finding.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable

from aiaas_iac.model import Resource, Unknown, scalar_text
from aiaas_iac.parsers.hcl_expressions import Call, Template, Traversal, collect_refs

_TEMPLATE_VAR_RE = re.compile(r"(?<!\$)\$\{\s*([A-Za-z_]\w*)\s*\}")
_SCALARS = (str, int, float, bool)
# Locals can double a value at every step (`a1 = "${local.a0}${local.a0}"`, forty times): a value
# past these sizes is left unknown, as no real policy or setting comes near them.
MAX_VALUE_CHARS = 1 << 20
MAX_VALUE_ITEMS = 100_000
_MISSING = object()
MISSING = _MISSING  # what a `module_outputs` hook returns for an output it cannot give


def value_at(value: Any, parts: Iterable[Any], missing: Any = _MISSING) -> Any:
    """What `parts` select inside `value` (map keys, list indexes), or `missing` where one is absent."""
    for part in parts:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
            value = value[part]
        else:
            return missing
    return value


class ModuleResolver:
    """Resolves the values of one Terraform module."""

    def __init__(self, variables: dict[str, Any], locals_: dict[str, Any], module_dir: Path, root: Path,
                 module_outputs: Callable[[str], Any] | None = None) -> None:
        self.variables = variables
        # `module.<name>` -> that call's outputs (see module_tree); None outside a module tree.
        self.module_outputs = module_outputs
        self.locals = locals_
        self.module_dir = module_dir
        self.root = root.resolve()
        self._resolved_locals: dict[str, Any] = {}
        self._in_progress: set[str] = set()
        # Resolved values share parts (a local used twice is one object): each shared part is
        # resolved once, so resolving an already resolved value again stays linear, not 2**depth.
        self._resolved_parts: dict[int, tuple[Any, Any]] = {}

    def resolve(self, value: Any) -> Any:
        if not isinstance(value, (dict, list, Traversal, Template, Call)):
            return value
        known = self._resolved_parts.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        resolved = self._resolve_part(value)
        self._resolved_parts[id(value)] = (value, resolved)
        return resolved

    def _resolve_part(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, Traversal):
            return self.traversal(value)
        if isinstance(value, Template):
            return self.template(value)
        if isinstance(value, Call):
            return self.call(value)
        return value

    def traversal(self, ref: Traversal) -> Any:
        head = ref.parts[0]
        if len(ref.parts) < 2:
            return ref
        name = ref.parts[1]
        if head == "var" and name in self.variables:
            found = value_at(self.variables[name], ref.parts[2:])
        elif head == "local" and name in self.locals:
            found = value_at(self.local(name), ref.parts[2:])
        elif head == "module" and self.module_outputs is not None:
            outputs = self.module_outputs(name)
            found = _MISSING if outputs is _MISSING else value_at(outputs, ref.parts[2:])
            if isinstance(found, Unknown):
                return ref  # an output that is not known stays the reference the caller wrote
        elif head == "path" and name in ("module", "root", "cwd"):
            found = str(self.module_dir) if name == "module" else str(self.root)
        else:
            return ref
        return ref if found is _MISSING else found

    def local(self, name: str) -> Any:
        if name in self._resolved_locals:
            return self._resolved_locals[name]
        if name in self._in_progress:  # a cycle: Terraform rejects it, we leave it unknown
            return Unknown(f"local.{name}", (f"local.{name}",))
        self._in_progress.add(name)
        value = self.resolve(self.locals[name])
        self._in_progress.discard(name)
        self._resolved_locals[name] = value
        return value

    def template(self, template: Template) -> Any:
        parts = [self.resolve(p) for p in template.parts]
        texts = [scalar_text(p) for p in parts]
        if all(t is not None for t in texts):
            if sum(len(t) for t in texts) > MAX_VALUE_CHARS:  # type: ignore[arg-type]
                return Unknown(template.text, collect_refs(template.parts))
            return "".join(texts)  # type: ignore[arg-type]
        return Template(template.text, collect_refs(parts), tuple(parts))

    def call(self, call: Call) -> Any:
        args = [self.resolve(a) for a in call.args]
        known = all(not isinstance(a, Unknown) for a in args)
        name = call.name
        if known and name in ("jsonencode", "yamlencode", "tolist", "toset", "tomap") and len(args) == 1:
            return args[0]
        if known and name == "jsondecode" and len(args) == 1 and isinstance(args[0], str):
            try:
                return json.loads(args[0])
            except (ValueError, RecursionError):  # not JSON, or nested past Python's stack
                pass
        if known and name == "concat" and all(isinstance(a, list) for a in args):
            if sum(len(a) for a in args) > MAX_VALUE_ITEMS:
                return Unknown(call.text, collect_refs(call.args))
            return [item for a in args for item in a]
        if known and name == "merge" and all(isinstance(a, dict) for a in args):
            merged: dict = {}
            for a in args:
                merged.update(a)
            return merged
        if known and name in ("lower", "upper") and len(args) == 1 and isinstance(args[0], str):
            return args[0].lower() if name == "lower" else args[0].upper()
        if known and name == "file" and len(args) == 1 and isinstance(args[0], str):
            content = self.read_file(args[0])
            if content is not None:
                return content
        if name == "templatefile" and len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], dict):
            rendered = self.render_template(args[0], args[1])
            if rendered is not None:
                return rendered
        return Call(call.text, collect_refs(args), name, tuple(args))

    def read_file(self, path_text: str) -> str | None:
        """A file referenced by file()/templatefile(), relative to the module, if it may be read:
        a regular file inside the scanned paths (the scan root outside a scan), never `.git`,
        a device or a FIFO. A refused read stays unknown and leaves a note."""
        from aiaas_iac.file_reads import read_text

        where = os.path.relpath(self.module_dir, self.root) if self.module_dir.is_absolute() else str(self.module_dir)
        return read_text(path_text, str(self.module_dir), (str(self.root),), where.replace(os.sep, "/"))

    def render_template(self, path_text: str, variables: dict) -> Any:
        """The rendered file; a Template with the unknown variables as holes (a policy whose region
        or account comes from a data source is still read); None when the file holds directives,
        expressions other than plain variables, or a variable that is missing or not a scalar."""
        content = self.read_file(path_text)
        if content is None or "%{" in content:
            return None
        parts: list[Any] = []
        position = 0
        for match in _TEMPLATE_VAR_RE.finditer(content):
            value = variables.get(match.group(1))
            text = scalar_text(value)
            if text is None and not isinstance(value, Unknown):
                return None
            parts += [content[position:match.start()], value if text is None else text]
            position = match.end()
        parts.append(content[position:])
        if any(isinstance(p, str) and re.search(r"(?<!\$)\$\{", p) for p in parts):
            return None
        parts = [p.replace("$${", "${") if isinstance(p, str) else p for p in parts]
        if all(isinstance(p, str) for p in parts):
            return "".join(parts)
        return Template(f"templatefile({path_text!r}, ...)", collect_refs(parts), tuple(_joined_texts(parts)))


def _joined_texts(parts: list) -> list:
    """Adjacent literal parts merged into one string."""
    merged: list = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    return merged


def is_loaded_automatically(tfvars_name: str) -> bool:
    """Terraform reads terraform.tfvars(.json) and *.auto.tfvars(.json) on its own; other
    variables files only with `-var-file`, so their values are not certain."""
    name = tfvars_name.lower()
    return name in ("terraform.tfvars", "terraform.tfvars.json") or name.endswith((".auto.tfvars", ".auto.tfvars.json"))


def module_inputs(resources: list[Resource]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(variables, locals) of one module: defaults overridden by tfvars files."""
    variables: dict[str, Any] = {}
    locals_: dict[str, Any] = {}
    tfvars: list[Resource] = []
    for resource in resources:
        if resource.kind == "variable" and "default" in resource.attributes:
            default = resource.attributes["default"]
            if not isinstance(default, Unknown):
                variables[resource.name] = default
        elif resource.kind == "local":
            locals_[resource.name] = resource.attributes.get("value")
        elif resource.kind == "tfvars" and is_loaded_automatically(resource.name):
            tfvars.append(resource)
    # Terraform's order: terraform.tfvars, terraform.tfvars.json, then *.auto.tfvars(.json)
    # in lexical order; later wins.
    first = {"terraform.tfvars": 0, "terraform.tfvars.json": 1}
    tfvars.sort(key=lambda r: (first.get(r.name, 2), r.name))
    for resource in tfvars:
        for key, value in resource.attributes.items():
            if not isinstance(value, Unknown):
                variables[key] = value
            else:
                variables.pop(key, None)
    types = {r.name: r.attributes.get("type") for r in resources if r.kind == "variable"}
    for name, value in variables.items():
        variables[name] = with_type_defaults(types.get(name), value)
    return variables, locals_


def with_type_defaults(type_expression: Any, value: Any) -> Any:
    """Apply `optional(type, default)` attribute defaults of an object type constraint, as
    Terraform does to a variable's value (absent optional attributes without a default are null).
    Modules such as Azure Verified Modules set most of their settings this way."""
    if not isinstance(type_expression, Call) or not type_expression.args:
        return value
    name, argument = type_expression.name, type_expression.args[0]
    if name == "optional":
        return with_type_defaults(argument, value)
    if name == "object" and isinstance(argument, dict) and isinstance(value, dict):
        out = dict(value)
        for key, attribute_type in argument.items():
            if key in out:
                out[key] = with_type_defaults(attribute_type, out[key])
            elif isinstance(attribute_type, Call) and attribute_type.name == "optional":
                default = attribute_type.args[1] if len(attribute_type.args) > 1 else None
                out[key] = with_type_defaults(attribute_type.args[0] if attribute_type.args else None, default)
        return out
    if name == "map" and isinstance(value, dict):
        return {k: with_type_defaults(argument, v) for k, v in value.items()}
    if name in ("list", "set") and isinstance(value, list):
        return [with_type_defaults(argument, v) for v in value]
    return value


def resolve_terraform(resources: list[Resource], root: Path) -> list[Resource]:
    """Resolve every Terraform resource's attributes within its own module."""
    by_module: dict[str, list[Resource]] = defaultdict(list)
    for resource in resources:
        by_module[resource.module].append(resource)
    resolved: list[Resource] = []
    for module, members in by_module.items():
        variables, locals_ = module_inputs(members)
        resolved += resolve_module(members, ModuleResolver(variables, locals_, root / module, root))
    return resolved


def resolve_module(members: list[Resource], resolver: ModuleResolver) -> list[Resource]:
    """The resources of one module (instance) with their attributes resolved by `resolver`."""
    resolved: list[Resource] = []
    for resource in members:
        if resource.kind in ("variable", "tfvars"):
            resolved.append(resource)
        else:
            resolved.append(dataclasses.replace(resource, attributes=resolver.resolve(dict(resource.attributes)),
                                                source_attributes=resource.attributes))
    return resolved
