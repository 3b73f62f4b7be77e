"""Bicep and ARM deployments: module instances, parameter files and configurations.

The Bicep counterpart of `module_tree` (CHECKS.md **Module instances** and
**Configuration**): a deployment file is a `.bicep` file that no other scanned
Bicep file calls as a local module, or an ARM template. Each is evaluated with
the values its parameter files give (a `.bicepparam` whose `using` names it, or
a sibling `<name>.parameters.json` / `<name>.parameters.<env>.json`; each file
is one evaluation, and without one its parameter defaults apply), then every
local `module` it calls is evaluated with the call's `params`, recursively. A
module with callers is judged only as instantiated. Its resources are reported
at the module's file and line, named `module.<call>.<symbol>`; identical
findings of several instances are merged by `module_tree.merge_instance_findings`.

Files are read again only when they were discovered by the scan (so a `using`
or module path can never widen what is read); a call cycle, nesting past
MAX_DEPTH, more than MAX_TOTAL_INSTANCES instances, a registry module or a path
outside the scan root each leave one note.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from typing import Any

from aiaas_iac.context import DEPLOYMENT_ROOT
from aiaas_iac.model import Location, Resource, Unknown
from aiaas_iac.parsers.arm_functions import SCOPE_REFS

MAX_DEPTH = 16
MAX_TOTAL_INSTANCES = 500
_PARAMETERS_FILE = re.compile(r"^(?P<stem>.+?)\.parameters(?:\.[^./]+)?\.json$", re.IGNORECASE)


@dataclass
class DeploymentTree:
    resources: list[Resource] = field(default_factory=list)
    configurations: dict[str, list[Resource]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # module key of each instance -> (address, root, the module declaration in the root that makes it)
    instances: dict[str, tuple[str, str, Location]] = field(default_factory=dict)


def _relative(base_file: str, path: str) -> str | None:
    target = posixpath.normpath(posixpath.join(posixpath.dirname(base_file), path))
    return None if target == ".." or target.startswith(("../", "/")) else target


class _Builder:
    def __init__(self, resources: list[Resource], root: Path) -> None:
        self.root = root
        self.by_file: dict[str, list[Resource]] = defaultdict(list)
        self.parameter_files: list[Resource] = []
        for resource in resources:
            if resource.kind in ("bicepparam", "parameters"):
                self.parameter_files.append(resource)
            else:
                self.by_file[resource.file].append(resource)
        self.notes: list[str] = []
        self.instances: dict[str, tuple[str, str, Location]] = {}
        self.total = 0
        self._texts: dict[str, str | None] = {}
        self.instance_resources: dict[str, list[Resource] | None] = {}
        self.instantiated: set[str] = set()

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def text(self, rel: str) -> str | None:
        """A scanned file's text, read again (only files the scan discovered and parsed)."""
        if rel not in self._texts:
            from aiaas_iac.discover import SourceFile
            from aiaas_iac.parsers import ParseLimits, SourceError, decode_source, read_source

            try:
                self._texts[rel] = decode_source(read_source(SourceFile(self.root / rel, rel, "bicep"), ParseLimits()))
            except SourceError:
                self._texts[rel] = None
        return self._texts[rel]

    def callees(self, file: str) -> list[str]:
        return [target for call in self.by_file[file] if call.kind == "module" and call.format == "bicep"
                for target in [self.callee(call)] if target is not None]

    def callee(self, call: Resource) -> str | None:
        source = call.attributes.get("source")
        if not isinstance(source, str) or ":" in source:
            return None
        target = _relative(call.file, source)
        return target if target in self.by_file and target.endswith(".bicep") else None

    # --- parameter files -------------------------------------------------------------------------

    def inputs_for(self, file: str) -> list[tuple[str, dict]]:
        """(parameter file, values) for each parameter file that targets deployment `file`."""
        found = []
        for params in self.parameter_files:
            if params.kind == "bicepparam":
                using = params.attributes.get("using")
                if not isinstance(using, str):
                    continue
                target = _relative(params.file, using) if ":" not in using else None
                if target is None:
                    self.note(f"{params.file}:{params.span.start_line}: using {using} is outside the scanned root "
                              "or not a local file; not followed")
                    continue
                values = params.attributes.get("params")
            else:
                match = _PARAMETERS_FILE.match(posixpath.basename(params.file))
                stem = posixpath.join(posixpath.dirname(params.file), match.group("stem")) if match else None
                target = next((stem + ext for ext in (".bicep", ".json") if stem and stem + ext in self.by_file), None)
                values = params.attributes.get("parameters")
            if target == file and isinstance(values, dict):
                found.append((params.file, values))
        return found

    def unmatched_using(self) -> None:
        for params in self.parameter_files:
            using = params.attributes.get("using") if params.kind == "bicepparam" else None
            target = _relative(params.file, using) if isinstance(using, str) and ":" not in using else None
            if target is not None and target not in self.by_file:
                self.note(f"{params.file}:{params.span.start_line}: using {using}: that file is not among the "
                          "scanned Bicep files; not evaluated")

    # --- evaluation ------------------------------------------------------------------------------

    def evaluate(self, file: str, inputs: dict | None, module: str, prefix: str,
                 chain: tuple[str, ...] = (), root: str | None = None) -> list[Resource] | None:
        """The resources of `file` evaluated with `inputs` (and the outputs of the modules it calls);
        None when it cannot be read again. `chain` is the files calling it, outermost first; `root`
        names the deployment evaluation it belongs to (its module, by default)."""
        root = root or module
        text = self.text(file)
        if text is None:
            return None
        from aiaas_iac.parsers import SourceError

        try:
            if file.endswith(".bicep"):
                from aiaas_iac.parsers import bicep

                chain = chain + (file,)

                def outputs_of(symbol: str, source: str, body: dict) -> dict | None:
                    return self.module_outputs(file, chain, root, prefix, symbol, source, body)

                return bicep.evaluate(bicep.syntax_tree(text), file, module, inputs, prefix,
                                      outputs_of=outputs_of).resources
            from aiaas_iac.parsers import arm
            from aiaas_iac.parsers.positioned_yaml import YamlError, load_json_document

            from aiaas_iac.parsers.structured import without_json_comments

            try:
                document = load_json_document(without_json_comments(text))
            except YamlError:
                return None
            parsed = arm.from_template(document, file, inputs=inputs)
            return [dataclasses.replace(r, module=module) for r in parsed.resources]
        except (SourceError, RecursionError):
            return None

    # --- module outputs ----------------------------------------------------------------------

    def module_outputs(self, caller: str, chain: tuple[str, ...], root: str, address: str, symbol: str,
                       source: str, body: dict) -> dict | None:
        """The outputs of the instance `module <symbol> '<source>'` in `caller` makes, by name, for
        the caller's `<symbol>.outputs.x`; None when it is not evaluated (not a scanned local Bicep
        file, a cycle, too deep, too many instances). References inside them are qualified with the
        call (`module.<symbol>.account.id`), so they resolve to the instance's resources."""
        target = _relative(caller, source) if _is_local_bicep(source) else None
        if target is None or target not in self.by_file or target in chain or len(chain) >= MAX_DEPTH:
            return None
        child_address = f"{address}.module.{symbol}" if address else f"module.{symbol}"
        key = f"{target}#{child_address} in {root}"
        resources = self.instance(key, target, body, child_address, chain, root)
        if resources is None:
            return None
        return {r.name: qualified(r.attributes.get("value"), f"module.{symbol}.")
                for r in resources if r.kind == "output" and r.file == target}

    def instance(self, key: str, target: str, body: dict, child_address: str,
                 chain: tuple[str, ...], root: str) -> list[Resource] | None:
        """The resources of module instance `key` (evaluated once, whether its outputs are read
        first or the call is instantiated first)."""
        if key not in self.instance_resources:
            if self.total >= MAX_TOTAL_INSTANCES:
                self.note(f"more than {MAX_TOTAL_INSTANCES} Bicep module instances in the scan; the rest are not judged")
                return None
            self.total += 1
            self.instance_resources[key] = None  # while evaluating: a call that reads itself gets nothing
            params = body.get("params")
            caller = child_address.rsplit(".module.", 1)[0] if "." in child_address.removeprefix("module.") else ""
            inputs = {k: absolute(v, caller) for k, v in params.items()} if isinstance(params, dict) else {}
            self.instance_resources[key] = self.evaluate(target, inputs, key, child_address, chain, root)
        return self.instance_resources[key]

    def instantiate(self, members: list[Resource], chain: tuple[str, ...], address: str,
                    site: Location | None, root: str | None = None) -> list[Resource]:
        """Every instance the module calls among `members` make, recursively."""
        root = root or chain[0]
        out: list[Resource] = []
        for call in members:
            if call.kind != "module" or call.format != "bicep":
                continue
            label = f"{call.file}:{call.span.start_line}: module {call.name}"
            source = call.attributes.get("source")
            target = self.callee(call)
            if target is None:
                if isinstance(source, str) and ":" not in source and source.lower().endswith((".bicep", ".json")):
                    where = _relative(call.file, source)
                    self.note(f"{label}: {source} is outside the scanned root; not followed" if where is None else
                              f"{label}: {source} is not among the scanned Bicep files; not evaluated")
                continue
            if target in chain:
                cycle = " -> ".join(chain[chain.index(target):] + (target,))
                self.note(f"{label}: module cycle {cycle}; not instantiated again")
                continue
            if len(chain) >= MAX_DEPTH:
                self.note(f"{label}: modules nested deeper than {MAX_DEPTH}; not instantiated")
                continue
            child_address = f"{address}.module.{call.name}" if address else f"module.{call.name}"
            key = f"{target}#{child_address} in {root}"
            if key in self.instantiated:
                continue
            resources = self.instance(key, target, call.attributes, child_address, chain, root)
            if resources is None:
                if self.total >= MAX_TOTAL_INSTANCES:
                    break
                continue
            self.instantiated.add(key)
            outer = site or Location(call.file, call.span)
            self.instances[key] = (child_address, chain[0], outer)
            out += resources
            out += self.instantiate(resources, chain + (target,), child_address, outer, root)
        return out


