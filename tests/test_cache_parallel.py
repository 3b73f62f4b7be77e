"""The parse cache and parallel parsing change speed, never results."""

import os
from pathlib import Path

from conftest import scan_dir, write_tree

WIDE = '''\
resource "aws_iam_policy" "p{n}" {{
  policy = jsonencode({{
    Statement = [{{ Effect = "Allow", Action = "bedrock:*", Resource = "*" }}]
  }})
}}
'''


def summary(report):
    return [(f.code, f.location.file, f.location.span.start_line, f.message) for f in report.findings], \
        [(e.file, e.line, e.message) for e in report.errors]


def cache_entries() -> list[Path]:
    return [p for p in Path(os.environ["AIAAS_IAC_CACHE_DIR"]).rglob("*") if p.is_file()]


def test_second_scan_reads_the_cache_and_gives_the_same_result(tmp_path):
    write_tree(tmp_path, {"main.tf": WIDE.format(n=1), "bad.tf": "resource {"})
    first = scan_dir(tmp_path)
    entries = len(cache_entries())
    second = scan_dir(tmp_path)
    assert summary(first) == summary(second)
    assert len(cache_entries()) == entries  # nothing new: both files were served from the cache


def test_no_cache_writes_nothing(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("AIAAS_IAC_CACHE_DIR", str(cache))
    write_tree(tmp_path / "repo", {"main.tf": WIDE.format(n=1)})
    scan_dir(tmp_path / "repo", use_cache=False)
    assert not cache.exists()


def test_corrupt_entries_are_ignored_and_rebuilt(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("AIAAS_IAC_CACHE_DIR", str(cache))
    write_tree(tmp_path / "repo", {"main.tf": WIDE.format(n=1)})
    expected = summary(scan_dir(tmp_path / "repo"))
    for entry in cache.rglob("*"):
        if entry.is_file():
            entry.write_bytes(b"\x80garbage")
    assert summary(scan_dir(tmp_path / "repo")) == expected


def test_unwritable_cache_does_not_fail_the_scan(tmp_path, monkeypatch):
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    monkeypatch.setenv("AIAAS_IAC_CACHE_DIR", str(blocker / "cache"))
    write_tree(tmp_path / "repo", {"main.tf": WIDE.format(n=1)})
    assert [f.code for f in scan_dir(tmp_path / "repo", select=["AIA101"]).findings] == ["AIA101"]


def test_parallel_parsing_keeps_the_same_order(tmp_path):
    files = {f"mod{n % 7}/p{n}.tf": WIDE.format(n=n) for n in range(80)}
    files["mod3/broken.tf"] = "resource {"
    write_tree(tmp_path, files)
    serial = scan_dir(tmp_path, jobs=1, use_cache=False)
    parallel = scan_dir(tmp_path, jobs=2, use_cache=False)
    assert summary(serial) == summary(parallel)
    assert len(serial.findings) >= 80


def test_nothing_is_written_into_the_scanned_tree(tmp_path):
    write_tree(tmp_path, {"main.tf": WIDE.format(n=1), "k8s.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"})
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    scan_dir(tmp_path)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_a_changed_file_is_seen_by_the_next_warm_scan(tmp_path):
    write_tree(tmp_path, {"main.tf": WIDE.format(n=1)})
    assert [f.code for f in scan_dir(tmp_path, select=["AIA101"]).findings] == ["AIA101"]
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    assert scan_dir(tmp_path, select=["AIA101"]).findings == []


def test_a_changed_templatefile_input_is_seen_by_the_next_warm_scan(tmp_path):
    write_tree(tmp_path, {
        "main.tf": 'resource "aws_iam_policy" "p" {\n  policy = templatefile("${path.module}/p.tpl", { a = "bedrock:*" })\n}\n',
        "p.tpl": '{"Statement": [{"Effect": "Allow", "Action": "${a}", "Resource": "*"}]}',
    })
    assert [f.code for f in scan_dir(tmp_path, select=["AIA101"]).findings] == ["AIA101"]
    (tmp_path / "p.tpl").write_text('{"Statement": [{"Effect": "Deny", "Action": "${a}", "Resource": "*"}]}')
    assert scan_dir(tmp_path, select=["AIA101"]).findings == []


def test_other_selected_checks_are_not_served_from_the_cache(tmp_path):
    write_tree(tmp_path, {"main.tf": WIDE.format(n=1)})
    assert [f.code for f in scan_dir(tmp_path, select=["AIA101"]).findings] == ["AIA101"]
    assert scan_dir(tmp_path, select=["AIA102"]).findings == []
