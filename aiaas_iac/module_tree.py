"""The Terraform module tree: roots, local module instances and configurations.

A root is a directory of Terraform files that no other scanned directory calls as a
local module (`source = "./x"` or `"../x"`, relative to the caller). Each root is
instantiated: every local `module` call gets its inputs resolved in the caller, the
callee's variables take them (defaults and `optional()` attribute defaults for the
rest), and the callee's resources are resolved with them, recursively. A module with
callers is judged only as instantiated; its standalone copy is not checked.

An instance's resources are copies of the callee's with `module` = `dir#address`
(as the plan parser names module instances, so every per-module index and memo in
the checks keeps instances apart) and `full_address` = `module.a.aws_x.y`, which is
what findings name. One configuration is a root with every instance it calls.

Registry and git module calls are instantiated from the directories `terraform init` recorded
in the root's `.terraform/modules/modules.json` (module_manifest), by the call's key
(`chat.role`), as are the calls inside such a module; without the manifest or the key, the call
is noted as not evaluated. Installed directories are never roots. A finding inside an installed
module is reported at the `module` block where the chain leaves the repository (the block the
user can change), naming the installed module and its inner file and line, which is also a
related location.

Hostile trees stay bounded: a call cycle, a source outside the scan root, a missing
directory, nesting past MAX_DEPTH and more than MAX_INSTANCES instances of one call
or MAX_TOTAL_INSTANCES in the scan each leave one note and are not followed.
"""

from __future__ import annotations

import dataclasses
import json
import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from aiaas_iac.context import LOCAL_HEADS, ref_into_module, ref_out_of_module
from aiaas_iac.evaluate import MaybeAbsent
from aiaas_iac.model import Finding, Location, Resource, Unknown
from aiaas_iac.module_manifest import MANIFEST, MANIFEST_KIND, Installed, is_installed
from aiaas_iac.parsers.hcl_expressions import Call, Template, Traversal
from aiaas_iac.resolve import MISSING, ModuleResolver, module_inputs, resolve_module

MAX_DEPTH = 16
MAX_TOTAL_INSTANCES = 2000
# Every instance copies its module's blocks for the checks: bound the copies, not just the count.
MAX_INSTANCE_BLOCKS = 50_000
# Arguments of a module block that are not the callee's input variables.
_META_ARGUMENTS = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})


def is_local_source(source: str) -> bool:
    return source in (".", "..") or source.startswith(("./", "../"))


def callee_dir(caller_dir: str, source: str) -> str | None:
    """The directory (relative to the scan root) a local source names; None when it leaves the root."""
    target = posixpath.normpath(posixpath.join(caller_dir, source.rstrip("/") or "."))
    return None if target == ".." or target.startswith("../") or target.startswith("/") else target


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def module_step(name: str, key: Any) -> str | None:
    """How a caller names one instance of its call `name` inside a crossed reference: `fn`, `fn[0]`,
    `fn["a"]` (the key JSON-quoted, so it reads back unambiguously); None for a name that is not a
    Terraform identifier (such a call's references are not followed)."""
    if not _NAME.fullmatch(name):
        return None
    if key is None:
        return name
    return f"{name}[{key}]" if isinstance(key, int) else f"{name}[{json.dumps(str(key), ensure_ascii=False)}]"


def _rewrite_ref(ref: str, step: str | None) -> str | None:
    """One reference crossing a boundary (see `context.ref_into_module` / `ref_out_of_module`);
    step "" drops it."""
    if step == "":
        return None
    return ref_into_module(ref) if step is None else ref_out_of_module(ref, step)


def _rewrite_parts(parts: tuple, step: str | None) -> tuple:
    if step is None:
        return ("$parent",) + parts
    return parts[1:] if parts[:1] == ("$parent",) else ("$module", step) + parts


