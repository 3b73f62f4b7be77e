"""The scanned set as checks see it: every resource, indexed, with references followable."""

from __future__ import annotations

import fnmatch
import functools
import re
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from aiaas_iac.model import Resource, Unknown


# Starts a Bicep reference written from the deployment file (`$` is in no Bicep identifier).
DEPLOYMENT_ROOT = "$root."
# A Terraform reference that crossed a module boundary (module_tree.crossed) is relative to the module
# instance it arrived in: each `$parent.` steps up to the caller, each `$module.<step>.` down into the
# instance the caller names `<step>` (`fn`, `fn[0]`, `fn["a"]`). `$` is in no HCL identifier.
UP_STEP = "$parent."
DOWN_STEP = "$module."
_DOWN = re.compile(r'\$module\.([^.\[\]"]+(?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?)\.')


# Names that belong to the module they are written in, not to a resource: not followed across.
LOCAL_HEADS = frozenset({"var", "local", "each", "count", "path", "self", "terraform"})
_PLAN_STEP = re.compile(r'\.?module\.([^.\[\]"]+(?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?)')


def ref_into_module(ref: str) -> str | None:
    """A reference of a caller as the module it passes it to sees it; None for a module-local name."""
    return None if ref.split(".", 1)[0].split("[", 1)[0] in LOCAL_HEADS else UP_STEP + ref


def ref_out_of_module(ref: str, step: str) -> str | None:
    """A reference of module instance `step` (`fn`, `fn[0]`) as its caller sees it: one `$parent.`
    fewer (it named the caller's own resource) or `$module.<step>.` more; None for a local name."""
    if ref.startswith(UP_STEP):
        return ref[len(UP_STEP):]
    return None if ref.split(".", 1)[0].split("[", 1)[0] in LOCAL_HEADS else f"{DOWN_STEP}{step}.{ref}"


def _plan_link(module: str) -> tuple[str | None, str]:
    """For a plan's module instance `plan.json#module.a[0].module.b`: (its caller's key, the
    caller's prefix for the instances it calls). Plan addresses quote keys as JSON, like steps."""
    file, _, address = module.rpartition("#")
    steps = [m.group(1) for m in _PLAN_STEP.finditer(address)] if address != "root" else []
    parent = None
    if steps:
        parent = f"{file}#" + (".".join(f"module.{s}" for s in steps[:-1]) or "root")
    return parent, f"{file}#" + ("" if address == "root" else address + ".")


def split_module_path(ref: str) -> tuple[str, str]:
    """(the `$parent.`/`$module.<step>.` steps a crossed reference starts with, the rest)."""
    end = 0
    while True:
        if ref.startswith(UP_STEP, end):
            end += len(UP_STEP)
            continue
        found = _DOWN.match(ref, end) if ref.startswith(DOWN_STEP, end) else None
        if found is None:
            return ref[:end], ref[end:]
        end = found.end()
_MODULE_QUALIFIED = re.compile(r"(?:module\.[^.]+\.)+[^.]+")


def address_of_ref(ref: str, format: str) -> str:
    """The resource address a reference points at.

    Terraform: `aws_iam_user.bot.name` -> `aws_iam_user.bot`,
    `data.aws_iam_policy_document.d.json` -> `data.aws_iam_policy_document.d`,
    `var.x` / `local.x` / `module.m` keep two parts. CloudFormation:
    `User` or `AccessKey.SecretAccessKey` -> the logical ID.
    """
    if format == "bicep" and ref.startswith(DEPLOYMENT_ROOT):
        # A module parameter's reference to a resource of its caller, from the deployment file
        # (`bicep_tree`): `$root.openai.identity.principalId` -> `$root.openai`
        return DEPLOYMENT_ROOT + address_of_ref(ref[len(DEPLOYMENT_ROOT):], format)
    if format == "bicep" and ref.startswith("module."):
        # A module output's reference, qualified by the calls it came through (`bicep_tree`):
        # `module.ai.module.oai.account.id` -> `module.ai.module.oai.account`
        found = _MODULE_QUALIFIED.match(ref)
        return found.group() if found else ref
    if format in ("bicep", "arm"):
        # `openai.identity.principalId` -> `openai`; `Microsoft.X/y/name.id` -> `Microsoft.X/y/name`
        dot = ref.find(".", ref.rfind("/") + 1)
        return ref if dot < 0 else ref[:dot]
    if format == "terraform" and ref.startswith("$"):
        steps, rest = split_module_path(ref)
        return steps + address_of_ref(rest, format) if steps and rest else ref
    parts = ref.replace("[", ".[").split(".")
    if format == "cloudformation":
        return parts[0]
    if parts[0] == "data":
        return ".".join(parts[:3])
    return ".".join(parts[:2])


def deployment_root(module: str) -> str:
    """The Bicep deployment evaluation a resource's module belongs to: a module instance's key
    `modules/ai.bicep#module.ai in main.bicep` -> `main.bicep`; a deployment file is its own."""
    return module.rsplit(" in ", 1)[1] if " in " in module else module


