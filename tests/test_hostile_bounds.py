"""Hostile repositories against bounded work, real comments, format detection and robustness.

Each test builds the attacker's tree in a temporary directory and runs the
installed CLI as a CI job would, then checks that the scan ends well within
the job's patience, with the right exit code, and that the findings of the
honest files beside the attack are still reported.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import write_tree

CLI = str(Path(sys.executable).parent / "aiaas-iac")
PATIENCE = 60  # seconds before the test gives up on the process
QUICK = 20  # what "well within" means here, on a loaded 2-core machine

# An honest file with a finding that must survive whatever the attacker's file does.
HONEST = {"honest/main.tf": '''\
resource "aws_iam_policy" "wide" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "bedrock:*", Resource = "*" }]
  })
}
'''}
HONEST_FINDING = ("AIA101", "honest/main.tf", 3)
OPENAI_KEY = "sk-proj-" + "Zq3xL9vB2mN8kR4tW7yP1sD6fG5hJ0cV" * 2


def scan(root: Path, *args: str) -> tuple[subprocess.CompletedProcess, dict, float]:
    """Run `aiaas-iac scan . --format json` in `root`; the parsed report and the seconds it took."""
    started = time.monotonic()
    result = subprocess.run([CLI, "scan", ".", "--format", "json", "--no-cache", *args], cwd=root,
                            capture_output=True, text=True, timeout=PATIENCE)
    elapsed = time.monotonic() - started
    assert "internal error" not in result.stderr, result.stderr
    return result, json.loads(result.stdout), elapsed


def findings(report: dict, *, suppressed: bool = False) -> set[tuple[str, str, int]]:
    return {(f["code"], f["file"], f["start_line"]) for f in report["findings"] if f["suppressed"] is suppressed}


def errors(report: dict) -> dict[str, str]:
    return {e["file"]: e["message"] for e in report["errors"]}


# --- unbounded time -------------------------------------------------------------------------

def test_backtracking_iam_action_glob(tmp_path):
    action = "*?" * 15 + "!"
    write_tree(tmp_path, {**HONEST, "attack/main.tf": f'''\
resource "aws_iam_policy" "slow" {{
  policy = jsonencode({{
    Statement = [{{ Effect = "Allow", Action = ["{action}", "bedrock:{action}"], Resource = "*" }}]
  }})
}}
'''})
    result, report, elapsed = scan(tmp_path)
    assert elapsed < QUICK
    assert result.returncode == 1
    assert HONEST_FINDING in findings(report)
    assert not errors(report)


def test_suppression_comment_followed_by_200k_spaces(tmp_path):
    spaces = " " * 200_000
    write_tree(tmp_path, {**HONEST, "attack/main.tf": (
        f"# aiaas-iac:ignore=AIA101{spaces}\n" * 3 + f"# aiaas-iac:ignore=AIA101{spaces}reviewed{spaces}\n"
        + HONEST["honest/main.tf"])})
    result, report, elapsed = scan(tmp_path, "--show-suppressed")
    assert elapsed < QUICK
    assert result.returncode == 1
    assert HONEST_FINDING in findings(report)
    assert ("AIA101", "attack/main.tf", 7) in findings(report, suppressed=True)
    assert {("AIA901", "attack/main.tf", n) for n in (1, 2, 3)} <= findings(report)
    (reason,) = {f["suppression_reason"] for f in report["findings"] if f["suppressed"]}
    assert reason == "reviewed"


def test_output_repeating_a_secret_reference_30000_times(tmp_path):
    document = {"resource": {"aws_iam_user": {"u": {"name": "u"}},
                             "aws_iam_access_key": {"k": {"user": "${aws_iam_user.u.name}"}}},
                "output": {"o": {"value": "${aws_iam_access_key.k.secret}" * 30_000}}}
    write_tree(tmp_path, {**HONEST, "attack/main.tf.json": json.dumps(document)})
    result, report, elapsed = scan(tmp_path)
    assert elapsed < QUICK
    assert result.returncode == 1
    assert HONEST_FINDING in findings(report)
    assert any(code == "AIA502" and file == "attack/main.tf.json" for code, file, _ in findings(report))


def test_service_account_member_with_100000_unclosed_interpolations(tmp_path):
    resources = [
        ("google_project_iam_member", "m", {"project": "p", "role": "roles/aiplatform.admin",
                                            "member": "serviceAccount:" + "abcdefg@${ " * 100_000}),
        ("google_service_account_key", "k", {"service_account_id": "abcdefg@p.iam.gserviceaccount.com"}),
        ("google_service_account", "sa", {"account_id": "abcdefg"}),
    ]
    plan = {"format_version": "1.2", "planned_values": {"root_module": {"resources": [
        {"address": f"{type_}.{name}", "mode": "managed", "type": type_, "name": name, "values": values}
        for type_, name, values in resources]}}}
    write_tree(tmp_path, {**HONEST, "attack/plan.json": json.dumps(plan)})
    result, report, elapsed = scan(tmp_path)
    assert elapsed < QUICK
    assert result.returncode == 1
    assert HONEST_FINDING in findings(report)


# --- suppressions only in real comments -----------------------------------------------------

def test_suppression_inside_a_json_template_description_does_not_suppress(tmp_path):
    template = {"Description": "# aiaas-iac:ignore=AIA101 approved by security",
                "Resources": {"Wide": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {
                    "Statement": [{"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}]}}}}}
    write_tree(tmp_path, {**HONEST, "stack.json": json.dumps(template)})  # one line: finding and "comment"
    result, report, elapsed = scan(tmp_path)
    assert result.returncode == 1
    assert {HONEST_FINDING, ("AIA101", "stack.json", 1)} <= findings(report)
    assert not findings(report, suppressed=True)


def test_suppression_inside_a_yaml_template_description_does_not_suppress(tmp_path):
    write_tree(tmp_path, {**HONEST, "stack.yaml": (
        "Resources:\n"
        "  Wide: {Type: AWS::IAM::ManagedPolicy, Properties: {Description: '# aiaas-iac:ignore=AIA101 approved',"
        " PolicyDocument: {Statement: [{Effect: Allow, Action: 'bedrock:*', Resource: '*'}]}}}\n"
        "  Wider:\n"
        "    Type: AWS::IAM::ManagedPolicy\n"
        "    Properties:\n"
        "      Description: |\n"
        "        # aiaas-iac:ignore=AIA101 approved\n"
        "      PolicyDocument: {Statement: [{Effect: Allow, Action: 'bedrock:*', Resource: '*'}]}\n")})
    result, report, _ = scan(tmp_path)
    assert result.returncode == 1
    assert {HONEST_FINDING, ("AIA101", "stack.yaml", 2), ("AIA101", "stack.yaml", 8)} <= findings(report)
    assert not findings(report, suppressed=True)


def test_suppression_inside_an_hcl_string_does_not_suppress(tmp_path):
    write_tree(tmp_path, {**HONEST, "attack/main.tf": '''\
resource "aws_iam_policy" "wide" {
  description = "# aiaas-iac:ignore=AIA101 approved by security"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "bedrock:*", Resource = "*", Sid = "x // aiaas-iac:ignore=AIA101 ok" }] })
}
'''})
    result, report, _ = scan(tmp_path)
    assert result.returncode == 1
    assert {HONEST_FINDING, ("AIA101", "attack/main.tf", 3)} <= findings(report)
    assert not findings(report, suppressed=True)


def test_credential_in_a_suppression_reason_is_redacted_in_every_report(tmp_path):
    write_tree(tmp_path, {"main.tf": f"# aiaas-iac:ignore=AIA101 approved; break-glass key {OPENAI_KEY}\n"
                                     + HONEST["honest/main.tf"]})
    result, report, _ = scan(tmp_path, "--select", "AIA101,AIA9", "--show-suppressed",
                             "--report", "sarif:out.sarif", "--report", "junit:out.xml")
    assert result.returncode == 0
    (reason,) = {f["suppression_reason"] for f in report["findings"] if f["suppressed"]}
    assert reason == "approved; break-glass key sk-p… (72 chars)"
    for output in (result.stdout, (tmp_path / "out.sarif").read_text(), (tmp_path / "out.xml").read_text()):
        assert OPENAI_KEY not in output and OPENAI_KEY[:20] not in output


# --- silent skips ---------------------------------------------------------------------------

def test_manifest_and_template_after_200_kb_of_comments_are_scanned(tmp_path):
    comments = "# padding comment line, nothing to see here\n" * 5_000
    write_tree(tmp_path, {
        "k8s/deploy.yaml": comments + '''\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: chat
spec:
  template:
    spec:
      containers:
        - name: app
          image: chat:1.0
          env:
            - name: OPENAI_API_KEY
              value: "''' + OPENAI_KEY + '''"
''',
        "cfn/stack.yaml": comments + '''\
Resources:
  Wide:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - {Effect: Allow, Action: "bedrock:*", Resource: "*"}
''',
    })
    result, report, _ = scan(tmp_path)
    assert result.returncode == 1
    files = {file for _, file, _ in findings(report)}
    assert {"k8s/deploy.yaml", "cfn/stack.yaml"} <= files


def test_plan_with_format_version_late_is_scanned(tmp_path):
    policy = json.dumps({"Statement": [{"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}]})
    plan = {"terraform_version": "1.9.5", "variables": {"notes": {"value": "x" * 3000}},
            "planned_values": {"root_module": {"resources": [
                {"address": "aws_iam_policy.wide", "mode": "managed", "type": "aws_iam_policy", "name": "wide",
                 "values": {"name": "wide", "policy": policy}}]}},
            "format_version": "1.2"}
    write_tree(tmp_path, {"plan.json": json.dumps(plan, indent=1)})
    result, report, _ = scan(tmp_path)
    assert result.returncode == 1
    assert any(code == "AIA101" and file == "plan.json" for code, file, _ in findings(report))


# --- one bad file never aborts the scan -----------------------------------------------------

BIG = "1" * 5_000
BIG_NUMBER_FILES = {
    "terraform": ("big/main.tf", f'resource "aws_iam_user" "u" {{\n  name = "u"\n  tags = {{ n = {BIG} }}\n}}\n'),
    "tfvars": ("big/terraform.tfvars", f"size = {BIG}\n"),
    "terraform json": ("big/main.tf.json", f'{{"resource": {{"aws_iam_user": {{"u": {{"name": "u", "n": {BIG}}}}}}}}}'),
    "template json": ("big/stack.json", '{"Resources": {"U": {"Type": "AWS::IAM::User", "Properties": {"N": '
                      + BIG + '}}}}'),
    "plan json": ("big/plan.json", '{"format_version": "1.2", "planned_values": {"root_module": {"resources": []}},'
                  ' "variables": {"n": {"value": ' + BIG + '}}}'),
}
BIG_YAML_FILES = {
    "template yaml": ("big/stack.yaml", f"Resources:\n  U:\n    Type: AWS::IAM::User\n    Properties:\n      N: {BIG}\n"),
    "manifest yaml": ("big/pod.yaml", f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  n: {BIG}\n"),
    "manifest hex": ("big/hex.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: 0x" + "f" * 20_000 + "\n"),
}


@pytest.mark.parametrize("kind", sorted({**BIG_NUMBER_FILES, **BIG_YAML_FILES}))
def test_a_5000_digit_number_is_a_value_and_the_file_is_scanned(tmp_path, kind):
    # Past Python's 4,300-digit int conversion limit the parsers keep the digits as text: the file
    # is read like any other and the rest of the scan is unaffected.
    name, text = {**BIG_NUMBER_FILES, **BIG_YAML_FILES}[kind]
    write_tree(tmp_path, {**HONEST, name: text})
    result, report, _ = scan(tmp_path)
    assert result.returncode == 1
    assert HONEST_FINDING in findings(report)
    assert not errors(report)


def test_json_nested_past_pythons_stack_in_a_string_value(tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    write_tree(tmp_path, {**HONEST, "attack/main.tf": f'''\
locals {{
  decoded = jsondecode("{deep}")
}}
resource "aws_iam_policy" "deep" {{
  name   = local.decoded
  policy = "{deep}"
}}
'''})
    result, report, _ = scan(tmp_path)
    assert result.returncode == 1
    assert HONEST_FINDING in findings(report)
    assert not report["tool_errors"]


def test_a_file_over_the_parse_budget_is_skipped_and_the_scan_completes(tmp_path):
    """A genuinely slow parser is simulated: the CLI runs in-process with a parser that sleeps."""
    write_tree(tmp_path, {**HONEST, "slow/main.tf": 'resource "aws_iam_user" "u" {}\n'})
    script = f'''
import sys, time
from aiaas_iac.parsers import budget, terraform
real, within = terraform.parse_terraform, budget.within_budget
def slow(text, rel, module):
    if rel.startswith("slow/"):
        time.sleep(300)
    return real(text, rel, module)
terraform.parse_terraform = slow
budget.within_budget = lambda seconds, work: within(1.0, work)
from aiaas_iac.cli import main
sys.argv = ["aiaas-iac", "scan", ".", "--format", "json", "--no-cache", "--jobs", "1"]
main()
'''
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                            timeout=PATIENCE)
    assert time.monotonic() - started < QUICK
    report = json.loads(result.stdout)
    assert result.returncode == 1
    assert HONEST_FINDING in findings(report)
    assert errors(report) == {"slow/main.tf": "took longer than 10 s to parse; skipped"}


def test_a_file_that_cannot_be_parsed_alone_gives_exit_code_3(tmp_path):
    write_tree(tmp_path, {"big/main.tf.json": '{"locals": {"n": ' + BIG + ', '})
    result, report, _ = scan(tmp_path)
    assert result.returncode == 3
    assert list(errors(report)) == ["big/main.tf.json"]


@pytest.mark.parametrize("doubled", ['"${local.a%d}${local.a%d}"', "concat(local.a%d, local.a%d)"])
def test_locals_that_double_forty_times_stay_unknown(tmp_path, doubled):
    """2**40 characters (or list items) from forty short lines: the resolver leaves the value
    unknown past its size bound instead of building it until memory runs out."""
    first = '"xy"' if doubled.startswith('"') else '["xy"]'
    lines = ["locals {", f"  a0 = {first}"] + [f"  a{i} = {doubled % (i - 1, i - 1)}" for i in range(1, 41)]
    lines += ["}", 'resource "aws_iam_user" "u" {', "  name = local.a40", "}"]
    write_tree(tmp_path, {**HONEST, "doubling/main.tf": "\n".join(lines) + "\n"})
    result, report, elapsed = scan(tmp_path)
    assert elapsed < 15
    assert result.returncode == 1
    assert HONEST_FINDING in findings(report) and not errors(report)