def crossed(value: Any, step: str | None) -> Any:
    """A value crossing a module boundary, into a module (`step` None) or out of its instance `step`
    (as the caller names it: `fn`, `fn[0]`; "" drops every reference). Its unknown parts keep their text and structure; their
    references to resources are rewritten relative to the module the value now lives in
    (`$parent.aws_iam_role.lambda.arn`, `$module.fn.aws_lambda_function.tool.arn`, see
    `context.ScanContext.lookup`), so checks follow them to the other module's resources. Module-local
    references are dropped. A crossed reference is not evaluated again where it arrives: its first
    part is no name of that module."""
    memo: dict[int, tuple[Any, Any]] = {}  # values share parts (2**40 paths): each is rewritten once

    def walk(node: Any) -> Any:
        if not isinstance(node, (dict, list, Unknown)):
            return node
        known = memo.get(id(node))
        if known is not None and known[0] is node:
            return known[1]
        if isinstance(node, dict):
            out: Any = {k: walk(v) for k, v in node.items()}
        elif isinstance(node, list):
            out = [walk(v) for v in node]
        else:
            refs = tuple(dict.fromkeys(r for r in (_rewrite_ref(ref, step) for ref in node.refs) if r is not None))
            if isinstance(node, Template):
                out = Template(node.text, refs, tuple(walk(p) for p in node.parts))
            elif isinstance(node, Call):
                out = Call(node.text, refs, node.name, tuple(walk(a) for a in node.args))
            elif isinstance(node, Traversal) and refs and node.parts and isinstance(node.parts[0], str) \
                    and node.parts[0] not in LOCAL_HEADS:
                out = Traversal(node.text, refs, _rewrite_parts(node.parts, step))
            else:
                out = (MaybeAbsent if isinstance(node, MaybeAbsent) else Unknown)(node.text, refs)
        memo[id(node)] = (node, out)
        return out

    return walk(value)


def _small(value: Any, budget: int = 20_000) -> bool:
    """True when `value` written out (as `repr` does: shared parts each time) has at most
    `budget` parts; bounded whatever the value (inputs can share parts 2**40 times)."""
    stack = [value]
    while stack:
        node = stack.pop()
        budget -= 1
        if budget < 0:
            return False
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
        elif isinstance(node, Unknown):
            stack.extend(getattr(node, f.name) for f in dataclasses.fields(node) if f.name not in ("text", "refs"))
    return True


