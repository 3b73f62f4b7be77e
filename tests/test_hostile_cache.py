"""Hostile repositories against the user cache (issue 9, item 7). Each test builds the attacker's
tree in a temp dir and runs the installed CLI as a CI job would, with its own cache directory."""

from __future__ import annotations

import base64
import json
import os
import pickle
import stat
import subprocess
import sys
from pathlib import Path

import pytest

CLI = Path(sys.executable).parent / "aiaas-iac"
KEY = "sk-proj-u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAj"
PLAIN_PASSWORD = "Tr0ub4dor-and-3-horses!"
PLAN_SECRET = "plan-sensitive-Zq8Kx2Lm5Np7Rt"
POLICY = '{"Statement": [{"Effect": "Allow", "Action": "bedrock:Invoke*", "Resource": "*"}]}'
INVOKE_ANYWHERE = ('resource "aws_iam_policy" "p{n}" {{\n  policy = jsonencode({{Statement = [{{Effect = "Allow", '
                   'Action = "bedrock:Invoke*", Resource = "*"}}]}})\n}}\n')


def run(cache: Path, cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cache.parent / "home"),
                   "AIAAS_IAC_CACHE_DIR": str(cache), "NO_COLOR": "1", **(env or {})}
    if "PYTHONPATH" in os.environ:  # lets the same tests run against another checkout
        environment["PYTHONPATH"] = os.environ["PYTHONPATH"]
    result = subprocess.run([str(CLI), *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode in (0, 1, 3), result.stderr
    return result


def scan(cache: Path, repo: Path, *extra: str, env: dict | None = None) -> dict:
    return json.loads(run(cache, repo, "scan", ".", "--format", "json", *extra, env=env).stdout)


def codes(report: dict) -> list[str]:
    return sorted(f["code"] for f in report["findings"])


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def cache_files(cache: Path) -> list[Path]:
    return [p for p in cache.rglob("*") if p.is_file()]


@pytest.fixture
def dirs(tmp_path):
    return tmp_path / "cache", tmp_path / "repo"


def test_a_planted_pickle_never_executes(dirs, tmp_path):
    cache, repo = dirs
    write(repo / "main.tf", INVOKE_ANYWHERE.format(n=1))
    expected = codes(scan(cache, repo))
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    payload = pickle.dumps(Payload())
    # Every entry the next scan would read (the whole-scan result, then each file's parse), and
    # where cache format 2 kept its pickles.
    planted = cache_files(cache)
    assert planted
    for entry in planted:
        entry.write_bytes(payload)
    legacy = cache / "ab" / ("c" * 62)
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(payload)
    assert codes(scan(cache, repo)) == expected  # junk entries are ignored and rebuilt
    assert not marker.exists()
    assert not legacy.exists()  # the stale format is removed


@pytest.mark.parametrize("make_unsafe", ["world-writable", "group-writable", "symlink"])
def test_an_unsafe_cache_directory_is_not_used(dirs, tmp_path, make_unsafe):
    cache, repo = dirs
    write(repo / "main.tf", INVOKE_ANYWHERE.format(n=1))
    if make_unsafe == "symlink":
        target = tmp_path / "elsewhere"
        target.mkdir(mode=0o700)
        cache.symlink_to(target)
        inspected = target
    else:
        cache.mkdir()
        cache.chmod(0o777 if make_unsafe == "world-writable" else 0o770)
        inspected = cache
    result = run(cache, repo, "scan", ".", "--format", "json")
    assert json.loads(result.stdout)["findings"]  # the scan goes on, uncached
    warnings = [line for line in result.stderr.splitlines() if "warning: cache directory" in line]
    assert len(warnings) == 1 and "without the cache" in warnings[0]
    assert cache_files(inspected) == []


def test_a_cache_directory_inside_the_scanned_tree_is_not_used(dirs):
    """Where the pull request could plant entries itself (a result with no findings)."""
    _, repo = dirs
    write(repo / "main.tf", INVOKE_ANYWHERE.format(n=1))
    inside = repo / ".cache/aiaas-iac"
    result = run(inside, repo, "scan", ".", "--format", "json")
    assert json.loads(result.stdout)["findings"]
    assert "is inside the scanned paths" in result.stderr
    assert not (repo / ".cache").exists()  # nothing written into the scanned tree


def test_the_cache_directory_is_private(dirs):
    cache, repo = dirs
    write(repo / "main.tf", INVOKE_ANYWHERE.format(n=1))
    scan(cache, repo)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    entries = cache_files(cache)
    assert entries and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in entries)
    assert all(stat.S_IMODE(d.stat().st_mode) == 0o700 for d in cache.rglob("*") if d.is_dir())
    assert not [p for p in entries if p.name.startswith(".tmp-")]


@pytest.mark.parametrize("padding", [0, 60], ids=["serial", "parallel"])
def test_no_secret_from_the_scanned_tree_is_stored(dirs, padding):
    """`parallel`: enough files for worker processes, which write their entries after the scan
    has every parse result (parsers.parse_files): the same screen applies there."""
    cache, repo = dirs
    for n in range(padding):
        write(repo / f"pad/p{n}.tf", INVOKE_ANYWHERE.format(n=n))
    write(repo / "main.tf", f'resource "aws_bedrockagent_agent" "a" {{\n  agent_name = "a"\n}}\n'
          f'locals {{\n  openai_key = "{KEY}"\n}}\n'
          f'resource "aws_db_instance" "db" {{\n  password = "{PLAIN_PASSWORD}"\n}}\n')
    write(repo / "prod.tfvars", f'openai_api_key = "{KEY}"\n')
    write(repo / "k8s/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: openai}\n"
          f"stringData: {{OPENAI_API_KEY: {KEY}, DB_PASSWORD: '{PLAIN_PASSWORD}'}}\n"
          f"data: {{other: {base64.b64encode(KEY.encode()).decode()}}}\n")
    write(repo / "k8s/deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: chat}\nspec:\n"
          "  template:\n    spec:\n      containers:\n        - name: chat\n          image: chat:1\n"
          f"          env:\n            - {{name: OPENAI_API_KEY, value: {KEY}}}\n"
          f"            - {{name: DB_PASSWORD, value: '{PLAIN_PASSWORD}'}}\n")
    write(repo / "k8s/broken.yaml", f"apiVersion: v1\nkind: ConfigMap\ndata: {{key: {KEY}\n  : : :\n")
    plan = {"format_version": "1.2", "terraform_version": "1.9.8",
            "variables": {"db_password": {"value": PLAN_SECRET}},
            "planned_values": {"root_module": {"resources": [{
                "address": "aws_db_instance.db", "mode": "managed", "type": "aws_db_instance", "name": "db",
                "values": {"password": PLAN_SECRET, "engine": "postgres"}, "sensitive_values": {"password": True}}]}}}
    write(repo / "plan/tfplan.json", json.dumps(plan))
    first = scan(cache, repo)
    assert "AIA501" in codes(first)  # the checks saw the key
    second = scan(cache, repo)  # warm: served from the cache, same findings
    assert codes(second) == codes(first)
    (repo / "main.tf").write_text((repo / "main.tf").read_text() + "# touched\n")
    assert codes(scan(cache, repo)) == codes(first)  # warm parse cache, fresh checks: still seen
    stored = b"\n".join(p.read_bytes() for p in cache_files(cache))
    assert stored  # the cache is in use
    for secret in (KEY, KEY[8:40], PLAIN_PASSWORD, PLAN_SECRET, base64.b64encode(KEY.encode()).decode()):
        assert secret.encode() not in stored, secret


def test_eviction_keeps_the_cache_under_its_bound(dirs):
    cache, repo = dirs
    bound = 40 * 1024
    env = {"AIAAS_IAC_CACHE_MAX_MB": str(bound / (1024 * 1024))}
    for n in range(40):
        write(repo / f"m{n}/main.tf", INVOKE_ANYWHERE.format(n=n) * 3)
    for round_number in range(3):
        (repo / "m0/main.tf").write_text(INVOKE_ANYWHERE.format(n=round_number) * 3)  # a new entry each time
        report = scan(cache, repo, env=env)
        assert len(report["findings"]) >= 40
        assert sum(p.stat().st_size for p in cache_files(cache)) <= bound
    # The newest entries stay: an unchanged rescan is still served and gives the same result.
    assert codes(scan(cache, repo, env=env)) == codes(report)


def test_a_missing_file_target_that_appears_later_is_seen(dirs):
    cache, repo = dirs
    # Not a .json: the target is not itself a scanned source, so only the recorded read can tell.
    write(repo / "main.tf", 'resource "aws_iam_policy" "p" {\n  policy = file("${path.module}/policy.txt")\n}\n')
    assert "AIA102" not in codes(scan(cache, repo))
    write(repo / "policy.txt", POLICY)
    assert "AIA102" in codes(scan(cache, repo))


def test_a_file_target_that_becomes_an_escaping_symlink_is_seen(dirs, tmp_path):
    cache, repo = dirs
    write(repo / "main.tf", 'resource "aws_iam_policy" "p" {\n  policy = file("policy.json")\n}\n')
    write(repo / "policy.json", POLICY)
    assert "AIA102" in codes(scan(cache, repo))
    write(tmp_path / "outside.json", POLICY)
    (repo / "policy.json").unlink()
    (repo / "policy.json").symlink_to(tmp_path / "outside.json")
    report = scan(cache, repo)
    assert "AIA102" not in codes(report) and report["notes"]


CHART_MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: chat}
spec:
  template:
    spec:
      containers:
        - name: chat
          image: chat:1
          env:
            - name: OPENAI_API_KEY
              valueFrom: {secretKeyRef: {name: openai, key: api-key}}
