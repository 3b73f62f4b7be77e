"""ARM template expressions (`"[concat('a', parameters('b'))]"`): a linear parser and evaluator.

A string is an expression when it starts with `[` and ends with `]`; a leading
`[[` escapes a literal string that starts with `[`. The language has string
literals (`'it''s'`), integers, function calls, `.property` and `[index]`
accessors. The tokenizer is one pass over the text, the parser recursive
descent with a depth limit, so a hostile expression costs its length.
Evaluation calls `arm_functions` (the library Bicep uses too) and asks the
template (`Scope`) for `parameters()`, `variables()` and `copyIndex()`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from aiaas_iac.model import Unknown
from aiaas_iac.parsers import arm_functions as fn

MAX_EXPRESSION_DEPTH = 64
_TOKEN = re.compile(r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?\d+(?:\.\d+)?)|(?P<name>[A-Za-z_]\w*)"
                    r"|(?P<punct>[()\[\],.]))")


class ExpressionError(Exception):
    pass


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple
    text: str


@dataclass(frozen=True)
class Access:
    target: Any
    key: Any  # a str property name, or an expression node for `[...]`
    text: str


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and len(value) >= 2 and value[0] == "[" and value[-1] == "]" and value[:2] != "[["


def literal(value: str) -> str:
    """A string that is not an expression, as ARM reads it (`[[x]` is `[x]`)."""
    return value[1:] if value.startswith("[[") else value


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            if text[position:].strip() == "":
                break
            raise ExpressionError(f"unexpected character {text[position]!r}")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        position = match.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.position = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise ExpressionError(f"expected {value or 'more'}")
        self.position += 1
        return token

    def expression(self) -> Any:
        self.depth += 1
        if self.depth > MAX_EXPRESSION_DEPTH:
            raise ExpressionError(f"nested deeper than {MAX_EXPRESSION_DEPTH} levels")
        kind, value = self.take()
        if kind == "string":
            node: Any = value[1:-1].replace("''", "'")
        elif kind == "number":
            node = int(value) if "." not in value and len(value) < 19 else float(value)
        elif kind == "name":
            self.take("(")
            args = []
            while self.peek() is not None and self.peek()[1] != ")":
                args.append(self.expression())
                if self.peek() is not None and self.peek()[1] == ",":
                    self.take(",")
            self.take(")")
            node = Call(value, tuple(args), value)
        else:
            raise ExpressionError(f"unexpected {value!r}")
        while self.peek() is not None and self.peek()[1] in (".", "["):
            if self.take()[1] == ".":
                node = Access(node, self.take()[1], "")
            else:
                key = self.expression()
                self.take("]")
                node = Access(node, key, "")
        self.depth -= 1
        return node


def parse(text: str) -> Any:
    """The syntax tree of an expression string's inside (without the brackets)."""
    parser = _Parser(text)
    node = parser.expression()
    if parser.peek() is not None:
        raise ExpressionError("text after the expression")
    return node


class Scope:
    """What an expression can name: the template's parameters, variables and copy loops."""

    def __init__(self, parameter: Callable[[str], Any], variable: Callable[[str], Any], link: fn.ResourceLink,
                 copy: dict | None = None) -> None:
        self.parameter, self.variable, self.link = parameter, variable, link
        self.copy = copy or {}  # copy loop name ('' for the resource's own) -> index

    def with_copy(self, name: str, position: int) -> "Scope":
        return Scope(self.parameter, self.variable, self.link, {**self.copy, name: position, "": position})


def evaluate_string(value: str, scope: Scope) -> Any:
    if not is_expression(value):
        return literal(value)
    text = value[1:-1]
    try:
        return _evaluate(parse(text), scope, text[:200])
    except ExpressionError:
        return Unknown(text[:200])


def evaluate_node(node: Any, scope: Scope, text: str) -> Any:
    """The value of a parsed expression node (`parse`)."""
    return _evaluate(node, scope, text)


def _evaluate(node: Any, scope: Scope, text: str) -> Any:
    if isinstance(node, Access):
        target = _evaluate(node.target, scope, text)
        if isinstance(node.key, str):
            return fn.member(target, node.key, text)
        return fn.index(target, _evaluate(node.key, scope, text), text)
    if not isinstance(node, Call):
        return node
    name = node.name.lower()
    args = [_evaluate(a, scope, text) for a in node.args]
    if name == "parameters" and args and isinstance(args[0], str):
        return scope.parameter(args[0])
    if name == "variables" and args and isinstance(args[0], str):
        return scope.variable(args[0])
    if name == "copyindex":
        loop = args[0] if args and isinstance(args[0], str) else ""
        offset = next((a for a in args if isinstance(a, int) and not isinstance(a, bool)), 0)
        position = scope.copy.get(loop)
        return Unknown(text) if position is None else position + offset
    return fn.call(node.name, args, text, scope.link)
