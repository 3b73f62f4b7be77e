"""Configuration files: found upwards, validated, overridden by flags; bad ones exit 2 with one line."""

import pytest
from typer.testing import CliRunner

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


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def scan(*args):
    return runner.invoke(app, ["scan", *args], catch_exceptions=False)


def test_dedicated_file_selects_checks(repo):
    write_tree(repo, {"main.tf": WIDE, ".aiaas-iac.toml": 'ignore = ["AIA101"]\n'})
    result = scan(".")
    assert "AIA101 [" not in result.output and "AIA104 [" in result.output
    assert "Config .aiaas-iac.toml narrows this scan:\n  ignore turns off AIA101\n" in result.output


def test_pyproject_table_found_from_a_subdirectory(repo, monkeypatch):
    write_tree(repo, {"infra/main.tf": WIDE, "pyproject.toml": '[tool.aiaas-iac]\nfail-on = "critical"\n'})
    monkeypatch.chdir(repo / "infra")
    assert scan(".").exit_code == 0


def test_flags_override_the_file(repo):
    write_tree(repo, {"main.tf": WIDE, ".aiaas-iac.toml": 'fail-on = "critical"\n'})
    assert scan(".", "--fail-on", "high").exit_code == 1


def test_severity_override_changes_gating_and_output(repo):
    write_tree(repo, {"main.tf": WIDE, ".aiaas-iac.toml": 'select = ["AIA101"]\nfail-on = "high"\n[severity]\nbedrock-wildcard-permission = "low"\n'})
    result = scan(".")
    assert result.exit_code == 0 and "[low]" in result.output


def test_per_path_ignores(repo):
    write_tree(repo, {"legacy/main.tf": WIDE, "app/main.tf": WIDE,
                      ".aiaas-iac.toml": 'select = ["AIA101"]\n[per-path-ignores]\n"legacy/**" = ["AIA101"]\n'})
    result = scan(".")
    assert "app/main.tf" in result.output and "legacy/main.tf" not in result.output


def test_exclude_globs(repo):
    write_tree(repo, {"vendor/main.tf": WIDE, ".aiaas-iac.toml": 'exclude = ["vendor"]\n'})
    assert scan(".").exit_code == 0


@pytest.mark.parametrize("content, message", [
    ('fail-on = "urgent"\n', "fail-on: 'urgent' is not one of critical, high, medium, low, none"),
    ('selct = ["AIA1"]\n', "unknown key 'selct'"),
    ('select = "AIA1"\n', "select: 'AIA1' is not of type 'array'"),
    ('select = [\n', "invalid TOML"),
])
def test_invalid_config_exits_2_with_one_line_naming_file_and_key(repo, content, message):
    write_tree(repo, {"main.tf": WIDE, ".aiaas-iac.toml": content})
    result = scan(".")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and ".aiaas-iac.toml" in lines[0] and message in lines[0]


def test_unknown_check_in_config_exits_2(repo):
    write_tree(repo, {"main.tf": WIDE, ".aiaas-iac.toml": 'select = ["AIA777"]\n'})
    result = scan(".")
    assert result.exit_code == 2 and "unknown check 'AIA777'" in result.output


def test_search_stops_at_the_repository_root(tmp_path, monkeypatch):
    write_tree(tmp_path, {".aiaas-iac.toml": 'fail-on = "none"\n', "repo/main.tf": WIDE})
    (tmp_path / "repo" / ".git").mkdir()
    monkeypatch.chdir(tmp_path / "repo")
    assert scan(".").exit_code == 1


@pytest.mark.parametrize("content, message", [
    ('exclude = ["' + "a" * 2000 + '"]\n', "exclude: glob longer than 1024 characters"),
    ("exclude = [" + ", ".join(['"x"'] * 1001) + "]\n", "exclude: more than 1000 globs"),
])
def test_globs_are_bounded_in_length_and_number(repo, content, message):
    write_tree(repo, {"main.tf": WIDE, ".aiaas-iac.toml": content})
    result = scan(".")
    assert result.exit_code == 2 and message in result.output


def test_no_config_flag_ignores_the_file(repo):
    write_tree(repo, {"main.tf": WIDE, ".aiaas-iac.toml": 'fail-on = "none"\n'})
    assert scan(".").exit_code == 0
    assert scan(".", "--no-config").exit_code == 1
    assert runner.invoke(app, ["baseline", ".", "--no-config", "--output", "b.json"]).exit_code == 0
