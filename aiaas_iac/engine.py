"""Run the checks over the scanned set: discover -> parse -> resolve -> check -> filter -> report."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import inspect
import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

from aiaas_iac.check import Check, check_names, code_of
from aiaas_iac.model import CheckMeta, Finding, ParseError, Resource, Severity

if TYPE_CHECKING:
    from aiaas_iac.config import Config

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
    baseline_matched: int = 0  # findings hidden because the baseline has them
    baseline_fixed: int = 0  # baseline entries no longer found
    not_in_changed_files: int = 0  # findings hidden by --changed-since
    config_path: str | None = None  # the config file applied: relative to root when inside it
    config_effects: list[str] = field(default_factory=list)  # every check, path or severity it turned off
    config_warnings: list[str] = field(default_factory=list)  # the config left nothing to scan or check

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


def scanned_paths(paths: Sequence[Path]) -> tuple[str, ...]:
    """The real paths a scan reads (reads and the cache are confined to them), each once."""
    return tuple(dict.fromkeys(os.path.realpath(p) for p in paths))


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


def _run(check_classes: Iterable[type[Check]], ctx: Any, debug: bool, failures: list[str]) -> list[Finding]:
    from aiaas_iac.iam.iamdata import IamDataError

    findings: list[Finding] = []
    for check_class in check_classes:
        try:
            findings.extend(check_class().run(ctx))
        except IamDataError:
            raise  # a broken installation, not a broken check: every AWS check would be blind
        except Exception as error:  # one broken check must not lose the others' findings
            if debug:
                traceback.print_exc()
            failures.append(f"check {check_class.code} failed: {type(error).__name__}: {error}")
    return findings


def _unique_sorted(findings: Iterable[Finding]) -> list[Finding]:
    # identity: a once-per-configuration finding of two roots may sit at the same module line.
    unique = {(f.code, f.location, f.resource, f.detail, f.identity): f for f in findings}
    return sorted(unique.values(), key=lambda f: f.sort_key)


def run_checks(checks: Sequence[type[Check]], resources: list[Resource], root: Path, debug: bool = False,
               suppressions: Sequence[Any] = (), known: Sequence[type[Check]] | None = None,
               tree: Any = None, observe: Callable[[Any, list[Finding]], None] | None = None,
               ) -> tuple[list[Finding], list[str]]:
    """Run checks, apply inline suppressions, then the tool-level checks that review them.
    `tree` (a module_tree.ModuleTree) gives the Terraform configurations and module instances.
    `observe(ctx, findings)` sees the context the checks ran on and their findings before
    instances are merged (the access inventory reads both in the same pass)."""
    from aiaas_iac.context import ScanContext
    from aiaas_iac.iam.iamdata import bedrock_services
    from aiaas_iac.module_tree import merge_configuration_findings, merge_instance_findings
    from aiaas_iac.redaction import sanitised_finding
    from aiaas_iac.suppress import apply_suppressions

    bedrock_services()  # a broken install fails loudly (IamDataError), whatever this scan holds
    ctx = ScanContext(resources, root, configurations=tree.configurations if tree is not None else None)
    if tree is not None:
        tree.bind(ctx)
    failures: list[str] = []
    names = check_names(known or checks)
    findings = _run([c for c in checks if not c.after_suppressions], ctx, debug, failures)
    if tree is not None:  # before suppressions: a comment at the repository's module block applies
        findings = tree.relocate(findings)
    findings, used = apply_suppressions(findings, suppressions, resources, names)
    ctx.suppressions, ctx.used_suppressions, ctx.check_names = tuple(suppressions), used, names
    findings += _run([c for c in checks if c.after_suppressions], ctx, debug, failures)
    if observe is not None:
        observe(ctx, findings)
    # The one place a finding's input-derived text is made safe for every report, the baseline and
    # the result cache (aiaas_iac.redaction): after suppressions and instance merging, so reasons
    # and merged messages are covered, and so are findings a user check builds itself.
    merged = merge_configuration_findings(merge_instance_findings(findings, tree.instances if tree is not None else None))
    return _unique_sorted(sanitised_finding(f) for f in merged), failures


def override_severities(findings: list[Finding], checks: list[CheckMeta], overrides: dict[str, str],
                        all_checks: Sequence[type[Check]]) -> tuple[list[Finding], list[CheckMeta]]:
    """Apply per-check severity overrides (config `severity` table) to findings and rule metadata."""
    if not overrides:
        return findings, checks
    names = check_names(all_checks)
    mapped: dict[str, Severity] = {}
    for name, severity in overrides.items():
        code = code_of(names, name)
        if code is None:
            raise UsageError(f"severity override for unknown check {name!r}")
        mapped[code] = Severity.parse(severity)
    findings = [dataclasses.replace(f, severity=mapped[f.code]) if f.code in mapped else f for f in findings]
    checks = [dataclasses.replace(m, severity=mapped[m.code]) if m.code in mapped else m for m in checks]
    return findings, checks


def drop_per_path_ignores(findings: list[Finding], per_path: dict[str, Sequence[str]],
                          all_checks: list[type[Check]], root: Path | None = None,
                          anchor: Path | None = None) -> list[Finding]:
    """`per-path-ignores`: glob -> checks not reported in matching files. Globs are relative to
    `anchor` (the config file's directory), by default the scan root; see aiaas_iac.path_glob."""
    from aiaas_iac.path_glob import AnchoredGlobs

    if not per_path:
        return findings
    root = root or Path.cwd()
    rules = [(AnchoredGlobs([glob], anchor or root).bind(root), {c.code for c in select_checks(all_checks, tokens)})
             for glob, tokens in per_path.items()]

    def ignored(finding: Finding) -> bool:
        return any(finding.code in codes and glob.first_match(finding.location.file) is not None
                   for glob, codes in rules)

    return [f for f in findings if not ignored(f)]


def _keep_frameworks(parsed: Any, kind: str, frameworks: tuple[str, ...]) -> Any:
    """Drop resources of formats not asked for; a plan's resources are Terraform from a structured file."""
    if kind not in ("structured", "bicep", "bicepparam"):
        return parsed

    def wanted(resource: Resource) -> bool:
        framework = "tfplan" if resource.format == "terraform" else resource.format
        return framework in frameworks

    kept = tuple(r for r in parsed.resources if wanted(r))
    if len(kept) == len(parsed.resources):
        return parsed
    return dataclasses.replace(parsed, resources=kept, errors=() if not kept else parsed.errors)


def _analyse(sources: list, checks: list, checks_stamp: str, limits: Any, options: "ScanOptions", root: Path,
             scanned: tuple[str, ...], debug: bool, progress: Callable[[int, int], None] | None,
             observe: Callable[[Any, list[Finding]], None] | None = None) -> Any:
    """Parse, resolve and check; an unchanged repository is served from the result cache.

    `file()`/`templatefile()` read only inside `scanned` (the real paths given to the scan, not the
    root), and every text taken from the input is made safe before it is kept or cached."""
    from aiaas_iac import result_cache

    key, digests = (result_cache.scan_key(root, scanned, sources, [c.code for c in checks], checks_stamp, limits,
                                          options) if options.use_cache else (None, {}))
    # An observer needs the evaluated model, which the result cache does not hold.
    cached = result_cache.load(key, scanned) if key and observe is None else None
    if cached is not None:
        return cached
    from aiaas_iac.parsers import parse_files

    loaded: dict[str, type[Check]] = {}

    def import_checks() -> None:
        # Only now are the checks' modules imported (catalog.py): a cached result needs none of them.
        # parse_files calls this while its workers parse.
        loaded.update((c.code, c) for c in load_checks(options.checks_dirs))

    # Per-file entries are written from a tree's second scan on (result_cache.SEEN_MARK).
    store = options.use_cache and result_cache.seen_before(root, scanned)
    pending: list[Callable[[], None]] = []  # cache writes still under way in the parse workers
    try:
        parsed = parse_files(sources, limits, progress=progress, use_cache=options.use_cache, jobs=options.jobs,
                             digests=digests, pending=pending, meanwhile=import_checks, store=store)
        if options.use_cache and not store:
            result_cache.mark_seen(root, scanned)
        if any(c.code not in loaded for c in checks):  # a check file removed since the catalog was read
            raise UsageError("the check sources changed during the scan; run it again")
        return _check_parsed(sources, parsed, [loaded[c.code] for c in checks], list(loaded.values()), key, options,
                             root, scanned, debug, observe)
    finally:
        for finish in pending:
            finish()


def _check_parsed(sources: list, parsed: list, checks: list, all_checks: list, key: str | None,
                  options: "ScanOptions", root: Path, scanned: tuple[str, ...], debug: bool,
                  observe: Callable[[Any, list[Finding]], None] | None) -> Any:
    """Resolve the module tree, run the checks and remember the result (see `_analyse`)."""
    from aiaas_iac import result_cache
    from aiaas_iac.file_reads import confined_to
    from aiaas_iac.module_manifest import is_installed
    from aiaas_iac.module_tree import build_tree
    from aiaas_iac.redaction import safe_text, sanitised_error

    if options.frameworks:
        parsed = [_keep_frameworks(p, s.kind, options.frameworks) for p, s in zip(parsed, sources)]
    resources = [r for p in parsed for r in p.resources]
    # Comments in installed modules (`.terraform/`) are the module author's, not the repository's.
    suppressions = [s for p in parsed for s in p.suppressions if not is_installed(s.file)]
    with confined_to(scanned) as reads:
        terraform = [r for r in resources if r.format == "terraform"]
        tree = build_tree(terraform, root)
        others = [r for r in resources if r.format not in ("terraform", "bicep", "arm")]
        deployments = [r for r in resources if r.format in ("bicep", "arm")]
        if deployments:
            from aiaas_iac.bicep_tree import build_tree as build_deployments

            azure = build_deployments(deployments, root)
            others = azure.resources + others
            tree.configurations.update(azure.configurations)
            tree.instances.update(azure.instances)
            tree.notes += azure.notes
        resources = tree.resources + others
        findings, failures = run_checks(checks, resources, root, debug, suppressions, all_checks, tree=tree,
                                        observe=observe)
        failures = [safe_text(f) for f in failures]
    notes = [n for p in parsed for n in p.notes] + list(reads.notes) + tree.notes
    result = result_cache.CachedResult(
        tuple(findings), tuple(failures), tuple(sanitised_error(e) for p in parsed for e in p.errors),
        tuple(dict.fromkeys(safe_text(n) for n in notes)), tuple(reads.outcomes.items()),
    )
    # A scan in which a check crashed or a file ran out of time is not worth remembering.
    if key and not failures and all(p.complete for p in parsed):
        result_cache.store(key, result)
    return result


# Parsing allocates millions of small containers that all stay alive until the checks have run,
# and the cyclic collector, with its default thresholds, keeps walking them: a third of a cold
# scan's CPU time on the benchmark corpus. Parse results are trees (reference counting frees them),
# so the scan collects far less often; peak memory did not change measurably.
_SCAN_GC_THRESHOLD = 50_000


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    import gc

    saved = gc.get_threshold()
    gc.set_threshold(max(saved[0], _SCAN_GC_THRESHOLD), *saved[1:])  # forked parse workers inherit it
    try:
        yield
    finally:
        gc.set_threshold(*saved)


@dataclass(frozen=True)
class ScanOptions:
    """Everything a scan can be told; the CLI fills it from flags over the config file.

    `config` is the config file as applied (keys a flag overrode are blank): the
    scan takes its `exclude` and `per-path-ignores` from it, anchored at the
    file's directory, and describes what it turned off on the Report. Other
    settings reach the scan through the fields here. `excludes` and
    `per_path_ignores` are relative to the scan root.
    """

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    checks_dirs: tuple[Path, ...] = ()
    severity: dict = field(default_factory=dict)
    per_path_ignores: dict = field(default_factory=dict)
    baseline: Path | None = None
    changed_since: str | None = None
    max_file_size: int | None = None
    max_depth: int | None = None
    use_cache: bool = True
    jobs: int | None = None
    frameworks: tuple[str, ...] = ()  # terraform, cloudformation, kubernetes, tfplan, bicep, arm; empty: all
    config: "Config | None" = None


def scan(
    paths: Any = ".",
    *,
    root: Path | None = None,
    debug: bool = False,
    progress: Callable[[int, int], None] | None = None,
    options: ScanOptions | None = None,
    observe: Callable[[Any, list[Finding]], None] | None = None,
    **keywords: Any,
) -> Report:
    """Scan files/directories and return a Report. Raises UsageError for bad options.

    Options are a ScanOptions or its fields as keywords (`select=["AIA1"]`, `baseline=Path(...)`).
    """
    from aiaas_iac.discover import discover
    from aiaas_iac.parsers import ParseLimits
    from aiaas_iac.path_glob import AnchoredGlobs, PathFilter
    from aiaas_iac.redaction import safe_text, sanitised_error

    started = time.perf_counter()
    options = dataclasses.replace(options or ScanOptions(), **{k: tuple(v) if isinstance(v, list) else v for k, v in keywords.items()})
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    path_list = [Path(p) for p in paths] or [Path(".")]
    root = (root or scan_root(path_list)).resolve()
    scanned = scanned_paths(path_list)
    if options.use_cache:
        from aiaas_iac.cache import usable_for

        if not usable_for(scanned):
            options = dataclasses.replace(options, use_cache=False)
    from aiaas_iac.catalog import check_catalog

    all_checks, checks_stamp = check_catalog(options.checks_dirs, options.use_cache)
    checks = select_checks(all_checks, options.select, options.ignore)
    limits = ParseLimits(**{k: v for k, v in (("max_file_bytes", options.max_file_size), ("max_depth", options.max_depth)) if v})
    config = options.config
    config_excludes = [AnchoredGlobs(config.exclude, config.anchor or root)] if config is not None else []
    discovery_notes: list[str] = []
    sources, errors = discover(path_list, root, PathFilter(root, [AnchoredGlobs(options.excludes, root), *config_excludes]),
                               notes=discovery_notes)
    if options.frameworks and "terraform" not in options.frameworks:
        wanted = ("structured", "bicep", "bicepparam") if "bicep" in options.frameworks else ("structured",)
        sources = [s for s in sources if s.kind in wanted]
    with _fewer_collections():
        result = _analyse(sources, checks, checks_stamp, limits, options, root, scanned, debug, progress, observe)
    if options.use_cache:
        from aiaas_iac.cache import sweep_if_written

        sweep_if_written()
    errors = [sanitised_error(e) for e in errors] + list(result.errors)
    findings, failures = list(result.findings), list(result.failures)
    notes = list(dict.fromkeys([safe_text(n) for n in discovery_notes] + list(result.notes)))
    findings = drop_per_path_ignores(findings, options.per_path_ignores, all_checks, root)
    before_config_ignores = len(findings)
    if config is not None:
        findings = drop_per_path_ignores(findings, config.per_path_ignores, all_checks, root, config.anchor)
    metas = [c.meta for c in checks]
    findings, metas = override_severities(findings, metas, options.severity, all_checks)
    report = Report(
        root=root, findings=findings, errors=sorted(errors, key=lambda e: (e.file, e.line or 0)),
        checks=metas, files_scanned=len(sources), duration_seconds=0.0, notes=notes, tool_errors=failures,
    )
    if options.changed_since:
        from aiaas_iac.changes import keep_changed_files

        keep_changed_files(report, options.changed_since, path_list)
    if options.baseline is not None:
        from aiaas_iac.baseline import apply_baseline

        apply_baseline(report, options.baseline, {s.rel for s in sources})
    if config is not None and config.path is not None:
        _describe_config(report, config, all_checks, path_list, options.excludes,
                         hidden_by_path=before_config_ignores - len(findings))
    report.duration_seconds = time.perf_counter() - started
    return report


def _describe_config(report: Report, config: "Config", all_checks: list[type[Check]], paths: list[Path],
                     cli_excludes: tuple[str, ...], hidden_by_path: int) -> None:
    """Put on the report which config file applied, what it turned off, and whether it left nothing to do."""
    from aiaas_iac.config_effects import nothing_left_warnings, shown_path, static_effects
    from aiaas_iac.discover import discover

    report.config_path = shown_path(config.path, report.root)
    report.config_effects = static_effects(config, all_checks)
    if config.baseline is not None:
        report.config_effects.append(
            f"baseline {shown_path(config.baseline, report.root)} hides {report.baseline_matched} "
            f"finding{'' if report.baseline_matched == 1 else 's'} already in it")
    if hidden_by_path:
        report.config_effects.append(f"per-path-ignores hid {hidden_by_path} finding{'' if hidden_by_path == 1 else 's'}")
    without_config = None
    if config.exclude and report.files_scanned == 0:  # only then is a second walk worth it
        without_config = len(discover(paths, report.root, cli_excludes)[0])
    active = sum(1 for f in report.findings if not f.suppressed)
    report.config_warnings = nothing_left_warnings(config, len(report.checks), report.files_scanned, without_config,
                                                   hidden_by_path, active)
