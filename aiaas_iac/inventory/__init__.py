"""The AI access inventory: which identities, keys and workloads can reach which AI service.

One `AccessPath` per identity and service, built in the scan's own pass from the
evaluated model the checks read (the same `ScanContext`, the same iam/ helpers,
configuration by configuration and through module instances), with the codes of
the findings the checks made on the resources of that path.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiaas_iac.inventory.model import SCHEMA_VERSION, AccessPath, Identity  # noqa: F401  (re-exported)

if TYPE_CHECKING:
    from aiaas_iac.engine import Report


@dataclass
class Inventory:
    """The inventory of one tree, and the scan report it was built with (errors, findings)."""

    root: Path
    paths: list[AccessPath]
    report: "Report"
    failures: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list:
        return self.report.errors

    def exit_code(self) -> int:
        """0, or 3 when a file was skipped or a check or builder failed (as `scan`)."""
        return 3 if self.report.errors or self.report.tool_errors or self.failures else 0


def build_paths(ctx: Any, debug: bool = False) -> tuple[list[AccessPath], list[str]]:
    """Every access path of the scanned set, configuration by configuration."""
    from aiaas_iac.inventory import aws, azure, gcp, kubernetes
    from aiaas_iac.inventory.common import Collector

    collector = Collector()
    failures: list[str] = []
    for _, configuration in ctx.configuration_contexts():
        for builder in (aws, gcp, azure, kubernetes):
            try:
                builder.build(configuration, collector)
            except Exception as error:  # one broken builder must not lose the other clouds' paths
                if debug:
                    traceback.print_exc()
                name = builder.__name__.rsplit(".", 1)[-1]
                message = f"inventory of {name} paths failed: {type(error).__name__}: {error}"
                if message not in failures:
                    failures.append(message)
    paths = sorted(collector.paths.values(),
                   key=lambda p: (p.identity.file, p.identity.line, p.identity.address, p.service, p.identity.kind))
    return paths, failures


def attach_findings(paths: list[AccessPath], raw: list, reported: list) -> None:
    """Each path's `findings`: codes of the (unsuppressed, reported) findings on its resources.
    `raw` are the checks' findings before module instances were merged, `reported` the report's."""
    kept = {(f.code, f.location.file, f.location.span.start_line, f.detail) for f in reported if not f.suppressed}
    by_resource: dict[tuple, set] = {}
    for finding in raw:
        if finding.suppressed or (finding.code, finding.location.file, finding.location.span.start_line,
                                  finding.detail) not in kept:
            continue
        by_resource.setdefault((finding.module, finding.resource), set()).add(finding.code)
    for path in paths:
        codes: set = set()
        for key in path.related:
            codes |= by_resource.get(key, set())
        path.findings = sorted(codes)


def inventory(paths: Any = ".", *, debug: bool = False, **options: Any) -> Inventory:
    """Inventory files or directories; options are `aiaas_iac.engine.scan`'s (a ScanOptions or its
    fields as keywords). Raises engine.UsageError for bad options."""
    from aiaas_iac.engine import scan
    from aiaas_iac.redaction import safe_text

    seen: dict[str, Any] = {}

    def observe(ctx: Any, findings: list) -> None:
        seen["paths"], seen["failures"] = build_paths(ctx, debug)
        seen["raw"] = list(findings)

    report = scan(paths, debug=debug, observe=observe, **options)
    found: list[AccessPath] = seen.get("paths", [])
    attach_findings(found, seen.get("raw", []), report.findings)
    return Inventory(report.root, found, report, [safe_text(f) for f in seen.get("failures", [])])


class _CallableModule(type(traceback)):
    """`aiaas_iac.inventory(paths)` is the API, and `aiaas_iac.inventory` is also this package:
    importing the package replaces the lazy function on `aiaas_iac`, so the package is callable."""

    def __call__(self, paths: Any = ".", **options: Any) -> Inventory:
        return inventory(paths, **options)


import sys as _sys  # noqa: E402

_sys.modules[__name__].__class__ = _CallableModule
