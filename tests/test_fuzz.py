"""Property-based robustness: no input makes a parser raise, hang or lose other files' findings."""

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiaas_iac.discover import SourceFile
from aiaas_iac.parsers import ParsedFile, parse_file
from conftest import SAMPLES, scan_dir, write_tree

KINDS = {"main.tf": "terraform", "terraform.tfvars": "tfvars", "x.tf.json": "tfjson", "t.yaml": "structured",
         "t.json": "structured"}
SAMPLE_FILES = sorted(p for p in SAMPLES.rglob("*") if p.is_file() and p.suffix in (".tf", ".yaml", ".yml", ".json"))
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
WIDE = '''\
resource "aws_iam_policy" "wide" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "bedrock:*", Resource = "*" }]
  })
}
'''


def parse_bytes_as(tmp_path: Path, name: str, data: bytes) -> ParsedFile:
    path = tmp_path / name
    path.write_bytes(data)
    return parse_file(SourceFile(path, name, KINDS[name]))


@FUZZ
@given(name=st.sampled_from(sorted(KINDS)), data=st.binary(max_size=2000))
def test_random_bytes_never_raise(tmp_path, name, data):
    parsed = parse_bytes_as(tmp_path, name, data)
    assert all(error.file == name and "\n" not in error.message for error in parsed.errors)


@FUZZ
@given(sample=st.sampled_from(SAMPLE_FILES), cut=st.floats(min_value=0, max_value=1))
def test_truncated_real_files_never_raise(tmp_path, sample, cut):
    data = sample.read_bytes()
    name = {".tf": "main.tf", ".json": "t.json"}.get(sample.suffix, "t.yaml")
    parsed = parse_bytes_as(tmp_path, name, data[: int(len(data) * cut)])
    assert isinstance(parsed, ParsedFile)


@FUZZ
@given(sample=st.sampled_from(SAMPLE_FILES), position=st.floats(min_value=0, max_value=1),
       junk=st.binary(min_size=1, max_size=8))
def test_real_files_with_inserted_junk_never_raise(tmp_path, sample, position, junk):
    data = sample.read_bytes()
    at = int(len(data) * position)
    name = {".tf": "main.tf", ".json": "t.json"}.get(sample.suffix, "t.yaml")
    assert isinstance(parse_bytes_as(tmp_path, name, data[:at] + junk + data[at:]), ParsedFile)


@pytest.mark.parametrize("name, text", [
    ("deep.tf", 'locals {\n  x = ' + "{ a = " * 10_000 + "1" + " }" * 10_000 + "\n}\n"),
    ("deep.tf.json", '{"locals": {"x": ' + '{"a": ' * 10_000 + "1" + "}" * 10_000 + "}}"),
    ("deep.yaml", "apiVersion: v1\nkind: ConfigMap\ndata: " + "[" * 10_000 + "]" * 10_000 + "\n"),
])
def test_ten_thousand_levels_among_good_files(tmp_path, name, text):
    write_tree(tmp_path, {name: text, "good.tf": WIDE})
    started = time.monotonic()
    report = scan_dir(tmp_path, select=["AIA101"])
    assert time.monotonic() - started < 30
    assert [(f.code, f.location.file) for f in report.findings] == [("AIA101", "good.tf")]
    assert [e.file for e in report.errors] == [name]


def test_fifty_megabyte_file_is_skipped_quickly(tmp_path):
    with open(tmp_path / "huge.tf", "wb") as handle:
        handle.write(b"# padding\n" * 5_000_000)
    write_tree(tmp_path, {"good.tf": WIDE})
    started = time.monotonic()
    report = scan_dir(tmp_path, select=["AIA101"])
    assert time.monotonic() - started < 10
    assert [e.file for e in report.errors] == ["huge.tf"] and "limit" in report.errors[0].message
    assert [f.location.file for f in report.findings] == ["good.tf"]


def test_file_that_disappears_mid_scan(tmp_path, monkeypatch):
    import aiaas_iac.discover as discover_module

    write_tree(tmp_path, {"gone.tf": WIDE, "good.tf": WIDE})
    real_discover = discover_module.discover

    def discover_then_delete(*args, **kwargs):
        found = real_discover(*args, **kwargs)
        (tmp_path / "gone.tf").unlink()
        return found

    monkeypatch.setattr(discover_module, "discover", discover_then_delete)
    report = scan_dir(tmp_path, select=["AIA101"], use_cache=False)
    assert [(e.file, e.message) for e in report.errors] == [("gone.tf", "file disappeared during the scan")]
    assert [f.location.file for f in report.findings] == ["good.tf"]


@FUZZ
@given(files=st.dictionaries(st.sampled_from(["a.tf", "b/c.tf", "k.yaml", "t.json", "x.tf.json", "terraform.tfvars"]),
                             st.text(max_size=300), max_size=4))
def test_whole_scan_of_random_files_keeps_good_findings(tmp_path_factory, files):
    root = tmp_path_factory.mktemp("scan")
    write_tree(root, {**files, "zz_good.tf": WIDE})
    report = scan_dir(root, select=["AIA101"], use_cache=False)
    assert ("AIA101", "zz_good.tf") in [(f.code, f.location.file) for f in report.findings]
