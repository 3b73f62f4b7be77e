"""Baselines: adopt on a repository with findings, then only new findings fail."""

import json
import subprocess

import pytest
from typer.testing import CliRunner

from aiaas_iac.cli import app
from conftest import write_tree

WIDE = '''\
resource "aws_iam_policy" "{name}" {{
  policy = jsonencode({{
    Statement = [{{ Effect = "Allow", Action = "bedrock:*", Resource = "*" }}]
  }})
}}
'''
runner = CliRunner()


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path, {"iam/a.tf": WIDE.format(name="a"), "iam/b.tf": WIDE.format(name="b")})
    return tmp_path


def cli(*args):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_baseline_then_scan_is_green(repo):
    assert cli("baseline", ".", "--output", "baseline.json").exit_code == 0
    assert len(json.loads((repo / "baseline.json").read_text())["findings"]) >= 2
    assert cli("scan", ".", "--baseline", "baseline.json").exit_code == 0


def test_a_new_finding_fails_alone(repo):
    cli("baseline", ".", "--output", "baseline.json")
    write_tree(repo, {"iam/c.tf": WIDE.format(name="c")})
    result = cli("scan", ".", "--baseline", "baseline.json", "--select", "AIA101")
    assert result.exit_code == 1
    assert "iam/c.tf:3" in result.output and "iam/a.tf" not in result.output


def test_moved_lines_still_match(repo):
    cli("baseline", ".", "--output", "baseline.json")
    (repo / "iam/a.tf").write_text("# moved down\n\n\n" + WIDE.format(name="a"))
    assert cli("scan", ".", "--baseline", "baseline.json").exit_code == 0


def test_renamed_file_still_matches(repo):
    cli("baseline", ".", "--output", "baseline.json")
    (repo / "iam/a.tf").rename(repo / "iam/renamed.tf")
    assert cli("scan", ".", "--baseline", "baseline.json").exit_code == 0


def test_fixed_findings_are_counted(repo):
    cli("baseline", ".", "--output", "baseline.json", "--select", "AIA101")
    (repo / "iam/b.tf").unlink()
    result = cli("scan", ".", "--baseline", "baseline.json", "--select", "AIA101")
    assert result.exit_code == 0
    assert "1 baseline finding fixed" in result.output


def test_missing_baseline_exits_2(repo):
    result = cli("scan", ".", "--baseline", "nope.json")
    assert result.exit_code == 2 and "nope.json: baseline file not found" in result.output


def test_not_a_baseline_exits_2(repo):
    (repo / "bad.json").write_text('{"hello": 1}')
    assert cli("scan", ".", "--baseline", "bad.json").exit_code == 2


def git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(repo), "PATH": "/usr/bin:/bin"})


def test_changed_since_gates_only_on_changed_files(repo):
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "legacy")
    assert cli("scan", ".", "--changed-since", "HEAD", "--select", "AIA101").exit_code == 0
    write_tree(repo, {"iam/new.tf": WIDE.format(name="new")})
    result = cli("scan", ".", "--changed-since", "HEAD", "--select", "AIA101")
    assert result.exit_code == 1
    assert "iam/new.tf" in result.output and "iam/a.tf" not in result.output


def test_changed_since_unknown_ref_exits_2(repo):
    git(repo, "init", "-q")
    result = cli("scan", ".", "--changed-since", "no-such-ref")
    assert result.exit_code == 2 and "--changed-since" in result.output
