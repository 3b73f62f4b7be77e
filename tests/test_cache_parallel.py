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


def parse_entries() -> set[Path]:
    from aiaas_iac.cache_codec import decode
    from aiaas_iac.parsers import ParsedFile

    return {p for p in cache_entries() if isinstance(decode(p.read_text()), ParsedFile)}


def test_parallel_workers_write_every_entry_after_the_scan_and_the_next_scan_reads_them(tmp_path, monkeypatch):
    monkeypatch.setenv("AIAAS_IAC_CACHE_DIR", str(tmp_path / "cache"))
    files = {f"mod{n % 7}/p{n}.tf": WIDE.format(n=n) for n in range(80)}
    files["mod3/broken.tf"] = "resource {"
    write_tree(tmp_path / "repo", files)
    first = scan_dir(tmp_path / "repo", jobs=2)
    assert parse_entries() == set()  # a tree's first scan writes its result only (result_cache.SEEN_MARK)
    (tmp_path / "repo/mod3/p3.tf").write_text(WIDE.format(n=3) + "# edited\n")
    second = scan_dir(tmp_path / "repo", jobs=2)
    assert len(parse_entries()) == 81  # seen before: every file's entry was written by the workers, once
    before = parse_entries()
    (tmp_path / "repo/mod3/p3.tf").write_text(WIDE.format(n=3) + "# edited again\n")
    third = scan_dir(tmp_path / "repo", jobs=2)
    assert summary(first) == summary(second) == summary(third)
    assert len(parse_entries() - before) == 1  # only the edited file was parsed again


def _store_into_a_broken_cache(timeout):
    """Runs in a parse worker (a module-level function, so the pool can name it)."""
    import shutil

    import aiaas_iac.parsers as parsers

    entries = Path(os.environ["AIAAS_IAC_CACHE_DIR"]) / "v3"
    if entries.is_dir():
        shutil.rmtree(entries, ignore_errors=True)
        entries.write_text("not a directory")
    return parsers.__dict__["_original_store"](timeout)


def test_a_cache_that_turns_unwritable_during_the_scan_loses_only_the_entries(tmp_path, monkeypatch):
    """The workers' deferred writes meet a cache directory replaced by a file: the scan's result is
    unchanged and nothing crashes or hangs."""
    import aiaas_iac.parsers as parsers

    cache = tmp_path / "cache"
    monkeypatch.setenv("AIAAS_IAC_CACHE_DIR", str(cache))
    write_tree(tmp_path / "repo", {f"p{n}.tf": WIDE.format(n=n) for n in range(60)})
    expected = summary(scan_dir(tmp_path / "repo", jobs=2, use_cache=False))
    assert summary(scan_dir(tmp_path / "repo", jobs=2)) == expected  # the tree is seen: the next scan stores
    (tmp_path / "repo/p0.tf").write_text(WIDE.format(n=0) + "# edited\n")
    monkeypatch.setattr(parsers, "_original_store", parsers._store_in_worker, raising=False)
    monkeypatch.setattr(parsers, "_store_in_worker", _store_into_a_broken_cache)
    assert summary(scan_dir(tmp_path / "repo", jobs=2)) == expected
    assert (cache / "v3").read_text() == "not a directory"


def test_a_scan_restores_the_collectors_thresholds_even_when_it_fails(tmp_path, monkeypatch):
    """The scan collects less often while it runs (engine._fewer_collections), and only then: an
    API user's process gets its own settings back, after a failure too."""
    import gc

    import pytest

    import aiaas_iac.engine as engine

    write_tree(tmp_path, {"main.tf": WIDE.format(n=1)})
    saved = gc.get_threshold()
    seen = []
    real_run_checks = engine.run_checks

    def watching(*args, **kwargs):
        seen.append(gc.get_threshold())
        return real_run_checks(*args, **kwargs)

    try:
        gc.set_threshold(700, 11, 12)
        monkeypatch.setattr(engine, "run_checks", watching)
        assert [f.code for f in scan_dir(tmp_path, select=["AIA101"], use_cache=False).findings] == ["AIA101"]
        assert seen == [(engine._SCAN_GC_THRESHOLD, 11, 12)] and gc.get_threshold() == (700, 11, 12)

        def failing(*args, **kwargs):
            raise RuntimeError("boom")

        monkeypatch.setattr(engine, "run_checks", failing)
        with pytest.raises(RuntimeError):
            scan_dir(tmp_path, use_cache=False)
        assert gc.get_threshold() == (700, 11, 12)
    finally:
        gc.set_threshold(*saved)


def test_the_parse_cache_is_written_from_a_trees_second_scan_on(tmp_path, monkeypatch):
    """A tree scanned once (a CI machine that keeps nothing) pays for no per-file entry; one seen
    before gets them. A marker that is not ours (garbage, another value) counts as not seen."""
    from aiaas_iac import result_cache

    monkeypatch.setenv("AIAAS_IAC_CACHE_DIR", str(tmp_path / "cache"))
    write_tree(tmp_path / "repo", {"main.tf": WIDE.format(n=1), "other.tf": WIDE.format(n=2)})
    first = scan_dir(tmp_path / "repo")
    assert parse_entries() == set() and len(cache_entries()) >= 2  # the result, the catalog, the mark
    for marker in [p for p in cache_entries() if p.read_text() == '"seen"']:
        marker.write_text('"not the mark"')
    (tmp_path / "repo/main.tf").write_text(WIDE.format(n=1) + "# edited\n")
    assert summary(scan_dir(tmp_path / "repo")) == summary(first)
    assert parse_entries() == set()  # the tampered mark did not count; the mark is written again
    assert result_cache.SEEN_MARK == "seen"
    (tmp_path / "repo/main.tf").write_text(WIDE.format(n=1) + "# edited twice\n")
    assert summary(scan_dir(tmp_path / "repo")) == summary(first)
    assert len(parse_entries()) == 2
