"""Where the comments are: linear lexers for HCL, YAML and ARM's JSON with comments.

Inline suppressions live in comments, and only in comments: text that looks
like one inside a string value (a CloudFormation `Description`, an HCL string,
a heredoc, a YAML block scalar) is data, and may come from anyone. So a
suppression is looked for only inside the spans these lexers return.

Both lexers are linear in the text: they jump from one interesting character
to the next with a regex search or `str.find` and never go back. They stop at
`until` (the last place a suppression can start), so files whose only marker
is near the top cost little.
"""

from __future__ import annotations

import bisect
import re
from typing import Iterator

# JSON with comments (ARM templates and parameter files): a string's body up to its end or the
# end of the line (JSON strings hold no raw line break), possessive so it never backtracks.
_JSON_CODE = re.compile(r'"|/[/*]')
_JSON_STRING_BODY = re.compile(r'(?:[^"\\\n]++|\\.)*+')


class UnterminatedComment(ValueError):
    def __init__(self, line: int) -> None:
        super().__init__(f"unterminated /* comment starting on line {line}")
        self.line = line


def json_comments(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every `//` (to the end of its line) and `/* */` comment outside JSON
    strings, as Azure accepts them in ARM templates and parameter files. Linear: each character
    is looked at once. Raises UnterminatedComment for a `/*` that never closes."""
    position = 0
    while True:
        match = _JSON_CODE.search(text, position)
        if match is None:
            return
        start = match.start()
        if match.group() == '"':
            position = _JSON_STRING_BODY.match(text, start + 1).end() + 1
        elif match.group() == "//":
            end = text.find("\n", start)
            position = len(text) if end < 0 else end
            yield start, position
        else:
            end = text.find("*/", start + 2)
            if end < 0:
                raise UnterminatedComment(text.count("\n", 0, start) + 1)
            position = end + 2
            yield start, position


def blank_json_comments(text: str) -> str:
    """`text` with every comment (see `json_comments`) turned into spaces, line breaks kept, so
    every remaining character keeps its line and column."""
    pieces: list[str] = []
    position = 0
    for start, end in json_comments(text):
        pieces.append(text[position:start])
        comment = text[start:end]
        pieces.append(re.sub(r"[^\n]", " ", comment))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)

# In code: a string, a comment, a heredoc opener (`<<EOT`, `<<-EOT`, alone at the end of its
# line) or a brace (which matters inside `${ ... }`).
_HCL_CODE = re.compile(r'"|#|//|/\*|<<-?([A-Za-z_][A-Za-z0-9_-]*+)[ \t]*+\n|[{}]')
# In a quoted string: an escape, its end, or a template sequence (`$${` and `%%{` are literal).
_HCL_STRING = re.compile(r'\\.|"|\n|\$\$\{|%%\{|\$\{|%\{', re.DOTALL)


def hcl_comments(text: str, until: int) -> Iterator[tuple[int, int]]:
    """(start, end) of every `#`, `//` and `/* */` comment outside strings and heredocs
    that starts at or before `until`. `start` is the comment's first character (`#` or `/`).

    Strings nest: `"a ${f("b")} c"` is one string whose interpolation holds another, so the
    lexer keeps a stack with the brace depth of each open `${`.
    """
    position = 0
    interpolations: list[int] = []  # open brace count inside each `${` / `%{` we are in
    in_string = False
    size = len(text)
    while position <= until and position < size:
        if in_string:
            match = _HCL_STRING.search(text, position)
            if match is None:
                return
            token = match.group()
            position = match.end()
            if token in ('"', "\n"):  # a newline ends an (invalid) string: resynchronise there
                in_string = False
            elif token in ("${", "%{"):
                interpolations.append(0)
                in_string = False
            continue
        match = _HCL_CODE.search(text, position)
        if match is None or match.start() > until:
            return
        token = match.group()
        start = match.start()
        if token == '"':
            in_string = True
            position = match.end()
        elif token in ("#", "//"):
            end = text.find("\n", start)
            end = size if end < 0 else end
            yield start, end
            position = end
        elif token == "/*":
            end = text.find("*/", start + 2)
            end = size if end < 0 else end + 2
            yield start, end
            position = end
        elif token == "{":
            if interpolations:
                interpolations[-1] += 1
            position = match.end()
        elif token == "}":
            if interpolations:
                if interpolations[-1] == 0:
                    interpolations.pop()
                    in_string = True  # back in the string (or heredoc) the `${` opened in
                else:
                    interpolations[-1] -= 1
            position = match.end()
        else:  # a heredoc: its lines are template text until one holding only the marker
            terminator = re.compile(rf"^[ \t]*{re.escape(match.group(1))}[ \t]*$", re.MULTILINE)
            closing = terminator.search(text, match.end())
            if closing is None:
                return
            position = closing.end()


def _yaml_scalar_ranges(text: str, until: int) -> tuple[list[tuple[int, int]], int]:
    """(start, end) of every scalar token up to `until`, from the YAML scanner (libyaml when
    available), which knows quoting, block scalars and multi-line plain scalars exactly; and
    how far the scan is to be trusted (the end of the last token read before an error).

    A block scalar's token starts at its `|`/`>` indicator, and a comment may follow the
    indicator on the same line (`key: |  # note`): its content starts on the next line.
    """
    import yaml

    try:
        from yaml._yaml import CParser

        next_token = CParser(text).get_token
    except ImportError:  # no libyaml: the pure-Python scanner gives the same tokens, slower
        next_token = yaml.SafeLoader(text).get_token
    ranges: list[tuple[int, int]] = []
    trusted = 0
    try:
        while True:
            token = next_token()
            if token is None:
                return ranges, len(text)
            if token.start_mark.index > until:
                return ranges, token.start_mark.index
            if isinstance(token, yaml.ScalarToken):
                start, end = token.start_mark.index, token.end_mark.index
                if token.style in ("|", ">"):
                    newline = text.find("\n", start, end)
                    start = end if newline < 0 else newline
                ranges.append((start, end))
            trusted = token.end_mark.index
    except yaml.YAMLError:
        return ranges, trusted  # what follows the last good token is in no comment we can vouch for


def yaml_comments(text: str, until: int) -> Iterator[tuple[int, int]]:
    """(start, end) of every `#` comment (to the end of its line) starting at or before `until`,
    outside quoted, plain and block scalars. In a text the scanner rejects, only comments
    before the error count."""
    if text.find("#", 0, until + 1) < 0:
        return
    ranges, trusted = _yaml_scalar_ranges(text, until)
    starts = [start for start, _ in ranges]
    position = 0
    limit = min(until + 1, trusted)
    while True:
        start = text.find("#", position, limit)
        if start < 0:
            return
        if start > 0 and text[start - 1] not in " \t\n":
            position = start + 1  # `a#b`: a `#` starts a comment only after a space, tab or line break
            continue
        index = bisect.bisect_right(starts, start) - 1
        if index >= 0 and start < ranges[index][1]:
            position = ranges[index][1]  # inside a scalar: skip the rest of it
            continue
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        yield start, end
        position = end
