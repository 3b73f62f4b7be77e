"""Escaping for every sink: terminal, stderr log lines, GitHub workflow commands, JUnit XML, JSON.

Everything a report shows about the scanned tree (file and directory names,
resource names, values, messages, suppression reasons, parse errors) was
written by whoever opened the pull request. On a CI runner stdout and stderr
are parsed for workflow commands, so input-derived text must never be able to:

- start a line: CR, LF, U+0085, U+2028/U+2029 and every other control
  character are escaped visibly (`\\n`, `\\x1b`, `\\u2028`);
- start a line with `::` -- GitHub's runner trims leading whitespace and runs
  `::command::data` (`::add-mask::`, `::stop-commands::`); a file named
  `::stop-commands::x.tf` at the root would otherwise start a finding line;
- contain `##[` -- the runner's legacy syntax (`##[stop-commands]token`) is
  recognised *anywhere* in a line, not only at its start;
- reprogram a terminal (ANSI escapes) or reorder what the reviewer reads
  (bidi overrides and isolates, "Trojan Source").

Lone surrogates (file names that are not valid UTF-8, decoded with
`surrogateescape`) are escaped too: written raw they abort any UTF-8 write.

Each sink has its own function so a reporter says which rules it needs; the
rules themselves live only here.
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0 controls, DEL, C1 controls (U+0085 NEL among them), Arabic letter mark,
# LRM/RLM, line and paragraph separators, bidi embeddings/overrides and
# isolates, surrogates, and the XML-forbidden noncharacters U+FFFE/U+FFFF.
_UNSAFE_ABOVE_C0 = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff"
_UNSAFE_CHARACTER = re.compile(f"[\x00-\x1f{_UNSAFE_ABOVE_C0}]")
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# `##[` anywhere in a line is a legacy workflow command.
_LEGACY_COMMAND = "##["
_LEGACY_COMMAND_DEFUSED = "##\\x5b"
# `::` at the start of a line, after any whitespace the runner would trim.
_LINE_COMMAND = re.compile(r"^([^\S\n]*):(?=:)", re.MULTILINE)


def _escape_character(match: re.Match) -> str:
    character = match.group()
    short = _SHORT_ESCAPES.get(character)
    if short:
        return short
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """Every unsafe character as a visible escape; the text is then a single line."""
    return _UNSAFE_CHARACTER.sub(_escape_character, str(text))


def _defuse_line_start(text: str) -> str:
    return _LINE_COMMAND.sub(r"\1\\x3a", text)


# Terminal and logs -------------------------------------------------------------


def terminal_text(text: str) -> str:
    """A piece of a terminal line (text report, annotation data, log message)."""
    return visible(text).replace(_LEGACY_COMMAND, _LEGACY_COMMAND_DEFUSED)


def terminal_lines(text: str) -> str:
    """Last pass over a whole composed terminal report: no line may start with `::`
    or hold `##[`, whatever its pieces were (its own line breaks are kept)."""
    return _defuse_line_start(text.replace(_LEGACY_COMMAND, _LEGACY_COMMAND_DEFUSED))


def log_line(text: str) -> str:
    """One stderr message (`aiaas-iac: error: ...`, `aiaas-iac: skipped ...`)."""
    return _defuse_line_start(terminal_text(text))


# GitHub workflow commands ------------------------------------------------------


def github_data(text: str) -> str:
    """The message of `::error ...::MESSAGE`. The runner decodes only %25, %0D and %0A
    there; visible escaping leaves no CR/LF to encode, and the decoded message cannot
    start with `::` either."""
    return _defuse_line_start(terminal_text(text)).replace("%", "%25")


def github_property(text: str) -> str:
    """A `key=value` of a workflow command: `:` and `,` would end the value."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


# JUnit XML ---------------------------------------------------------------------


def xml_attribute(text: str) -> str:
    """An attribute value. XML 1.0 cannot carry most control characters even as
    character references; ElementTree escapes `&<>"` itself."""
    return visible(text)


def xml_text(text: str) -> str:
    """Element text from the input (the report's own line breaks are added around it)."""
    return visible(text)


def xml_document(document: str) -> str:
    """The serialised document: `[` after `##` as a character reference, so the
    file can be printed in a CI log and still parses to the same values."""
    return document.replace(_LEGACY_COMMAND, "##&#91;")


# JSON (JSON report, SARIF, baseline) ---------------------------------------------

# json.dumps already escapes C0 controls, `"` and `\`; with ensure_ascii=False it
# leaves the rest raw. These stay exact values (consumers get back what was in the
# file) but are written as \u escapes, so the document is safe to print. (The
# document's own line breaks and indentation are C0 too: they are not touched.)
_JSON_UNSAFE = re.compile(f"[{_UNSAFE_ABOVE_C0}]")


def json_text(document: Any, indent: int | None = 2) -> str:
    """`document` as JSON text holding no raw control, bidi or separator character
    and no `##[`; non-ASCII letters stay readable."""
    text = json.dumps(document, indent=indent, ensure_ascii=False)
    text = _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    # `##[` only ever occurs inside a string: `[` as \u005b there decodes to the same value.
    return text.replace(_LEGACY_COMMAND, "##\\u005b") + "\n"
