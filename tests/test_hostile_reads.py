"""Hostile repositories against file()/templatefile() and against what messages echo (issue 9,
items 3 and 10). Each test builds the attacker's tree in a temp dir and runs the installed CLI
as a CI job would; a marker string stands for the secret that must not come out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = Path(sys.executable).parent / "aiaas-iac"
MARKER = "c0ffee-HOSTILE-MARKER-7f3a"
# A realistic (random, not an example) OpenAI project key, as a leaked one would look.
KEY = "sk-proj-u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAj"
# A policy that AIA102 reports (bedrock:Invoke* on *) once it is read; the marker rides along.
POLICY = '{"Statement": [{"Sid": "%s", "Effect": "Allow", "Action": "bedrock:Invoke*", "Resource": "*"}]}' % MARKER


def policy_tf(path_expression: str, name: str = "p") -> str:
    return f'resource "aws_iam_policy" "{name}" {{\n  policy = file("{path_expression}")\n}}\n'


def run(tmp_path: Path, cwd: Path, *args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path / "home"),
                   "AIAAS_IAC_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1", **(env or {})}
    if "PYTHONPATH" in os.environ:  # lets the same tests run against another checkout
        environment["PYTHONPATH"] = os.environ["PYTHONPATH"]
    result = subprocess.run([str(CLI), *args], cwd=cwd, env=environment, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode in (0, 1, 3), result.stderr
    return result


def scan_json(tmp_path: Path, cwd: Path, *paths: str, env: dict | None = None, timeout: float = 60) -> dict:
    result = run(tmp_path, cwd, "scan", *paths, "--format", "json", env=env, timeout=timeout)
    assert MARKER not in result.stdout + result.stderr
    return json.loads(result.stdout)


def codes(report: dict) -> set[str]:
    return {f["code"] for f in report["findings"]}


def assert_never_printed(tmp_path: Path, cwd: Path, *paths: str, env: dict | None = None) -> None:
    for output_format in ("text", "json", "sarif", "github", "junit"):
        result = run(tmp_path, cwd, "scan", *paths, "--format", output_format, env=env)
        assert MARKER not in result.stdout + result.stderr, output_format


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_file_inside_the_scanned_path_is_read(tmp_path):
    """The control for the tests below: the same policy, inside, is read and reported."""
    write(tmp_path / "sub/policy.json", POLICY)
    write(tmp_path / "sub/main.tf", policy_tf("${path.module}/policy.json"))
    report = scan_json(tmp_path, tmp_path, "sub/")
    assert "AIA102" in codes(report)
    assert not report["notes"]


@pytest.mark.parametrize("expression", ["../outside.json", "${path.module}/../outside.json", "${path.root}/outside.json"])
def test_a_file_outside_the_scanned_folder_is_not_read_from_the_parent_dir(tmp_path, expression):
    write(tmp_path / "outside.json", POLICY)
    write(tmp_path / "sub/main.tf", policy_tf(expression))
    report = scan_json(tmp_path, tmp_path, "sub/")  # the working directory is above the scanned folder
    assert "AIA102" not in codes(report)
    # path.module / path.root are shown as the resolver expanded them (absolute).
    assert any("file() outside the scanned paths not read: " in note and note.endswith("outside.json")
               for note in report["notes"])
    assert_never_printed(tmp_path, tmp_path, "sub/")


def test_an_absolute_path_outside_is_not_read(tmp_path):
    outside = write(tmp_path / "elsewhere/outside.json", POLICY)
    write(tmp_path / "repo/main.tf", policy_tf(str(outside)))
    report = scan_json(tmp_path, tmp_path / "repo", ".")
    assert "AIA102" not in codes(report) and report["notes"]


@pytest.mark.parametrize("expression", [".git/config", "modules/../.git/config", "gitlink/config", ".GIT/config"])
def test_git_config_is_never_read(tmp_path, expression):
    repo = tmp_path / "repo"
    # Where actions/checkout keeps the job's token; here it also parses as a policy, so a read shows.
    write(repo / ".git/config", POLICY)
    (repo / "gitlink").symlink_to(".git")
    if expression.startswith(".GIT"):
        (repo / ".GIT").symlink_to(".git")
    write(repo / "main.tf", policy_tf(expression))
    report = scan_json(tmp_path, repo, ".")
    assert "AIA102" not in codes(report)
    assert any("not read (under .git)" in note for note in report["notes"])
    assert_never_printed(tmp_path, repo, ".")


@pytest.mark.parametrize("target", ["/proc/self/environ", "/proc/self/cmdline", "/dev/zero", "/dev/stdin"])
def test_proc_and_device_files_are_never_read(tmp_path, target):
    repo = tmp_path / "repo"
    write(repo / "main.tf", policy_tf(target))
    env = {"HOSTILE_SECRET": MARKER}
    report = scan_json(tmp_path, repo, ".", env=env, timeout=30)
    assert any(f"not read (a system path): {target}" in note for note in report["notes"])
    assert_never_printed(tmp_path, repo, ".", env=env)


def test_a_symlink_inside_the_tree_pointing_outside_is_not_followed(tmp_path):
    write(tmp_path / "private/policy.json", POLICY)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "link.json").symlink_to("../private/policy.json")
    (repo / "dirlink").symlink_to(tmp_path / "private")
    write(repo / "main.tf", policy_tf("link.json", "a") + policy_tf("dirlink/policy.json", "b"))
    report = scan_json(tmp_path, repo, ".")
    assert "AIA102" not in codes(report)
    assert sum("outside the scanned paths" in note for note in report["notes"]) == 2
    assert_never_printed(tmp_path, repo, ".")


def test_a_symlink_that_stays_inside_the_scanned_path_is_read(tmp_path):
    repo = tmp_path / "repo"
    write(repo / "policies/bedrock.json", POLICY)
    (repo / "link.json").symlink_to("policies/bedrock.json")
    write(repo / "main.tf", policy_tf("link.json"))
    assert "AIA102" in codes(scan_json(tmp_path, repo, "."))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_does_not_hang_the_scan(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    os.mkfifo(repo / "policy.json")
    write(repo / "main.tf", policy_tf("policy.json", "a")
          + 'resource "aws_iam_policy" "b" {\n  policy = templatefile("policy.json", {})\n}\n')
    report = scan_json(tmp_path, repo, ".", timeout=30)  # a blocking open would time out here
    assert any("not read (not a regular file): policy.json" in note for note in report["notes"])


def test_an_oversized_file_is_not_read(tmp_path):
    repo = tmp_path / "repo"
    write(repo / "big.json", POLICY + " " * 1_100_000)
    write(repo / "main.tf", policy_tf("big.json"))
    report = scan_json(tmp_path, repo, ".")
    assert "AIA102" not in codes(report)
    assert any("not read (larger than 1 MB): big.json" in note for note in report["notes"])


def test_a_refusal_note_cannot_inject_lines(tmp_path):
    repo = tmp_path / "repo"
    write(repo / "main.tf", policy_tf("../x\\n::error file=a::pwned\\r::add-mask::y"))
    report = scan_json(tmp_path, repo, ".")
    notes = [n for n in report["notes"] if "not read" in n]
    assert notes and not any(c in note for note in notes for c in "\n\r")
    for output_format in ("text", "github", "sarif", "junit"):
        output = run(tmp_path, repo, "scan", ".", "--format", output_format)
        for line in (output.stdout + output.stderr).splitlines():
            if "pwned" in line or "add-mask" in line:
                assert not line.lstrip().startswith("::"), (output_format, line)


# --- credentials quoted by messages (item 10) -------------------------------------------------

K8S_NAMED_BY_KEY = f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: chat}}
spec:
  template:
    spec:
      containers:
        - name: {KEY}
          image: chat:1.0
          env:
            - name: {KEY}
              valueFrom: {{secretKeyRef: {{name: openai, key: api-key}}}}
"""

