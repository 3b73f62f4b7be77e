"""The `aiaas-iac` command line: scan, rules, explain, version."""

from __future__ import annotations

import os
import sys
import time
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from aiaas_iac import __version__

EXIT_CODES_HELP = """
Exit codes:

  0  no finding at or above --fail-on (and every file parsed)

  1  at least one finding at or above --fail-on

  2  usage or configuration error (bad option, unknown check, unreadable config)

  3  no gating finding, but at least one file could not be parsed or a check failed

  4  internal error (a bug: please report it; rerun with --debug for the traceback)
"""

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


class FailOn(str, Enum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    none = "none"


def _split(values: Optional[List[str]]) -> list[str]:
    return [item.strip() for value in values or [] for item in value.split(",") if item.strip()]


def _fail(message: str, code: int = 2) -> "typer.Exit":
    typer.echo(f"aiaas-iac: error: {message}", err=True)
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
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", "-f", metavar="FORMAT", help="Report format: text, json or sarif."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE", help="Write the report to FILE (default: stdout)."),
    fail_on: FailOn = typer.Option(FailOn.low, "--fail-on", metavar="SEVERITY", help="Lowest severity that makes the exit code 1 (critical, high, medium, low); `none` never fails on findings."),
    select: Optional[List[str]] = typer.Option(None, "--select", metavar="CODES", help="Only these checks: codes, code prefixes (AIA1) or slugs, comma-separated."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", metavar="CODES", help="Skip these checks: codes, code prefixes or slugs, comma-separated."),
    exclude: Optional[List[str]] = typer.Option(None, "--exclude", metavar="GLOB", help="Skip paths matching this glob (repeatable)."),
    checks_dir: Optional[List[Path]] = typer.Option(None, "--checks-dir", metavar="DIR", help="Load extra checks from this directory (repeatable)."),
    category: str = typer.Option("aiaas-iac/", "--category", metavar="ID", help="SARIF runAutomationDetails.id (GitHub code scanning category)."),
    soft_fail: bool = typer.Option(False, "--soft-fail", help="Report, but always exit 0 unless usage is wrong."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    from aiaas_iac.engine import UsageError, scan as run_scan
    from aiaas_iac.model import Severity
    from aiaas_iac.report import render

    progress = _Progress()
    try:
        report = run_scan(
            [str(p) for p in paths] if paths else ["."],
            select=_split(select), ignore=_split(ignore), excludes=_split(exclude),
            checks_dirs=list(checks_dir or []), debug=debug, progress=progress,
        )
    except UsageError as error:
        raise _fail(str(error))
    finally:
        progress.clear()
    to_terminal = output is None
    color = to_terminal and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    text = render(report, output_format.value, color=color, category=category)
    if to_terminal:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise _fail(f"cannot write {output}: {error.strerror or error}")
        for error in report.errors:
            typer.echo(f"aiaas-iac: skipped {error}", err=True)
    if soft_fail:
        raise typer.Exit(0)
    threshold = None if fail_on is FailOn.none else Severity(fail_on.value)
    raise typer.Exit(report.exit_code(threshold))


def _formats_label(formats: tuple[str, ...]) -> str:
    short = {"terraform": "TF", "cloudformation": "CFN", "kubernetes": "K8s"}
    return ",".join(short.get(f, f) for f in formats)


@app.command(help="List every check: code, slug, severity, formats and title.")
def rules(
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", "-f", help="text or json."),
) -> None:
    import json

    from aiaas_iac.engine import load_checks

    metas = [c.meta() for c in load_checks()]
    if output_format is OutputFormat.json:
        typer.echo(json.dumps([{"code": m.code, "slug": m.slug, "severity": m.severity.value,
                                "formats": list(m.formats), "title": m.title} for m in metas], indent=2))
        return
    rows = [("CODE", "SLUG", "SEVERITY", "FORMATS", "TITLE")]
    rows += [(m.code, m.slug, m.severity.value, _formats_label(m.formats), m.title) for m in metas]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        typer.echo("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4])


@app.command(help="Explain a check: what it catches, why it matters, examples, remediation, mappings.")
def explain(check: str = typer.Argument(..., help="A check code (AIA101) or slug (bedrock-wildcard-permission).")) -> None:
    from aiaas_iac.docs import explain_text
    from aiaas_iac.engine import load_checks

    wanted = check.strip()
    for check_class in load_checks():
        if wanted.upper() == check_class.code or wanted.lower() == check_class.slug:
            typer.echo(explain_text(check_class.meta()))
            return
    raise _fail(f"unknown check {wanted!r} (see `aiaas-iac rules`)")


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
    except Exception as error:  # never a traceback unless --debug
        if debug:
            raise
        typer.echo(f"aiaas-iac: internal error: {type(error).__name__}: {error} (rerun with --debug)", err=True)
        sys.exit(4)


if __name__ == "__main__":
    main()
