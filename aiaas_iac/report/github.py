"""GitHub Actions workflow commands: one annotation per finding on the pull request's diff.

    ::error file=main.tf,line=3,endLine=5,title=AIA101 bedrock-wildcard-permission::aws_iam_policy.app grants ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiaas_iac.model import Severity
# Input-derived text is escaped for the workflow-command sink (escape.py says why).
from aiaas_iac.report.escape import github_data, github_property

if TYPE_CHECKING:
    from aiaas_iac.engine import Report

LEVELS = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "notice"}


def render(report: "Report") -> str:
    lines = []
    for finding in sorted(report.findings, key=lambda f: f.sort_key):
        if finding.suppressed:
            continue
        span = finding.location.span
        props = [f"file={github_property(finding.location.file)}", f"line={span.start_line}", f"endLine={span.end_line}"]
        if span.start_column:
            props.append(f"col={span.start_column}")
        props.append(f"title={github_property(f'{finding.code} {finding.slug}')}")
        lines.append(f"::{LEVELS[finding.severity]} {','.join(props)}::{github_data(finding.message)}")
    for error in report.errors:
        props = [f"file={github_property(error.file)}"] + ([f"line={error.line}"] if error.line else [])
        props.append("title=aiaas-iac could not parse this file")
        lines.append(f"::error {','.join(props)}::{github_data(error.message)}")
    lines += config_annotations(report)
    return "\n".join(lines) + ("\n" if lines else "")


def config_annotations(report: "Report") -> list[str]:
    """One warning naming the config file and all it turned off, one per nothing-left warning."""
    if report.config_path is None or not (report.config_effects or report.config_warnings):
        return []
    title = "title=aiaas-iac config"
    lines = [f"::warning {title}::{github_data(f'Config {report.config_path} narrows this scan: ' + '; '.join(report.config_effects))}"]
    lines += [f"::warning {title}::{github_data(f'Config {report.config_path}: {warning}')}" for warning in report.config_warnings]
    return lines
