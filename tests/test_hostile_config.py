"""A config file in the pull request is hostile: it never runs code, and never narrows the gate silently.

Each test builds the attacker's repository in a temporary directory and runs
the installed CLI in it, as a CI job does (issue 9, items 1, 2 and 10).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_tree

CLI = str(Path(sys.executable).parent / "aiaas-iac")
WIDE = '''\
resource "aws_iam_policy" "wide" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "bedrock:*", Resource = "*" }]
  })
}
'''
REFUSAL = ("checks-dir is only honoured from --checks-dir or a --config file outside the scanned paths; "
           "code from the scanned repository never runs")
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
    why = "Long sessions."
    remediation = "Shorten them."
    failing_example = ""
    passing_example = ""

    def run(self, ctx):
        for agent in ctx.of_type("aws_bedrockagent_agent"):
            yield self.finding(agent, f"{agent.address} keeps idle sessions", ("idle_session_ttl_in_seconds",))
'''


def run(tree: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("CI", None)
    return subprocess.run([CLI, "scan", *args], cwd=tree, capture_output=True, text=True, timeout=300, env=env)


@pytest.fixture
def repo(tmp_path):
    """The pull request's checkout: a git work tree holding one finding-laden Terraform file."""
    checkout = tmp_path / "checkout"
    write_tree(checkout, {"infra/main.tf": WIDE})
    (checkout / ".git").mkdir()
    return checkout


def evil_policy(repo: Path, marker: Path) -> None:
    write_tree(repo, {"policy/evil.py": f"open({str(marker)!r}, 'w').write('pwned')\n",
                      "policy/__init__.py": ""})


# 1. No code from the scanned tree -------------------------------------------


@pytest.mark.parametrize("config_file, content", [
    (".aiaas-iac.toml", 'checks-dir = ["policy"]\n'),
    ("pyproject.toml", '[project]\nname = "x"\n\n[tool.aiaas-iac]\nchecks-dir = ["policy"]\n'),
])
def test_checks_dir_in_a_config_in_the_tree_is_refused_and_never_imported(repo, tmp_path, config_file, content):
    marker = tmp_path / "marker"
    evil_policy(repo, marker)
    write_tree(repo, {config_file: content})

    result = run(repo, ".")

    assert not marker.exists()
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"aiaas-iac: error: ./{config_file}: {REFUSAL}"]


def test_checks_dir_refused_when_the_in_tree_config_is_passed_with_config(repo, tmp_path):
    marker = tmp_path / "marker"
    evil_policy(repo, marker)
    write_tree(repo, {"ci/aiaas.toml": 'checks-dir = ["../policy"]\n'})

    result = run(repo, ".", "--config", "ci/aiaas.toml")

    assert not marker.exists()
    assert result.returncode == 2 and REFUSAL in result.stderr


def test_checks_dir_refused_when_a_trusted_config_points_into_the_tree(repo, tmp_path):
    marker = tmp_path / "marker"
    evil_policy(repo, marker)
    trusted = write_tree(tmp_path / "trusted", {"aiaas.toml": f'checks-dir = [{str(repo / "policy")!r}]\n'})

    result = run(repo, ".", "--config", str(trusted / "aiaas.toml"))

    assert not marker.exists()
    assert result.returncode == 2 and "is inside the scanned paths" in result.stderr


def test_checks_dir_from_a_config_outside_the_scanned_paths_is_honoured(repo, tmp_path):
    trusted = write_tree(tmp_path / "trusted", {"aiaas.toml": 'checks-dir = ["org-checks"]\n',
                                                "org-checks/idle_session.py": CUSTOM_CHECK})
    write_tree(repo, {"agent.tf": 'resource "aws_bedrockagent_agent" "a" {\n  idle_session_ttl_in_seconds = 86400\n}\n'})

    result = run(repo, ".", "--config", str(trusted / "aiaas.toml"), "--select", "ORG101")

    assert result.returncode == 1, result.stderr
    assert "agent.tf:2:3 ORG101 [low]" in result.stdout


def test_checks_dir_on_the_command_line_still_works(repo, tmp_path):
    write_tree(tmp_path / "org-checks", {"idle_session.py": CUSTOM_CHECK})
    write_tree(repo, {"agent.tf": 'resource "aws_bedrockagent_agent" "a" {}\n'})

    result = run(repo, ".", "--checks-dir", str(tmp_path / "org-checks"), "--select", "ORG101")

    assert result.returncode == 1 and "ORG101" in result.stdout


