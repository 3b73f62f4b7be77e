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
    assert unused.message == "suppression names unknown check AIA999"


def test_a_code_prefix_suppresses_like_select_does(tree):
    report = tree({"main.tf": "# aiaas-iac:ignore=AIA1 sandbox account, reviewed (SEC-9)\n" + WIDE_STATEMENT},
                  select=["AIA101", "AIA9"])
    assert active(report) == set()
    assert suppressed(report) == {("AIA101", 4, "sandbox account, reviewed (SEC-9)")}


def test_each_unmatched_code_of_a_multi_code_comment_gets_its_own_finding(tree):
    report = tree({"main.tf": "# aiaas-iac:ignore=AIA101,AIA102,AIA1O1 legacy role (SEC-1)\n" + WIDE_STATEMENT},
                  select=["AIA101", "AIA102", "AIA9"])
    messages = sorted(f.message for f in report.findings if f.code == "AIA902")
    assert active(report) == {("AIA902", 1)}
    assert messages == ["suppression names unknown check AIA1O1", "suppression of AIA102 matches no finding"]


def test_comment_two_lines_above_does_not_apply(tree):
    report = tree({"main.tf": "# aiaas-iac:ignore=AIA101 too far away\n\n" + WIDE_STATEMENT}, select=["AIA101", "AIA9"])
    assert active(report) == {("AIA101", 5), ("AIA902", 1)}


def test_yaml_comment_is_read_too(tmp_path):
    from aiaas_iac.suppress import find_suppressions

    (found,) = find_suppressions("spec:\n  # aiaas-iac:ignore=AIA401,AIA404 demo cluster only\n", "k8s.yaml", "yaml")
    assert (found.line, found.tokens, found.reason) == (2, ("AIA401", "AIA404"), "demo cluster only")


def test_suppressed_findings_do_not_gate(tree):
    from aiaas_iac.model import Severity

    report = tree({"main.tf": "# aiaas-iac:ignore=AIA101 reviewed\n" + WIDE_STATEMENT}, select=["AIA101", "AIA9"])
    assert report.exit_code(Severity.LOW) == 0


# --- only real comments count, and what they say is bounded -----------------------------------

def test_marker_inside_an_hcl_string_does_not_suppress(tree):
    source = WIDE_STATEMENT.replace('Resource = "*" }]', 'Resource = "*", Sid = "# aiaas-iac:ignore=AIA101 sneaky" }]')
    report = tree({"main.tf": source}, select=["AIA101", "AIA9"])
    assert active(report) == {("AIA101", 3)}


def test_marker_inside_a_heredoc_does_not_suppress(tree):
    source = '''\
resource "aws_iam_policy" "wide" {
  policy = <<EOT
{"Statement": [{"Sid": "# aiaas-iac:ignore=AIA101 sneaky", "Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}]}
EOT
}
'''
    report = tree({"main.tf": source}, select=["AIA101", "AIA9"])
    assert {code for code, _ in active(report)} == {"AIA101"}


def test_block_comment_suppresses_and_its_closing_is_not_part_of_the_reason(tree):
    source = WIDE_STATEMENT.replace('Resource = "*" }]', 'Resource = "*" }] /* aiaas-iac:ignore=AIA101 sandbox only */')
    report = tree({"main.tf": source}, select=["AIA101", "AIA9"])
    assert suppressed(report) == {("AIA101", 3, "sandbox only")}


def test_no_suppressions_in_json():
    from aiaas_iac.suppress import find_suppressions

    assert find_suppressions('{"a": 1} # aiaas-iac:ignore=AIA101 reason\n', "t.json", "json") == ()


def test_marker_in_a_yaml_string_or_block_scalar_is_not_a_comment():
    from aiaas_iac.suppress import find_suppressions

    text = ("a: 'x # aiaas-iac:ignore=AIA101 quoted'\n"
            "b: |\n  # aiaas-iac:ignore=AIA101 block\n"
            "c: 1 # aiaas-iac:ignore=AIA102 real\n")
    assert [(s.line, s.tokens) for s in find_suppressions(text, "t.yaml", "yaml")] == [(4, ("AIA102",))]


def test_reason_is_capped_and_credentials_in_it_are_redacted():
    from aiaas_iac.suppress import MAX_REASON_CHARS, find_suppressions

    key = "sk-proj-" + "Zq3xL9vB2mN8kR4tW7yP1sD6fG5hJ0cV" * 2
    (found,) = find_suppressions(f"# aiaas-iac:ignore=AIA501 rotated, was {key} " + "word " * 1000 + "\n", "m.tf", "hcl")
    assert key not in found.reason and "sk-p… (72 chars)" in found.reason
    assert found.reason.startswith("rotated, was") and len(found.reason) == MAX_REASON_CHARS


def test_a_credential_cut_by_the_reason_window_is_dropped_not_shown_in_part():
    from aiaas_iac.suppress import clean_reason

    key = "sk-proj-" + "Zq3xL9vB2mN8kR4tW7yP1sD6fG5hJ0cV" * 2
    reason = clean_reason("a" + " " * 999 + key)
    assert "sk-" not in reason


def test_marker_followed_by_200k_spaces_is_read_in_linear_time():
    import time

    from aiaas_iac.suppress import find_suppressions

    text = ("# aiaas-iac:ignore=AIA101" + " " * 200_000 + "\n") * 5 + "#" + " " * 200_000 + "aiaas-iac: ignore =  AIA1 " + " " * 200_000 + "ok\n"
    started = time.perf_counter()
    found = find_suppressions(text, "main.tf", "hcl")
    assert [(s.line, s.reason) for s in found] == [(1, ""), (2, ""), (3, ""), (4, ""), (5, ""), (6, "ok")]
    assert time.perf_counter() - started < 1.0


def test_a_long_random_token_in_the_reason_is_redacted_but_ticket_ids_and_digests_are_not():
    from aiaas_iac.suppress import clean_reason

    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzX9aB3kQ7mT2vL"
    digest = "3f786850e387550fdab836ed7e6dc881de23001b"
    reason = clean_reason(f"rotated {secret} see SEC-1234 and commit {digest}")
    assert reason == f"rotated wJal… (44 chars) see SEC-1234 and commit {digest}"
