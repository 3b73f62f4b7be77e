"""The GitHub Action's shell steps, the pre-commit hook, and GitHub's SARIF ingestion rules."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, SAMPLES, write_tree

# CI installs these tools; a developer machine may not have them. CI sets this so
# that a missing tool fails instead of skipping.
REQUIRE_TOOLS = os.environ.get("AIAAS_REQUIRE_TOOLS") == "1"
BIN = str(Path(sys.executable).parent)


def tool_missing(name: str):
    if REQUIRE_TOOLS:
        pytest.fail(f"{name} is required in CI but missing")
    pytest.skip(f"{name} not installed")


def action_step(name: str) -> dict:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    return next(step for step in action["runs"]["steps"] if step.get("name") == name)


def run_step(step: dict, env: dict, cwd: Path) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PATH": BIN + os.pathsep + os.environ["PATH"], **env}
    return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=300)


def scan_inputs(tmp_path: Path, **inputs: str) -> dict:
    """The Scan step's environment: every input at its action.yml default unless given."""
    runner_temp = tmp_path / "runner_temp"
    runner_temp.mkdir(exist_ok=True)
    env = {"INPUT_PATHS": ".", "INPUT_FAIL_ON": "low", "INPUT_BASELINE": "", "INPUT_CATEGORY": "aiaas-iac",
           "INPUT_SARIF_FILE": "", "INPUT_EXTRA_ARGS": "", "INPUT_CONFIG": "", "INPUT_CONFIG_FROM_BASE_REF": "false",
           "GITHUB_OUTPUT": str(tmp_path / "github_output"), "RUNNER_TEMP": str(runner_temp), "GITHUB_BASE_REF": ""}
    env.update({"INPUT_" + name.upper(): value for name, value in inputs.items()})
    return env


def step_outputs(tmp_path: Path) -> dict:
    return dict(line.split("=", 1) for line in (tmp_path / "github_output").read_text().splitlines())


def test_action_scan_step_writes_sarif_annotations_and_exit_code(tmp_path):
    shutil.copytree(SAMPLES / "terraform", tmp_path / "infra")
    outputs = tmp_path / "github_output"
    result = run_step(action_step("Scan"), scan_inputs(
        tmp_path, paths="infra", fail_on="high", category="iac/ai", sarif_file="out/aiaas-iac.sarif"), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "exit-code=1" in outputs.read_text()
    assert step_outputs(tmp_path)["sarif-file"] == "out/aiaas-iac.sarif"
    assert "::error file=infra/" in result.stdout
    sarif = json.loads((tmp_path / "out" / "aiaas-iac.sarif").read_text())
    assert sarif["runs"][0]["automationDetails"]["id"] == "iac/ai/"
    assert sarif["runs"][0]["results"]

    gate = run_step(action_step("Gate"), {"SCAN_EXIT_CODE": "1"}, tmp_path)
    assert gate.returncode == 1


def test_action_scan_step_with_baseline_and_extra_args_is_green(tmp_path):
    shutil.copytree(SAMPLES / "terraform", tmp_path / "infra")
    subprocess.run([os.path.join(BIN, "aiaas-iac"), "baseline", "infra", "--output", "baseline.json"],
                   cwd=tmp_path, check=False, capture_output=True, timeout=300)
    result = run_step(action_step("Scan"), scan_inputs(
        tmp_path, paths="infra", baseline="baseline.json", sarif_file="aiaas-iac.sarif",
        extra_args="--exclude nothing-here"), tmp_path)
    assert result.returncode == 0, result.stderr
    assert step_outputs(tmp_path)["exit-code"] in ("0", "3")


WIDE = 'resource "aws_iam_policy" "wide" {\n  policy = jsonencode({\n' \
       '    Statement = [{ Effect = "Allow", Action = "bedrock:*", Resource = "*" }]\n  })\n}\n'
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, check=True,
                          capture_output=True, text=True).stdout


def test_action_writes_sarif_under_runner_temp_by_default(tmp_path):
    write_tree(tmp_path / "checkout", {"main.tf": WIDE})
    # A committed link where the SARIF used to go must not matter.
    (tmp_path / "checkout" / "aiaas-iac.sarif").symlink_to(tmp_path / "victim")
    result = run_step(action_step("Scan"), scan_inputs(tmp_path), tmp_path / "checkout")
    assert result.returncode == 0, result.stderr
    outputs = step_outputs(tmp_path)
    assert outputs["sarif-file"] == str(tmp_path / "runner_temp" / "aiaas-iac.sarif")
    assert outputs["sarif-written"] == "true" and outputs["exit-code"] == "1"
    assert json.loads(Path(outputs["sarif-file"]).read_text())["runs"][0]["results"]
    assert not (tmp_path / "victim").exists()


