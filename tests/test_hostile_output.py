"""Hostile repositories against every output sink, the report writers and PR mode (issue 9, items 4, 5, 10).

Each test builds the attacker's tree in a temporary directory and runs the
installed `aiaas-iac` as a CI job would. GitHub Actions runs workflow commands
from stdout and stderr: any line that starts with `::` (after whitespace), and
`##[command]` anywhere in a line. Only the tool's own annotations of
`--format github` may be such lines.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

CLI = Path(sys.executable).parent / "aiaas-iac"

WIDE = '''\
resource "aws_iam_policy" "{label}" {{
  policy = jsonencode({{
    Statement = [{{ Effect = "Allow", Action = "bedrock:*", Resource = "*" }}]
  }})
}}
'''

# A Deployment handing a literal API key to its container (AIA401); `name` is a
# YAML double-quoted scalar, so `\n`, `\L` (U+2028) and `\N` (U+0085) are real characters.
DEPLOYMENT = '''\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: "{name}"
  namespace: ml
spec:
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/api:1.0
          env:
            - name: AZURE_OPENAI_API_KEY
              value: "93a67c9e2ed829af48d9d59ce6ca6b0b"
'''

# The tool's own annotation: a known command, properties without `:`, then `::`.
OWN_ANNOTATION = re.compile(r"^::(error|warning|notice) file=[^:,]*(,(line|endLine|col)=\d+)*,title=[^:,]*::")


def run_cli(*args: str, cwd: Path, cache: Path) -> subprocess.CompletedProcess:
    # A strict stdout: a character that cannot be written would abort the scan, not pass silently.
    env = {**os.environ, "AIAAS_IAC_CACHE_DIR": str(cache), "PYTHONIOENCODING": "utf-8:strict"}
    env.pop("NO_COLOR", None)
    return subprocess.run([str(CLI), *args], cwd=cwd, env=env, capture_output=True, timeout=120)


def decoded(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def assert_no_workflow_command(text: str, *, own_annotations: bool = False) -> None:
    """No line (split on every line break a reader might use) is a command the input injected."""
    assert "##[" not in text
    for line in text.splitlines():
        if line.lstrip().startswith("::"):
            assert own_annotations and OWN_ANNOTATION.match(line), f"injected workflow command: {line!r}"


# The attacks ------------------------------------------------------------------------


@dataclass
class Attack:
    files: dict  # path (str, or bytes for names that are not UTF-8) -> content
    raw: list[str]  # must reach no sink as is
    shown: str  # how the text report shows it (visibly escaped)
    field: str  # the JSON finding field that holds it: "file" or "resource"
    value: str  # the exact value that JSON must give back
    junit: str = ""  # how a JUnit test case name shows it, when not as the text report does

    @property
    def in_junit(self) -> str:
        return self.junit or self.shown.removesuffix(":3")


ATTACKS = {
    "directory-name-with-newline": Attack(
        files={"x\n::add-mask::secret/main.tf": WIDE.format(label="wide")},
        raw=["x\n::add-mask::secret"], shown="x\\n::add-mask::secret/main.tf:3",
        field="file", value="x\n::add-mask::secret/main.tf",
    ),
    "file-name-with-newline": Attack(
        # A second hostile name that does not parse reaches stderr as "skipped ...".
        files={"a\n::stop-commands::tok.tf": WIDE.format(label="wide"), "b\n::add-mask::broken.tf": "resource {"},
        raw=["a\n::stop-commands::tok", "b\n::add-mask::broken"], shown="a\\n::stop-commands::tok.tf:3",
        field="file", value="a\n::stop-commands::tok.tf",
    ),
    "kubernetes-name-with-newline": Attack(
        files={"deploy.yaml": DEPLOYMENT.format(name="app\\n::error ::pwned")},
        raw=["app\n::error ::pwned"], shown="Deployment/ml/app\\n::error ::pwned",
        field="resource", value="Deployment/ml/app\n::error ::pwned",
    ),
    "kubernetes-name-with-unicode-line-breaks": Attack(
        files={"deploy.yaml": DEPLOYMENT.format(name="app\\L::warning ::ls\\N::notice ::nel\\r::debug ::cr")},
        raw=["\u2028", "\u0085", "\r::debug"], shown="Deployment/ml/app\\u2028::warning ::ls\\x85::notice ::nel\\r::debug ::cr",
        field="resource", value="Deployment/ml/app\u2028::warning ::ls\u0085::notice ::nel\r::debug ::cr",
    ),
    "ansi-escape-in-resource-name": Attack(
        files={"main.tf": WIDE.format(label="w\\u001b[31mred\\u001b]0;title\\u0007")},
        raw=["\x1b", "\x07"], shown="aws_iam_policy.w\\x1b[31mred\\x1b]0;title\\x07",
        field="resource", value="aws_iam_policy.w\x1b[31mred\x1b]0;title\x07",
    ),
    "bidi-override-in-resource-name": Attack(
        files={"main.tf": WIDE.format(label="admin\\u202e\\u2066txt.exe\\u2069")},
        raw=["\u202e", "\u2066", "\u2069"], shown="aws_iam_policy.admin\\u202e\\u2066txt.exe\\u2069",
        field="resource", value="aws_iam_policy.admin\u202e\u2066txt.exe\u2069",
    ),
    "file-name-starting-with-a-command": Attack(
        # No line break needed: the text report starts each finding line with the file name.
        files={"::stop-commands::tok.tf": WIDE.format(label="a"), " ::add-mask::x.tf": WIDE.format(label="b")},
        raw=[], shown="\\x3a:stop-commands::tok.tf:3",
        field="file", value="::stop-commands::tok.tf", junit="::stop-commands::tok.tf:3 ",
    ),
    "legacy-command-anywhere-in-a-line": Attack(
        # The runner finds `##[command]` anywhere in a line.
        files={"main.tf": WIDE.format(label="a##[stop-commands]tok")},
        raw=[], shown="aws_iam_policy.a##\\x5bstop-commands]tok",
        field="resource", value="aws_iam_policy.a##[stop-commands]tok",
        junit="aws_iam_policy.a##[stop-commands]tok",  # parsed back from `##&#91;`
    ),
    "file-name-not-utf8": Attack(
        files={b"bad\xff\x1b.tf": WIDE.format(label="wide")},
        raw=["\udcff", "\x1b"], shown="bad\\udcff\\x1b.tf:3",
        field="file", value="bad\udcff\x1b.tf",
    ),
}


def build(root: Path, files: dict) -> None:
    for name, content in files.items():
        path = os.path.join(os.fsencode(root), name if isinstance(name, bytes) else os.fsencode(name))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(content)


@pytest.mark.parametrize("name", ATTACKS)
def test_input_derived_text_reaches_no_sink_raw(tmp_path, name):
    attack = ATTACKS[name]
    repo = tmp_path / "repo"
    repo.mkdir()
    try:
        build(repo, attack.files)
    except OSError as error:  # a file system that refuses such names cannot be attacked with them
        pytest.skip(f"file system refuses the name: {error}")
    reports = tmp_path / "reports"
    cache = tmp_path / "cache"

    # 1. The text report on the terminal, as a developer or a plain CI step runs it.
    text_run = run_cli("scan", ".", "--show-suppressed", cwd=repo, cache=cache)
    assert text_run.returncode == 1, decoded(text_run.stderr)
    # 2. The composite action's command line: annotations on stdout, reports in files,
    #    files that could not be parsed echoed on stderr.
    ci_run = run_cli("scan", ".", "--format", "github", "--report", f"sarif:{reports}/r.sarif",
                     "--report", f"json:{reports}/r.json", "--report", f"junit:{reports}/r.xml",
                     "--report", f"text:{reports}/r.txt", cwd=repo, cache=cache)
    assert ci_run.returncode == 1, decoded(ci_run.stderr)

    text = decoded(text_run.stdout)
    annotations = decoded(ci_run.stdout)
    files = {suffix: (reports / f"r.{suffix}").read_bytes().decode("utf-8") for suffix in ("sarif", "json", "xml", "txt")}
    for output in (text, decoded(text_run.stderr), decoded(ci_run.stderr), *files.values()):
        assert_no_workflow_command(output)
        for raw in attack.raw:
            assert raw not in output
    assert_no_workflow_command(annotations, own_annotations=True)
    for raw in attack.raw:
        assert raw not in annotations

    # Each sink still shows the name, escaped its own way.
    assert attack.shown in text and attack.shown in files["txt"]
    assert len([line for line in annotations.splitlines() if line.startswith("::")]) >= 1
    testcases = ET.fromstring(files["xml"].encode("utf-8")).iter("testcase")
    assert any(attack.in_junit in (case.get("name") or "") for case in testcases)
    # JSON and SARIF keep the exact value: JSON string escapes are their escaping.
    findings = json.loads(files["json"])["findings"]
    assert attack.value in {finding[attack.field] for finding in findings}
    results = json.loads(files["sarif"])["runs"][0]["results"]
    if attack.field == "file":
        uris = {result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for result in results}
        assert quote(attack.value, safe="/", errors="surrogateescape") in uris
    else:
        names = {result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for result in results}
        assert attack.value in names


def test_json_on_stdout_escapes_what_json_allows_raw(tmp_path):
    """U+2028, bidi controls and `##[` are valid raw in JSON strings; printed to a CI log they are not."""
    repo = tmp_path / "repo"
    build(repo, {"main.tf": WIDE.format(label="a\\u2028##[add-mask]b\\u202e")})
    for format_name in ("json", "sarif"):
        result = run_cli("scan", ".", "--format", format_name, cwd=repo, cache=tmp_path / "cache")
        output = decoded(result.stdout)
        assert "\u2028" not in output and "\u202e" not in output
        assert_no_workflow_command(output)
        assert "aws_iam_policy.a\u2028##[add-mask]b\u202e" in json.dumps(json.loads(output), ensure_ascii=False)


def test_stderr_errors_quoting_paths_are_one_escaped_line(tmp_path):
    result = run_cli("scan", "missing\n::add-mask::x", "--report", "sarif:y\n::stop-commands::z",
                     cwd=tmp_path, cache=tmp_path / "cache")
    assert result.returncode == 2
    stderr = decoded(result.stderr)
    assert_no_workflow_command(stderr)
    assert stderr.count("\n") == 1 and "missing\\n::add-mask::x" in stderr


# Safe writes ------------------------------------------------------------------------


def _repo_with_link(tmp_path: Path, target: str = "../outside.txt") -> Path:
    repo = tmp_path / "repo"
    build(repo, {"main.tf": WIDE.format(label="wide")})
    (tmp_path / "outside.txt").write_text("precious\n")
    os.symlink(target, repo / "aiaas-iac.sarif")
    return repo


WRITES = {
    "report": ["scan", ".", "--format", "github", "--report", "sarif:aiaas-iac.sarif"],
    "output": ["scan", ".", "--format", "sarif", "--output", "aiaas-iac.sarif"],
    "baseline": ["baseline", ".", "--output", "aiaas-iac.sarif"],
}


@pytest.mark.parametrize("write", WRITES)
def test_a_committed_symlink_at_the_target_is_refused(tmp_path, write):
    repo = _repo_with_link(tmp_path)
    result = run_cli(*WRITES[write], cwd=repo, cache=tmp_path / "cache")
    assert result.returncode == 2
    assert "refusing to write through symbolic link aiaas-iac.sarif" in decoded(result.stderr)
    assert (tmp_path / "outside.txt").read_text() == "precious\n"
    assert (repo / "aiaas-iac.sarif").is_symlink()


def test_a_dangling_symlink_creates_nothing_outside(tmp_path):
    repo = _repo_with_link(tmp_path, "../created-by-scan.txt")
    result = run_cli(*WRITES["report"], cwd=repo, cache=tmp_path / "cache")
    assert result.returncode == 2
    assert not (tmp_path / "created-by-scan.txt").exists()


def test_a_normal_write_replaces_the_file_atomically(tmp_path):
    repo = tmp_path / "repo"
    build(repo, {"main.tf": WIDE.format(label="wide")})
    report = repo / "out" / "report.json"
    report.parent.mkdir()
    report.write_text("old\n")
    report.chmod(0o640)
    os.link(report, tmp_path / "hardlink.json")  # written in place, the other name would change too
    result = run_cli("scan", ".", "--format", "json", "--output", "out/report.json",
                     "--report", "sarif:new/dir/r.sarif", cwd=repo, cache=tmp_path / "cache")
    assert result.returncode == 1, decoded(result.stderr)
    assert json.loads(report.read_text())["findings"]
    assert (tmp_path / "hardlink.json").read_text() == "old\n"
    assert stat.S_IMODE(report.stat().st_mode) == 0o640
    assert sorted(p.name for p in report.parent.iterdir()) == ["report.json"]  # no temporary file left
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE((repo / "new/dir/r.sarif").stat().st_mode) == 0o666 & ~umask


# PR mode ------------------------------------------------------------------------------


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   check=True, capture_output=True)


@pytest.fixture
def pr_repo(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    build(repo, {"infra/old.tf": WIDE.format(label="old"), "infra/ünïcode.tf": WIDE.format(label="u")})
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    # Changed since HEAD: a committed file edited, untracked files with a space and a newline.
    with open(repo / "infra/ünïcode.tf", "a", encoding="utf-8") as handle:
        handle.write(WIDE.format(label="u2"))
    build(repo, {"infra/with space/main.tf": WIDE.format(label="sp"), "infra/new\nline.tf": WIDE.format(label="nl")})
    return repo


CHANGED = {"infra/ünïcode.tf", "infra/with space/main.tf", "infra/new\nline.tf"}


def changed_scan(cwd: Path, path: str, cache: Path) -> tuple[set[str], dict]:
    result = run_cli("scan", path, "--changed-since", "HEAD", "--select", "AIA101", "--format", "json",
                     cwd=cwd, cache=cache)
    assert result.returncode == 1, decoded(result.stderr)
    document = json.loads(result.stdout)
    return {f["file"] for f in document["findings"]}, document["summary"]


def test_changed_since_from_the_directory_above_the_repository(pr_repo, tmp_path):
    files, summary = changed_scan(tmp_path, "repo", tmp_path / "cache")
    assert files == {f"repo/{name}" for name in CHANGED}
    assert summary["not_in_changed_files"] == 1


def test_changed_since_from_a_directory_outside_the_repository(pr_repo, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    files, _ = changed_scan(elsewhere, str(pr_repo), tmp_path / "cache")
    assert files == CHANGED


def test_changed_since_from_a_subdirectory(pr_repo, tmp_path):
    files, _ = changed_scan(pr_repo / "infra", ".", tmp_path / "cache")
    assert files == {name.removeprefix("infra/") for name in CHANGED}


@pytest.mark.parametrize("ref", ["--output=injected.txt", "-p"])
def test_changed_since_refuses_an_option_as_ref(pr_repo, tmp_path, ref):
    result = run_cli("scan", ".", f"--changed-since={ref}", cwd=pr_repo, cache=tmp_path / "cache")
    assert result.returncode == 2
    stderr = decoded(result.stderr)
    assert stderr.count("\n") == 1 and "cannot start with '-'" in stderr
    assert not (pr_repo / "injected.txt").exists()


def test_changed_since_git_errors_are_one_line(tmp_path):
    (tmp_path / "tree").mkdir()
    (tmp_path / "tree" / "main.tf").write_text(WIDE.format(label="wide"))
    result = run_cli("scan", ".", "--changed-since", "HEAD", cwd=tmp_path / "tree", cache=tmp_path / "cache")
    assert result.returncode == 2
    assert decoded(result.stderr).count("\n") == 1 and "not inside a git repository" in decoded(result.stderr)