"""


def test_removing_chart_yaml_makes_the_templates_scanned(dirs):
    cache, repo = dirs
    write(repo / "chart/Chart.yaml", "apiVersion: v2\nname: chat\nversion: 1.0.0\n")
    write(repo / "chart/templates/deployment.yaml", CHART_MANIFEST)
    skipped = scan(cache, repo)
    assert not skipped["findings"] and any("Helm template" in n for n in skipped["notes"])
    (repo / "chart/Chart.yaml").unlink()
    scanned = scan(cache, repo)
    assert scanned["findings"] and not any("Helm template" in n for n in scanned["notes"])
    # And back: adding a Chart.yaml makes them templates again.
    write(repo / "chart/Chart.yaml", "apiVersion: v2\nname: chat\nversion: 1.0.0\n")
    assert codes(scan(cache, repo)) == codes(skipped)


def test_a_chart_yaml_outside_the_scanned_files_still_counts(dirs):
    """The chart's Chart.yaml is not among the scanned sources when only templates/ is scanned."""
    cache, repo = dirs
    write(repo / "chart/Chart.yaml", "apiVersion: v2\nname: chat\nversion: 1.0.0\n")
    write(repo / "chart/templates/deployment.yaml", CHART_MANIFEST)
    templates = repo / "chart/templates"
    assert not json.loads(run(cache, templates, "scan", ".", "--format", "json").stdout)["findings"]
    (repo / "chart/Chart.yaml").unlink()
    assert json.loads(run(cache, templates, "scan", ".", "--format", "json").stdout)["findings"]