@dataclass
class ModuleTree:
    """What the tree builder hands to the checks."""

    resources: list[Resource] = field(default_factory=list)
    configurations: dict[str, list[Resource]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    resolvers: dict[str, ModuleResolver] = field(default_factory=dict)  # module instance -> its resolver
    # module key of each instance built -> (address, root, the module block in the root that makes it)
    instances: dict[str, tuple[str, str, Location]] = field(default_factory=dict)
    # module key of each instance of an installed module -> (the repository's module block that
    # leads into installed code, the installed module called there)
    installed: dict[str, tuple[Location, Installed]] = field(default_factory=dict)
    # module key of each Terraform instance (roots included) -> (its caller's key or None, the key of
    # each instance it calls by step `fn`, `fn[0]`): how crossed references are followed
    links: dict[str, tuple[str | None, dict[str, str]]] = field(default_factory=dict)

    def relocate(self, findings: Iterable[Finding]) -> list[Finding]:
        """Findings inside installed modules, moved to the call site in the repository."""
        return [relocated(f, *self.installed[f.module]) if f.module in self.installed else f for f in findings]

    def bind(self, ctx: Any) -> None:
        """Let the checks evaluate each instance's expressions with its own resolver."""
        from aiaas_iac.terraform_instances import bind_resolver

        for module, resolver in self.resolvers.items():
            bind_resolver(ctx, "terraform", module, resolver)
        ctx.module_links.update(self.links)


class _Builder:
    def __init__(self, resources: list[Resource], root: Path) -> None:
        self.root = root
        self.by_dir: dict[str, list[Resource]] = defaultdict(list)
        self.manifests: dict[str, list[Resource]] = {}  # root directory -> its modules.json
        for resource in resources:
            if resource.kind == MANIFEST_KIND:
                self.manifests.setdefault(resource.module, []).append(resource)
            else:
                self.by_dir[resource.module].append(resource)
        self._installed: dict[str, dict[str, Installed]] = {}
        self.installed_sites: dict[str, tuple[Location, Installed]] = {}
        self.notes: list[str] = []
        self.resolved: dict[tuple, list[Resource]] = {}  # (directory, inputs) -> an instance's resources
        self.total = 0  # module instances built
        self.blocks = 0  # blocks copied into them
        self.resolvers: dict[str, ModuleResolver] = {}
        # module key of every instance built -> (its address, its root, its outermost call site)
        self.addresses: dict[str, tuple[str, str, Location]] = {}
        self.links: dict[str, tuple[str | None, dict[str, str]]] = {}

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def installed(self, root: str, key: str) -> Installed | None | bool:
        """The module `terraform init` installed for call `key` of `root`; None when the root has
        no manifest, False when its manifest lacks the key."""
        from aiaas_iac.module_manifest import installed_modules

        if root not in self._installed:
            modules: dict[str, Installed] = {}
            for manifest in self.manifests.get(root, ()):
                modules.update(installed_modules(manifest))
            self._installed[root] = modules
        if root not in self.manifests:
            return None
        return self._installed[root].get(key, False)

    def calls(self) -> dict[str, set[str]]:
        """Directory -> the scanned directories its local module calls name (the static graph)."""
        edges: dict[str, set[str]] = defaultdict(set)
        for directory, members in self.by_dir.items():
            for call in members:
                source = call.attributes.get("source") if call.kind == "module" else None
                if isinstance(source, str) and is_local_source(source):
                    target = callee_dir(directory, source)
                    if target is not None and target != directory and target in self.by_dir:
                        edges[directory].add(target)
        return edges


def _reachable(starts: Iterable[str], edges: dict[str, set[str]], seen: set[str]) -> None:
    stack = list(starts)
    while stack:
        directory = stack.pop()
        if directory not in seen:
            seen.add(directory)
            stack.extend(edges.get(directory, ()))


class _Instance:
    """One module instance: its resolved resources and, lazily, its child instances."""

    def __init__(self, builder: _Builder, directory: str, address: str, inputs: dict | None,
                 chain: tuple[str, ...], names: tuple[str, ...] = (), parent: str | None = None,
                 step: str | None = None) -> None:
        self.builder, self.directory, self.address, self.chain = builder, directory, address, chain
        self.names = names  # the module call names from the root: `chat.role` in a manifest
        self.step = step  # how the caller names this instance in crossed references; None: not followed
        originals = builder.by_dir[directory]
        if inputs is None:  # a root: variables from defaults and tfvars, as Terraform's root module
            self.key = directory
            members = originals
        else:
            # Unique per root: envs/dev and envs/prod may both have a module.chat.
            self.key = f"{directory}#{address} in {chain[0]}"
            members = [self._copy(r, inputs) for r in originals if r.kind != "tfvars"]
        if parent is not None or "#" not in directory:  # a plan's modules link by their addresses
            builder.links[self.key] = (parent, {})
        if parent is not None and step is not None:
            builder.links[parent][1][step] = self.key
        variables, locals_ = module_inputs(members)
        if inputs is not None:  # an input the caller knows only as a reference is that reference
            declared = {r.name for r in members if r.kind == "variable"}
            variables.update((k, v) for k, v in inputs.items()
                             if k in declared and isinstance(v, Unknown) and v.refs)
        self.resolver = ModuleResolver(variables, locals_, builder.root / directory, builder.root,
                                       module_outputs=self.module_outputs)
        self.calls = {r.name: r for r in members if r.kind == "module"}
        if inputs is not None or self.calls:  # others are rebuilt from their variables exactly as before
            builder.resolvers[self.key] = self.resolver
        self.children: dict[str, list[tuple[Any, _Instance]] | None] = {}
        self._ctx: Any = None
        self._outputs: dict | None = None
        # Resolving may instantiate a child already (an input or attribute reads its output).
        # Instances of one module with equal inputs resolve alike (the references inputs and outputs
        # carry are relative to the instance, see `crossed`): resolve once, re-address the copies.
        memo_key = (directory, repr(sorted(inputs.items()))) if inputs is not None and _small(inputs) else None
        resolved = builder.resolved.get(memo_key) if memo_key else None
        if resolved is None:
            self.resources = resolve_module(members, self.resolver)
            if memo_key:
                builder.resolved[memo_key] = self.resources
        else:
            self.resources = [dataclasses.replace(r, module=self.key, full_address=f"{address}.{r.address}")
                              for r in resolved]

    def _copy(self, resource: Resource, inputs: dict) -> Resource:
        attributes = resource.attributes
        value = inputs.get(resource.name)
        # `nullable = false`: Terraform gives a null input the variable's default instead.
        keeps_default = value is None and attributes.get("nullable") is False and "default" in attributes
        if resource.kind == "variable" and resource.name in inputs and not keeps_default:
            attributes = dict(attributes, default=value)
        return dataclasses.replace(resource, attributes=attributes, module=self.key,
                                   full_address=f"{self.address}.{resource.address}")

    # --- child instances -----------------------------------------------------------------------

    def module_outputs(self, name: str) -> Any:
        """The value of `module.<name>` in this instance: its outputs, a list of them under
        `count`, a map under `for_each`; MISSING while it cannot be known."""
        children = self.instantiate(name)
        if not children:
            return MISSING
        outputs = [(key, child.outputs()) for key, child in children]
        if len(outputs) == 1 and outputs[0][0] is None:
            return outputs[0][1]
        if any(key is None for key, _ in outputs):
            return MISSING
        if all(isinstance(key, int) for key, _ in outputs):
            return [value for _, value in outputs]
        return dict(outputs)

    def outputs(self) -> dict:
        """Output values with their conditionals worked out (`var.on ? var.arn : null`)."""
        from aiaas_iac.terraform_instances import with_known_values

        if self._outputs is None:
            self._outputs = {}  # an output that reads this module's own outputs finds none: no loop
            self._outputs = {r.name: self._leaving(with_known_values(self.context(), r).attributes.get("value"))
                             for r in self.resources if r.kind == "output"}
        return self._outputs

    def _leaving(self, value: Any) -> Any:
        """An output value as the caller sees it; an instance without a step keeps no references."""
        return crossed(value, self.step if self.step is not None else "")

    def context(self) -> Any:
        from aiaas_iac.context import ScanContext
        from aiaas_iac.terraform_instances import bind_resolver

        if self._ctx is None:  # for count/for_each and conditionals; values come from the bound resolver
            self._ctx = ScanContext((), self.builder.root)
            bind_resolver(self._ctx, "terraform", self.key, self.resolver)
        return self._ctx

    def instantiate(self, name: str) -> list[tuple[Any, "_Instance"]]:
        if name in self.children:
            return self.children[name] or []  # None: in progress (outputs referring back)
        self.children[name] = None
        self.children[name] = found = self._instantiate(self.calls[name]) if name in self.calls else []
        return found

    def _instantiate(self, call: Resource) -> list[tuple[Any, "_Instance"]]:
        from aiaas_iac.terraform_instances import MAX_INSTANCES, instance_scopes, instances

        builder, label = self.builder, self._label(call)
        # One note per call whatever the instance: only cycles and depth depend on the chain.
        call_label = f"{call.file}:{call.span.start_line}: module {call.name}"
        source = call.attributes.get("source")
        if not isinstance(source, str):
            return []
        installed = None
        if not is_local_source(source) or is_installed(self.directory):
            # Registry and git sources, and every call inside installed code: as `terraform init` put them.
            installed = builder.installed(self.chain[0], ".".join(self.names + (call.name,)))
            if not installed and not is_local_source(source):
                where = "" if installed is None else f" (not in {_manifest_of(self.chain[0])})"
                builder.note(f"{call_label} from {source} not evaluated{where}: run terraform init to include it")
                return []
        if installed:
            target = installed.directory
            if target not in builder.by_dir:
                from aiaas_iac.module_manifest import directory_problem

                problem = directory_problem(builder.root, target) or "holds no Terraform file that was read"
                builder.note(f"{call_label} from {source} not evaluated: its directory {target} named in"
                             f" {_manifest_of(self.chain[0])} {problem}")
                return []
        else:
            target = callee_dir(self.directory, source)
            if target is None:
                builder.note(f"{call_label}: source {source} is outside the scanned root; not followed")
                return []
            if target not in builder.by_dir:
                builder.note(f"{call_label}: module directory {target} is not among the scanned Terraform files; not evaluated")
                return []
        if target in self.chain:
            cycle = " -> ".join(self.chain[self.chain.index(target):] + (target,))
            builder.note(f"{label}: module cycle {cycle}; not instantiated again")
            return []
        if len(self.chain) >= MAX_DEPTH:
            builder.note(f"{label}: modules nested deeper than {MAX_DEPTH}; not instantiated")
            return []
        call = dataclasses.replace(call, attributes=self.resolver.resolve(dict(call.attributes)))
        scopes = instance_scopes(self.context(), call, limit=MAX_INSTANCES + 1)
        if scopes is not None and len(scopes) > MAX_INSTANCES:
            builder.note(f"{label}: more than {MAX_INSTANCES} instances; only the first {MAX_INSTANCES} are judged")
        out = []
        for key, resolved in instances(self.context(), call):
            if builder.total >= MAX_TOTAL_INSTANCES or builder.blocks >= MAX_INSTANCE_BLOCKS:
                builder.note(f"more than {MAX_TOTAL_INSTANCES} module instances or {MAX_INSTANCE_BLOCKS} blocks in"
                             " module instances in the scan; the rest are not judged")
                break
            builder.total += 1
            builder.blocks += len(builder.by_dir[target])
            address = self._child_address(call.name, key)
            # The outermost call site: the module block in the root that this instance comes from.
            outer = builder.addresses.get(self.key)
            site = outer[2] if outer else Location(call.file, call.span)
            child = f"{target}#{address} in {self.chain[0]}"
            builder.addresses[child] = (address, self.chain[0], site)
            if is_installed(target):  # where the chain leaves the repository, and into what
                builder.installed_sites[child] = builder.installed_sites.get(self.key) or (
                    Location(call.file, call.span), installed or Installed(".".join(self.names + (call.name,)),
                                                                           source, "", target))
            inputs = {k: crossed(v, None) for k, v in resolved.attributes.items() if k not in _META_ARGUMENTS}
            out.append((key, _Instance(builder, target, address, inputs, self.chain + (target,),
                                       self.names + (call.name,), self.key, module_step(call.name, key))))
        return out

    def _label(self, call: Resource) -> str:
        where = f" in {self.address}" if self.address else ""
        return f"{call.file}:{call.span.start_line}: module {call.name}{where}"

    def _child_address(self, name: str, key: Any) -> str:
        from aiaas_iac.terraform_instances import instance_address

        return instance_address(f"{self.address}.module.{name}" if self.address else f"module.{name}", key)

    def all_resources(self) -> Iterable[Resource]:
        """This instance's resources and those of every instance below it."""
        yield from self.resources
        for name in self.calls:
            for _, child in self.instantiate(name):
                yield from child.all_resources()


def _configuration_of(module: str) -> str:
    """A plan's module instances (`plan.json#module.a`) belong to the plan's configuration."""
    return module.split("#", 1)[0]


def build_tree(resources: list[Resource], root: Path) -> ModuleTree:
    """Instantiate every root; modules no root reaches (only called in a cycle) stand alone."""
    builder = _Builder(resources, root)
    edges = builder.calls()
    called = {target for targets in edges.values() for target in targets}
    tree = ModuleTree()
    # Installed modules (under `.terraform/`) are judged only where a root calls them.
    pending = [d for d in builder.by_dir if d not in called and not is_installed(d)]
    covered: set[str] = set()  # what the roots taken so far call, directly or not
    while pending or (pending := [d for d in builder.by_dir if d not in covered and not is_installed(d)][:1]):
        _reachable(pending, edges, covered)
        for directory in pending:
            members = list(_Instance(builder, directory, "", None, (directory,)).all_resources())
            tree.resources += members
            tree.configurations.setdefault(_configuration_of(directory), []).extend(members)
        # Then modules only called from inside a cycle that no root reaches: the first is judged
        # as a root (with its defaults), and the rest of the cycle as it instantiates them.
        pending = []
    tree.notes = builder.notes
    tree.resolvers = builder.resolvers
    tree.instances = builder.addresses
    tree.installed = builder.installed_sites
    tree.links = builder.links
    return tree


def _manifest_of(root: str) -> str:
    return MANIFEST if root == "." else f"{root}/{MANIFEST}"


def relocated(finding: Finding, site: Location, module: Installed) -> Finding:
    """A finding inside an installed module, at the repository's `module` block that leads into it;
    the message names the installed module and the inner file and line, also a related location."""
    inner = finding.location
    # Relative to the installed module: equal for every copy init made of it (one per call).
    within = posixpath.relpath(inner.file, module.directory) if inner.file.startswith(module.directory + "/") \
        else inner.file
    message = f"{finding.message} [in installed module {module.describe() or module.key}, {within}:{inner.span.start_line}]"
    return dataclasses.replace(finding, location=site, message=message,
                               related=tuple(dict.fromkeys((inner, *finding.related))))


# --- findings from several instances ---------------------------------------------------------------

_NAMED_INSTANCES = 5  # a message names at most this many instances, then counts the rest
_RELATED_SITES = 10  # module call sites given as related locations


def _natural(address: str) -> tuple:
    """`module.a[2]` before `module.a[10]`."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", address))


def merge_instance_findings(findings: Iterable[Finding],
                            instances: dict[str, tuple[str, str, Location]] | None = None) -> list[Finding]:
    """Identical findings (code, file, line, message, place) in several of the module
    `instances` the tree built, reported once: at the first instance's address, the message
    naming every instance, the root's module blocks that make them as related locations.
    (A plan's instances are apart already: each has its own entry.)"""
    instances = instances or {}
    groups: dict[tuple, list[tuple[tuple, Finding]]] = {}
    for finding in findings:
        instance = instances.get(finding.module)
        local = finding.resource
        if instance and local.startswith(instance[0] + "."):
            local = local[len(instance[0]) + 1:]
        # Instances of one block can place the same grant at another index (a `concat` whose first
        # list is conditional): the same message at the same place is one finding whatever the detail.
        detail = "" if instance else finding.detail
        key = (finding.code, finding.location, finding.message, detail, local, finding.suppressed,
               finding.identity, instance is not None)
        groups.setdefault(key, []).append((instance or ("", "", None), finding))
    merged = []
    for (*_, is_instance), members in groups.items():
        members.sort(key=lambda m: (_natural(m[0][0]), _natural(m[0][1])))
        first = members[0][1]
        if is_instance:
            roots = {root for (_, root, _), _ in members}
            # Instances of several roots may share an address: name the root too.
            names = list(dict.fromkeys(address if len(roots) == 1 else f"{address} of {root}"
                                       for (address, root, _), _ in members))
            # Kept first: the inner location of a finding moved out of an installed module.
            sites = tuple(dict.fromkeys((*(r for _, member in members for r in member.related),
                                         *(site for (_, _, site), _ in members))))
            sites = tuple(site for site in sites if site != first.location)
            first = dataclasses.replace(first, related=sites[:_RELATED_SITES])
            if len(names) > 1:
                shown = ", ".join(names[:_NAMED_INSTANCES])
                if len(names) > _NAMED_INSTANCES:
                    shown += f" and {len(names) - _NAMED_INSTANCES} more"
                first = dataclasses.replace(first, message=f"{first.message} (in {shown})")
        merged.append(first)
    return merged


_CONFIGURATION_NOTE_RE = re.compile(r" \(configuration ([^()]*)\)$")


def merge_configuration_findings(findings: Iterable[Finding]) -> list[Finding]:
    """A once-per-configuration finding (AIA104, AIA203...) that several roots raise at the same
    block of a module they share, reported once naming the configurations: "envs/dev, envs/prod
    and envs/staging" instead of three identical lines. The identity (and so the baseline
    fingerprint) is the first configuration's."""
    groups: dict[tuple, list[Finding]] = {}
    order: list[tuple] = []
    for finding in findings:
        found = _CONFIGURATION_NOTE_RE.search(finding.message) if finding.identity else None
        key = ((finding.code, finding.location, finding.resource, finding.detail, finding.suppressed,
                finding.message[:found.start()]) if found else (id(finding),))
        if key not in groups:
            order.append(key)
        groups.setdefault(key, []).append(finding)
    merged = []
    for key in order:
        members = groups[key]
        if len(members) == 1:
            merged.append(members[0])
            continue
        members.sort(key=lambda f: _natural(_CONFIGURATION_NOTE_RE.search(f.message).group(1)))
        names = [_CONFIGURATION_NOTE_RE.search(f.message).group(1) for f in members]
        shown = ", ".join(names[:_NAMED_INSTANCES])
        if len(names) > _NAMED_INSTANCES:
            shown += f" and {len(names) - _NAMED_INSTANCES} more"
        first = members[0]
        related = tuple(dict.fromkeys(site for f in members for site in f.related))[:_RELATED_SITES]
        merged.append(dataclasses.replace(first, message=f"{key[-1]} (configurations {shown})", related=related))
    return merged
