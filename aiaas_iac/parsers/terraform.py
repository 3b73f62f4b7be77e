"""Terraform (`.tf`, `.tfvars`) -> Resources with exact line spans.

python-hcl2 7.x gives a lark tree whose every node carries its position; we
walk that tree ourselves instead of using its dict transformer so that each
attribute, nested block, object key and list element keeps its lines, and so
that expressions stay structured (`Traversal`, `Call`, `Template`) for the
value resolver.
"""

from __future__ import annotations

import functools
import os
import re
from typing import Any

from aiaas_iac.model import Resource, Span, Unknown
from aiaas_iac.parsers.hcl_guard import heredoc_problem
from aiaas_iac.parsers.hcl_expressions import (Call, Template, Traversal, collect_refs, integer, traversal_parts,
                                              traversal_text)

_EXPRESSION_NODES = {
    "expr_term", "string", "int_lit", "float_lit", "identifier", "tuple", "object",
    "function_call", "get_attr_expr_term", "index_expr_term", "heredoc_template",
    "heredoc_template_trim", "conditional", "binary_op", "unary_op", "attr_splat_expr_term",
    "full_splat_expr_term", "for_tuple_expr", "for_object_expr", "provider_function_call",
}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)")
_HEREDOC_OPENER_RE = re.compile(r"<<(-?)([A-Za-z][\w.-]*)")
_WHITESPACE_ONLY_LINE_RE = re.compile(r"^[ \t]+$", re.MULTILINE)
_INDENT_RE = re.compile(r"^[ \t]*(?=[^ \t\n])", re.MULTILINE)
# `${ expression }` with no brace inside: the expression is the text between, stripped. The
# text is not matched as `\s*([^{}]*?)\s*`, whose three overlapping parts made `${` followed by
# 10,000 spaces take cubic time; `[^{}]*` stops at the first brace, so each `${` reads up to the
# next brace only and the search stays linear.
_HEREDOC_INTERPOLATION_RE = re.compile(r"(?<!\$)\$\{([^{}]*)\}")
_SIMPLE_TRAVERSAL_RE = re.compile(r"^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*|\[\d+\]|\[\"[^\"]*\"\])*$")
_TRANSPARENT_CALLS = {"jsonencode", "yamlencode"}


