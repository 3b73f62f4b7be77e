"""Terraform (`.tf`, `.tfvars`) -> Resources with exact line spans.

python-hcl2 7.x gives a lark tree whose every node carries its position; we
walk that tree ourselves instead of using its dict transformer so that each
attribute, nested block, object key and list element keeps its lines, and so
that every expression stays structured (the nodes of `hcl_expressions`:
references, calls, templates, operators grouped by HCL's precedence,
conditionals, `for`, splats, indexing) for the evaluator. Template
interpolations and directives in heredocs are parsed here, once
(`hcl_templates`).
"""

from __future__ import annotations

import functools
import os
import re
from typing import Any

from aiaas_iac.model import Resource, Span, Unknown
from aiaas_iac.parsers.hcl_guard import heredoc_problem
from aiaas_iac.parsers.hcl_expressions import (BinaryOp, Call, Conditional, ForExpr, GetAttr, Index, Splat, Template,
                                              Traversal, UnaryOp, collect_refs, integer, traversal_parts, traversal_text)

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
_SIMPLE_TRAVERSAL_RE = re.compile(r"^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*|\[\d+\]|\[\"[^\"]*\"\])*$")
_LITERAL_NAMES = {"true": True, "false": False, "null": None}
# HCL's binary operators, loosest first; all associate to the left.
_PRECEDENCE = {"||": 1, "&&": 2, "==": 3, "!=": 3, ">": 4, ">=": 4, "<": 4, "<=": 4, "+": 5, "-": 5,
               "*": 6, "/": 6, "%": 6}
_EXPAND_RE = re.compile(r"\s*\.\.\.")
# `%{` opening a directive (`%%{` is the escape for the two characters).
_DIRECTIVE_RE = re.compile(r"(?<!%)%\{")
_TRANSPARENT_CALLS = {"jsonencode", "yamlencode"}
# The largest file tree-sitter-hcl rejects that python-hcl2's parser tries again (parse_terraform):
# one to three seconds of lark on the reference machine (6.5 to 10 s per MB), far above a real .tf file.
FALLBACK_MAX_CHARACTERS = 256 * 1024


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
    """`var.x`, `local.a[0]["b"]` read without the parser (most interpolations are one); the same
    Traversal the parser makes of it."""
    if not _SIMPLE_TRAVERSAL_RE.match(text) or text in _LITERAL_NAMES:
        return None
    parts = traversal_parts(text)
    return Traversal(text, (traversal_text(parts),), parts)


def parse_expression_text(text: str) -> Any:
    """One HCL expression written as text (a template interpolation, a `.tf.json` string), parsed
    once at parse time into the same nodes as in a `.tf` file. Raises HclSyntaxError."""
    text = text.strip()
    if text in _LITERAL_NAMES:
        return _LITERAL_NAMES[text]
    traversal = _simple_traversal(text)
    if traversal is not None:
        return traversal
    source, tree = expression_tree(text)
    # Walked afresh each time: every attribute gets its own (mutable) values.
    return _TreeWalker(source + "\n").body(tree.children[0], ())["value"]


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
    """A heredoc's string, or a Template when it interpolates expressions or holds directives."""
    parsed = _heredoc_body(token_text)
    if parsed is None:
        return Unknown(token_text.strip())
    trim, body = parsed
    if trim:
        body = _dedent(body)
    body += "\n"
    if "${" not in body and "%{" not in body:
        return body
    return template_text_value(body, body)


