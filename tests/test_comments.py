"""The comment lexers behind inline suppressions: comments only, never strings, in linear time."""

from __future__ import annotations

import time

from aiaas_iac.parsers.comments import hcl_comments, yaml_comments


def hcl(text: str) -> list[str]:
    return [text[start:end] for start, end in hcl_comments(text, len(text))]


def yaml(text: str) -> list[str]:
    return [text[start:end] for start, end in yaml_comments(text, len(text))]


def test_hcl_line_and_block_comments():
    text = '# one\nname = "x" // two\n/* three\n   more */ size = 1 # four\n'
    assert hcl(text) == ["# one", "// two", "/* three\n   more */", "# four"]


def test_hcl_comment_markers_inside_strings_are_text():
    assert hcl('description = "# not // a /* comment"\n') == []


def test_hcl_escaped_quote_does_not_end_the_string():
    assert hcl('a = "say \\"# hi\\" # still text"\n# real\n') == ["# real"]


def test_hcl_strings_nested_in_interpolations():
    text = 'a = "${jsonencode({ k = "# text }" })} # text" # comment\n'
    assert hcl(text) == ["# comment"]


def test_hcl_escaped_template_sequences_open_no_interpolation():
    assert hcl('a = "$${ # text" # comment\nb = "%%{ # text" # c2\n') == ["# comment", "# c2"]


def test_hcl_heredoc_lines_are_text_until_the_marker_line():
    text = 'policy = <<EOT\n# text\n  /* text */\n  EOT # not the end\nEOT\n# comment\n'
    assert hcl(text) == ["# comment"]


def test_hcl_indented_heredoc_with_interpolation():
    text = 'policy = <<-JSON\n  {"a": "${var.x}"} # text\n  JSON\n// comment\n'
    assert hcl(text) == ["// comment"]


def test_hcl_unterminated_heredoc_hides_the_rest():
    assert hcl('a = <<EOT\n# text\n') == []


def test_hcl_lexer_stops_after_until():
    text = "# a\n" * 10 + "# last\n"
    assert len(list(hcl_comments(text, 5))) == 2


def test_yaml_comments_outside_scalars():
    text = 'a: "x # no" # one\nb: it\'s # two\nc: [x, "# no", y] # three\n# four\nd: plain#text\n'
    assert yaml(text) == ["# one", "# two", "# three", "# four"]


def test_yaml_block_scalar_lines_are_text_but_its_header_comment_is_not():
    text = "run: |  # header\n  echo hi # text\n  # text\nnext: 1 # after\n"
    assert yaml(text) == ["# header", "# after"]


def test_yaml_multi_line_quoted_and_plain_scalars():
    text = "a: 'one\n  # text'\nb: \"two\n  # text\"\nc: three\n  # comment\n"
    assert yaml(text) == ["# comment"]


def test_yaml_json_document_has_no_comments():
    assert yaml('{"Description": "x # aiaas-iac:ignore=AIA101 y", "a":"#b"}\n') == []


def test_yaml_comments_after_a_syntax_error_are_not_trusted():
    assert yaml('# before\na: 1 # one\nb: "unterminated\n# text\n') == ["# before", "# one"]


def test_lexers_are_linear_on_long_lines():
    spaces = " " * 200_000
    started = time.perf_counter()
    assert len(hcl(("# x" + spaces + "\n") * 10)) == 10
    assert len(yaml(("a: b # x" + spaces + "\n") * 10)) == 10
    assert hcl('a = "' + "\\\\" * 200_000 + '" # c\n') == ["# c"]
    assert hcl("a = " + "<<" * 100_000 + "\n# c\n") == ["# c"]
    assert time.perf_counter() - started < 2.0
