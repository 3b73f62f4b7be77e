"""Machine-readable report, versioned and described by `schemas/report.schema.json`.

Bump SCHEMA_VERSION's minor number when fields are added and its major number
when a field is removed or changes meaning, so consumers can pin what they parse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiaas_iac import __version__
from aiaas_iac.model import CheckMeta, Finding, ParseError, Severity
from aiaas_iac.report import PROJECT_URI, TOOL_NAME
from aiaas_iac.report.escape import json_text

if TYPE_CHECKING:
    from aiaas_iac.engine import Report

SCHEMA_VERSION = "1.1"


def render(report: "Report", show_suppressed: bool = False) -> str:
    return json_text(report_document(report, show_suppressed))


def report_document(report: "Report", show_suppressed: bool = False) -> dict[str, Any]:
    """Suppressed findings are counted in the summary, listed only with `show_suppressed`."""
    findings = sorted((f for f in report.findings if show_suppressed or not f.suppressed), key=lambda f: f.sort_key)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__, "information_uri": PROJECT_URI},
        "root": report.root.as_posix(),
        "summary": summary(report),
        "checks": [check_entry(meta) for meta in sorted(report.checks, key=lambda m: m.code)],
        "findings": [finding_entry(f) for f in findings],
        "errors": [parse_error_entry(e) for e in report.errors],
        "tool_errors": list(report.tool_errors),
        "notes": list(report.notes),
        "config": config_entry(report),
    }


def config_entry(report: "Report") -> dict[str, Any]:
    """The config file applied (null: none) and every check, path or severity it turned off."""
    return {"path": report.config_path, "effects": list(report.config_effects),
            "warnings": list(report.config_warnings)}


def summary(report: "Report") -> dict[str, Any]:
    """Counts exclude suppressed findings, which are counted on their own."""
    active = [f for f in report.findings if not f.suppressed]
    return {
        "findings": len(active),
        "by_severity": {s.value: sum(1 for f in active if f.severity is s) for s in Severity},
        "suppressed": len(report.findings) - len(active),
        "files_scanned": report.files_scanned,
        "files_not_parsed": len({e.file for e in report.errors}),
        "baseline_matched": report.baseline_matched,
        "baseline_fixed": report.baseline_fixed,
        "not_in_changed_files": report.not_in_changed_files,
        "duration_seconds": round(report.duration_seconds, 3),
    }


def check_entry(meta: CheckMeta) -> dict[str, Any]:
    return {"code": meta.code, "slug": meta.slug, "severity": meta.severity.value, "title": meta.title}


def finding_entry(finding: Finding) -> dict[str, Any]:
    span = finding.location.span
    return {
        "code": finding.code,
        "slug": finding.slug,
        "severity": finding.severity.value,
        "message": finding.message,
        "file": finding.location.file,
        "start_line": span.start_line,
        "end_line": span.end_line,
        "start_column": span.start_column,
        "end_column": span.end_column,
        "resource": finding.resource,
        "remediation": finding.remediation,
        "mappings": {
            "owasp_nhi": finding.mappings.owasp_nhi,
            "nist_csf": finding.mappings.nist_csf,
            "cwe": finding.mappings.cwe,
        },
        "fingerprint": finding.fingerprint,
        "suppressed": finding.suppressed,
        "suppression_reason": finding.suppression_reason if finding.suppressed else None,
    }


def parse_error_entry(error: ParseError) -> dict[str, Any]:
    return {"file": error.file, "line": error.line, "message": error.message}
