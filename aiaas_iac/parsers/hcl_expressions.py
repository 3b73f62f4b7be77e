"""Terraform expressions the parser cannot evaluate on its own.

They are `Unknown`s (so a check that meets one leaves it alone) that keep
enough structure for the value resolver to finish the job where the code
makes the value certain: a variable default, a local, `jsonencode(...)`,
`file(...)`.
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
    """A function call: `jsonencode({...})`, `file("x.json")`, `templatefile(...)`."""

    name: str = ""
    args: tuple = ()


@dataclass(frozen=True)
class Template(Unknown):
    """A string with interpolations: parts are literal strings and expressions."""

    parts: tuple = ()


def collect_refs(value: Any) -> tuple[str, ...]:
    """Every reference mentioned anywhere inside a (partly) parsed value."""
    found: dict[str, None] = {}  # ordered and deduplicated; a list's `in` made this quadratic

    def walk(node: Any) -> None:
        if isinstance(node, Unknown):
            for ref in node.refs:
                found[ref] = None
        elif isinstance(node, dict):
            for item in node.values():
                walk(item)
        elif isinstance(node, (list, tuple)):
            for item in node:
                walk(item)

    walk(value)
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
