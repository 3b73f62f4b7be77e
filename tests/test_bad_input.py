"""Bad input: one clear line per file, the rest of the scan completes, exit code 3."""

import os

from conftest import scan_dir, write_tree

GOOD = '''\
resource "aws_iam_policy" "wide" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "bedrock:*", Resource = "*" }]
  })
}
'''


def codes(report):
    return [(f.code, f.location.file) for f in report.findings]


def test_malformed_hcl_among_good_files(tmp_path):
    write_tree(tmp_path, {"good.tf": GOOD, "bad.tf": 'resource "x" "y" {\n  a = \n  = 1\n}\n'})
    report = scan_dir(tmp_path, select=["AIA101"])
    assert codes(report) == [("AIA101", "good.tf")]
    assert [(e.file, e.line) for e in report.errors] == [("bad.tf", 2)]
    assert "invalid HCL" in report.errors[0].message


def test_non_utf8_file_names_the_line(tmp_path):
    write_tree(tmp_path, {"good.tf": GOOD})
    (tmp_path / "latin1.tf").write_bytes(b'# ok\nresource "x" "y" {\n  name = "caf\xe9"\n}\n')
    report = scan_dir(tmp_path, select=["AIA101"])
    assert codes(report) == [("AIA101", "good.tf")]
    assert [(e.file, e.line, e.message) for e in report.errors] == [("latin1.tf", 3, "not valid UTF-8 (byte 0xe9)")]


def test_empty_file_is_fine(tmp_path):
    write_tree(tmp_path, {"empty.tf": "", "blank.tf": "\n\n  \n"})
    report = scan_dir(tmp_path, select=["AIA101"])
    assert report.errors == [] and report.findings == []
    assert report.exit_code(None) == 0


def test_nul_bytes(tmp_path):
    (tmp_path / "bin.tf").write_bytes(b"resource \x00\x01")
    report = scan_dir(tmp_path, select=["AIA101"])
    assert [(e.file, e.message) for e in report.errors] == [("bin.tf", "contains NUL bytes (binary file?)")]


def test_bom_and_crlf_parse_with_right_lines(tmp_path):
    (tmp_path / "win.tf").write_bytes(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode())
    report = scan_dir(tmp_path, select=["AIA101"])
    assert [(f.code, f.location.span.start_line) for f in report.findings] == [("AIA101", 3)]


def test_directory_symlink_loop_is_reported_once_and_not_followed(tmp_path):
    write_tree(tmp_path, {"infra/main.tf": GOOD})
    os.symlink("..", tmp_path / "infra" / "loop")
    report = scan_dir(tmp_path, select=["AIA101"])
    assert codes(report) == [("AIA101", "infra/main.tf")]
    assert [(e.file, e.message) for e in report.errors] == [("infra/loop", "symbolic link loop; not followed")]


def test_symlink_out_of_the_root_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    write_tree(outside, {"main.tf": GOOD})
    root = tmp_path / "repo"
    root.mkdir()
    os.symlink(outside, root / "linked")
    report = scan_dir(root, select=["AIA101"])
    assert report.findings == []
    assert [e.file for e in report.errors] == ["linked"]


def test_unreadable_file(tmp_path, monkeypatch):
    write_tree(tmp_path, {"good.tf": GOOD, "locked.tf": GOOD})
    real_open = open

    def deny(path, *args, **kwargs):
        if str(path).endswith("locked.tf"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", deny)
    report = scan_dir(tmp_path, select=["AIA101"])
    assert codes(report) == [("AIA101", "good.tf")]
    assert [(e.file, e.message) for e in report.errors] == [("locked.tf", "cannot read: Permission denied")]


def test_too_large_file_is_skipped(tmp_path):
    from aiaas_iac.discover import SourceFile
    from aiaas_iac.parsers import ParseLimits, parse_file

    path = tmp_path / "big.tf"
    path.write_text("# " + "x" * 2000 + "\n")
    parsed = parse_file(SourceFile(path, "big.tf", "terraform"), ParseLimits(max_file_bytes=1000))
    assert len(parsed.errors) == 1 and "over the" in parsed.errors[0].message


def test_deeply_nested_hcl_is_an_error_not_a_crash(tmp_path):
    deep = "resource \"x\" \"y\" {\n  v = " + "[" * 3000 + "]" * 3000 + "\n}\n"
    write_tree(tmp_path, {"deep.tf": deep, "good.tf": GOOD})
    report = scan_dir(tmp_path, select=["AIA101"])
    assert codes(report) == [("AIA101", "good.tf")]
    assert [e.file for e in report.errors] == ["deep.tf"]


def test_missing_path_is_reported(tmp_path):
    from aiaas_iac.engine import scan

    report = scan([str(tmp_path / "nope")], root=tmp_path)
    assert [(e.file, e.message) for e in report.errors] == [("nope", "no such file or directory")]