def _caller_prefix(resource: Resource) -> str:
    """`module.ai` for a resource of the instance `module.ai`, '' in the deployment file."""
    suffix = "." + resource.address
    full = resource.full_address
    return full[: -len(suffix)] if full.endswith(suffix) else ""


def address_from(near: Resource, resource: Resource) -> str:
    """How `near`'s file names `resource`: its address in the same module, `module.ai.account`
    for a Bicep resource of a module instance that `near`'s file calls; a Terraform resource of
    another module instance by its address from the root (`module.tool.aws_lambda_function.this`)."""
    if resource.module == near.module:
        return resource.address
    if resource.format == "terraform" and near.format == "terraform":
        return resource.full_address or f"{resource.address} of the root module"
    if resource.format != "bicep" or not resource.full_address:
        return resource.address
    prefix = _caller_prefix(near)
    if not prefix:
        return resource.full_address
    return resource.full_address[len(prefix) + 1:] if resource.full_address.startswith(prefix + ".") \
        else resource.address


def configuration_identity(identity: str, configuration: str) -> str:
    """The identity of a once-per-configuration finding: its fingerprint survives the block it is
    shown at moving, and stays apart from the same finding in another root. The scan root's own
    configuration keeps the bare identity, as before configurations were told apart."""
    return identity if configuration in (".", "") else f"{identity}:{configuration}"


def configuration_note(configuration: str) -> str:
    """Names the root a once-per-configuration finding is about, when it is not the scan root:
    a module shared by envs/dev and envs/prod may show both at the same line."""
    return "" if configuration in (".", "") else f" (configuration {configuration})"


@functools.lru_cache(maxsize=65536)
def _type_matches(resource_type: str, pattern: str) -> bool:
    # A scan makes hundreds of contexts (one per configuration) over the same few hundred types.
    return fnmatch.fnmatchcase(resource_type, pattern)