FOR_EACH_KEYED_BY_KEY = f"""\
resource "google_project_iam_member" "vertex" {{
  for_each = toset(["{KEY}"])
  project  = "prod"
  role     = "roles/aiplatform.admin"
  member   = "serviceAccount:ml@prod.iam.gserviceaccount.com"
}}
"""


@pytest.mark.parametrize("name, text", [("deployment.yaml", K8S_NAMED_BY_KEY), ("main.tf", FOR_EACH_KEYED_BY_KEY)],
                         ids=["k8s-list-item-name", "for-each-key"])
def test_a_credential_in_a_name_or_for_each_key_is_redacted_in_every_output(tmp_path, name, text):
    repo = tmp_path / "repo"
    write(repo / name, text)
    outputs = []
    for output_format in ("text", "json", "sarif", "github", "junit"):
        outputs.append(run(tmp_path, repo, "scan", ".", "--format", output_format, "--report",
                           f"sarif:{tmp_path / 'extra.sarif'}").stdout)
        outputs.append((tmp_path / "extra.sarif").read_text())
    run(tmp_path, repo, "baseline", ".", "--output", str(tmp_path / "baseline.json"))
    outputs.append((tmp_path / "baseline.json").read_text())
    everything = "\n".join(outputs)
    assert KEY not in everything and KEY[8:30] not in everything
    assert "sk-p… (56 chars)" in everything  # the finding is there, its key redacted
    cached = b"".join(p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert KEY.encode() not in cached


def test_messages_are_length_capped(tmp_path):
    repo = tmp_path / "repo"
    long_name = "x" * 5000
    write(repo / "main.tf", f'resource "google_project_iam_member" "vertex" {{\n  for_each = toset(["{long_name}"])\n'
          '  project = "prod"\n  role = "roles/aiplatform.admin"\n  member = "user:a@example.com"\n}\n')
    report = scan_json(tmp_path, repo, ".")
    assert report["findings"]
    assert all(len(f["message"]) <= 300 and len(f.get("resource", "")) <= 300 for f in report["findings"])


def test_a_credential_in_a_suppression_reason_is_redacted(tmp_path):
    repo = tmp_path / "repo"
    write(repo / "main.tf", f'# aiaas-iac:ignore=AIA102,AIA104 rotated, see {KEY}\n'
          'resource "aws_iam_policy" "p" {\n  policy = jsonencode({Statement = [{Effect = "Allow", '
          'Action = "bedrock:Invoke*", Resource = "*"}]})\n}\n')
    outputs = [run(tmp_path, repo, "scan", ".", "--format", output_format, "--show-suppressed").stdout
               for output_format in ("text", "json", "sarif", "junit")]
    assert KEY not in "\n".join(outputs)
    assert "sk-p… (56 chars)" in outputs[1]