def template_text_value(text: str, shown: str, literal: Any = None) -> Any:
    """`hcl_templates.template_value` with this parser for the interpolations; a template
    Terraform would reject (an unclosed `${`, an expression that does not parse) stays unknown."""
    from aiaas_iac.parsers.hcl_templates import TemplateSyntaxError, template_value

    try:
        if literal is None:
            return template_value(text, shown, parse_expression_text)
        return template_value(text, shown, parse_expression_text, literal)
    except (TemplateSyntaxError, HclSyntaxError, RecursionError):
        return Unknown(shown if len(shown) <= 200 else shown[:200] + "...")


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
        if handler is None:  # every expression rule of the grammar has a handler
            raise HclSyntaxError(f"invalid HCL: unsupported expression {kind}", node.meta.line)
        return handler(node, path)

    def _expr_term(self, node: Any, path: tuple) -> Any:
        # `( expression )` or one term; parentheses leave no node.
        return self.expression(_trees(node)[0], path)

    def _string(self, node: Any, path: tuple) -> Any:
        parts: list[Any] = []
        for part in node.children:
            inner = part.children[0]
            if hasattr(inner, "data"):  # interpolation
                parts.append(self.expression(_trees(inner)[0], ()))
            elif inner.type == "ESCAPED_INTERPOLATION":
                parts.append(str(inner)[1:])
            elif "%{" in inner and _DIRECTIVE_RE.search(inner):
                # python-hcl2's lexer reads a template directive as text: read the string again
                # as a template (quoted: escapes are undone in its literal runs).
                text = self.text(node)
                return template_text_value(text[1:-1], text, _unescape)
            else:  # `%%{` is the escape for the two characters `%{`
                parts.append(_unescape(str(inner).replace("%%{", "%{")))
        if all(isinstance(p, str) for p in parts):
            return "".join(parts)
        if len(parts) == 1:
            return parts[0]  # "${var.x}" is var.x itself
        return Template(self.text(node), collect_refs(parts), tuple(_joined(parts)))

    def _int_lit(self, node: Any, path: tuple) -> int | str:
        return integer("".join(str(c) for c in node.children))

    def _float_lit(self, node: Any, path: tuple) -> float:
        return float("".join(str(c) for c in node.children))

    def _identifier(self, node: Any, path: tuple) -> Any:
        name = self.identifier(node)
        if name in _LITERAL_NAMES:
            return _LITERAL_NAMES[name]
        return Traversal(name, (name,), (name,))

    def _get_attr_expr_term(self, node: Any, path: tuple) -> Any:
        base = self.expression(node.children[0], ())
        attribute = self.identifier(node.children[1].children[0])
        if isinstance(base, Traversal):
            parts = base.parts + (attribute,)
            return Traversal(self.text(node), (traversal_text(parts),), parts)
        return GetAttr(self.text(node), collect_refs([base]), base, attribute)

    def index_key(self, index_node: Any) -> Any:
        trees = _trees(index_node)
        return self.expression(trees[0], ()) if trees else integer("".join(str(c) for c in index_node.children))

    def _index_expr_term(self, node: Any, path: tuple) -> Any:
        base = self.expression(node.children[0], ())
        index = self.index_key(node.children[1])
        if isinstance(base, Traversal) and isinstance(index, (int, str)) and not isinstance(index, bool):
            parts = base.parts + (index,)
            return Traversal(self.text(node), (traversal_text(parts),), parts)
        return Index(self.text(node), collect_refs([base, index]), base, index)

    def _splat(self, node: Any, full: bool) -> Splat:
        base = self.expression(node.children[0], ())
        parts: list[Any] = []
        for step in _trees(node.children[1]):
            if step.data == "get_attr":
                parts.append(self.identifier(step.children[0]))
            else:
                parts.append(self.index_key(step))
        return Splat(self.text(node), collect_refs([base, parts]), base, tuple(parts), full)

    def _full_splat_expr_term(self, node: Any, path: tuple) -> Splat:
        return self._splat(node, True)

    def _attr_splat_expr_term(self, node: Any, path: tuple) -> Splat:
        return self._splat(node, False)

    def _tuple(self, node: Any, path: tuple) -> list:
        items = []
        for child in node.children:
            if getattr(child, "data", None) in _EXPRESSION_NODES:
                item_path = path + (len(items),) if path else ()  # () outside an attribute: no spans
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
            element_path = path + (key,) if path else ()
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

    def arguments(self, node: Any, trees: list, name: str, path: tuple) -> Call:
        args: list[Any] = []
        expand = False
        if trees and trees[-1].data == "arguments":
            argument_nodes = [c for c in trees[-1].children if getattr(c, "data", None) in _EXPRESSION_NODES]
            for index, arg in enumerate(argument_nodes):
                arg_path = path if name in _TRANSPARENT_CALLS and index == 0 else ()
                args.append(self.expression(arg, arg_path))
            # The grammar drops the `...` token: it is what follows the last argument.
            expand = bool(_EXPAND_RE.match(self.source, argument_nodes[-1].meta.end_pos)) if argument_nodes else False
        return Call(self.text(node), collect_refs(args), name, tuple(args), expand)

    def _function_call(self, node: Any, path: tuple) -> Call:
        trees = _trees(node)
        return self.arguments(node, trees, self.identifier(trees[0]), path)

    def _provider_function_call(self, node: Any, path: tuple) -> Call:
        trees = _trees(node)
        name = "::".join(self.identifier(t) for t in trees if t.data == "identifier")
        return self.arguments(node, trees, name, path)

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
        return UnaryOp(self.text(node), collect_refs([operand]), operator, operand)

    def _conditional(self, node: Any, path: tuple) -> Any:
        condition, if_true, if_false = _trees(node)
        return self.conditional(self.expression(condition, ()), node.meta.start_pos, if_true, if_false)

    def conditional(self, condition: Any, start: int, if_true: Any, if_false: Any) -> Conditional:
        values = (condition, self.expression(if_true, ()), self.expression(if_false, ()))
        return Conditional(self.source[start:_end(if_false)], collect_refs(values), *values)

    def _binary_op(self, node: Any, path: tuple) -> Any:
        """python-hcl2's grammar nests every chain to the right whatever the operators
        (`a * b + c` comes out as `a * (b + c)`) and reads `a == b ? x : y` as
        `a == (b ? x : y)`: the chain is flattened and grouped again by HCL's precedence."""
        operands: list[Any] = []
        operators: list[str] = []
        tail = None
        while True:
            left, term = _trees(node)[:2]
            operator_node, right = _trees(term)[:2]
            operands.append(left)
            operators.append(str(operator_node.children[0]))
            if right.data == "binary_op":
                node = right
                continue
            if right.data == "conditional" and tail is None:
                condition, *tail = _trees(right)
                if condition.data == "binary_op":
                    node = condition
                    continue
                right = condition
            operands.append(right)
            break
        grouped = self.grouped([(self.expression(o, ()), o.meta.start_pos, _end(o)) for o in operands], operators)
        if tail:
            return self.conditional(grouped[0], grouped[1], *tail)
        return grouped[0]

    def grouped(self, operands: list[tuple], operators: list[str]) -> tuple:
        """(value, start, end) of `operands[0] op operands[1] ...` grouped by precedence, left to
        right within a level (precedence climbing)."""
        position = 0

        def climb(minimum: int) -> tuple:
            nonlocal position
            left = operands[position]
            while position < len(operators) and _PRECEDENCE[operators[position]] >= minimum:
                operator = operators[position]
                position += 1
                right = climb(_PRECEDENCE[operator] + 1)
                text = self.source[left[1]:right[2]]
                left = (BinaryOp(text, collect_refs([left[0], right[0]]), operator, left[0], right[0]), left[1], right[2])
            return left

        # Loops over the operators of one level and recurses once per level: depth stays <= 7.
        return climb(1)

    def _for_tuple_expr(self, node: Any, path: tuple) -> ForExpr:
        return self.for_expression(node, False)

    def _for_object_expr(self, node: Any, path: tuple) -> ForExpr:
        return self.for_expression(node, True)

    def for_expression(self, node: Any, is_object: bool) -> ForExpr:
        intro, *rest = _trees(node)
        names = [self.identifier(c) for c in _trees(intro) if c.data == "identifier"]
        collection = self.expression([c for c in _trees(intro) if c.data != "identifier"][-1], ())
        condition = None
        if rest and rest[-1].data == "for_cond":
            condition = self.expression(_trees(rest.pop())[-1], ())
        values = [self.expression(c, ()) for c in rest]
        key_expr, value_expr = (values[0], values[1]) if is_object else (None, values[0])
        grouping = is_object and any(str(c) == "..." for c in node.children if not hasattr(c, "data"))
        key_var, value_var = (names[0], names[1]) if len(names) > 1 else (None, names[0])
        refs = collect_refs([collection, key_expr, value_expr, condition])
        return ForExpr(self.text(node), refs, key_var, value_var, collection, key_expr, value_expr, condition,
                       grouping, is_object)