def _is_local_bicep(source: str) -> bool:
    return ":" not in source and source.lower().endswith(".bicep")


def qualified(value: Any, prefix: str) -> Any:
    """A module output as its caller sees it: every reference (but `resourceGroup()` and the
    other scope functions, which name a scope, not a resource) prefixed with `module.<call>.`."""
    return _map_refs(value, lambda r: r if r in SCOPE_REFS or r.startswith(DEPLOYMENT_ROOT) else prefix + r)


def absolute(value: Any, caller: str) -> Any:
    """A module parameter as the module sees it: every reference to a resource of the caller
    (whose own address is `caller`, '' for the deployment file) made absolute, `$root.<caller>.<ref>`,
    so the module's resources can follow it across the boundary."""
    base = DEPLOYMENT_ROOT + (f"{caller}." if caller else "")
    return _map_refs(value, lambda r: r if r in SCOPE_REFS or r.startswith(DEPLOYMENT_ROOT) else base + r)


def _map_refs(value: Any, change: Any) -> Any:
    if isinstance(value, Unknown):
        return Unknown(value.text, tuple(change(r) for r in value.refs))
    if isinstance(value, dict):
        return {_map_refs(k, change) if isinstance(k, Unknown) else k: _map_refs(v, change) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_refs(v, change) for v in value]
    return value


