"""Terminal output: findings grouped by file, parse errors, then a one-line summary.

    main.tf:12:5 AIA101 [high] aws_iam_policy.app grants bedrock:* on * (aws_iam_policy.app)
        → aiaas-iac explain AIA101

    Parse errors:
    broken.tf:3: error: Unexpected token '}'

    1 note (1 Helm template skipped); -v to list
    Found 1 finding (1 high) in 2 files; 1 file could not be parsed. 0.04s

Someone reading a terminal wants to know what to do next: each finding is
followed by one short line of remediation (the first sentence when it is
short, else the `explain` command that has all of it); `quiet` leaves it out,
`verbose` prints the whole remediation and lists the notes. Module calls not evaluated
until `terraform init` runs are listed even without `verbose` (up to SHOWN_INIT_NOTES).
"""

from __future__ import annotations

import re
from itertools import groupby
from typing import TYPE_CHECKING, Iterable

from aiaas_iac.model import Finding, ParseError, Severity
# Messages quote names and values from the scanned files: every piece of input
# goes through the terminal sink's escaping (escape.py says why).
from aiaas_iac.report.escape import terminal_lines, terminal_text

if TYPE_CHECKING:
    from aiaas_iac.engine import Report

SEVERITY_COLORS = {
    Severity.CRITICAL: "\x1b[1;35m",
    Severity.HIGH: "\x1b[31m",
    Severity.MEDIUM: "\x1b[33m",
    Severity.LOW: "\x1b[36m",
}
ERROR_COLOR = "\x1b[1;31m"
RESET = "\x1b[0m"


def render(report: "Report", *, color: bool = False, verbose: bool = False, quiet: bool = False,
           show_suppressed: bool = False) -> str:
    """The whole terminal report. `verbose` adds the full remediation, suppressed findings and
    the notes themselves; `quiet` leaves out the remediation line under each finding."""
    shown = [f for f in report.findings if verbose or show_suppressed or not f.suppressed]
    detail = "full" if verbose else "none" if quiet else "short"
    sections = [finding_groups(shown, color, detail)]
    if report.errors:
        sections.append(["Parse errors:", *(parse_error_line(e, color) for e in report.errors)])
    if report.tool_errors:
        sections.append(["Tool errors:", *(_labelled("error", message, color) for message in report.tool_errors)])
    if verbose and report.notes:
        sections.append([f"note: {terminal_text(note)}" for note in report.notes])
    else:
        sections.append(init_notes(report.notes))
    sections.append(config_lines(report))
    notes = [] if verbose or not report.notes else [notes_summary(report.notes)]
    sections.append(notes + [summary_line(report)])
    text = "\n\n".join("\n".join(section) for section in sections if section) + "\n"
    # A safety net for lines composed of several pieces: none may start with `::`.
    return terminal_lines(text)


def finding_groups(findings: Iterable[Finding], color: bool, detail: str = "short") -> list[str]:
    """One block of lines per file, files in path order, a blank line between files."""
    ordered = sorted(findings, key=lambda f: f.sort_key)
    blocks = []
    for _file, in_file in groupby(ordered, key=lambda f: f.location.file):
        blocks.append("\n".join(finding_lines(f, color, detail) for f in in_file))
    return ["\n\n".join(blocks)] if blocks else []


def finding_lines(finding: Finding, color: bool, detail: str = "short") -> str:
    """The finding's line, then its remediation: none, one short line, or all of it."""
    span = finding.location.span
    where = f"{finding.location.file}:{span.start_line}"
    if span.start_column:
        where += f":{span.start_column}"
    severity = f"[{finding.severity.value}]"
    if color:
        severity = f"{SEVERITY_COLORS[finding.severity]}{severity}{RESET}"
    # Findings on a comment (AIA901/AIA902) belong to no resource: no empty `()`.
    resource = f" ({finding.resource})" if finding.resource else ""
    line = terminal_text(f"{where} {finding.code} ") + severity + terminal_text(f" {finding.message}{resource}")
    if finding.suppressed:
        line += terminal_text(f" [suppressed: {finding.suppression_reason or 'no reason given'}]")
    if detail == "full" and finding.remediation:
        first, *rest = terminal_text_lines(finding.remediation)
        line += "\n    remediation: " + first + "".join(f"\n      {text}" for text in rest)
    elif detail == "short":
        line += "\n    → " + terminal_text(short_remediation(finding.remediation, finding.code))
    return line


SHORT_REMEDIATION_CHARS = 120
# A sentence ends at `.`, `!` or `?` before a blank, outside a `code span` (remediation quotes
# HCL such as `secret_ref { ... }` whose dots end nothing).
_SENTENCE = re.compile(r"(?:`[^`]*`|[^`])*?[.!?](?=\s|$)", re.DOTALL)


