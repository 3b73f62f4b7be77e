"""The newcomer's path (issue 11): what a first-time user types, run through the installed CLI.

Every test runs `aiaas-iac` as a subprocess in a temporary repository, the way
someone trying the tool (or a CI job) runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import write_tree

CLI = str(Path(sys.executable).parent / "aiaas-iac")
REPO_ROOT = Path(__file__).resolve().parent.parent
WIDE = '''\
resource "aws_iam_policy" "wide" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "bedrock:*", Resource = "*" }]
  })
}
'''
AGENT = 'resource "aws_bedrockagent_agent" "a" {\n  idle_session_ttl_in_seconds = 86400\n}\n'
CUSTOM_CHECK = '''\
from aiaas_iac.check import Check
from aiaas_iac.model import Mappings, Severity


class LongIdleSession(Check):
    """A Bedrock agent keeps idle sessions for more than an hour."""

    code = "ORG101"
    slug = "bedrock-agent-long-idle-session"
    severity = Severity.LOW
    title = "Bedrock agent keeps idle sessions too long"
    formats = ("terraform",)
    mappings = Mappings("NHI6", "PR.AA-06", "CWE-613")
    why = "Long-lived sessions keep conversation data around."
    remediation = "Set idle_session_ttl_in_seconds to 3600 or less."
    failing_example = 'resource "aws_bedrockagent_agent" "a" { idle_session_ttl_in_seconds = 86400 }'
    passing_example = 'resource "aws_bedrockagent_agent" "a" { idle_session_ttl_in_seconds = 900 }'

    def run(self, ctx):
        for agent in ctx.of_type("aws_bedrockagent_agent"):
            ttl = agent.get("idle_session_ttl_in_seconds")
            if isinstance(ttl, int) and ttl > 3600:
                yield self.finding(agent, f"{agent.address} keeps idle sessions for {ttl}s",
                                   ("idle_session_ttl_in_seconds",))
'''


def aiaas(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("CI", None)
    return subprocess.run([CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


@pytest.fixture
def repo(tmp_path):
    return write_tree(tmp_path / "repo", {"main.tf": WIDE})


@pytest.fixture
def org_checks(tmp_path):
    return write_tree(tmp_path / "org-checks", {"idle_session.py": CUSTOM_CHECK})


# Text output says how to fix ---------------------------------------------------------------

def test_each_finding_is_followed_by_a_short_remediation_line(repo):
    lines = aiaas(repo, "scan", ".", "--select", "AIA101").stdout.splitlines()

    assert lines[0].startswith("main.tf:3:") and " AIA101 [high] " in lines[0]
    assert lines[1] == "    → aiaas-iac explain AIA101"


def test_quiet_leaves_the_remediation_out_and_verbose_shows_all_of_it(repo):
    quiet = aiaas(repo, "scan", ".", "--select", "AIA101", "-q").stdout
    verbose = aiaas(repo, "scan", ".", "--select", "AIA101", "--verbose").stdout

    assert "→" not in quiet and "remediation:" not in quiet
    assert "    remediation: Grant only the actions the workload calls" in verbose


def test_notes_are_summarised_in_text_output(tmp_path):
    chart = write_tree(tmp_path / "chart", {
        "Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
        "templates/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\n{{- if .Values.x }}\n",
        "templates/secret.yaml": "apiVersion: v1\nkind: Secret\n",
    })

    summary = aiaas(chart, "scan", ".").stdout.splitlines()[-2]
    listed = aiaas(chart, "scan", ".", "-v").stdout

    assert summary == "2 notes (2 Helm templates skipped); -v to list"
    assert "note: templates/deployment.yaml: Helm template, skipped" in listed


# Option values ------------------------------------------------------------------------------

def test_option_values_are_case_insensitive(repo):
    sarif = aiaas(repo, "scan", ".", "--format", "SARIF", "--fail-on", "HIGH", "--framework", "Terraform",
                  "--report", "JSON:out.json")

    assert sarif.returncode == 1, sarif.stderr
    assert json.loads(sarif.stdout)["version"] == "2.1.0"
    assert json.loads((repo / "out.json").read_text())["findings"]
    assert aiaas(repo, "rules", "--format", "JSON").returncode == 0


def test_an_output_file_named_like_a_format_gets_a_warning(repo):
    result = aiaas(repo, "scan", ".", "-o", "sarif")

    assert result.returncode == 1
    assert "aiaas-iac: warning: wrote text to ./sarif; did you mean --format sarif?" in result.stderr
    assert "AIA101" in (repo / "sarif").read_text()


def test_an_output_file_named_like_the_format_written_is_fine(repo):
    result = aiaas(repo, "scan", ".", "--format", "json", "-o", "json")

    assert "warning" not in result.stderr


@pytest.mark.parametrize("jobs", ["0", "-3"])
def test_jobs_must_be_at_least_one(repo, jobs):
    result = aiaas(repo, "scan", ".", "--jobs", jobs)

    assert result.returncode == 2 and "--jobs" in result.stderr


def test_rules_rejects_formats_it_does_not_implement(repo):
    result = aiaas(repo, "rules", "--format", "sarif")

    assert result.returncode == 2 and "'text', 'json'" in result.stderr


def test_the_cli_category_default_is_the_actions(repo):
    action = yaml.safe_load((REPO_ROOT / "action.yml").read_text())

    help_text = aiaas(repo, "scan", "--help").stdout
    sarif = json.loads(aiaas(repo, "scan", ".", "--format", "sarif").stdout)

    assert action["inputs"]["category"]["default"] == "aiaas-iac"
    assert "[default: aiaas-iac]" in help_text
    assert sarif["runs"][0]["automationDetails"]["id"] == "aiaas-iac/"


# Custom checks are first-class -----------------------------------------------------------------

def test_rules_and_explain_take_checks_dir(repo, org_checks):
    rules = aiaas(repo, "rules", "--checks-dir", str(org_checks))
    explained = aiaas(repo, "explain", "ORG101", "--checks-dir", str(org_checks))

    assert any(line.startswith("ORG101") and "bedrock-agent-long-idle-session" in line for line in rules.stdout.splitlines())
    assert explained.returncode == 0 and "Set idle_session_ttl_in_seconds to 3600 or less." in explained.stdout


def test_rules_and_explain_read_checks_dir_from_a_config_outside_the_working_directory(repo, tmp_path, org_checks):
    trusted = write_tree(tmp_path / "trusted", {"aiaas.toml": f'checks-dir = [{str(org_checks)!r}]\n'})

    rules = aiaas(repo, "rules", "--format", "json", "--config", str(trusted / "aiaas.toml"))
    explained = aiaas(repo, "explain", "bedrock-agent-long-idle-session", "--config", str(trusted / "aiaas.toml"))

    assert "ORG101" in [rule["code"] for rule in json.loads(rules.stdout)]
    assert explained.returncode == 0 and "ORG101" in explained.stdout


def test_rules_refuses_checks_dir_from_a_config_in_the_working_directory(repo):
    write_tree(repo, {"aiaas.toml": 'checks-dir = ["policy"]\n', "policy/x.py": "raise SystemExit('ran')\n"})

    result = aiaas(repo, "rules", "--config", "aiaas.toml")

    assert result.returncode == 2 and "code from the scanned repository never runs" in result.stderr


def test_a_custom_check_with_a_baseline_works_end_to_end(repo, org_checks):
    write_tree(repo, {"agent.tf": AGENT})
    checks = ("--checks-dir", str(org_checks), "--select", "ORG101")

    recorded = aiaas(repo, "baseline", ".", *checks)
    clean = aiaas(repo, "scan", ".", *checks, "--baseline", ".aiaas-iac-baseline.json")
    write_tree(repo, {"agent2.tf": AGENT.replace('"a"', '"b"')})
    new = aiaas(repo, "scan", ".", *checks, "--baseline", ".aiaas-iac-baseline.json")

    assert recorded.returncode == 0 and "Recorded 1 finding" in recorded.stdout
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert new.returncode == 1 and "agent2.tf:2:3 ORG101 [low]" in new.stdout


# Config semantics ------------------------------------------------------------------------------

def test_baseline_writes_to_the_configs_baseline_path(repo):
    write_tree(repo, {".aiaas-iac.toml": 'baseline = "security/baseline.json"\n'})

    result = aiaas(repo, "baseline", ".")
    scanned = aiaas(repo, "scan", ".")

    assert result.returncode == 0, result.stderr
    assert "security/baseline.json" in result.stdout and (repo / "security" / "baseline.json").is_file()
    assert not (repo / ".aiaas-iac-baseline.json").exists()
    assert scanned.returncode == 0, scanned.stdout


def test_output_still_wins_over_the_configs_baseline_path(repo):
    write_tree(repo, {".aiaas-iac.toml": 'baseline = "security/baseline.json"\n'})

    aiaas(repo, "baseline", ".", "--output", "mine.json")

    assert (repo / "mine.json").is_file() and not (repo / "security").exists()


@pytest.mark.parametrize(("content", "key", "token"), [
    ('ignore = ["AIA1O1"]\n', "ignore", "AIA1O1"),
    ('select = ["AIA1", "bedrock-wildcard"]\n', "select", "bedrock-wildcard"),
    ('[severity]\nAIA1O6 = "medium"\n', "severity", "AIA1O6"),
    ('[per-path-ignores]\n"sandbox/**" = ["AIA3O2"]\n', "per-path-ignores", "AIA3O2"),
])
def test_an_unknown_check_in_the_config_names_the_file_and_the_key(repo, content, key, token):
    write_tree(repo, {".aiaas-iac.toml": content})

    result = aiaas(repo, "scan", ".")

    assert result.returncode == 2
    assert f".aiaas-iac.toml: {key}: unknown check {token!r}" in result.stderr


def test_a_custom_check_named_in_the_config_is_known(repo, org_checks):
    write_tree(repo, {".aiaas-iac.toml": '[severity]\nORG101 = "high"\n', "agent.tf": AGENT})

    result = aiaas(repo, "scan", ".", "--checks-dir", str(org_checks), "--select", "ORG101")

    assert result.returncode == 1 and "ORG101 [high]" in result.stdout


def test_suppression_comment_with_a_code_prefix(repo):
    write_tree(repo, {"main.tf": "# aiaas-iac:ignore=AIA1 sandbox account (SEC-9)\n" + WIDE})

    result = aiaas(repo, "scan", ".", "--select", "AIA101,AIA9")

    assert result.returncode == 0, result.stdout
    assert "1 suppressed" in result.stdout


def test_suppression_findings_do_not_end_in_empty_parentheses(repo):
    write_tree(repo, {"main.tf": "# aiaas-iac:ignore=AIA101\n" + WIDE})

    lines = aiaas(repo, "scan", ".", "--select", "AIA101,AIA9").stdout.splitlines()

    (line,) = [line for line in lines if " AIA901 " in line]
    assert line == "main.tf:1 AIA901 [low] suppression of AIA101 has no reason, so it suppresses nothing"


def test_a_hostile_note_stays_one_escaped_line(tmp_path):
    chart = write_tree(tmp_path / "chart", {"Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n"})
    try:
        (chart / "templates").mkdir()
        (chart / "templates" / "a\n::error::pwned.yaml").write_text("apiVersion: v1\nkind: Secret\n")
    except OSError as error:
        pytest.skip(f"file system refuses the name: {error}")

    for args in ((), ("-v",)):
        lines = aiaas(chart, "scan", ".", *args).stdout.splitlines()

        assert not any(line.startswith("::") for line in lines)
    assert any("templates/a\\n::error::pwned.yaml: Helm template, skipped" in line for line in lines)
