"""Inline suppressions need a reason, apply to the line or the block below, and are audited."""

from conftest import triples

WIDE_STATEMENT = '''\
resource "aws_iam_policy" "wide" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "bedrock:*", Resource = "*" }]
  })
}
'''


def active(report):
    return {(f.code, f.location.span.start_line) for f in report.findings if not f.suppressed}


def suppressed(report):
    return {(f.code, f.location.span.start_line, f.suppression_reason) for f in report.findings if f.suppressed}


def test_comment_above_the_block_suppresses_a_finding_inside_it(tree):
    report = tree({"main.tf": "# aiaas-iac:ignore=AIA101 break-glass role for the platform team (SEC-42)\n" + WIDE_STATEMENT},
                  select=["AIA101", "AIA9"])
    assert active(report) == set()
    assert suppressed(report) == {("AIA101", 4, "break-glass role for the platform team (SEC-42)")}


def test_comment_on_the_finding_line_with_a_slug_and_double_slash(tree):
    source = WIDE_STATEMENT.replace('Resource = "*" }]', 'Resource = "*" }] // aiaas-iac:ignore=bedrock-wildcard-permission sandbox account')
    report = tree({"main.tf": source}, select=["AIA101", "AIA9"])
    assert active(report) == set()
    assert suppressed(report) == {("AIA101", 3, "sandbox account")}


def test_suppression_without_reason_suppresses_nothing_and_is_reported(tree):
    report = tree({"main.tf": "# aiaas-iac:ignore=AIA101\n" + WIDE_STATEMENT}, select=["AIA101", "AIA9"])
    assert active(report) == {("AIA101", 4), ("AIA901", 1)}


def test_suppression_that_matches_nothing_is_reported(tree):
    report = tree({"main.tf": "# aiaas-iac:ignore=AIA102 not needed any more\n" + WIDE_STATEMENT}, select=["AIA101", "AIA9"])
    assert triples(report) == {("AIA101", "main.tf", 4), ("AIA902", "main.tf", 1)}


def test_suppression_naming_an_unknown_check_says_so(tree):
    report = tree({"main.tf": "# aiaas-iac:ignore=AIA999 typo\n" + WIDE_STATEMENT}, select=["AIA101", "AIA9"])
    (unused,) = [f for f in report.findings if f.code == "AIA902"]
    assert unused.message == "suppression of AIA999 names unknown check AIA999"


def test_comment_two_lines_above_does_not_apply(tree):
    report = tree({"main.tf": "# aiaas-iac:ignore=AIA101 too far away\n\n" + WIDE_STATEMENT}, select=["AIA101", "AIA9"])
    assert active(report) == {("AIA101", 5), ("AIA902", 1)}


def test_yaml_comment_is_read_too(tmp_path):
    from aiaas_iac.suppress import find_suppressions

    (found,) = find_suppressions("spec:\n  # aiaas-iac:ignore=AIA401,AIA404 demo cluster only\n", "k8s.yaml")
    assert (found.line, found.tokens, found.reason) == (2, ("AIA401", "AIA404"), "demo cluster only")


def test_suppressed_findings_do_not_gate(tree):
    from aiaas_iac.model import Severity

    report = tree({"main.tf": "# aiaas-iac:ignore=AIA101 reviewed\n" + WIDE_STATEMENT}, select=["AIA101", "AIA9"])
    assert report.exit_code(Severity.LOW) == 0
