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


def test_action_scan_step_writes_sarif_annotations_and_exit_code(tmp_path):
    shutil.copytree(SAMPLES / "terraform", tmp_path / "infra")
    outputs = tmp_path / "github_output"
    result = run_step(action_step("Scan"), {
        "INPUT_PATHS": "infra", "INPUT_FAIL_ON": "high", "INPUT_BASELINE": "", "INPUT_CATEGORY": "iac/ai",
        "INPUT_SARIF_FILE": "out/aiaas-iac.sarif", "INPUT_EXTRA_ARGS": "", "GITHUB_OUTPUT": str(outputs),
    }, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "exit-code=1" in outputs.read_text()
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
    outputs = tmp_path / "github_output"
    result = run_step(action_step("Scan"), {
        "INPUT_PATHS": "infra", "INPUT_FAIL_ON": "low", "INPUT_BASELINE": "baseline.json", "INPUT_CATEGORY": "aiaas-iac",
        "INPUT_SARIF_FILE": "aiaas-iac.sarif", "INPUT_EXTRA_ARGS": "--exclude nothing-here", "GITHUB_OUTPUT": str(outputs),
    }, tmp_path)
    assert result.returncode == 0, result.stderr
    assert outputs.read_text().strip() in ("exit-code=0", "exit-code=3")


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
