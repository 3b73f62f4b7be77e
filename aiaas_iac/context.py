"""The scanned set as checks see it: every resource, indexed, with references followable."""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from aiaas_iac.model import Resource, Unknown


def address_of_ref(ref: str, format: str) -> str:
    """The resource address a reference points at.

    Terraform: `aws_iam_user.bot.name` -> `aws_iam_user.bot`,
    `data.aws_iam_policy_document.d.json` -> `data.aws_iam_policy_document.d`,
    `var.x` / `local.x` / `module.m` keep two parts. CloudFormation:
    `User` or `AccessKey.SecretAccessKey` -> the logical ID.
    """
    parts = ref.replace("[", ".[").split(".")
    if format == "cloudformation":
        return parts[0]
    if parts[0] == "data":
        return ".".join(parts[:3])
    return ".".join(parts[:2])


class ScanContext:
    """What a check receives: all resources of one scan, grouped and indexed."""

    def __init__(self, resources: Iterable[Resource], root: Path | None = None) -> None:
        self.resources: tuple[Resource, ...] = tuple(resources)
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
        # Filled by the engine before tool-level checks (AIA9xx) run.
        self.suppressions: tuple = ()
        self.used_suppressions: set = set()
        self.check_names: dict[str, str] = {}  # code and slug (lower) -> code, of every known check

    def of_type(self, *patterns: str, kind: str | None = "resource", format: str | None = None) -> list[Resource]:
        """Resources whose type matches any of the glob patterns (`aws_bedrock*`), in scan order."""
        types = [t for t in self._by_type if any(fnmatch.fnmatchcase(t, p) for p in patterns)]
        found = [r for t in types for r in self._by_type[t]
                 if (kind is None or r.kind == kind) and (format is None or r.format == format)]
        return sorted(found, key=lambda r: (r.file, r.span.start_line))

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
        """The resource with `address` in the same module as `near`."""
        return self._by_address.get((near.format, near.module, address))

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

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """Share one computation (e.g. every IAM statement in the scan) between checks."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]