# 2. A config that narrows the gate is visible, and --no-config undoes it ----


NARROWING_CONFIGS = {
    "ignore": ('ignore = ["AIA"]\n', "ignore turns off every check", "select/ignore leave no check to run"),
    "exclude": ('exclude = ["*"]\n', "exclude skips paths matching *", "exclude leaves no file to scan (1 file excluded)"),
    "per-path-ignores": ('[per-path-ignores]\n"*" = ["AIA"]\n', "per-path-ignores turns off every check",
                         "per-path-ignores hide every finding"),
}


@pytest.mark.parametrize("name", NARROWING_CONFIGS)
def test_a_config_that_switches_the_gate_off_is_reported_in_every_format(repo, name):
    content, effect, warning = NARROWING_CONFIGS[name]
    write_tree(repo, {".aiaas-iac.toml": content})

    text = run(repo, ".")
    assert "AIA101 [" not in text.stdout
    assert "Config .aiaas-iac.toml narrows this scan:" in text.stdout and effect in text.stdout
    assert f"warning: {warning}" in text.stdout
    assert f"aiaas-iac: warning: .aiaas-iac.toml: {warning}" in text.stderr

    document = json.loads(run(repo, ".", "--format", "json").stdout)
    assert document["config"]["path"] == ".aiaas-iac.toml"
    assert any(effect in e for e in document["config"]["effects"])
    assert any(warning in w for w in document["config"]["warnings"])

    sarif = json.loads(run(repo, ".", "--format", "sarif").stdout)
    notifications = sarif["runs"][0]["invocations"][0]["toolConfigurationNotifications"]
    assert any(effect in n["message"]["text"] and n["level"] == "warning" for n in notifications)

    github = run(repo, ".", "--format", "github").stdout
    assert any(line.startswith("::warning title=aiaas-iac config::Config .aiaas-iac.toml narrows this scan: ")
               and effect in line for line in github.splitlines())

    junit = run(repo, ".", "--format", "junit").stdout
    assert 'name="config.effect"' in junit and effect in junit

    ungated = run(repo, ".", "--no-config")
    assert ungated.returncode == 1
    assert "infra/main.tf:3:18 AIA101 [high]" in ungated.stdout and "Config" not in ungated.stdout


def test_fail_on_none_and_lowered_severities_are_reported(repo):
    write_tree(repo, {".aiaas-iac.toml": 'fail-on = "none"\n[severity]\nAIA101 = "low"\n'})

    result = run(repo, ".")

    assert result.returncode == 0
    assert "fail-on = none: no finding fails the run" in result.stdout
    assert "severity lowers AIA101 from high to low" in result.stdout
    assert run(repo, ".", "--no-config").returncode == 1


def test_no_config_ignores_a_config_with_checks_dir(repo, tmp_path):
    marker = tmp_path / "marker"
    evil_policy(repo, marker)
    write_tree(repo, {".aiaas-iac.toml": 'checks-dir = ["policy"]\nignore = ["AIA"]\n'})

    result = run(repo, ".", "--no-config")

    assert not marker.exists() and result.returncode == 1 and "AIA101" in result.stdout


def test_config_and_no_config_together_are_a_usage_error(repo):
    result = run(repo, ".", "--no-config", "--config", "x.toml")
    assert result.returncode == 2 and "--config and --no-config exclude each other" in result.stderr


def test_a_baseline_named_by_the_config_is_reported_with_what_it_hides(repo):
    (repo / "ci").mkdir()
    subprocess.run([CLI, "baseline", ".", "--output", "ci/baseline.json"], cwd=repo, capture_output=True, timeout=300)
    write_tree(repo, {".aiaas-iac.toml": 'baseline = "ci/baseline.json"\n'})

    result = run(repo, ".")

    assert result.returncode == 0
    assert "baseline ci/baseline.json hides 2 findings already in it" in result.stdout


# 10. Excludes are anchored ----------------------------------------------------


def test_a_bare_exclude_hides_only_the_directory_next_to_the_config(repo):
    write_tree(repo, {"examples/main.tf": WIDE, "prod/examples/main.tf": WIDE, ".aiaas-iac.toml": 'exclude = ["examples"]\n'})

    result = run(repo, ".")

    assert result.returncode == 1
    assert "prod/examples/main.tf:3:18 AIA101" in result.stdout
    assert "\nexamples/main.tf" not in result.stdout and not result.stdout.startswith("examples/")