def test_action_ignores_the_pull_requests_own_config_by_default(tmp_path):
    checkout = write_tree(tmp_path / "checkout", {"main.tf": WIDE, ".aiaas-iac.toml": 'ignore = ["AIA"]\nexclude = ["*"]\n',
                                                  "policy/evil.py": "raise SystemExit('ran')\n"})
    result = run_step(action_step("Scan"), scan_inputs(tmp_path), checkout)
    assert result.returncode == 0, result.stderr
    assert step_outputs(tmp_path)["exit-code"] == "1"
    assert "::error file=main.tf" in result.stdout and "aiaas-iac config" not in result.stdout


def test_action_uses_a_config_the_workflow_names(tmp_path):
    checkout = write_tree(tmp_path / "checkout", {"main.tf": WIDE})
    # A config kept outside the checkout reads its globs from the scan root.
    trusted = write_tree(tmp_path / "trusted", {"aiaas.toml": 'exclude = ["main.tf"]\n'})
    result = run_step(action_step("Scan"), scan_inputs(tmp_path, config=str(trusted / "aiaas.toml")), checkout)
    assert step_outputs(tmp_path)["exit-code"] == "0", result.stdout + result.stderr
    assert "::warning title=aiaas-iac config::" in result.stdout and "exclude skips paths matching main.tf" in result.stdout


def make_pull_request(tmp_path: Path) -> Path:
    """A checkout whose base branch (origin/main) has a config and a baseline of its findings, and whose
    pull request commit adds a finding, hides it in its own baseline and switches every check off."""
    checkout = write_tree(tmp_path / "checkout", {"main.tf": WIDE, ".aiaas-iac.toml": 'baseline = "ci/baseline.json"\n'})
    (checkout / "ci").mkdir()
    git(checkout, "init", "-q", "-b", "main")
    subprocess.run([os.path.join(BIN, "aiaas-iac"), "baseline", ".", "--output", "ci/baseline.json"], cwd=checkout,
                   check=True, capture_output=True, timeout=300)
    git(checkout, "add", ".")
    git(checkout, "commit", "-q", "-m", "base")
    git(checkout, "update-ref", "refs/remotes/origin/main", "HEAD")
    write_tree(checkout, {"new.tf": WIDE.replace('"wide"', '"new"')})
    subprocess.run([os.path.join(BIN, "aiaas-iac"), "baseline", ".", "--output", "ci/baseline.json"], cwd=checkout,
                   check=True, capture_output=True, timeout=300)
    write_tree(checkout, {".aiaas-iac.toml": 'baseline = "ci/baseline.json"\nignore = ["AIA"]\n'})
    git(checkout, "add", ".")
    git(checkout, "commit", "-q", "-m", "pull request")
    return checkout


def test_action_takes_config_and_baseline_from_the_base_ref(tmp_path):
    checkout = make_pull_request(tmp_path)
    result = run_step(action_step("Scan"), {**scan_inputs(tmp_path, config_from_base_ref="true"),
                                            "GITHUB_BASE_REF": "main", **GIT_ENV}, checkout)
    assert step_outputs(tmp_path)["exit-code"] == "1", result.stdout + result.stderr
    assert "using .aiaas-iac.toml from refs/remotes/origin/main" in result.stdout
    assert "::error file=new.tf" in result.stdout and "::error file=main.tf" not in result.stdout
    assert "aiaas-iac-config/ci/baseline.json hides 2 findings" in result.stdout


def test_action_baseline_input_on_a_pull_request_is_the_base_branch_version(tmp_path):
    checkout = make_pull_request(tmp_path)  # the pull request's ci/baseline.json also lists new.tf's findings
    result = run_step(action_step("Scan"), {**scan_inputs(tmp_path, baseline="ci/baseline.json"),
                                            "GITHUB_BASE_REF": "main", **GIT_ENV}, checkout)
    assert step_outputs(tmp_path)["exit-code"] == "1", result.stdout + result.stderr
    assert "::error file=new.tf" in result.stdout and "::error file=main.tf" not in result.stdout


