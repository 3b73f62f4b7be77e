"""SARIF 2.1.0 for GitHub code scanning: one run, a rule for every check that ran.

GitHub reads `security-severity` and `tags` from the rule, groups alerts by
`partialFingerprints` (so they survive lines moving), and shows parse failures
from `invocations[].toolExecutionNotifications` on the tool status page.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Iterable
from urllib.parse import quote

from aiaas_iac import __version__
from aiaas_iac.docs import check_markdown, explain_text
from aiaas_iac.model import CheckMeta, Finding, ParseError, Span
from aiaas_iac.report import PROJECT_URI, TOOL_NAME
from aiaas_iac.report.escape import json_text

if TYPE_CHECKING:
    from aiaas_iac.engine import Report

SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
CHECK_DOCS_URI = f"{PROJECT_URI}/blob/main/docs/checks.md"
SOURCE_ROOT = "%SRCROOT%"
FINGERPRINT_KEY = "aiaasFingerprint/v1"
DEFAULT_CATEGORY = "aiaas-iac"  # automation_id() adds the slash GitHub expects
# GitHub rejects or truncates uploads above these.
GITHUB_MAX_RESULTS = 25_000
GITHUB_MAX_TAGS = 20



def render(report: "Report", *, category: str = DEFAULT_CATEGORY, max_results: int = GITHUB_MAX_RESULTS) -> str:
    return json_text(sarif_log(report, category, max_results))


def sarif_log(report: "Report", category: str = DEFAULT_CATEGORY, max_results: int = GITHUB_MAX_RESULTS) -> dict[str, Any]:
    rules = rule_metas(report.checks, report.findings)
    rule_index = {meta.code: index for index, meta in enumerate(rules)}
    findings, dropped = within_result_limit(report.findings, max_results)
    run = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": PROJECT_URI,
                "rules": [rule(meta) for meta in rules],
            }
        },
        "automationDetails": {"id": automation_id(category)},
        "originalUriBaseIds": {SOURCE_ROOT: {"uri": root_uri(report.root)}},
        "columnKind": "unicodeCodePoints",
        "invocations": [invocation(report, dropped, max_results)],
        "results": [result(finding, rule_index[finding.code]) for finding in findings],
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def automation_id(category: str) -> str:
    """GitHub takes everything up to the last `/` as the category (upload-sarif appends the slash too)."""
    category = category.strip() or DEFAULT_CATEGORY
    return category if category.endswith("/") else category + "/"


def root_uri(root: Path) -> str:
    uri = Path(root).absolute().as_uri()
    return uri if uri.endswith("/") else uri + "/"


# Rules ----------------------------------------------------------------------


def rule_metas(checks: Iterable[CheckMeta], findings: Iterable[Finding]) -> list[CheckMeta]:
    """The checks that ran, sorted by code, plus a minimal rule for any finding no check
    declared (the engine's own findings) so every result has a `ruleIndex`."""
    metas = {meta.code: meta for meta in checks}
    for finding in findings:
        if finding.code not in metas:
            metas[finding.code] = meta_from_finding(finding)
    return [metas[code] for code in sorted(metas)]


def meta_from_finding(finding: Finding) -> CheckMeta:
    return CheckMeta(
        code=finding.code, slug=finding.slug, severity=finding.severity,
        title=finding.slug.replace("-", " ").capitalize(), formats=(), what="", why="",
        remediation=finding.remediation, failing_example="", passing_example="",
        mappings=finding.mappings,
    )


def rule(meta: CheckMeta) -> dict[str, Any]:
    return {
        "id": meta.code,
        "name": meta.slug,
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": meta.what or meta.title},
        # The same text as `aiaas-iac explain` and docs/checks.md: one source, no drift.
        "help": {"text": explain_text(meta), "markdown": check_markdown(meta)},
        "helpUri": meta.help_uri or f"{CHECK_DOCS_URI}#{meta.code.lower()}-{meta.slug}",
        "defaultConfiguration": {"level": meta.severity.sarif_level},
        "properties": {
            "tags": rule_tags(meta),
            "precision": meta.precision,
            "security-severity": meta.severity.security_severity,
        },
    }


def rule_tags(meta: CheckMeta) -> list[str]:
    tags = dict.fromkeys(["security", *meta.tags, *meta.mappings.as_tags()])
    return list(tags)[:GITHUB_MAX_TAGS]


# Results --------------------------------------------------------------------


def within_result_limit(findings: Iterable[Finding], limit: int) -> tuple[list[Finding], int]:
    """Findings in location order; above `limit`, the most severe unsuppressed ones are kept."""
    ordered = sorted(findings, key=lambda f: f.sort_key)
    if len(ordered) <= limit:
        return ordered, 0
    by_importance = sorted(ordered, key=lambda f: (f.suppressed, -f.severity.rank))
    kept = sorted(by_importance[:limit], key=lambda f: f.sort_key)
    return kept, len(ordered) - len(kept)


def result(finding: Finding, rule_index: int) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": finding.severity.sarif_level,
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact_location(finding.location.file),
                    "region": region(finding.location.span),
                },
                "logicalLocations": [{"fullyQualifiedName": finding.resource, "kind": "resource"}],
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
    }
    if finding.related:  # a finding inside a module: the root's module blocks that make it
        from aiaas_iac.module_manifest import is_installed

        # A finding moved out of an installed module (`.terraform/`) keeps where it is inside it.
        entry["relatedLocations"] = [
            {"id": index, "message": {"text": "inside the installed module" if is_installed(where.file) else "module call"},
             "physicalLocation": {"artifactLocation": artifact_location(where.file), "region": region(where.span)}}
            for index, where in enumerate(finding.related)]
    if finding.suppressed:
        entry["suppressions"] = [{"kind": "inSource", "justification": finding.suppression_reason}]
    return entry


