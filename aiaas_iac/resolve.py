"""Terraform value resolution: make values certain where the code makes them certain.

Within one module (directory): `var.x` becomes the variable's literal default,
overridden by `terraform.tfvars` and then `*.auto.tfvars` (lexical order, as
Terraform loads them) or the caller's input (module_tree); `local.x` its
value; every expression over known values is evaluated (`evaluate`), and
`file()`/`templatefile()` read a regular file inside the scanned paths (see
`file_reads`: no symlink escape, no `.git`, no devices). Anything else stays
an `Unknown` and never produces a finding.
"""

from __future__ import annotations

import dataclasses
import os
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable

# Locals can double a value at every step (`a1 = "${local.a0}${local.a0}"`, forty times): a value
# past evaluate's MAX_VALUE_CHARS / MAX_VALUE_ITEMS is left unknown.
from aiaas_iac.evaluate import MAX_VALUE_CHARS, MAX_VALUE_ITEMS, MISSING as _MISSING  # noqa: F401
from aiaas_iac.model import Resource, Unknown
from aiaas_iac.parsers.hcl_expressions import Call, Traversal

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
    """The values of one Terraform module (instance): what `var.`, `local.`, `module.` and
    `path.` name, and the files `file()`/`templatefile()` may read; `resolve()` evaluates a value
    with them (see `evaluate`)."""

    def __init__(self, variables: dict[str, Any], locals_: dict[str, Any], module_dir: Path, root: Path,
                 module_outputs: Callable[[str], Any] | None = None) -> None:
        from aiaas_iac.evaluate import Evaluator

        self.variables = variables
        # `module.<name>` -> that call's outputs (see module_tree); None outside a module tree.
        self.module_outputs = module_outputs
        self.locals = locals_
        self.module_dir = module_dir
        self.root = root.resolve()
        self._resolved_locals: dict[str, Any] = {}
        self._in_progress: set[str] = set()
        # One evaluator for the module: resolved values share parts (a local used twice is one
        # object) and its memo evaluates each shared part once, linear rather than 2**depth.
        self.evaluator = Evaluator(self)

    def resolve(self, value: Any) -> Any:
        """`value` evaluated; a block's attributes one by one (each with its own step budget)."""
        if isinstance(value, dict):
            return {k: self.evaluator.evaluate(v) for k, v in value.items()}
        return self.evaluator.evaluate(value)

    def reference(self, ref: Traversal) -> Any:
        """What `ref` names in this module, or MISSING when it is not this module's to say
        (`count.index`, `aws_iam_user.bot.name`, a variable without a value)."""
        if len(ref.parts) < 2:
            return _MISSING
        head, name = ref.parts[0], ref.parts[1]
        if head == "var" and name in self.variables:
            found = self.variables[name]
            if type(found) in (Unknown, Traversal) and len(ref.parts) == 2:
                # An input the caller knows only as a reference (module_tree.crossed): shown as
                # written here, followed to the caller's resource.
                return dataclasses.replace(found, text=ref.text)
        elif head == "local" and name in self.locals:
            found = self.local(name)
        elif head == "module" and self.module_outputs is not None:
            outputs = self.module_outputs(name)
            found = _MISSING if outputs is _MISSING else value_at(outputs, ref.parts[2:])
            # An output that is not known stays the reference the caller wrote, unless it names
            # resources (module_tree.crossed): then it is that, followed into the instance.
            if found is _MISSING or isinstance(found, Unknown) and not found.refs:
                return _MISSING
            return dataclasses.replace(found, text=ref.text) if type(found) in (Unknown, Traversal) else found
        elif head == "path" and name in ("module", "root", "cwd") and len(ref.parts) == 2:
            return str(self.module_dir) if name == "module" else str(self.root)
        else:
            return _MISSING
        return self.evaluator.select(found, ref.parts[2:], ref)

    def local(self, name: str) -> Any:
        if name in self._resolved_locals:
            return self._resolved_locals[name]
        if name in self._in_progress:  # a cycle: Terraform rejects it, we leave it unknown
            return Unknown(f"local.{name}", (f"local.{name}",))
        self._in_progress.add(name)
        try:
            value = self.evaluator.evaluate(self.locals[name])
        finally:
            self._in_progress.discard(name)
        self._resolved_locals[name] = value
        return value

    def read_file(self, path_text: str) -> str | None:
        """A file referenced by file()/templatefile(), relative to the module, if it may be read:
        a regular file inside the scanned paths (the scan root outside a scan), never `.git`,
        a device or a FIFO. A refused read stays unknown and leaves a note."""
        from aiaas_iac.file_reads import read_text

        where = os.path.relpath(self.module_dir, self.root) if self.module_dir.is_absolute() else str(self.module_dir)
        return read_text(path_text, str(self.module_dir), (str(self.root),), where.replace(os.sep, "/"))


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