def test_cache_clear_empties_it_and_info_reports_it(dirs):
    cache, repo = dirs
    write(repo / "main.tf", INVOKE_ANYWHERE.format(n=1))
    scan(cache, repo)
    assert cache_files(cache)
    info = run(cache, repo, "cache", "info").stdout
    assert str(cache) in info and "in use" in info and "200 MB" in info
    cleared = run(cache, repo, "cache", "clear")
    assert "Cleared" in cleared.stdout
    assert cache_files(cache) == [] and cache.is_dir()
    assert "entries:  0" in run(cache, repo, "cache", "info").stdout


def test_sweep_and_clear_touch_only_what_the_cache_made(dirs, tmp_path):
    """AIAAS_IAC_CACHE_DIR set by mistake to a directory holding other files (a home directory)."""
    cache, repo = dirs
    mine = {cache / "notes.txt": "keep", cache / "ab/readme.md": "keep", cache / "v1/project/main.tf": "keep",
            cache / ("c" * 64): "keep"}
    for path, text in mine.items():
        write(path, text)
    cache.chmod(0o700)
    for n in range(20):
        write(repo / f"m{n}/main.tf", INVOKE_ANYWHERE.format(n=n) * 3)
    scan(cache, repo, env={"AIAAS_IAC_CACHE_MAX_MB": "0.001"})  # a sweep that evicts nearly all
    run(cache, repo, "cache", "clear")
    assert all(path.read_text() == text for path, text in mine.items())
    assert not [p for p in cache_files(cache) if p not in mine]


def test_cache_clear_does_not_follow_a_symlinked_directory(dirs, tmp_path):
    cache, repo = dirs
    victim = write(tmp_path / "victim/keep.txt", "precious")
    cache.symlink_to(victim.parent)
    environment = {"PATH": os.environ.get("PATH", ""), "AIAAS_IAC_CACHE_DIR": str(cache), "HOME": str(tmp_path)}
    if "PYTHONPATH" in os.environ:
        environment["PYTHONPATH"] = os.environ["PYTHONPATH"]
    result = subprocess.run([str(CLI), "cache", "clear"], env=environment, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "not a directory" in result.stderr
    assert victim.read_text() == "precious"
