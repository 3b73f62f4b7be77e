"""The JSON reporter: versioned output that always validates against schemas/report.schema.json."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import aiaas_iac
from aiaas_iac.engine import Report
from aiaas_iac.model import Finding, Location, Mappings, ParseError, Severity, Span
from aiaas_iac.report import FORMAT_NAMES, render

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "schemas" / "report.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)

WILDCARD_POLICY = """\
resource "aws_iam_policy" "app" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "bedrock:*", Resource = "*" }]
  })
}
"""


def finding(file: str = "main.tf", line: int = 4, *, severity: Severity = Severity.HIGH,
            resource: str = "aws_iam_policy.app", message: str = "aws_iam_policy.app grants bedrock:* on *",
            **extra) -> Finding:
    return Finding(
        code="AIA101", slug="bedrock-wildcard-permission", severity=severity, message=message,
        location=Location(file, Span(line, line + 2)), resource=resource,
        remediation="Grant only bedrock:InvokeModel on specific model ARNs.",
        mappings=Mappings("NHI5", "PR.AA-05", "CWE-250"), **extra,
    )


def report(findings=(), errors=(), **extra) -> Report:
    return Report(root=Path("/repo"), findings=list(findings), errors=list(errors), checks=[],
                  files_scanned=4, duration_seconds=0.5, **extra)


def as_json(report_: Report) -> dict:
    return json.loads(render(report_, "json"))


def test_a_real_scan_validates_and_reports_the_finding_exactly(tree):
    document = as_json(tree({"iam/bedrock.tf": WILDCARD_POLICY}, select=["AIA101"]))

    VALIDATOR.validate(document)
    [entry] = document["findings"]
    assert {key: entry[key] for key in ("code", "slug", "severity", "message", "file", "start_line", "end_line", "resource")} == {
        "code": "AIA101", "slug": "bedrock-wildcard-permission", "severity": "high",
        "message": "aws_iam_policy.app grants bedrock:* on *", "file": "iam/bedrock.tf",
        "start_line": 4, "end_line": 4, "resource": "aws_iam_policy.app",
    }
    assert entry["mappings"] == {"owasp_nhi": "NHI5", "nist_csf": "PR.AA-05", "cwe": "CWE-250"}
    assert document["checks"][0]["code"] == "AIA101"


def test_header_names_the_schema_version_and_the_tool_version():
    document = as_json(report())

    assert document["schema_version"] == "1.1"
    assert document["tool"]["name"] == "aiaas-iac"
    assert document["tool"]["version"] == aiaas_iac.__version__


def test_unknown_columns_parse_errors_without_lines_and_suppressions_validate():
    findings = [finding(), finding(line=20, resource="aws_iam_policy.ci", suppressed=True, suppression_reason="CI role, reviewed")]
    errors = [ParseError("broken.tf", "invalid HCL", 3), ParseError("vendor", "cannot list directory: Permission denied")]

    document = json.loads(render(report(findings, errors, tool_errors=["check AIA102 failed: KeyError: 'x'"]),
                                 "json", show_suppressed=True))

    VALIDATOR.validate(document)
    assert [(f["resource"], f["suppressed"], f["suppression_reason"]) for f in document["findings"]] == [
        ("aws_iam_policy.app", False, None), ("aws_iam_policy.ci", True, "CI role, reviewed"),
    ]
    assert document["findings"][0]["start_column"] is None
    assert document["errors"] == [
        {"file": "broken.tf", "line": 3, "message": "invalid HCL"},
        {"file": "vendor", "line": None, "message": "cannot list directory: Permission denied"},
    ]


def test_summary_counts_exclude_suppressed_findings():
    findings = [
        finding(severity=Severity.CRITICAL, resource="a.one"),
        finding(severity=Severity.MEDIUM, resource="a.two"),
        finding(severity=Severity.MEDIUM, resource="a.three", suppressed=True, suppression_reason="accepted risk"),
    ]
    errors = [ParseError("broken.tf", "invalid HCL", 3), ParseError("broken.tf", "invalid HCL", 8)]

    summary = as_json(report(findings, errors))["summary"]

    assert summary == {
        "findings": 2, "by_severity": {"critical": 1, "high": 0, "medium": 1, "low": 0},
        "suppressed": 1, "files_scanned": 4, "files_not_parsed": 1, "baseline_matched": 0,
        "baseline_fixed": 0, "not_in_changed_files": 0, "duration_seconds": 0.5,
    }


def test_the_config_that_applied_and_what_it_turned_off_validate():
    assert as_json(report())["config"] == {"path": None, "effects": [], "warnings": []}
    document = as_json(report(config_path=".aiaas-iac.toml", config_effects=["ignore turns off AIA101"],
                              config_warnings=["select/ignore leave no check to run"]))

    VALIDATOR.validate(document)
    assert document["config"] == {"path": ".aiaas-iac.toml", "effects": ["ignore turns off AIA101"],
                                  "warnings": ["select/ignore leave no check to run"]}


def test_suppressed_findings_are_listed_only_when_asked():
    findings = [finding(), finding(line=20, resource="aws_iam_policy.ci", suppressed=True, suppression_reason="reviewed")]

    assert [f["resource"] for f in as_json(report(findings))["findings"]] == ["aws_iam_policy.app"]


def test_the_fingerprint_is_the_findings_and_does_not_depend_on_the_line():
    moved = as_json(report([finding(line=40)]))["findings"][0]["fingerprint"]

    assert moved == as_json(report([finding(line=4)]))["findings"][0]["fingerprint"] == finding().fingerprint


@pytest.mark.parametrize("mutation", [
    lambda doc: doc["findings"][0].update(severity="severe"),
    lambda doc: doc["findings"][0].pop("fingerprint"),
    lambda doc: doc["findings"][0].update(start_line=0),
    lambda doc: doc["findings"][0].update(extra_field=1),
    lambda doc: doc["findings"][0].update(suppression_reason="not suppressed but has a reason"),
    lambda doc: doc["summary"]["by_severity"].pop("low"),
    lambda doc: doc.update(schema_version="2.0"),
    lambda doc: doc.pop("config"),
    lambda doc: doc["config"].update(effects="ignore turns off AIA101"),
])
def test_the_schema_rejects_documents_that_break_the_contract(mutation):
    document = as_json(report([finding()]))
    VALIDATOR.validate(document)

    mutation(document)

    assert not VALIDATOR.is_valid(document)


@pytest.mark.parametrize("format_name", FORMAT_NAMES)
def test_a_redacted_credential_stays_redacted_in_every_format(tree, format_name):
    raw_key = "sk-proj-" + "Xq7LmN2pRt5vWz8aBc4dEf6gHj9kMn3pQr5sTu7vWx1yZa"
    scanned = tree({
        "iam/bedrock.tf": WILDCARD_POLICY,
        "app/variables.tf": f'variable "openai_api_key" {{\n  default = "{raw_key}"\n}}\n',
    })
    redacted = f"variable.openai_api_key holds an OpenAI key {raw_key[:4]}… ({len(raw_key)} chars)"
    scanned.findings.append(Finding(
        code="AIA501", slug="hardcoded-ai-credential", severity=Severity.CRITICAL, message=redacted,
        location=Location("app/variables.tf", Span(2, 2)), resource="variable.openai_api_key",
        remediation="Store the key in a secret manager.", mappings=Mappings("NHI2", "PR.DS-01", "CWE-798"),
    ))

    output = render(scanned, format_name)

    assert redacted in output
    assert raw_key[4:] not in output
