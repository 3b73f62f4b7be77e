"""HCL string templates: `${ expression }` interpolations and `%{ if }` / `%{ for }` directives.

Used for heredocs, quoted strings that hold a directive (python-hcl2's lexer reads `%{` as
text), and the files `templatefile()` renders. The text is searched from mark to mark (C
string search), so a template is read in linear time whatever it holds; each interpolation is
handed to `parse_expression` (the HCL expression parser) once, here, at parse time.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from aiaas_iac.parsers.hcl_expressions import Template, TemplateFor, TemplateIf, collect_refs

# Escapes `$${`/`%%{`, a directive `%{`, an interpolation `${`.
_MARK = re.compile(r"\$\$\{|%%\{|%\{|\$\{")
_EXPRESSION_SPECIALS = re.compile(r'[{}"]')
_QUOTED_SPECIALS = re.compile(r'["\\]')
_FOR_RE = re.compile(r"for\s+([A-Za-z_][\w-]*)(?:\s*,\s*([A-Za-z_][\w-]*))?\s+in\s+(.+)", re.DOTALL)
_SHOWN_TEXT = 200
# Each interpolation is parsed on its own; a template with more is left unknown.
MAX_SEQUENCES = 10_000


class TemplateSyntaxError(Exception):
    pass


def closing_brace(text: str, start: int) -> int:
    """Index of the `}` that closes the interpolation or directive opened before `start`,
    skipping nested braces and quoted strings (whose `${` nest once more: rare, not followed)."""
    depth, position, quoted = 0, start, False
    while True:
        found = (_QUOTED_SPECIALS if quoted else _EXPRESSION_SPECIALS).search(text, position)
        if found is None:
            raise TemplateSyntaxError("unterminated template sequence")
        char, position = found.group(), found.start()
        if char == "\\":
            position += 1
        elif char == '"':
            quoted = not quoted
        elif char == "{":
            depth += 1
        elif depth == 0:
            return position
        else:
            depth -= 1
        position += 1


def _tokens(text: str, literal_text: Callable[[str], str] = lambda s: s) -> list[list]:
    """[kind, content, strip_before, strip_after, start, end] with kind literal/interpolation/directive;
    a literal's content is its characters (`literal_text`, escapes undone), which `~` then strips."""
    tokens: list[list] = []
    literal: list[str] = []
    position = 0

    def flush() -> None:
        if "".join(literal):
            tokens.append(["literal", literal_text("".join(literal)), False, False, 0, 0])
        literal.clear()

    while (mark := _MARK.search(text, position)) is not None:
        literal.append(text[position:mark.start()])
        token = mark.group()
        if token in ("$${", "%%{"):  # stand for `${` and `%{`
            literal.append(token[1:])
            position = mark.end()
            continue
        if len(tokens) >= 2 * MAX_SEQUENCES:
            raise TemplateSyntaxError(f"more than {MAX_SEQUENCES} template sequences")
        end = closing_brace(text, mark.end())
        inner = text[mark.end():end]
        strip_before, strip_after = inner.startswith("~"), inner.endswith("~") and len(inner) > 1
        inner = inner[1 if strip_before else 0:len(inner) - (1 if strip_after else 0)].strip()
        flush()
        tokens.append(["interpolation" if token == "${" else "directive", inner, strip_before, strip_after,
                       mark.start(), end + 1])
        position = end + 1
    literal.append(text[position:])
    flush()
    for index, token in enumerate(tokens):  # `~` strips the whitespace next to the marker
        if token[0] == "literal":
            continue
        if token[2] and index > 0 and tokens[index - 1][0] == "literal":
            tokens[index - 1][1] = tokens[index - 1][1].rstrip()
        if token[3] and index + 1 < len(tokens) and tokens[index + 1][0] == "literal":
            tokens[index + 1][1] = tokens[index + 1][1].lstrip()
    return tokens


class _Builder:
    def __init__(self, text: str, tokens: list[list], parse_expression: Callable[[str], Any]) -> None:
        self.text, self.tokens, self.position = text, tokens, 0
        self.parse_expression = parse_expression

    def sequence(self, ends: tuple[str, ...]) -> tuple[list, str | None]:
        """Parts up to a directive in `ends` (consumed and returned), or to the end."""
        parts: list[Any] = []
        while self.position < len(self.tokens):
            kind, content, _, _, start, _ = self.tokens[self.position]
            self.position += 1
            if kind == "literal":
                parts.append(content)
            elif kind == "interpolation":
                parts.append(self.parse_expression(content))
            else:
                keyword = content.split(None, 1)[0] if content else ""
                if keyword in ends:
                    return parts, keyword
                if keyword == "if":
                    parts.append(self.if_directive(content[2:].strip(), start))
                elif keyword == "for":
                    parts.append(self.for_directive(content, start))
                else:
                    raise TemplateSyntaxError(f"unexpected template directive %{{{keyword}}}")
        if ends:
            raise TemplateSyntaxError(f"template directive without %{{{ends[-1]}}}")
        return parts, None

    def source(self, start: int) -> str:
        return self.text[start:self.tokens[self.position - 1][5]]

    def if_directive(self, condition_source: str, start: int) -> TemplateIf:
        condition = self.parse_expression(condition_source)
        if_true, end = self.sequence(("else", "endif"))
        if_false: list = []
        if end == "else":
            if_false, _ = self.sequence(("endif",))
        parts = (condition, *if_true, *if_false)
        return TemplateIf(self.source(start), collect_refs(parts), condition, _merged(if_true), _merged(if_false))

    def for_directive(self, header: str, start: int) -> TemplateFor:
        match = _FOR_RE.fullmatch(header)
        if not match:
            raise TemplateSyntaxError("invalid %{for} directive")
        first, second, collection_source = match.groups()
        collection = self.parse_expression(collection_source.strip())
        body, _ = self.sequence(("endfor",))
        key_var, value_var = (first, second) if second else (None, first)
        return TemplateFor(self.source(start), collect_refs((collection, *body)), key_var, value_var, collection,
                           _merged(body))


def _merged(parts: list) -> tuple:
    """Adjacent literal parts joined, empty ones dropped."""
    out: list = []
    for part in parts:
        if isinstance(part, str):
            if not part:
                continue
            if out and isinstance(out[-1], str):
                out[-1] += part
                continue
        out.append(part)
    return tuple(out)


def template_value(text: str, shown: str, parse_expression: Callable[[str], Any],
                   literal: Callable[[str], str] = lambda s: s) -> Any:
    """The value a template text makes: a string when it holds no expression, the expression
    itself when it is one interpolation alone (`"${x}"` is x), else a Template whose `text` is
    `shown` (cut to 200 characters). `literal` turns a literal run into its characters (quoted
    strings unescape `\\n`). Raises TemplateSyntaxError."""
    tokens = _tokens(text, literal)
    builder = _Builder(text, tokens, parse_expression)
    parts, _ = builder.sequence(())
    merged = _merged(parts)
    if all(isinstance(p, str) for p in merged):
        return "".join(merged)
    if len(merged) == 1 and len(tokens) == 1 and tokens[0][0] == "interpolation":
        return merged[0]
    if len(shown) > _SHOWN_TEXT:
        shown = shown[:_SHOWN_TEXT] + "..."
    return Template(shown, collect_refs(merged), merged)