def artifact_location(file: str) -> dict[str, str]:
    """A URI relative to %SRCROOT% (percent-encoded: file names may hold spaces or `#`,
    and bytes that are not UTF-8, which are encoded as the bytes they were)."""
    path = PurePosixPath(file)
    if path.is_absolute():
        return {"uri": "file://" + quote(path.as_posix(), safe="/", errors="surrogateescape")}
    return {"uri": quote(path.as_posix(), safe="/", errors="surrogateescape"), "uriBaseId": SOURCE_ROOT}


def region(span: Span) -> dict[str, int]:
    """SARIF lines and columns start at 1; a column the parser does not know is left out."""
    start_line = max(1, span.start_line)
    end_line = max(start_line, span.end_line)
    area = {"startLine": start_line, "endLine": end_line}
    if span.start_column and span.start_column >= 1:
        area["startColumn"] = span.start_column
    end_column_valid = span.end_column and span.end_column >= 1 and (
        end_line > start_line or span.end_column > area.get("startColumn", 1)
    )
    if end_column_valid:
        area["endColumn"] = span.end_column
    return area


# Invocation -----------------------------------------------------------------


def invocation(report: "Report", dropped: int, max_results: int) -> dict[str, Any]:
    """Parse errors and notes do not make the run unsuccessful; only the tool's own failures do."""
    notifications = [parse_error_notification(error) for error in report.errors]
    notifications += [{"level": "error", "message": {"text": text}} for text in report.tool_errors]
    notifications += [{"level": "note", "message": {"text": text}} for text in report.notes]
    if dropped:
        notifications.append({
            "level": "warning",
            "message": {"text": (
                f"{dropped} {'finding' if dropped == 1 else 'findings'} left out: GitHub code scanning "
                f"accepts at most {max_results} results per run; kept the {max_results} most severe"
            )},
        })
    entry = {"executionSuccessful": not report.tool_errors, "toolExecutionNotifications": notifications}
    if report.config_path is not None:
        entry["toolConfigurationNotifications"] = config_notifications(report)
    return entry


def config_notifications(report: "Report") -> list[dict[str, Any]]:
    """The config file that applied (a note), then each thing it turned off and each warning."""
    where = [{"physicalLocation": {"artifactLocation": artifact_location(report.config_path)}}]
    notifications: list[dict[str, Any]] = [{
        "descriptor": {"id": "config-applied"}, "level": "note", "locations": where,
        "message": {"text": f"Config {report.config_path} applied"
                            + ("" if report.config_effects or report.config_warnings else "; it turns nothing off")},
    }]
    notifications += [{"descriptor": {"id": "config-narrows-scan"}, "level": "warning", "locations": where,
                       "message": {"text": f"Config {report.config_path}: {effect}"}} for effect in report.config_effects]
    notifications += [{"descriptor": {"id": "config-leaves-nothing"}, "level": "warning", "locations": where,
                       "message": {"text": f"Config {report.config_path}: {warning}"}} for warning in report.config_warnings]
    return notifications


def parse_error_notification(error: ParseError) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifact_location(error.file)}
    if error.line and error.line >= 1:
        physical["region"] = {"startLine": error.line}
    return {"level": "error", "message": {"text": str(error)}, "locations": [{"physicalLocation": physical}]}
