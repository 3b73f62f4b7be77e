"""The escaping of each output sink (aiaas_iac/report/escape.py) and the safe report writer."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import pytest

from aiaas_iac.report import escape
from aiaas_iac.report.write import UnsafeTarget, write_file

HOSTILE = "a\n::add-mask::s\r\t\x00\x1b[31m\x7f\x85\x9b\u2028\u2029\u202e\u2066\u200f\udcff\ufffe ##[stop-commands]t"


def test_terminal_text_is_one_visible_line():
    shown = escape.terminal_text(HOSTILE)
    assert shown == ("a\\n::add-mask::s\\r\\t\\x00\\x1b[31m\\x7f\\x85\\x9b\\u2028\\u2029\\u202e\\u2066\\u200f"
                     "\\udcff\\ufffe ##\\x5bstop-commands]t")
    assert shown.isprintable() and len(shown.splitlines()) == 1


def test_letters_and_punctuation_are_left_alone():
    text = "ünïcode/with space/日本.tf: `x` = \"y\" (50%) [a] #b"
    assert escape.terminal_text(text) == text
    assert escape.xml_text(text) == text
    assert json.loads(escape.json_text(text)) == text and "ü" in escape.json_text(text)


@pytest.mark.parametrize("text", ["::add-mask::x", "  ::x::y", "\u3000::x::y", "\u00a0::x::y"])
def test_a_log_line_never_starts_with_a_workflow_command(text):
    line = escape.log_line(text)
    assert not line.lstrip().startswith("::") and "\\x3a:" in line


def test_terminal_lines_defuse_each_line_and_keep_the_report_line_breaks():
    report = "ok\n::error::x\n \u2003::warning::y\nz ##[group]w\n"
    assert escape.terminal_lines(report) == "ok\n\\x3a:error::x\n \u2003\\x3a:warning::y\nz ##\\x5bgroup]w\n"


def test_github_data_and_properties_cannot_end_the_command_or_start_one():
    data = escape.github_data("::stop-commands::t\n%0A")
    assert data == "\\x3a:stop-commands::t\\n%250A"
    prop = escape.github_property("dir, with: colon\n::x.tf")
    assert prop == "dir%2C with%3A colon\\n%3A%3Ax.tf"


def test_xml_values_are_well_formed_and_printable():
    element = ET.Element("case", name=escape.xml_attribute(HOSTILE))
    element.text = escape.xml_text(HOSTILE)
    document = escape.xml_document(ET.tostring(element, encoding="unicode"))
    assert "##[" not in document
    parsed = ET.fromstring(document.encode("utf-8"))
    assert parsed.get("name") == parsed.text == escape.visible(HOSTILE)  # `##&#91;` parses back to `##[`


def test_json_keeps_the_exact_value_and_writes_unsafe_characters_as_escapes():
    text = escape.json_text({"k": HOSTILE})
    assert json.loads(text) == {"k": HOSTILE}
    assert "##[" not in text
    assert all(character not in text for character in "\x1b\x7f\x85\u2028\u202e\udcff")
    text.encode("utf-8")  # no lone surrogate left to break a UTF-8 write


def test_write_file_refuses_a_symlink_and_a_directory(tmp_path):
    (tmp_path / "outside").write_text("keep")
    os.symlink(tmp_path / "outside", tmp_path / "link")
    with pytest.raises(UnsafeTarget, match="refusing to write through symbolic link"):
        write_file(tmp_path / "link", "new")
    assert (tmp_path / "outside").read_text() == "keep"
    with pytest.raises(UnsafeTarget, match="not a regular file"):
        write_file(tmp_path, "new")


def test_write_file_creates_parents_and_leaves_no_temporary_file(tmp_path):
    write_file(tmp_path / "a" / "b" / "report.txt", "one\n")
    write_file(tmp_path / "a" / "b" / "report.txt", "two\n")
    assert os.listdir(tmp_path / "a" / "b") == ["report.txt"]
    assert (tmp_path / "a" / "b" / "report.txt").read_text() == "two\n"
