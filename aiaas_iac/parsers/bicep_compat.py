"""Newer Bicep syntax that tree-sitter-bicep 1.1 rejects, rewritten to what it reads.

Each rewrite replaces text by text of the same length (spaces, or a built-in type name
padded with spaces), so every line and column the parser reports stays the source's. What is
rewritten carries nothing the evaluator uses:

- `extension 'br:...'` / `extension microsoftGraph` statements: blanked;
- a type on a variable (`var name string = ...`): blanked;
- `resourceInput<'Microsoft.Web/sites@2024-04-01'>.properties.siteConfig` (and
  `resourceOutput<...>`) types: `object`;
- a nullable user-defined parameter type (`param acls networkAclsType?`): a built-in one;
- the non-null assertion `x!` before `,` `)` `]` `}` or a line break: the `!` blanked.

Only code is touched by the last one: strings (`'...'`, `'''...'''`) and comments are skipped
by a linear lexer. The rewritten text is parsed only when the original has a syntax error.
"""

from __future__ import annotations

import re

_EXTENSION = re.compile(r"^[ \t]*+extension[ \t]++[^\n]*+", re.MULTILINE)
_TYPED_VAR = re.compile(r"^([ \t]*+var[ \t]++[A-Za-z_]\w*+[ \t]++)([A-Za-z_]\w*+(?:\[\])?+)(?=[ \t]*+=)", re.MULTILINE)
_RESOURCE_TYPE = re.compile(r"resource(?:Input|Output)<'[^'\n]*+'>(?:\.[A-Za-z_]\w*+)*+")
_NULLABLE_PARAM = re.compile(r"^([ \t]*+param[ \t]++[A-Za-z_]\w*+[ \t]++)([A-Za-z_]\w*+)(?=\?)", re.MULTILINE)
_BUILTIN_TYPES = frozenset({"string", "int", "bool", "object", "array", "any"})
# In code: the start of a string or comment, or a `!` after an operand and before a closing token.
_CODE = re.compile(r"'''|'|//|/\*|(?<=[\w)\]])!(?=[ \t]*+[,)\]}\n])")
_STRING_BODY = re.compile(r"(?:[^'\\\n]++|\\.)*+")


def _padded(name: str, width: int) -> str:
    return name + " " * (width - len(name))


def _nullable_builtin(match: re.Match) -> str:
    written = match.group(2)
    if written in _BUILTIN_TYPES:
        return match.group(0)
    fitting = next((t for t in ("object", "array", "bool", "int") if len(t) <= len(written)), None)
    return match.group(1) + (_padded(fitting, len(written)) if fitting else written)


def _blank_assertions(text: str) -> str:
    pieces: list[str] = []
    position = 0
    while True:
        match = _CODE.search(text, position)
        if match is None:
            break
        token, start = match.group(), match.start()
        if token == "!":
            pieces.append(text[position:start] + " ")
            position = start + 1
            continue
        if token == "'''":
            end = text.find("'''", start + 3)
            end = len(text) if end < 0 else end + 3
        elif token == "'":
            end = _STRING_BODY.match(text, start + 1).end() + 1
        elif token == "//":
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
        else:
            end = text.find("*/", start + 2)
            end = len(text) if end < 0 else end + 2
        pieces.append(text[position:end])
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def compatible(text: str) -> str:
    """`text` with the constructs above rewritten (same length, same line breaks)."""
    text = _EXTENSION.sub(lambda m: " " * len(m.group()), text)
    text = _TYPED_VAR.sub(lambda m: m.group(1) + " " * len(m.group(2)), text)
    text = _RESOURCE_TYPE.sub(lambda m: _padded("object", len(m.group())), text)
    text = _NULLABLE_PARAM.sub(_nullable_builtin, text)
    return _blank_assertions(text) if "!" in text else text