@functools.lru_cache(maxsize=4096)
def _is_glob(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")


class ScanContext:
    """What a check receives: all resources of one scan, grouped and indexed."""

    def __init__(self, resources: Iterable[Resource], root: Path | None = None,
                 configurations: dict[str, list[Resource]] | None = None) -> None:
        self.resources: tuple[Resource, ...] = tuple(resources)
        # Terraform root -> the resources of it and every module instance it calls (module_tree).
        self._configurations = configurations
        self.root = root or Path.cwd()
        self._by_type: dict[str, list[Resource]] = defaultdict(list)
        self._by_address: dict[tuple[str, str, str], Resource] = {}
        self._by_module: dict[tuple[str, str], list[Resource]] = defaultdict(list)
        for resource in self.resources:
            self._by_type[resource.type].append(resource)
            self._by_address.setdefault((resource.format, resource.module, resource.address), resource)
            self._by_module[(resource.format, resource.module)].append(resource)
        for resource in self.resources:
            # A plan has one resource per count/for_each instance (`aws_iam_user.ci[0]`) but its
            # references name the block (`aws_iam_user.ci.name`): the first instance stands in for
            # the block, as the block itself does in the source.
            block_address = resource.address.split("[", 1)[0]
            if block_address != resource.address:
                self._by_address.setdefault((resource.format, resource.module, block_address), resource)
        self._memo: dict[Any, Any] = {}
        self._of_type: dict[tuple, tuple[Resource, ...]] = {}
        # Terraform module instance -> (its caller, the instances it calls by step): module_tree.links
        self.module_links: dict[str, tuple[str | None, dict[str, str]]] = {}
        # Filled by the engine before tool-level checks (AIA9xx) run.
        self.suppressions: tuple = ()
        self.used_suppressions: set = set()
        self.check_names: dict[str, str] = {}  # code and slug (lower) -> code, of every known check

    def of_type(self, *patterns: str, kind: str | None = "resource", format: str | None = None) -> list[Resource]:
        """Resources whose type matches any of the glob patterns (`aws_bedrock*`), in scan order."""
        # Checks ask the same questions again and again (5,000 calls on a 300-file scan): answered once.
        question = (patterns, kind, format)
        answer = self._of_type.get(question)
        if answer is None:
            types: dict[str, None] = {}
            for pattern in patterns:
                if _is_glob(pattern):
                    types.update((t, None) for t in self._by_type if _type_matches(t, pattern))
                elif pattern in self._by_type:  # most questions name exact types
                    types[pattern] = None
            found = [r for t in types for r in self._by_type[t]
                     if (kind is None or r.kind == kind) and (format is None or r.format == format)]
            answer = self._of_type[question] = tuple(sorted(found, key=lambda r: (r.file, r.span.start_line)))
        return list(answer)

    def of_kind(self, kind: str, format: str | None = None) -> list[Resource]:
        return [r for r in self.resources if r.kind == kind and (format is None or r.format == format)]

    def modules(self, format: str | None = None) -> Iterator[tuple[str, list[Resource]]]:
        """(module, its resources) for each Terraform directory / template / manifest file."""
        for (fmt, module), resources in self._by_module.items():
            if format is None or fmt == format:
                yield module, resources

    def in_module(self, resource: Resource) -> list[Resource]:
        return self._by_module[(resource.format, resource.module)]

    def lookup(self, near: Resource, address: str) -> Resource | None:
        """The resource with `address` in the same module as `near`; for Bicep, also one a module
        output names (`module.ai.account`, see `address_of_ref`)."""
        found = self._by_address.get((near.format, near.module, address))
        if found is None and near.format == "bicep" and address.startswith(("module.", DEPLOYMENT_ROOT)):
            return self._across_modules(near, address)
        if found is None and near.format == "terraform" and address.startswith("$"):
            return self._across_instances(near, address)
        return found

    def _across_instances(self, near: Resource, address: str) -> Resource | None:
        """A Terraform resource of another module instance, by a crossed reference's address
        (`$parent.aws_iam_role.lambda`, `$module.fn.aws_lambda_function.tool`) relative to `near`'s."""
        module: str | None = near.module
        steps, rest = split_module_path(address)
        position = 0
        while position < len(steps) and module is not None:
            link = self.module_links.get(module)
            up = steps.startswith(UP_STEP, position)
            found = None if up else _DOWN.match(steps, position)
            if link is None and "#" in module:
                # A plan: every module instance is its own module, named by its address.
                parent, prefix = _plan_link(module)
                module = parent if up else f"{prefix}module.{found.group(1)}" if found else None
            elif link is None:
                return None
            else:
                module = link[0] if up else link[1].get(found.group(1)) if found else None
            position = position + len(UP_STEP) if up else found.end() if found else position
        if module is None or not rest:
            return None
        return self._by_address.get((near.format, module, rest))

    def _across_modules(self, near: Resource, address: str) -> Resource | None:
        """A Bicep resource of the deployment `near` belongs to, by its address relative to `near`'s
        file (`module.ai.account`, in a module instance it calls) or to the deployment file
        (`$root.openai`, `$root.module.ai.account`)."""
        def index() -> dict[tuple[str, str], Resource]:
            found: dict[tuple[str, str], Resource] = {}
            for resource in self.resources:
                if resource.format != "bicep" or resource.kind not in ("resource", "existing"):
                    continue
                root = deployment_root(resource.module)
                full = resource.full_address or (resource.address if resource.module == root else "")
                if full:
                    found.setdefault((root, full), resource)
                    found.setdefault((root, full.split("[", 1)[0]), resource)
            return found

        if address.startswith(DEPLOYMENT_ROOT):
            absolute = address[len(DEPLOYMENT_ROOT):]
        else:
            prefix = _caller_prefix(near)
            absolute = f"{prefix}.{address}" if prefix else address
        return self.memo("context.bicep_full_addresses", index).get((deployment_root(near.module), absolute))

    def referenced(self, near: Resource, value: Any) -> list[Resource]:
        """Resources (in `near`'s module) that `value` refers to, e.g. `aws_iam_user.bot.name`."""
        if not isinstance(value, Unknown):
            return []
        found: list[Resource] = []
        for ref in value.refs:
            target = self.lookup(near, address_of_ref(ref, near.format))
            if target is not None and target not in found:
                found.append(target)
        return found

    def has_configurations(self) -> bool:
        """True when the scan built Terraform's module tree (module_tree); a context built from
        bare resources (unit tests, library use) has none and is judged as one configuration."""
        return self._configurations is not None

    def configurations(self) -> list[tuple[str, list[Resource]]]:
        """(name, resources) of each configuration: a Terraform root with every module instance
        it calls (named by the root's directory), or one CloudFormation template / manifest."""
        def build() -> list[tuple[str, list[Resource]]]:
            if self._configurations is None:
                return [(".", list(self.resources))]
            found = [(name, members) for name, members in self._configurations.items() if members]
            taken = {id(r) for _, members in found for r in members}
            others: dict[str, list[Resource]] = defaultdict(list)
            for resource in self.resources:
                if resource.format != "terraform" and id(resource) not in taken:
                    others[resource.module].append(resource)
            return found + list(others.items())

        return self.memo("context.configurations", build)

    def configuration_contexts(self) -> list[tuple[str, "ScanContext"]]:
        """Each configuration as a context of its own, for the checks judged per configuration
        (AIA104, AIA110, AIA203): logging declared in one root does not cover another."""
        def build() -> list[tuple[str, ScanContext]]:
            if self._configurations is None:
                return [(".", self)]
            contexts = [(name, ScanContext(members, self.root, {name: members})) for name, members in self.configurations()]
            for _, context in contexts:
                context.module_links = self.module_links
            return contexts

        return self.memo("context.configuration_contexts", build)

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """Share one computation (e.g. every IAM statement in the scan) between checks."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]
