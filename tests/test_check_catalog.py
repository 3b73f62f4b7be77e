"""The check catalog (aiaas_iac/catalog.py): a scan answered from the result cache imports no check
module, yet reports the same rules; any change to a check source is seen; a planted or broken
catalog never removes a check."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from test_hostile_cache import INVOKE_ANYWHERE, cache_files, codes, run, scan, write

USER_CHECK = '''\
from aiaas_iac.check import Check
from aiaas_iac.model import Mappings, Severity


class WideBedrockPolicy(Check):
    """Any IAM policy resource at all (a test check)."""

    code = "ORG{n}"
    slug = "org-policy-{n}"
    severity = Severity.{severity}
    title = "An IAM policy"
    formats = ("terraform",)
    mappings = Mappings("NHI5", "PR.AA-05", "CWE-269")
    why = "A test."
    remediation = "None."
    failing_example = 'resource "aws_iam_policy" "p" {{}}'
    passing_example = 'resource "aws_s3_bucket" "b" {{}}'

    def run(self, ctx):
        for policy in ctx.of_type("aws_iam_policy"):
            yield self.finding(policy, "{message}")
'''

PROBE = """
import json, sys
from aiaas_iac.cli import app
try:
    app(["scan", ".", "--format", "sarif", "--output", sys.argv[1]], standalone_mode=False)
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.startswith("aiaas_iac.checks") or (m.startswith("aiaas_iac.iam.") and m != "aiaas_iac.iam.iamdata"))))
"""


def probe(cache: Path, repo: Path, output: Path) -> list[str]:
    env = {**os.environ, "AIAAS_IAC_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    result = subprocess.run([sys.executable, "-c", PROBE, str(output)], cwd=repo, env=env, capture_output=True,
                            text=True, timeout=120, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_warm_scan_imports_no_check_and_reports_the_same_rules(tmp_path):
    cache, repo = tmp_path / "cache", tmp_path / "repo"
    write(repo / "main.tf", INVOKE_ANYWHERE.format(n=1))
    cold = probe(cache, repo, tmp_path / "cold.sarif")
    warm = probe(cache, repo, tmp_path / "warm.sarif")
    assert any(m.startswith("aiaas_iac.checks.") for m in cold)  # the cold scan ran the checks
    assert warm == []  # the warm one only read the catalog and the result
    cold_run, warm_run = (json.loads((tmp_path / f"{n}.sarif").read_text())["runs"][0] for n in ("cold", "warm"))
    assert warm_run["tool"]["driver"]["rules"] == cold_run["tool"]["driver"]["rules"]
    assert len(cold_run["tool"]["driver"]["rules"]) >= 50
    assert [(r["ruleId"], r["locations"]) for r in warm_run["results"]] == \
        [(r["ruleId"], r["locations"]) for r in cold_run["results"]]
    assert "AIA102" in {r["ruleId"] for r in warm_run["results"]}


def test_editing_adding_and_removing_a_user_check_is_seen_by_the_next_scan(tmp_path):
    cache, repo = tmp_path / "cache", tmp_path / "repo"
    checks = tmp_path / "checks"  # outside the repository: a checks directory is code the user trusts
    write(repo / "main.tf", INVOKE_ANYWHERE.format(n=1))
    write(checks / "one.py", USER_CHECK.format(n=101, severity="LOW", message="first"))

    def user_findings() -> list[tuple[str, str, str]]:
        report = scan(cache, repo, "--checks-dir", str(checks), "--select", "ORG")
        return sorted((f["code"], f["severity"], f["message"]) for f in report["findings"])

    assert user_findings() == [("ORG101", "low", "first")]
    assert user_findings() == [("ORG101", "low", "first")]  # warm
    write(checks / "one.py", USER_CHECK.format(n=101, severity="HIGH", message="second"))
    assert user_findings() == [("ORG101", "high", "second")]
    write(checks / "two.py", USER_CHECK.format(n=102, severity="MEDIUM", message="third"))
    assert user_findings() == [("ORG101", "high", "second"), ("ORG102", "medium", "third")]
    (checks / "one.py").unlink()
    assert user_findings() == [("ORG102", "medium", "third")]
    rules = run(cache, repo, "rules", "--checks-dir", str(checks)).stdout
    assert "ORG102" in rules and "ORG101" not in rules


def _catalog_entry_path(cache: Path) -> Path:
    from aiaas_iac import catalog

    key = hashlib.sha256(f"catalog|{catalog.stamp(())}".encode()).hexdigest()
    return cache / "v3" / key[:2] / key[2:]


def _empty_catalog(stamp: str) -> str:
    from aiaas_iac.cache_codec import encode
    from aiaas_iac.catalog import CatalogEntry

    return encode(CatalogEntry(stamp, ()))


def test_a_broken_or_stale_catalog_entry_never_removes_a_check(tmp_path, monkeypatch):
    from aiaas_iac import catalog

    cache, repo = tmp_path / "cache", tmp_path / "repo"
    monkeypatch.setenv("AIAAS_IAC_CACHE_DIR", str(cache))
    write(repo / "main.tf", INVOKE_ANYWHERE.format(n=1))
    scan(cache, repo, "--no-cache")  # nothing written
    assert cache_files(cache) == []
    entry = _catalog_entry_path(cache)
    for planted in (b"\x80garbage", b'{"CatalogEntry": ["x", {"t": []}]}', b'{"CatalogEntry": [1]}',
                    b'{"Finding": []}', _empty_catalog("another stamp").encode()):
        for path in cache_files(cache):
            path.unlink()  # no result entry: the checks must run
        write(entry, "")
        entry.write_bytes(planted)
        report = scan(cache, repo)
        assert codes(report) == ["AIA102", "AIA104"], planted
        assert len(report["checks"]) >= 50
    assert catalog.check_catalog((), use_cache=True)[0]  # and the entry was rebuilt


def test_a_catalog_planted_in_the_scanned_tree_is_never_read(tmp_path):
    """A cache directory inside the repository is refused before the catalog is looked up: an entry
    the pull request planted there, with the right stamp and no checks, would otherwise empty the gate."""
    repo = tmp_path / "repo"
    inside = repo / ".cache" / "aiaas-iac"
    write(repo / "main.tf", INVOKE_ANYWHERE.format(n=1))
    from aiaas_iac import catalog

    entry = _catalog_entry_path(inside)
    write(entry, _empty_catalog(catalog.stamp(())))
    result = run(inside, repo, "scan", ".", "--format", "json")
    assert codes(json.loads(result.stdout)) == ["AIA102", "AIA104"]
    assert "is inside the scanned paths" in result.stderr
    config = write(repo / ".aiaas-iac.toml", 'ignore = ["AIA301"]\n')
    result = run(inside, repo, "scan", ".", "--format", "json")  # a config file's names are checked too
    assert codes(json.loads(result.stdout)) == ["AIA102", "AIA104"], result.stderr
    config.unlink()
