"""The terminal reporter: one line per finding grouped by file, parse errors, a summary line."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiaas_iac.engine import Report
from aiaas_iac.model import Finding, Location, Mappings, ParseError, Severity, Span
from aiaas_iac.report import render

WILDCARD_POLICY = """\
resource "aws_iam_policy" "app" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "bedrock:*", Resource = "*" }]
  })
}
"""


def finding(file: str, line: int, *, column: int | None = None, code: str = "AIA101",
            severity: Severity = Severity.HIGH, resource: str = "aws_iam_policy.app",
            message: str = "aws_iam_policy.app grants bedrock:* on *",
            remediation: str = "Grant only bedrock:InvokeModel\non the model ARNs the workload uses.", **extra) -> Finding:
    return Finding(
        code=code, slug="bedrock-wildcard-permission", severity=severity, message=message,
        location=Location(file, Span(line, line, column, None)), resource=resource,
        remediation=remediation,
        mappings=Mappings("NHI5", "PR.AA-05", "CWE-250"), **extra,
    )


def report(findings=(), errors=(), *, files_scanned: int = 3, seconds: float = 0.21, **extra) -> Report:
    return Report(root=Path("/repo"), findings=list(findings), errors=list(errors), checks=[],
                  files_scanned=files_scanned, duration_seconds=seconds, **extra)


def test_a_finding_is_one_line_with_position_code_severity_message_and_resource():
    text = render(report([finding("iam/bedrock.tf", 12, column=5)]), "text")

    assert text.splitlines()[0] == (
        "iam/bedrock.tf:12:5 AIA101 [high] aws_iam_policy.app grants bedrock:* on * (aws_iam_policy.app)"
    )


def test_the_column_is_left_out_when_the_parser_gives_none():
    text = render(report([finding("main.tf", 4)]), "text")

    assert text.splitlines()[0].startswith("main.tf:4 AIA101 [high] ")


def test_findings_are_grouped_by_file_in_path_order_with_a_blank_line_between_files():
    findings = [
        finding("z/roles.tf", 3, resource="aws_iam_role_policy.z"),
        finding("a/main.tf", 9, resource="aws_iam_policy.late"),
        finding("a/main.tf", 2, resource="aws_iam_policy.early"),
    ]

    lines = render(report(findings), "text", quiet=True).splitlines()

    assert [line.split(" ")[0] for line in lines[:4]] == ["a/main.tf:2", "a/main.tf:9", "", "z/roles.tf:3"]


def test_parse_errors_have_their_own_section_with_path_line_and_error_label():
    errors = [ParseError("broken.tf", "invalid HCL: unexpected '}'", 7), ParseError("vendor", "cannot list directory: Permission denied")]

    text = render(report(errors=errors), "text")

    assert "Parse errors:\nbroken.tf:7: error: invalid HCL: unexpected '}'\nvendor: error: cannot list directory: Permission denied\n" in text


def test_summary_counts_findings_per_severity_files_and_unparsed_files():
    findings = [
        finding("main.tf", 1, severity=Severity.MEDIUM, resource="a.one"),
        finding("main.tf", 2, severity=Severity.CRITICAL, resource="a.two"),
        finding("main.tf", 3, severity=Severity.MEDIUM, resource="a.three"),
    ]
    errors = [ParseError("broken.tf", "invalid HCL", 2), ParseError("broken.tf", "invalid HCL", 9)]

    text = render(report(findings, errors, files_scanned=12, seconds=0.2149), "text")

    assert text.splitlines()[-1] == "Found 3 findings (1 critical, 2 medium) in 12 files; 1 file could not be parsed. 0.21s"


def test_a_clean_scan_says_no_findings():
    assert render(report(files_scanned=1, seconds=0.05), "text") == "No findings in 1 file. 0.05s\n"


def test_tool_errors_are_listed_and_counted_in_the_summary():
    text = render(report(tool_errors=["check AIA101 failed: KeyError: 'policy'"]), "text")

    assert "Tool errors:\nerror: check AIA101 failed: KeyError: 'policy'" in text
    assert text.splitlines()[-1] == "No findings in 3 files; 1 tool error. 0.21s"


def test_no_escape_codes_without_color():
    text = render(report([finding("main.tf", 4)], [ParseError("x.tf", "bad", 1)]), "text")

    assert "\x1b" not in text


def test_color_marks_the_severity_and_the_error_label():
    text = render(report([finding("main.tf", 4)], [ParseError("x.tf", "bad", 1)]), "text", color=True)

    assert "main.tf:4 AIA101 \x1b[31m[high]\x1b[0m aws_iam_policy.app" in text
    assert "x.tf:1: \x1b[1;31merror:\x1b[0m bad" in text


def test_escape_sequences_from_scanned_files_are_shown_not_sent_to_the_terminal():
    hostile = finding("main.tf", 4, resource="aws_iam_role.x\x1b]0;pwned\x07", message="aws_iam_role.x\x1b[2J trusts *")

    text = render(report([hostile]), "text", color=True)

    assert "\\x1b[2J" in text and "\\x07" in text
    assert text.count("\x1b") == 2  # only the severity colour's start and reset


def test_suppressed_findings_are_counted_but_not_listed():
    findings = [finding("main.tf", 4), finding("main.tf", 9, resource="aws_iam_policy.ci", suppressed=True, suppression_reason="CI role, reviewed")]

    text = render(report(findings), "text")

    assert "aws_iam_policy.ci" not in text
    assert text.splitlines()[-1] == "Found 1 finding (1 high) in 3 files; 1 suppressed. 0.21s"


def test_verbose_lists_suppressed_findings_with_their_reason_and_shows_remediation():
    findings = [finding("main.tf", 9, resource="aws_iam_policy.ci", suppressed=True, suppression_reason="CI role, reviewed")]

    lines = render(report(findings), "text", verbose=True).splitlines()

    assert lines[:3] == [
        "main.tf:9 AIA101 [high] aws_iam_policy.app grants bedrock:* on * (aws_iam_policy.ci) [suppressed: CI role, reviewed]",
        "    remediation: Grant only bedrock:InvokeModel",
        "      on the model ARNs the workload uses.",
    ]


def test_a_real_scan_prints_the_finding_where_the_statement_is(tree):
    statement_column = WILDCARD_POLICY.splitlines()[3].index("{") + 1

    text = render(tree({"iam/bedrock.tf": WILDCARD_POLICY}, select=["AIA101"]), "text")

    assert text.splitlines()[0] == (
        f"iam/bedrock.tf:4:{statement_column} AIA101 [high] aws_iam_policy.app grants bedrock:* on * (aws_iam_policy.app)"
    )
    assert text.splitlines()[-1].startswith("Found 1 finding (1 high) in 1 file. ")


def test_options_meant_for_other_formats_are_ignored():
    assert render(report(), "text", category="terraform/") == render(report(), "text")


def test_an_unknown_format_names_the_formats_on_offer():
    with pytest.raises(ValueError, match="text, json, sarif, junit, github"):
        render(report(), "xml")




def test_each_finding_is_followed_by_the_first_sentence_of_its_remediation_when_short():
    short = finding("main.tf", 4, remediation="Revoke and rotate the key now: history keeps it. Then use a vault.")

    lines = render(report([short]), "text").splitlines()

    assert lines[1] == "    → Revoke and rotate the key now: history keeps it."


def test_a_long_first_sentence_points_to_explain_instead():
    long = finding("main.tf", 4, remediation="Grant only the actions the workload calls " + "and more " * 20 + ".")

    assert render(report([long]), "text").splitlines()[1] == "    → aiaas-iac explain AIA101"


def test_a_dot_inside_a_code_span_does_not_end_the_sentence():
    coded = finding("main.tf", 4, remediation="Reference it: `secret_env { secret_ref { ... } }` instead. More.")

    assert render(report([coded]), "text").splitlines()[1] == "    → Reference it: `secret_env { secret_ref { ... } }` instead."


def test_quiet_prints_no_remediation_line():
    lines = render(report([finding("main.tf", 4)]), "text", quiet=True).splitlines()

    assert lines[0].startswith("main.tf:4 AIA101") and lines[1] == ""


def test_a_remediation_with_a_workflow_command_stays_one_escaped_line():
    hostile = finding("main.tf", 4, remediation="Fix it\n::error::pwned\x1b[2J. Then more.")

    lines = render(report([hostile]), "text").splitlines()

    assert lines[1] == "    → Fix it ::error::pwned\\x1b[2J."
    assert not any(line.startswith("::") for line in lines)


def test_a_finding_without_a_resource_ends_without_empty_parentheses():
    comment = finding("main.tf", 2, code="AIA902", resource="", message="suppression of AIA302 matches no finding")

    line = render(report([comment]), "text").splitlines()[0]

    assert line == "main.tf:2 AIA902 [high] suppression of AIA302 matches no finding"


def test_notes_are_counted_by_kind_and_listed_only_with_verbose():
    notes = ["charts/a/templates/d.yaml: Helm template, skipped (scan the output of `helm template` to check it)",
             "charts/b/templates/s.yaml: Helm template, skipped (scan the output of `helm template` to check it)",
             "app: file() outside the scanned paths not read: ../x.json"]

    quiet_lines = render(report(notes=notes), "text").splitlines()
    verbose_text = render(report(notes=notes), "text", verbose=True)

    assert quiet_lines[-2] == "3 notes (2 Helm templates skipped, 1 file() not read); -v to list"
    assert "note: app: file() outside the scanned paths not read: ../x.json" in verbose_text
    assert "-v to list" not in verbose_text


def test_a_hostile_note_is_escaped_when_listed():
    text = render(report(notes=["x.tf: file() not read (a FIFO): a\n::error::pwned"]), "text", verbose=True)

    assert "note: x.tf: file() not read (a FIFO): a\\n::error::pwned" in text.splitlines()


def test_module_calls_waiting_for_terraform_init_are_listed_without_verbose_up_to_a_cap():
    from aiaas_iac.report.text import SHOWN_INIT_NOTES

    init = [f"m{n}.tf:1: module m{n} from acme/m/aws not evaluated: run terraform init to include it"
            for n in range(SHOWN_INIT_NOTES + 2)]
    hostile = "x.tf:1: module a\n::error::pwned from acme/a/aws not evaluated: run terraform init to include it"
    lines = render(report(notes=[hostile, *init, "charts/a/templates/d.yaml: Helm template, skipped"]), "text",
                   quiet=True).splitlines()
    listed = [line for line in lines if line.startswith("note: ")]
    assert listed == ["note: x.tf:1: module a\\n::error::pwned from acme/a/aws not evaluated: run terraform init"
                      " to include it"] + [f"note: {note}" for note in init[:SHOWN_INIT_NOTES - 1]] + [
        "note: 3 more module calls not evaluated; -v to list"]
    assert lines[-2] == f"{SHOWN_INIT_NOTES + 4} notes ({SHOWN_INIT_NOTES + 3} modules not evaluated, 1 Helm template" \
                        " skipped); -v to list"
