"""The command line: exit codes, formats, rules, explain, version."""

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from aiaas_iac import __version__
from aiaas_iac.cli import app
from conftest import write_tree

WIDE = '''\
resource "aws_iam_policy" "wide" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "bedrock:*", Resource = "*" }]
  })
}
'''
runner = CliRunner()


def run(*args, cwd=None, monkeypatch=None):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_findings_at_or_above_fail_on_exit_1(repo):
    write_tree(repo, {"main.tf": WIDE})
    result = run("scan", ".")
    assert result.exit_code == 1
    assert "main.tf:3" in result.output and "AIA101" in result.output


def test_findings_below_fail_on_exit_0(repo):
    write_tree(repo, {"main.tf": WIDE})
    assert run("scan", ".", "--fail-on", "critical").exit_code == 0
    assert run("scan", ".", "--fail-on", "none").exit_code == 0


def test_parse_error_without_gating_findings_exit_3(repo):
    write_tree(repo, {"main.tf": WIDE, "bad.tf": "resource {"})
    result = run("scan", ".", "--fail-on", "critical")
    assert result.exit_code == 3
    assert "bad.tf" in result.output


def test_parse_error_with_gating_findings_exit_1(repo):
    write_tree(repo, {"main.tf": WIDE, "bad.tf": "resource {"})
    assert run("scan", ".").exit_code == 1


def test_clean_scan_exit_0(repo):
    write_tree(repo, {"main.tf": 'resource "aws_s3_bucket" "b" {}\n'})
    assert run("scan").exit_code == 0


def test_unknown_check_in_select_exit_2(repo):
    result = run("scan", ".", "--select", "AIA999")
    assert result.exit_code == 2
    assert "unknown check 'AIA999'" in result.output


def test_ignore_by_slug(repo):
    write_tree(repo, {"main.tf": WIDE})
    result = run("scan", ".", "--ignore", "bedrock-wildcard-permission")
    assert "AIA101" not in result.output and "AIA104" in result.output


def test_select_by_prefix(repo):
    write_tree(repo, {"main.tf": WIDE})
    assert run("scan", ".", "--select", "AIA1").exit_code == 1
    assert run("scan", ".", "--select", "AIA5").exit_code == 0


def test_bad_format_is_a_usage_error(repo):
    assert run("scan", ".", "--format", "xml").exit_code == 2


def test_json_to_output_file(repo):
    write_tree(repo, {"main.tf": WIDE})
    result = run("scan", ".", "--select", "AIA101", "--format", "json", "--output", "out/report.json")
    assert result.exit_code == 1
    report = json.loads((repo / "out" / "report.json").read_text())
    assert [(f["code"], f["file"], f["start_line"]) for f in report["findings"]] == [("AIA101", "main.tf", 3)]


def test_sarif_to_stdout(repo):
    write_tree(repo, {"main.tf": WIDE})
    result = run("scan", ".", "--select", "AIA101", "--format", "sarif")
    sarif = json.loads(result.output)
    assert sarif["version"] == "2.1.0"
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["AIA101"]


def test_soft_fail(repo):
    write_tree(repo, {"main.tf": WIDE})
    assert run("scan", ".", "--soft-fail").exit_code == 0


def test_rules_lists_every_check_with_its_severity():
    result = run("rules")
    assert result.exit_code == 0
    line = next(l for l in result.output.splitlines() if l.startswith("AIA101"))
    assert "bedrock-wildcard-permission" in line and "high" in line and "TF,CFN" in line


def test_explain_by_code_and_slug():
    by_code = run("explain", "AIA101")
    by_slug = run("explain", "bedrock-wildcard-permission")
    assert by_code.exit_code == 0 and by_code.output == by_slug.output
    for section in ("What it does", "Why is this bad?", "Failing example", "Passing example", "Remediation", "CWE-250"):
        assert section in by_code.output


def test_explain_unknown_exit_2():
    assert run("explain", "AIA000").exit_code == 2


def test_version():
    assert run("--version").output.strip() == f"aiaas-iac {__version__}"


def test_help_documents_exit_codes():
    output = run("scan", "--help").output
    for code in ("0", "1", "2", "3"):
        assert f"  {code}  " in output


def test_console_script_never_prints_a_traceback(tmp_path):
    write_tree(tmp_path, {"bad.tf": "resource {", "bad.yaml": "a: [", "x.tf.json": "{"})
    result = subprocess.run([sys.executable, "-m", "aiaas_iac", "scan", "."], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    assert "Traceback" not in result.stdout + result.stderr


def test_missing_scan_path_is_a_usage_error(repo):
    result = run("scan", "no-such-dir")
    assert result.exit_code == 2
    assert "no-such-dir: no such file or directory" in result.output
