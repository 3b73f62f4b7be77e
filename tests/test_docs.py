"""Docs are generated from the checks' metadata and must be current; metadata must match the spec."""

import re
from pathlib import Path

import pytest

from aiaas_iac.docs import TABLE_BEGIN, TABLE_END, checks_reference, checks_table
from aiaas_iac.engine import load_checks
from conftest import REPO

METAS = [c.meta() for c in load_checks()]
SPEC = REPO.parent / "shared" / "CHECKS.md"


def test_readme_check_table_is_current():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    current = readme[readme.index(TABLE_BEGIN) + len(TABLE_BEGIN):readme.index(TABLE_END)].strip()
    assert current == checks_table(METAS), "stale: run `python -m aiaas_iac.docs`"


def test_docs_checks_md_is_current():
    assert (REPO / "docs" / "checks.md").read_text(encoding="utf-8") == checks_reference(METAS), \
        "stale: run `python -m aiaas_iac.docs`"


@pytest.mark.parametrize("meta", METAS, ids=lambda m: m.code)
def test_every_check_is_fully_documented(meta):
    assert re.fullmatch(r"AIA\d{3}", meta.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", meta.slug)
    for field in ("title", "what", "why", "remediation", "failing_example", "passing_example"):
        assert getattr(meta, field).strip(), f"{meta.code} has no {field}"
    assert meta.failing_example != meta.passing_example
    assert meta.formats and set(meta.formats) <= {"terraform", "cloudformation", "kubernetes", "bicep", "arm"}


def spec_rows() -> dict[str, tuple[str, str, tuple[str, ...]]]:
    rows = {}
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 8 and re.fullmatch(r"AIA\d{3}", cells[0]):
            formats = tuple(f for f, mark in zip(("terraform", "cloudformation", "kubernetes"), cells[3:6]) if mark)
            rows[cells[0]] = (cells[1], cells[2], formats)
    return rows


@pytest.mark.skipif(not SPEC.exists(), reason="the product spec (shared/CHECKS.md) is not beside this checkout")
def test_codes_slugs_severities_and_formats_match_the_spec():
    # The spec's tables have TF/CFN/K8s columns; Bicep and ARM coverage is stated in the Azure
    # section's text (AIA301-AIA311) and the issue that added it (AIA501/AIA502).
    ours = {m.code: (m.slug, m.severity.value, tuple(f for f in m.formats if f not in ("bicep", "arm")))
            for m in METAS}
    spec = spec_rows()
    assert spec, "could not read the spec's tables"
    # Every implemented catalog check matches its row (AIA9xx are the tool's own findings, which the
    # spec's tables do not list); codes the spec adds ahead of the code belong to open issues.
    catalog = {code: row for code, row in ours.items() if not code.startswith("AIA9")}
    assert {code: spec.get(code) for code in catalog} == catalog


def readme_block(language: str, starts_with: str) -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for block in re.findall(rf"```{language}\n(.*?)```", readme, re.DOTALL):
        if block.startswith(starts_with):
            return block
    raise AssertionError(f"no {language} block starting with {starts_with!r} in the README")


def test_readme_python_api_example_runs(tmp_path, monkeypatch, capsys):
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "iam.tf").write_text(
        'resource "aws_iam_policy" "p" {\n  policy = jsonencode({\n'
        '    Statement = [{ Effect = "Allow", Action = "bedrock:*", Resource = "*" }]\n  })\n}\n')
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(readme_block("python", "import aiaas_iac"), namespace)
    assert namespace["exit_code"] == 1
    assert "AIA101 high infra/iam.tf 3 aws_iam_policy.p" in capsys.readouterr().out


def test_readme_custom_check_example_loads_and_runs(tmp_path):
    from conftest import scan_dir

    checks = tmp_path / "checks"
    checks.mkdir()
    (checks / "idle_session.py").write_text(readme_block("python", "from aiaas_iac.check import Check"))
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "agent.tf").write_text('resource "aws_bedrockagent_agent" "a" {\n  idle_session_ttl_in_seconds = 86400\n}\n')
    report = scan_dir(repo, select=["ORG101"], checks_dirs=[checks])
    assert [(f.code, f.location.span.start_line) for f in report.findings] == [("ORG101", 2)]


def sample_readme_rows() -> list[tuple[str, list[str]]]:
    rows = []
    for line in (SAMPLES_DIR / "README.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| (AIA\d{3}) \| `[^`]+` \| (.*?) \|", line)
        if match:
            rows.append((match.group(1), re.findall(r"`([^`]+:\d+)`", match.group(2))))
    return rows


SAMPLES_DIR = REPO / "sample_infra"


def test_sample_readme_lists_a_failing_example_for_every_check():
    listed = {code for code, locations in sample_readme_rows() if locations}
    assert listed == {m.code for m in METAS if not m.code.startswith("AIA9")}


def test_every_failing_example_in_the_sample_readme_is_reported_there():
    from aiaas_iac.engine import scan

    reported: dict[str, set] = {}
    for code, locations in sample_readme_rows():
        for location in locations:
            path, line = location.rsplit(":", 1)
            scenario = str(Path(*Path(path).parts[:4]))
            if scenario not in reported:
                report = scan([str(REPO / scenario)], root=REPO, use_cache=False)
                reported[scenario] = {(f.code, f.location.file, f.location.span.start_line) for f in report.findings}
            assert (code, path, int(line)) in reported[scenario], f"{code} is no longer reported at {location}"


def test_readme_sample_output_is_what_a_scan_of_the_samples_prints():
    """The abridged sample is a real run: its lines appear in that order in the output of
    `aiaas-iac scan sample_infra` (run at the repository root, as the README's first command)."""
    import os
    import subprocess
    import sys

    sample = readme_block("text", "sample_infra/").splitlines()
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("CI", None)
    result = subprocess.run([str(Path(sys.executable).parent / "aiaas-iac"), "scan", "sample_infra", "--no-cache"],
                            cwd=REPO, capture_output=True, text=True, timeout=300, env=env)
    printed = result.stdout.splitlines()
    assert result.returncode == 1
    # The summary's duration differs from run to run.
    assert re.sub(r" [\d.]+s$", "", sample[-1]) == re.sub(r" [\d.]+s$", "", printed[-1])
    position = 0
    for line in (line for line in sample[:-1] if line):
        assert line in printed[position:], f"the README's sample output is stale: {line!r}"
        position = printed.index(line, position) + 1
