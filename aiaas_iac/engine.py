"""Run the checks over the scanned set: discover -> parse -> resolve -> check -> filter -> report."""

from __future__ import annotations

import importlib.util
import inspect
import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from aiaas_iac.check import Check
from aiaas_iac.model import CheckMeta, Finding, ParseError, Resource, Severity

BUILTIN_CHECKS_PACKAGE = "aiaas_iac.checks"


class UsageError(Exception):
    """Bad options or configuration: the CLI exits 2 with this one-line message."""


@dataclass
class Report:
    """The result of one scan: what the CLI and reporters consume."""

    root: Path
    findings: list[Finding]
    errors: list[ParseError]
    checks: list[CheckMeta]
    files_scanned: int
    duration_seconds: float
    notes: list[str] = field(default_factory=list)
    tool_errors: list[str] = field(default_factory=list)

    def gating(self, fail_on: Severity | None) -> list[Finding]:
        if fail_on is None:
            return []
        return [f for f in self.findings if not f.suppressed and f.severity.rank >= fail_on.rank]

    def exit_code(self, fail_on: Severity | None) -> int:
        if self.gating(fail_on):
            return 1
        if self.errors or self.tool_errors:
            return 3
        return 0


def builtin_checks_dir() -> Path:
    """`aiaas_iac/checks` in an installed wheel, `checks/` beside the package in a source tree."""
    package_dir = Path(__file__).resolve().parent
    installed = package_dir / "checks"
    return installed if installed.is_dir() else package_dir.parent / "checks"


def _load_module(path: Path, package: str) -> Any:
    name = f"{package}.{path.stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UsageError(f"{path}: cannot load check module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_checks(extra_dirs: Sequence[Path] = ()) -> list[type[Check]]:
    """Every check class in the built-in catalog and in `extra_dirs`, sorted by code."""
    found: dict[str, type[Check]] = {}
    for index, directory in enumerate([builtin_checks_dir(), *extra_dirs]):
        if not directory.is_dir():
            raise UsageError(f"{directory}: checks directory not found")
        package = BUILTIN_CHECKS_PACKAGE if index == 0 else f"aiaas_iac_user_checks_{index}"
        for path in sorted(directory.rglob("*.py")):
            if path.name.startswith("_"):
                continue
            relative = path.relative_to(directory).with_suffix("")
            module = _load_module(path, package + "." + ".".join(relative.parts[:-1]) if len(relative.parts) > 1 else package)
            for obj in vars(module).values():
                if inspect.isclass(obj) and issubclass(obj, Check) and obj is not Check and obj.__module__ == module.__name__:
                    if obj.code in found and found[obj.code] is not obj:
                        raise UsageError(f"{path}: check code {obj.code} is already defined by {found[obj.code].__module__}")
                    found[obj.code] = obj
    return [found[code] for code in sorted(found)]


def select_checks(checks: list[type[Check]], select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[type[Check]]:
    """Apply --select/--ignore: codes, code prefixes (`AIA1`) or slugs; unknown names are a usage error."""

    def matching(token: str) -> set[str]:
        token = token.strip()
        hits = {c.code for c in checks if c.slug == token.lower() or c.code.startswith(token.upper())}
        if not hits:
            raise UsageError(f"unknown check {token!r} (see `aiaas-iac rules`)")
        return hits

    select = [s for s in select if s.strip()]
    selected = set().union(*(matching(s) for s in select)) if select else {c.code for c in checks}
    ignored = set().union(*(matching(s) for s in ignore if s.strip()))
    return [c for c in checks if c.code in selected and c.code not in ignored]


def scan_root(paths: Sequence[Path]) -> Path:
    """The directory findings are reported relative to: the working directory when every path
    is inside it (CI runs at the repository root, which SARIF needs), else their common parent."""
    cwd = Path.cwd().resolve()
    absolute = [Path(os.path.abspath(p)) for p in paths]
    if all(p == cwd or cwd in p.parents for p in absolute):
        return cwd
    if len(absolute) == 1:
        return absolute[0] if absolute[0].is_dir() else absolute[0].parent
    return Path(os.path.commonpath([str(p) for p in absolute]))


def run_checks(checks: Sequence[type[Check]], resources: list[Resource], root: Path, debug: bool = False) -> tuple[list[Finding], list[str]]:
    from aiaas_iac.context import ScanContext

    ctx = ScanContext(resources, root)
    findings: list[Finding] = []
    failures: list[str] = []
    for check_class in checks:
        try:
            findings.extend(check_class().run(ctx))
        except Exception as error:  # one broken check must not lose the others' findings
            if debug:
                traceback.print_exc()
            failures.append(f"check {check_class.code} failed: {type(error).__name__}: {error}")
    unique = {(f.code, f.location, f.resource, f.detail): f for f in findings}
    return sorted(unique.values(), key=lambda f: f.sort_key), failures


def scan(
    paths: Any = ".",
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    excludes: Iterable[str] = (),
    checks_dirs: Sequence[Path] = (),
    root: Path | None = None,
    debug: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Scan files/directories and return a Report. Raises UsageError for bad options."""
    from aiaas_iac.discover import discover
    from aiaas_iac.parsers import parse_file
    from aiaas_iac.resolve import resolve_terraform

    started = time.perf_counter()
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    path_list = [Path(p) for p in paths] or [Path(".")]
    root = (root or scan_root(path_list)).resolve()
    checks = select_checks(load_checks(checks_dirs), select, ignore)
    sources, errors = discover(path_list, root, excludes)
    resources: list[Resource] = []
    notes: list[str] = []
    for done, source in enumerate(sources, 1):
        if progress is not None:
            progress(done, len(sources))
        parsed = parse_file(source)
        resources.extend(parsed.resources)
        errors.extend(parsed.errors)
        notes.extend(parsed.notes)
    terraform = [r for r in resources if r.format == "terraform"]
    others = [r for r in resources if r.format != "terraform"]
    resources = resolve_terraform(terraform, root) + others
    findings, failures = run_checks(checks, resources, root, debug)
    return Report(
        root=root, findings=findings, errors=sorted(errors, key=lambda e: (e.file, e.line or 0)),
        checks=[c.meta() for c in checks], files_scanned=len(sources),
        duration_seconds=time.perf_counter() - started, notes=notes, tool_errors=failures,
    )