def build_tree(resources: list[Resource], root: Path) -> DeploymentTree:
    """Instantiate every Bicep deployment file and ARM template with its parameter files and
    modules; see the module docstring."""
    builder = _Builder(resources, root)
    tree = DeploymentTree()
    called = {target for file in list(builder.by_file) for target in builder.callees(file) if target != file}
    deployments = [f for f in builder.by_file if f not in called]
    builder.unmatched_using()
    covered: set[str] = set()
    while deployments or (deployments := [f for f in builder.by_file if f not in covered][:1]):
        for file in deployments:
            members: list[Resource] = []
            evaluations = builder.inputs_for(file)
            for params_file, values in evaluations:
                # Two parameter files (dev, prod) are two evaluations: keep their references apart.
                module = file if len(evaluations) == 1 else f"{file}#{params_file}"
                evaluated = builder.evaluate(file, values, module, "")
                if evaluated is None:
                    continue
                members += evaluated
                members += builder.instantiate(evaluated, (file,), "", None, module)
            if not members and builder.callees(file):
                # Evaluated again, with the outputs of the modules it calls.
                evaluated = builder.evaluate(file, None, file, "")
                if evaluated is not None:
                    members = evaluated + builder.instantiate(evaluated, (file,), "", None)
            if not members:
                members = list(builder.by_file[file]) + builder.instantiate(builder.by_file[file], (file,), "", None)
            covered.add(file)
            covered.update(r.file for r in members)
            tree.resources += members
            tree.configurations.setdefault(file, []).extend(members)
        # Files only called from inside a cycle that no deployment reaches: the first stands alone.
        deployments = [f for f in builder.by_file if f not in covered][:1]
    tree.notes = builder.notes
    tree.instances = builder.instances
    return tree