def test_action_baseline_input_missing_on_the_base_branch_hides_nothing(tmp_path):
    checkout = make_pull_request(tmp_path)
    result = run_step(action_step("Scan"), {**scan_inputs(tmp_path, baseline="ci/added-by-the-pr.json"),
                                            "GITHUB_BASE_REF": "main", **GIT_ENV}, checkout)
    assert "ci/added-by-the-pr.json is not on refs/remotes/origin/main; every finding counts" in result.stdout
    assert "::error file=new.tf" in result.stdout and "::error file=main.tf" in result.stdout


def test_action_on_push_takes_the_config_of_the_checked_out_commit(tmp_path):
    checkout = make_pull_request(tmp_path)
    result = run_step(action_step("Scan"), {**scan_inputs(tmp_path, config_from_base_ref="true"), **GIT_ENV}, checkout)
    assert step_outputs(tmp_path)["exit-code"] == "0", result.stdout + result.stderr
    assert "using .aiaas-iac.toml from HEAD" in result.stdout and "ignore turns off every check" in result.stdout


def test_action_without_a_base_config_scans_without_one(tmp_path):
    checkout = write_tree(tmp_path / "checkout", {"main.tf": WIDE})
    git(checkout, "init", "-q", "-b", "main")
    git(checkout, "add", ".")
    git(checkout, "commit", "-q", "-m", "base")
    git(checkout, "update-ref", "refs/remotes/origin/main", "HEAD")
    write_tree(checkout, {".aiaas-iac.toml": 'ignore = ["AIA"]\n'})
    result = run_step(action_step("Scan"), {**scan_inputs(tmp_path, config_from_base_ref="true"),
                                            "GITHUB_BASE_REF": "main", **GIT_ENV}, checkout)
    assert step_outputs(tmp_path)["exit-code"] == "1", result.stdout + result.stderr
    assert "no .aiaas-iac.toml on refs/remotes/origin/main; scanning without a config" in result.stdout


def test_sarif_from_sample_infra_passes_github_ingestion_rules(tmp_path):
    multitool = os.environ.get("SARIF_MULTITOOL") or shutil.which("sarif-multitool")
    if not multitool:
        tool_missing("@microsoft/sarif-multitool")
    sarif = tmp_path / "sample.sarif"
    subprocess.run([os.path.join(BIN, "aiaas-iac"), "scan", "sample_infra", "--format", "sarif", "--output", str(sarif)],
                   cwd=REPO, capture_output=True, timeout=300)
    validation = tmp_path / "validation.sarif"
    # The npm wrapper runs the binary through a shell, which splits "Gh;Sarif" at the
    # semicolon, so call the platform binary; the tool exits 0 even on errors: read its output.
    subprocess.run([multitool, "validate", str(sarif), "--rule-kind", "Gh;Sarif", "--level", "Error;Warning",
                    "--output", str(validation)], capture_output=True, text=True, timeout=300)
    results = json.loads(validation.read_text())["runs"][0]["results"]
    assert [(r["ruleId"], r["level"], r["message"]) for r in results] == []


def test_pre_commit_try_repo_runs_the_hook(tmp_path):
    pre_commit = shutil.which("pre-commit", path=BIN + os.pathsep + os.environ["PATH"])
    if not pre_commit:
        tool_missing("pre-commit")
    project = tmp_path / "project"
    write_tree(project, {"infra/main.tf": (SAMPLES / "terraform" / "aws" / "bedrock_agent_hardened" / "main.tf").read_text()
                         if (SAMPLES / "terraform" / "aws" / "bedrock_agent_hardened" / "main.tf").exists()
                         else 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n'})
    env = {**os.environ, "PATH": BIN + os.pathsep + os.environ["PATH"], "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", "init", "-q"], cwd=project, check=True, env=env)
    subprocess.run(["git", "add", "."], cwd=project, check=True, env=env)
    clean = subprocess.run([pre_commit, "try-repo", str(REPO), "aiaas-iac", "--all-files"], cwd=project, env=env,
                           capture_output=True, text=True, timeout=900)
    assert "aiaas-iac" in clean.stdout and "Passed" in clean.stdout, clean.stdout + clean.stderr

    write_tree(project, {"infra/iam.tf": 'resource "aws_iam_policy" "wide" {\n  policy = jsonencode({\n'
                                         '    Statement = [{ Effect = "Allow", Action = "bedrock:*", Resource = "*" }]\n  })\n}\n'})
    subprocess.run(["git", "add", "."], cwd=project, check=True, env=env)
    failing = subprocess.run([pre_commit, "try-repo", str(REPO), "aiaas-iac", "--all-files"], cwd=project, env=env,
                             capture_output=True, text=True, timeout=900)
    assert failing.returncode == 1 and "AIA101" in failing.stdout, failing.stdout + failing.stderr