class HclSyntaxError(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def _span(node: Any) -> Span:
    meta = node.meta
    end_line = meta.end_line
    if meta.end_column == 1 and end_line > meta.line:
        end_line -= 1  # a heredoc token swallows the newline after its marker
    return Span(meta.line, end_line, meta.column, meta.end_column)


def _unescape(text: str) -> str:
    def replace(match: re.Match) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            point = int(code[1:], 16)
            return chr(point) if point <= 0x10FFFF else "\\" + code  # `\UFFFFFFFF` names no character
        return _ESCAPES.get(code, "\\" + code)

    return _ESCAPE_RE.sub(replace, text) if "\\" in text else text


def _simple_traversal(text: str) -> Traversal | None:
    if not _SIMPLE_TRAVERSAL_RE.match(text):
        return None
    parts = traversal_parts(text)
    return Traversal(text, (traversal_text(parts),), parts)


def _heredoc_body(token_text: str) -> tuple[str, str] | None:
    """(trim flag, body) of a heredoc token `<<[-]MARKER ... MARKER`, None if it is not one.

    The lexer's token is `<<MARKER`, an optional newline, the body, a newline, optional
    whitespace, the marker and a newline. The ends are cut off with string methods: a regex
    with `.*?` and `[ \t]*` here backtracked quadratically over long runs of spaces.
    """
    opener = _HEREDOC_OPENER_RE.match(token_text)
    content = token_text.removesuffix("\n")
    # The closing line names the marker; the lexer may have settled on a prefix of the
    # opener's word (`<<EOTX` closed by `EOT`), the rest of the word then starts the body.
    marker = content[content.rfind("\n") + 1:].lstrip()
    if not opener or not marker or not opener.group(2).startswith(marker):
        return None
    rest = content[opener.start(2) + len(marker):len(content) - len(marker)].removeprefix("\n")
    return opener.group(1), rest.rstrip(" \t").removesuffix("\n")


def _dedent(text: str) -> str:
    """`textwrap.dedent`, which compiles its margin into a regex (a 1 MiB indent took minutes)."""
    text = _WHITESPACE_ONLY_LINE_RE.sub("", text)
    indents = set(_INDENT_RE.findall(text))
    # The longest prefix common to every indent is the one common to the first and last in order.
    margin = os.path.commonprefix([min(indents), max(indents)]) if indents else ""
    if not margin:
        return text
    # Every line is now empty or starts with the margin: cut it after each line break.
    return ("\n" + text).replace("\n" + margin, "\n")[1:]


def heredoc_value(token_text: str) -> Any:
    """A heredoc's string, or a Template when it interpolates expressions."""
    parsed = _heredoc_body(token_text)
    if parsed is None:
        return Unknown(token_text.strip())
    trim, body = parsed
    if trim:
        body = _dedent(body)
    body += "\n"
    if "${" not in body and "%{" not in body:
        return body
    parts: list[Any] = []
    position = 0
    for found in _HEREDOC_INTERPOLATION_RE.finditer(body):
        parts.append(body[position:found.start()].replace("$${", "${"))
        inner = found.group(1).strip()
        parts.append(_simple_traversal(inner) or Unknown("${" + inner + "}"))
        position = found.end()
    parts.append(body[position:].replace("$${", "${"))
    expressions = [p for p in parts if isinstance(p, Unknown)]
    if not expressions:
        return "".join(parts)
    refs = tuple(r for e in expressions for r in e.refs)
    return Template(body if len(body) < 200 else body[:200] + "...", refs, tuple(parts))


class _TreeWalker:
    """Turns lark nodes into plain values, recording spans by attribute path."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.spans: dict[tuple, Span] = {}

    def text(self, node: Any) -> str:
        meta = node.meta
        return self.source[meta.start_pos:meta.end_pos]

    @staticmethod
    def identifier(node: Any) -> str:
        return str(node.children[0])

    def label(self, node: Any) -> str:
        if node.data == "identifier":
            return self.identifier(node)
        value = self.expression(node, ())
        return value if isinstance(value, str) else self.text(node)

    def body(self, tree: Any, prefix: tuple) -> dict:
        out: dict[str, Any] = {}
        for child in tree.children:
            if getattr(child, "data", None) == "attribute":
                key = self.identifier(child.children[0])
                path = prefix + (key,)
                self.spans[path] = _span(child)
                out[key] = self.expression(child.children[-1], path)
            elif getattr(child, "data", None) == "block":
                self.nested_block(child, prefix, out)
        return out

    def nested_block(self, node: Any, prefix: tuple, out: dict) -> None:
        trees = [c for c in node.children if hasattr(c, "data")]
        block_type = self.identifier(trees[0])
        labels = [self.label(c) for c in trees[1:] if c.data in ("identifier", "string")]
        existing = out.get(block_type)
        blocks = existing if isinstance(existing, list) else []
        out[block_type] = blocks
        path = prefix + (block_type, len(blocks))
        self.spans.setdefault(prefix + (block_type,), _span(node))
        self.spans[path] = _span(node)
        value = self.body(trees[-1], path)
        if labels:
            value["__labels__"] = labels
        blocks.append(value)

    def expression(self, node: Any, path: tuple) -> Any:
        kind = getattr(node, "data", None)
        if kind is None:
            return Unknown(str(node))
        handler = getattr(self, "_" + kind, None)
        if handler is not None:
            return handler(node, path)
        return self.opaque(node)

    def opaque(self, node: Any) -> Unknown:
        refs: list[Any] = []
        for child in node.children:
            if getattr(child, "data", None) in _EXPRESSION_NODES:
                refs.append(self.expression(child, ()))
            elif getattr(child, "data", None) == "binary_term":
                refs.extend(self.expression(c, ()) for c in child.children if getattr(c, "data", None) in _EXPRESSION_NODES)
        return Unknown(self.text(node), collect_refs(refs))

    def _expr_term(self, node: Any, path: tuple) -> Any:
        trees = [c for c in node.children if getattr(c, "data", None) in _EXPRESSION_NODES]
        if len(trees) == 1:
            return self.expression(trees[0], path)
        return self.opaque(node)

    def _string(self, node: Any, path: tuple) -> Any:
        parts: list[Any] = []
        for part in node.children:
            inner = part.children[0]
            if hasattr(inner, "data"):  # interpolation
                parts.append(self.expression(inner.children[0], ()))
            elif inner.type == "ESCAPED_INTERPOLATION":
                parts.append(str(inner)[1:])
            else:
                parts.append(_unescape(str(inner)))
        if all(isinstance(p, str) for p in parts):
            return "".join(parts)
        if len(parts) == 1:
            return parts[0]  # "${var.x}" is var.x itself
        return Template(self.text(node), collect_refs(parts), tuple(parts))

    def _int_lit(self, node: Any, path: tuple) -> int | str:
        return integer("".join(str(c) for c in node.children))

    def _float_lit(self, node: Any, path: tuple) -> float:
        return float("".join(str(c) for c in node.children))

    def _identifier(self, node: Any, path: tuple) -> Any:
        name = self.identifier(node)
        literal = {"true": True, "false": False, "null": None}
        if name in literal:
            return literal[name]
        return Traversal(name, (name,), (name,))

    def _get_attr_expr_term(self, node: Any, path: tuple) -> Any:
        base = self.expression(node.children[0], ())
        attribute = self.identifier(node.children[1].children[0])
        if isinstance(base, Traversal):
            parts = base.parts + (attribute,)
            return Traversal(self.text(node), (traversal_text(parts),), parts)
        return Unknown(self.text(node), collect_refs([base]))

    def _index_expr_term(self, node: Any, path: tuple) -> Any:
        base = self.expression(node.children[0], ())
        index_node = node.children[1]
        trees = [c for c in index_node.children if getattr(c, "data", None) in _EXPRESSION_NODES]
        index = self.expression(trees[0], ()) if trees else integer("".join(str(c) for c in index_node.children))
        if isinstance(base, Traversal) and isinstance(index, (int, str)) and not isinstance(index, bool):
            parts = base.parts + (index,)
            return Traversal(self.text(node), (traversal_text(parts),), parts)
        return Unknown(self.text(node), collect_refs([base, index]))

    def _tuple(self, node: Any, path: tuple) -> list:
        items = []
        for child in node.children:
            if getattr(child, "data", None) in _EXPRESSION_NODES:
                item_path = path + (len(items),)
                if path:
                    self.spans[item_path] = _span(child)
                items.append(self.expression(child, item_path))
        return items

    def _object(self, node: Any, path: tuple) -> dict:
        out: dict[str, Any] = {}
        for element in node.children:
            if getattr(element, "data", None) != "object_elem":
                continue
            key = self.object_key(element.children[0])
            element_path = path + (key,)
            if path:
                self.spans[element_path] = _span(element)
            out[key] = self.expression(element.children[-1], element_path)
        return out

    def object_key(self, node: Any) -> str:
        inner = node.children[0]
        if inner.data == "identifier":
            return self.identifier(inner)
        if inner.data == "string":
            value = self._string(inner, ())
            return value if isinstance(value, str) else self.text(inner)
        return self.text(inner)

    def _function_call(self, node: Any, path: tuple) -> Any:
        trees = [c for c in node.children if hasattr(c, "data")]
        name = self.identifier(trees[0])
        args: list[Any] = []
        if len(trees) > 1 and trees[1].data == "arguments":
            for index, arg in enumerate(c for c in trees[1].children if getattr(c, "data", None) in _EXPRESSION_NODES):
                arg_path = path if name in _TRANSPARENT_CALLS and index == 0 else ()
                args.append(self.expression(arg, arg_path))
        return Call(self.text(node), collect_refs(args), name, tuple(args))

    def _heredoc_template(self, node: Any, path: tuple) -> Any:
        return heredoc_value(str(node.children[0]))

    _heredoc_template_trim = _heredoc_template

    def _unary_op(self, node: Any, path: tuple) -> Any:
        operator = str(node.children[0])
        operand = self.expression(node.children[-1], ())
        if operator == "-" and isinstance(operand, (int, float)) and not isinstance(operand, bool):
            return -operand
        if operator == "!" and isinstance(operand, bool):
            return not operand
        return Unknown(self.text(node), collect_refs([operand]))


_TOKEN_NAMES = {"STRING_CHARS": "text", "NAME": "name", "NL_OR_COMMENT": "line break", "DECIMAL": "number",
                "RBRACE": "'}'", "LBRACE": "'{'", "EQ": "'='", "RSQB": "']'", "LSQB": "'['", "COMMA": "','"}


def _describe_syntax_error(error: Exception) -> HclSyntaxError:
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    line = getattr(error, "line", None)
    line = line if isinstance(line, int) and line > 0 else None
    if isinstance(error, UnexpectedEOF) or (isinstance(error, UnexpectedToken) and error.token.type == "$END"):
        return HclSyntaxError("invalid HCL: unexpected end of file (unclosed block, string or bracket?)", line)
    if isinstance(error, UnexpectedToken):
        token = str(error.token)
        # Never echo a long token: it may be a credential.
        shown = repr(token) if len(token) <= 3 and token.strip() else _TOKEN_NAMES.get(error.token.type, "token")
        return HclSyntaxError(f"invalid HCL: unexpected {shown}", line)
    if isinstance(error, UnexpectedCharacters):
        return HclSyntaxError(f"invalid HCL: unexpected character {error.char!r}", line)
    return HclSyntaxError(f"invalid HCL: {type(error).__name__}", line)


def parse_tree(source: str) -> Any:
    from hcl2.parser import parser
    from lark.exceptions import LarkError

    # The grammar needs a newline before end of file (python-hcl2 does the same).
    text = source + "\n"
    problem = heredoc_problem(text)
    if problem is not None:
        raise HclSyntaxError(f"invalid HCL: {problem[0]}", problem[1])
    try:
        return parser().parse(text)
    except LarkError as error:
        raise _describe_syntax_error(error) from None


@functools.lru_cache(maxsize=1024)
def expression_tree(expression: str) -> tuple[str, Any]:
    """(source, tree) of one expression parsed on its own as `value = (expression)`; the
    parentheses let it span lines. Cached: generated JSON and module code repeat the same
    expressions many times. Raises HclSyntaxError."""
    source = f"value = ({expression})"
    return source, parse_tree(source)


def _block_resource(node: Any, walker: _TreeWalker, file: str, module: str, tfvars: bool) -> list[Resource]:
    trees = [c for c in node.children if hasattr(c, "data")]
    block_type = walker.identifier(trees[0])
    labels = [walker.label(c) for c in trees[1:] if c.data in ("identifier", "string")]
    walker.spans = {}
    attributes = walker.body(trees[-1], ())
    return block_resources(block_type, labels, attributes, walker.spans, _span(node), file, module)


def block_resources(block_type: str, labels: list, attributes: dict, spans: dict, span: Span, file: str,
                    module: str) -> list[Resource]:
    """The Resources one top-level block declares (shared by both parser backends)."""

    def make(kind: str, type_: str, name: str, address: str, attrs: dict = attributes, sp: dict = spans) -> Resource:
        return Resource("terraform", kind, type_, name, address, attrs, file, module, span, sp)

    if block_type in ("resource", "data") and len(labels) == 2:
        prefix = "data." if block_type == "data" else ""
        return [make(block_type, labels[0], labels[1], f"{prefix}{labels[0]}.{labels[1]}")]
    if block_type in ("variable", "output", "module") and len(labels) == 1:
        address = {"variable": "var", "output": "output", "module": "module"}[block_type] + "." + labels[0]
        return [make(block_type, block_type, labels[0], address)]
    if block_type == "provider" and labels:
        return [make("provider", labels[0], labels[0], f"provider.{labels[0]}")]
    if block_type == "locals":
        out = []
        by_name: dict[str, dict] = {}  # one pass: a filter per local was quadratic in a 100k-local block
        for p, s in spans.items():
            if p:
                by_name.setdefault(p[0], {})[("value",) + p[1:]] = s
        for name, value in attributes.items():
            local_spans = by_name.get(name, {})
            local_span = spans.get((name,), span)
            out.append(Resource("terraform", "local", "local", name, f"local.{name}", {"value": value},
                                file, module, local_span, local_spans))
        return out
    if block_type == "terraform":
        return [make("terraform", "terraform", "terraform", "terraform")]
    return []


def parse_terraform(source: str, file: str, module: str) -> list[Resource]:
    """Parse one `.tf` file (tree-sitter-hcl, `terraform_ts`). Raises HclSyntaxError with a one-line message."""
    from aiaas_iac.parsers import terraform_ts

    return terraform_ts.parse_terraform(source, file, module)


def parse_tfvars(source: str, file: str, module: str) -> list[Resource]:
    """A variables file (`terraform.tfvars`, `*.auto.tfvars`, `prod.tfvars`) becomes one `tfvars` resource."""
    from aiaas_iac.parsers import terraform_ts

    return terraform_ts.parse_tfvars(source, file, module)


def parse_terraform_lark(source: str, file: str, module: str) -> list[Resource]:
    """`parse_terraform` through python-hcl2's lark parser: the differential oracle in tests."""
    tree = parse_tree(source)
    walker = _TreeWalker(source + "\n")
    resources: list[Resource] = []
    for node in tree.children[0].children:
        if getattr(node, "data", None) == "block":
            resources.extend(_block_resource(node, walker, file, module, False))
    return resources


def parse_tfvars_lark(source: str, file: str, module: str) -> list[Resource]:
    """`parse_tfvars` through python-hcl2's lark parser: the differential oracle in tests."""
    tree = parse_tree(source)
    walker = _TreeWalker(source + "\n")
    values = walker.body(tree.children[0], ())
    lines = source.count("\n") + 1
    name = file.rsplit("/", 1)[-1]
    return [Resource("terraform", "tfvars", "tfvars", name, name, values, file, module,
                     Span(1, lines), walker.spans)]

