"""Terraform expressions the parser cannot evaluate on its own, kept as structured nodes.

They are `Unknown`s (so a check that meets one leaves it alone) that keep the
whole structure of the expression for the evaluator to finish the job where
the code makes the value certain: a variable default, a local, an operator,
a conditional, a `for` expression, `jsonencode(...)`, `file(...)`. No
expression is kept as text to be parsed again.

The contract every parser backend keeps (tests compare backends on it):
- `text` is the exact source text of the expression (a heredoc's body is
  cut to 200 characters), `refs` the `collect_refs` of its children (for a
  Traversal, its own `traversal_text`);
- literals are plain values: strings without interpolation are `str`,
  `"${x}"` alone is `x` itself, `-1` and `!true` are folded, `true/false/null`
  are bool/None, numbers int (or the digits when too long) and float;
- tuples are lists and objects dicts (object keys that are expressions keep
  their source text as the key); parentheses leave no node;
- references with static parts are one Traversal; every other form is the
  node named below.

Decisions where the above left a choice (both backends keep them):
- a node's text runs from its first operand's first character to its last
  operand's last: `(a + b) * c` is BinaryOp text `(a + b) * c` whose left is
  BinaryOp text `a + b` (the parentheses belong to the enclosing slice only);
  a trailing comment or line break is never part of a text;
- a Splat's parts hold an index that is not a literal as its expression node
  (`x[*].tags[var.k]` -> parts ("tags", Traversal var.k));
- ForExpr and TemplateFor refs are collect_refs of their children taken
  literally, so they include the iteration variables' names (`k`, `v`);
- a quoted string holding a directive (`"%{ if x }a%{ endif }"`) is a
  Template whose text is the quoted source, quotes included, and whose parts
  hold TemplateIf/TemplateFor; a heredoc's Template text is its body (cut);
- a template Terraform would reject (an unclosed `${`, an interpolation that
  does not parse) is a plain Unknown of its text with no refs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from aiaas_iac.model import Unknown

_TRAVERSAL_PART_RE = re.compile(r"[A-Za-z_][\w-]*|\[\d+\]|\[\"[^\"]*\"\]")


@dataclass(frozen=True)
class Traversal(Unknown):
    """A reference such as `var.x`, `local.a.b`, `aws_iam_user.bot.name` or `var.l[0]`."""

    parts: tuple = ()


@dataclass(frozen=True)
class Call(Unknown):
    """A function call: `jsonencode({...})`, `file("x.json")`, `templatefile(...)`; `expand` is
    the `...` after the last argument (`concat(local.lists...)`). Provider functions keep their
    full name (`provider::aws::arn_parse`)."""

    name: str = ""
    args: tuple = ()
    expand: bool = False


@dataclass(frozen=True)
class Template(Unknown):
    """A string with interpolations: parts are literal strings and expressions."""

    parts: tuple = ()


@dataclass(frozen=True)
class Conditional(Unknown):
    """`condition ? if_true : if_false`."""

    condition: Any = None
    if_true: Any = None
    if_false: Any = None


@dataclass(frozen=True)
class BinaryOp(Unknown):
    """`left <operator> right`, one operator per node, grouped by HCL's precedence
    (`a + b * c` is BinaryOp("+", a, BinaryOp("*", b, c))); operator is the token as written:
    `* / % + - > >= < <= == != && ||`."""

    operator: str = ""
    left: Any = None
    right: Any = None


@dataclass(frozen=True)
class UnaryOp(Unknown):
    """`!operand` or `-operand` whose operand is not a literal (`-1` and `!true` are folded)."""

    operator: str = ""
    operand: Any = None


@dataclass(frozen=True)
class GetAttr(Unknown):
    """`base.name` where `base` is not a static reference (`f(x).name`, `(a ? b : c).name`);
    on a static reference the result is a longer Traversal."""

    base: Any = None
    name: str = ""


@dataclass(frozen=True)
class Index(Unknown):
    """`base[key]` where `base` is not a static reference or `key` is not a literal number or
    string (`var.m[var.k]`, `local.l[count.index]`); else a longer Traversal."""

    base: Any = None
    key: Any = None


@dataclass(frozen=True)
class Splat(Unknown):
    """`base[*].a.b` (full=True) or `base.*.a.b` (attribute-only, full=False): `parts` are the
    attribute names (str) and literal indexes (int) applied to each element after the splat."""

    base: Any = None
    parts: tuple = ()
    full: bool = True


@dataclass(frozen=True)
class ForExpr(Unknown):
    """`[for k, v in collection : value if condition]` (key_expr is None) or
    `{for k, v in collection : key_expr => value... if condition}`. `key_var` is None when only
    one iteration variable is named; `grouping` is the `...` after the value of an object `for`."""

    key_var: str | None = None
    value_var: str = ""
    collection: Any = None
    key_expr: Any = None
    value_expr: Any = None
    condition: Any = None
    grouping: bool = False
    is_object: bool = False


@dataclass(frozen=True)
class TemplateIf(Unknown):
    """A template directive `%{ if condition }...%{ else }...%{ endif }` inside a Template's
    parts; each branch is a tuple of parts like Template.parts."""

    condition: Any = None
    if_true: tuple = ()
    if_false: tuple = ()


@dataclass(frozen=True)
class TemplateFor(Unknown):
    """A template directive `%{ for k, v in collection }...%{ endfor }` inside a Template's parts."""

    key_var: str | None = None
    value_var: str = ""
    collection: Any = None
    body: tuple = ()


# Every structured expression node (the cache codec and the evaluator dispatch on these).
EXPRESSION_NODES = (Traversal, Call, Template, Conditional, BinaryOp, UnaryOp, GetAttr, Index, Splat,
                    ForExpr, TemplateIf, TemplateFor)


def collect_refs(value: Any) -> tuple[str, ...]:
    """Every reference mentioned anywhere inside a (partly) parsed value."""
    found: dict[str, None] = {}  # ordered and deduplicated; a list's `in` made this quadratic
    seen: set[int] = set()  # evaluated values share parts (2**40 paths through 40 lists): walk each once
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, Unknown):
            for ref in node.refs:
                found[ref] = None
        elif isinstance(node, (dict, list, tuple)) and id(node) not in seen:
            seen.add(id(node))
            stack.extend(reversed(list(node.values() if isinstance(node, dict) else node)))
    return tuple(found)


def integer(digits: str) -> int | str:
    """The integer a run of digits writes; past Python's int/text limit (4,300 digits),
    which raises ValueError, the digits themselves: one huge number must not stop the scan."""
    try:
        return int(digits)
    except ValueError:
        return digits


def traversal_text(parts: tuple) -> str:
    text = str(parts[0])
    for part in parts[1:]:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def traversal_parts(text: str) -> tuple:
    """The parts of a reference written as text: `local.roles[0]["name"]` -> ("local", "roles", 0, "name")."""
    parts: list[Any] = []
    for piece in _TRAVERSAL_PART_RE.findall(text):
        if piece.startswith('["'):
            parts.append(piece[2:-2])
        elif piece.startswith("["):
            parts.append(integer(piece[1:-1]))
        else:
            parts.append(piece)
    return tuple(parts)