def _trees(node: Any) -> list:
    """The child rules of a node, without line breaks and comments."""
    return [c for c in node.children if hasattr(c, "data") and c.data != "new_line_or_comment"]


def _end(node: Any) -> int:
    """Where an operand ends: a binary_op's own span runs on over the line break after it."""
    while node.data == "binary_op":
        node = _trees(_trees(node)[1])[1]
    if node.data == "conditional":
        return _end(_trees(node)[2])
    return node.meta.end_pos


def _joined(parts: list) -> list:
    """Adjacent literal parts merged into one string."""
    merged: list = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    return merged


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
    """Parse one `.tf` file (tree-sitter-hcl, `terraform_ts`; python-hcl2 where tree-sitter-hcl's
    grammar falls short, see `_with_fallback`). Raises HclSyntaxError with a one-line message."""
    from aiaas_iac.parsers import terraform_ts

    return _with_fallback(terraform_ts.parse_terraform, parse_terraform_lark, source, file, module)


def parse_tfvars(source: str, file: str, module: str) -> list[Resource]:
    """A variables file (`terraform.tfvars`, `*.auto.tfvars`, `prod.tfvars`) becomes one `tfvars` resource."""
    from aiaas_iac.parsers import terraform_ts

    return _with_fallback(terraform_ts.parse_tfvars, parse_tfvars_lark, source, file, module)


def _with_fallback(fast: Any, lark: Any, source: str, file: str, module: str) -> list[Resource]:
    """`fast` (tree-sitter); when its grammar rejects the file, python-hcl2's lark parser, which
    gives the same model (tests/test_parser_differential.py) and accepts what tree-sitter-hcl
    misses and Terraform accepts (`1e9`: an exponent without a fraction; heredoc markers over
    about a KiB), so a grammar gap never drops a valid file. When both reject it, tree-sitter's
    error stands (its lines are better). Only the grammar's own rejection falls back: the guards
    (nesting, runs of blanks, hexadecimal numbers) refuse the file outright. The lark parse runs
    under the caller's per-file budget (budget.py) and hcl_guard's check, like any parse, and
    only on files up to FALLBACK_MAX_CHARACTERS: lark is seven times slower than tree-sitter, and
    a large hostile file that tree-sitter rejects in a fraction of a second must not cost the
    whole budget again."""
    from aiaas_iac.parsers.terraform_ts import GrammarError

    try:
        return fast(source, file, module)
    except GrammarError as error:
        rejected = HclSyntaxError(str(error), error.line)
    if len(source) > FALLBACK_MAX_CHARACTERS:
        raise rejected
    try:
        return lark(source, file, module)
    except Exception:  # its own error, or a limit of its walk (RecursionError): tree-sitter's error stands
        raise rejected from None


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