def test_config_globs_are_relative_to_the_config_file_not_the_scan_root(repo):
    write_tree(repo, {"infra/legacy/main.tf": WIDE, "infra/examples/main.tf": WIDE,
                      ".aiaas-iac.toml": 'exclude = ["infra/legacy", "examples"]\n'
                                         '[per-path-ignores]\n"infra/main.tf" = ["AIA101"]\n'})

    result = run(repo / "infra", ".")

    assert "legacy/main.tf" not in result.stdout
    assert "examples/main.tf:3:18 AIA101" in result.stdout  # infra/examples, not ./examples
    assert "\nmain.tf:3:18 AIA101" not in result.stdout and "main.tf:3:18 AIA104" in result.stdout


def test_command_line_excludes_are_relative_to_the_scan_root(repo):
    write_tree(repo, {"examples/main.tf": WIDE, "prod/examples/main.tf": WIDE})

    anchored = run(repo, ".", "--exclude", "examples").stdout
    anywhere = run(repo, ".", "--exclude", "**/examples").stdout

    assert "prod/examples/main.tf" in anchored and "\nexamples/main.tf" not in anchored
    assert "examples/main.tf" not in anywhere


# A relative baseline in an in-tree config stays inside the tree -------------


@pytest.mark.parametrize("baseline", ["../outside.json", "/etc/passwd", "link.json"])
def test_a_baseline_outside_the_config_directory_is_refused(repo, tmp_path, baseline):
    (tmp_path / "outside.json").write_text('{"findings": []}')
    (repo / "link.json").symlink_to(tmp_path / "outside.json")
    write_tree(repo, {".aiaas-iac.toml": f"baseline = {baseline!r}\n"})

    result = run(repo, ".")

    assert result.returncode == 2
    assert "a config file in the scanned tree may only name a baseline inside its own directory" in result.stderr


def test_a_baseline_that_is_not_a_regular_file_is_refused(repo):
    (repo / "ci").mkdir()
    write_tree(repo, {".aiaas-iac.toml": 'baseline = "ci"\n'})

    result = run(repo, ".")

    assert result.returncode == 2 and "is not a regular file" in result.stderr


def test_a_glob_holding_a_workflow_command_stays_on_its_line(repo):
    write_tree(repo, {".aiaas-iac.toml": 'exclude = ["x\\n::add-mask::secret\\r::stop-commands::t"]\n'})

    for format_name in ("text", "github", "junit", "json", "sarif"):
        result = run(repo, ".", "--format", format_name)
        commands = [line for line in (result.stdout + result.stderr).splitlines() if line.lstrip().startswith("::")]
        assert all(line.startswith(("::warning title=aiaas-iac config::", "::error file=", "::warning file=")) for line in commands), format_name
        assert "add-mask" in result.stdout, format_name


def test_a_committed_link_to_a_config_is_still_the_trees_config(repo, tmp_path):
    marker = tmp_path / "marker"
    evil_policy(repo, marker)
    outside = write_tree(tmp_path / "elsewhere", {"aiaas.toml": f'checks-dir = [{str(repo / "policy")!r}]\n'})
    (repo / "ci.toml").symlink_to(outside / "aiaas.toml")

    result = run(repo, ".", "--config", "ci.toml")

    assert not marker.exists()
    assert result.returncode == 2 and REFUSAL in result.stderr


def test_an_empty_checks_dir_in_the_tree_is_harmless(repo):
    write_tree(repo, {".aiaas-iac.toml": "checks-dir = []\n"})
    assert run(repo, ".").returncode == 1


@pytest.mark.parametrize("name", [".aiaas-iac.toml", "pyproject.toml"])
def test_a_config_in_the_tree_that_links_elsewhere_is_refused_unread(repo, tmp_path, name):
    outside = tmp_path / "home-config.toml"
    outside.write_text('[tool.aiaas-iac]\nignore = ["AIA"]\n' if name == "pyproject.toml" else 'ignore = ["AIA"]\n')
    (repo / name).symlink_to(outside)
    result = run(repo, ".")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "must be a regular file, not a symbolic link" in result.stderr
    assert run(repo, ".", "--no-config").returncode == 1


def test_a_huge_config_in_the_tree_is_refused(repo):
    (repo / ".aiaas-iac.toml").write_text("# padding\n" * 200_000)
    result = run(repo, ".")
    assert result.returncode == 2 and "too large for a configuration file" in result.stderr