def short_remediation(remediation: str, code: str) -> str:
    """The remediation's first sentence on one line when it is short, else where to read it all."""
    text = " ".join(remediation.split())
    match = _SENTENCE.match(text)
    sentence = match.group() if match else text
    if sentence and len(sentence) <= SHORT_REMEDIATION_CHARS:
        return sentence
    return f"aiaas-iac explain {code}"


# What kinds of notes there are, by a phrase each kind's text holds (see parsers/kubernetes.py
# `helm_note`, file_reads.py, the module evaluator); anything else is counted as "other".
_NOTE_KINDS = (
    ("Helm template", "Helm template skipped", "Helm templates skipped"),
    ("file() ", "file() not read", "file() reads refused"),
    ("not evaluated", "module not evaluated", "modules not evaluated"),
    ("module cycle", "module cycle", "module cycles"),
    ("outside the scanned root", "module source outside the root", "module sources outside the root"),
    ("instances", "module instance limit", "module instance limits"),
    ("nested deeper", "module nesting limit", "module nesting limits"),
)


_INIT_NOTE = "run terraform init to include it"
SHOWN_INIT_NOTES = 5


def init_notes(notes: Iterable[str]) -> list[str]:
    """Module calls left unevaluated until `terraform init` runs, listed without -v: the user can
    act on them, and the code behind them was not judged. At most SHOWN_INIT_NOTES lines."""
    wanted = [note for note in notes if _INIT_NOTE in note]
    lines = [f"note: {terminal_text(note)}" for note in wanted[:SHOWN_INIT_NOTES]]
    if len(wanted) > SHOWN_INIT_NOTES:
        lines.append(f"note: {len(wanted) - SHOWN_INIT_NOTES} more module calls not evaluated; -v to list")
    return lines


def notes_summary(notes: Iterable[str]) -> str:
    """`3 notes (2 Helm templates skipped, 1 file() not read); -v to list`: notes say what the
    scan could not judge, so their count is never hidden, only their list."""
    counts: dict[tuple[str, str], int] = {}
    total = 0
    for note in notes:
        total += 1
        kind = next(((one, many) for phrase, one, many in _NOTE_KINDS if phrase in note), ("other", "other"))
        counts[kind] = counts.get(kind, 0) + 1
    parts = ", ".join(f"{n} {one if n == 1 else many}" for (one, many), n in counts.items())
    return f"{_plural(total, 'note')} ({parts}); -v to list"


def terminal_text_lines(text: str) -> list[str]:
    return [terminal_text(line) for line in text.strip().splitlines()] or [""]


def parse_error_line(error: ParseError, color: bool) -> str:
    where = f"{error.file}:{error.line}" if error.line else error.file
    return terminal_text(f"{where}: ") + _labelled("error", error.message, color)


def _labelled(label: str, message: str, color: bool) -> str:
    label = f"{ERROR_COLOR}{label}:{RESET}" if color else f"{label}:"
    return f"{label} {terminal_text(message)}"


def config_lines(report: "Report") -> list[str]:
    """Which config file applied and everything it turned off: a narrowed gate is never silent."""
    if report.config_path is None:
        return []
    if not report.config_effects and not report.config_warnings:
        return [terminal_text(f"Config {report.config_path} applied; it turns nothing off.")]
    lines = [terminal_text(f"Config {report.config_path} narrows this scan:")]
    lines += [terminal_text(f"  {effect}") for effect in report.config_effects]
    lines += [terminal_text(f"  warning: {warning}") for warning in report.config_warnings]
    return lines


def summary_line(report: "Report") -> str:
    """`Found 7 findings (2 high, 5 medium) in 12 files; 1 file could not be parsed. 0.21s`"""
    active = [f for f in report.findings if not f.suppressed]
    if active:
        counts = [(sum(1 for f in active if f.severity is severity), severity.value) for severity in Severity]
        by_severity = ", ".join(f"{count} {name}" for count, name in counts if count)
        text = f"Found {_plural(len(active), 'finding')} ({by_severity})"
    else:
        text = "No findings"
    text += f" in {_plural(report.files_scanned, 'file')}"
    suppressed = len(report.findings) - len(active)
    if suppressed:
        text += f"; {suppressed} suppressed"
    unparsed = len({error.file for error in report.errors})
    if unparsed:
        text += f"; {_plural(unparsed, 'file')} could not be parsed"
    if report.tool_errors:
        text += f"; {_plural(len(report.tool_errors), 'tool error')}"
    if report.baseline_matched:
        text += f"; {report.baseline_matched} already in the baseline"
    if report.baseline_fixed:
        text += f"; {_plural(report.baseline_fixed, 'baseline finding')} fixed"
    if report.not_in_changed_files:
        text += f"; {report.not_in_changed_files} in unchanged files not shown"
    return f"{text}. {report.duration_seconds:.2f}s"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
