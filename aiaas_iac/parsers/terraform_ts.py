"""Terraform (`.tf`, `.tfvars`) through tree-sitter-hcl: the CST -> Resources with exact spans.

tree-sitter parses in C (about ten times faster than python-hcl2's lark parser,
bench/RESULTS.md) and keeps every expression as a tree with byte and line
positions. This module walks that tree into the same model the lark walker
(`terraform.py`) builds, expressions structured per `hcl_expressions`:
attribute and nested-block spans by path, `__labels__`, heredocs (`<<-` dedented
the same way), `$${`/`%%{` escapes, template directives as TemplateIf/TemplateFor,
HCL's operator precedence and right-associative conditionals.

The walk recurses once per level of nesting and refuses more than
`MAX_NESTING` levels (one error with the line), so a hostile file cannot
exhaust the stack; the tree-sitter parse itself is iterative and linear.
tests/test_parser_differential.py holds this walker to the lark walker.
"""

from __future__ import annotations

import re
from typing import Any

from aiaas_iac.model import Resource, Span, new_span
from aiaas_iac.parsers.hcl_expressions import (BinaryOp, Call, Conditional, ForExpr, GetAttr, Index, Splat, Template,
                                              TemplateFor, TemplateIf, Traversal, UnaryOp, collect_refs, integer,
                                              traversal_text)
from aiaas_iac.parsers.terraform import (_INDENT_RE, _TRANSPARENT_CALLS, _WHITESPACE_ONLY_LINE_RE, HclSyntaxError,
                                         _unescape, block_resources)

# Levels of expressions and blocks inside one another: real configurations stay under 20; each
# level costs four or five Python frames, and 150 leaves the caller's stack room (a deeper
# recursion still ends as the same one-line error, see _walk).
MAX_NESTING = 150
# Bytes handed to tree-sitter per read, and how much rereading a parse may do (see _ReadMeter):
# about a second of work past the file's own size.
_READ_CHUNK = 4096
_READ_FACTOR = 16
_READ_ALLOWANCE = 16 << 20
# Brackets open at once, counted on the raw text before parsing: tree-sitter's error recovery
# over a stack that deep is slow (200,000 unclosed `${` take seconds), and the walk refuses more
# than MAX_NESTING levels anyway. Ten times that leaves room for unbalanced brackets in strings.
MAX_OPEN_BRACKETS = 10 * MAX_NESTING
_BRACKET_RE = re.compile(r"[\[({]|[\])}]")

_OPERATORS = frozenset(("*", "/", "%", "+", "-", ">", ">=", "<", "<=", "==", "!=", "&&", "||"))
_ESCAPED_INTERPOLATION_RE = re.compile(r"(\$\$\{[^}]*\})")  # python-hcl2's token: one part of its own
_ATOM_RE = re.compile("\x00([0-9]+)\x01")  # a placeholder for an interpolation or directive in a heredoc
_ATOMS = frozenset(("template_interpolation", "template_if_intro", "template_else_intro", "template_if_end",
                    "template_for_start", "template_for_end"))
_DESCRIBED_TOKENS = {"identifier": "name", "numeric_lit": "number", "template_literal": "text",
                     "heredoc_identifier": "heredoc marker", "comment": "comment"}
_MISSING = {"quoted_template_end": "unterminated string", "heredoc_identifier": "unterminated heredoc",
            "template_interpolation_end": "unterminated ${ interpolation",
            "template_directive_end": "unterminated %{ directive"}

_PARSER: Any = None


class GrammarError(HclSyntaxError):
    """tree-sitter-hcl's grammar rejected the text (not one of this module's guards): the file
    may still be valid HCL that the grammar misses (`1e9`, a long heredoc marker), see
    `terraform.parse_terraform`."""


def parser() -> Any:
    global _PARSER
    if _PARSER is None:
        import tree_sitter
        import tree_sitter_hcl

        _PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
    return _PARSER


def _line_of_point(node: Any) -> int:
    return node.start_point[0] + 1


def _first_error(root: Any) -> Any:
    """The first ERROR or MISSING node in document order, found without recursion."""
    node = root
    while True:
        if node.is_error or node.is_missing:
            return node
        for child in node.children:
            if child.is_missing or child.has_error:
                node = child
                break
        else:
            return node


def _previous_token_line(node: Any) -> int:
    """The line of the token before `node`: a MISSING node sits where the parser gave up, often
    on the next line; the line the user left unfinished is where the token before it ends."""
    while node is not None:
        previous = node.prev_sibling
        while previous is not None and (previous.is_missing or previous.start_byte == previous.end_byte):
            previous = previous.prev_sibling
        if previous is not None:
            return previous.end_point[0] + 1
        node = node.parent
    return 1


def _describe_token(node: Any, data: bytes) -> str:
    while node.child_count:
        node = node.children[0]
    token = data[node.start_byte:node.end_byte].decode("utf-8", "replace")
    # Never echo a long token: it may be a credential.
    if len(token) <= 3 and token.strip():
        return repr(token)
    return _DESCRIBED_TOKENS.get(node.type, "token")


def _syntax_error(root: Any, data: bytes) -> HclSyntaxError:
    node = _first_error(root)
    at_end = node.start_byte >= len(data.rstrip())
    if node.is_missing:
        line = _previous_token_line(node)
        if node.type in _MISSING:  # an unclosed string, heredoc or template: the line it opens on
            return HclSyntaxError(f"invalid HCL: {_MISSING[node.type]}", _line_of_point(node.parent or node))
        if at_end:
            return HclSyntaxError("invalid HCL: unexpected end of file (unclosed block, string or bracket?)", line)
        shown = repr(node.type) if len(node.type) <= 2 and node.type not in ("<<",) else "a value"
        return HclSyntaxError(f"invalid HCL: missing {shown}", line)
    if at_end:
        return HclSyntaxError("invalid HCL: unexpected end of file (unclosed block, string or bracket?)",
                              _line_of_point(node))
    return HclSyntaxError(f"invalid HCL: unexpected {_describe_token(node, data)}", _line_of_point(node))


class _ReadMeter:
    """Feeds tree-sitter the text in chunks and counts what it reads.

    tree-sitter-hcl's lexer rescans a run of blank characters between tokens once per character
    (its external scanner looks ahead to the end of the run, then the run is consumed one
    character at a time): 10,000 spaces inside `( )` or `${ }` cost 0.5 s, a MiB would cost hours.
    The rescans re-read chunks, so the bytes read measure that work without a clock: past
    `_READ_FACTOR` times the text (real files read it about once), the parse is cancelled.
    Between chunks the interpreter also runs, so the per-file budget's alarm (budget.py) stops
    any other runaway inside the C library."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.allowed = _READ_FACTOR * len(data) + _READ_ALLOWANCE
        self.read = 0
        self.offset = 0

    def __call__(self, offset: int, point: Any) -> bytes:
        chunk = self.data[offset:offset + _READ_CHUNK]
        self.read += len(chunk)
        self.offset = offset
        return chunk

    def progress(self, offset: int, has_error: bool) -> bool:
        return self.read > self.allowed  # True cancels the parse


def _bracket_depth_problem(source: str) -> HclSyntaxError | None:
    if source.count("{") + source.count("[") + source.count("(") <= MAX_OPEN_BRACKETS:
        return None
    depth = 0
    for found in _BRACKET_RE.finditer(source):
        depth += 1 if found.group() in "[({" else -1
        if depth > MAX_OPEN_BRACKETS:
            return HclSyntaxError(f"nesting deeper than {MAX_NESTING} levels; skipped",
                                  source.count("\n", 0, found.start()) + 1)
    return None


def parse_tree(source: str) -> tuple[Any, bytes]:
    """(root node, UTF-8 bytes) of a whole file. Raises HclSyntaxError with a one-line message."""
    problem = _bracket_depth_problem(source)
    if problem is not None:
        raise problem
    data = (source + "\n").encode()
    meter = _ReadMeter(data)
    try:
        tree = parser().parse(meter, progress_callback=meter.progress)
    except BaseException as error:
        # A cancelled or interrupted parse would otherwise be resumed by the next call.
        parser().reset()
        if not isinstance(error, ValueError) or meter.read <= meter.allowed:
            raise
        run = len(data[:meter.offset].rstrip())  # where the blank run being rescanned starts
        raise HclSyntaxError("invalid HCL: too costly to parse (a very long run of blank characters?); skipped",
                             data.count(b"\n", 0, run) + 1) from None
    root = tree.root_node
    if root.has_error:
        error = _syntax_error(root, data)
        raise GrammarError(str(error), error.line)
    children = [c for c in root.children if c.type != "comment"]
    if children and children[0].type != "body":  # a JSON-like object at the top is not HCL
        raise HclSyntaxError("invalid HCL: unexpected '{'", _line_of_point(children[0]))
    return root, data


def _named(node: Any) -> list:
    return [c for c in node.children if c.is_named and c.type != "comment"]


class _Walker:
    """Turns tree-sitter nodes into plain values, recording spans by attribute path."""

    def __init__(self, source: str, data: bytes) -> None:
        self.source = source + "\n"
        self.data = data
        self.ascii = len(self.source) == len(data)
        self.spans: dict[tuple, Span] = {}
        self.depth = 0
        self.deepest: Any = None  # the node entered last, for the line of a nesting error

    # -- text and positions ---------------------------------------------------------------

    def slice(self, start: int, end: int) -> str:
        if self.ascii:
            return self.source[start:end]
        return self.data[start:end].decode()

    def text(self, node: Any) -> str:
        return self.slice(node.start_byte, node.end_byte)

    def column(self, byte: int, point_column: int) -> int:
        if self.ascii:
            return point_column + 1
        return len(self.data[byte - point_column:byte].decode()) + 1

    def span(self, node: Any) -> Span:
        start, end = node.start_point, node.end_point
        if self.ascii:
            return new_span(start[0] + 1, end[0] + 1, start[1] + 1, end[1] + 1)
        return new_span(start[0] + 1, end[0] + 1, self.column(node.start_byte, start[1]),
                        self.column(node.end_byte, end[1]))

    def enter(self, node: Any) -> None:
        self.depth += 1
        self.deepest = node
        if self.depth > MAX_NESTING:
            raise HclSyntaxError(f"nesting deeper than {MAX_NESTING} levels; skipped", _line_of_point(node))

    # -- bodies and blocks ----------------------------------------------------------------

    def body(self, node: Any | None, prefix: tuple) -> dict:
        out: dict[str, Any] = {}
        if node is None:
            return out
        for child in node.children:
            if child.type == "attribute":
                name_node, _, value_node = [c for c in child.children if c.type != "comment"][:3]
                key = self.text(name_node)
                path = prefix + (key,)
                self.spans[path] = self.span(child)
                out[key] = self.expression(value_node, path)
            elif child.type == "block":
                self.nested_block(child, prefix, out)
        return out

    def block_parts(self, node: Any) -> tuple[str, list, Any]:
        """(type, labels, body node or None) of a block."""
        named = _named(node)
        labels = [self.label(c) for c in named[1:] if c.type in ("identifier", "string_lit", "template_expr")]
        body = named[-2] if len(named) >= 2 and named[-2].type == "body" else None
        return self.text(named[0]), labels, body

    def label(self, node: Any) -> str:
        if node.type == "identifier":
            return self.text(node)
        value = self.template(node.children[0] if node.type == "template_expr" else node, ())
        return value if isinstance(value, str) else self.text(node)

    def nested_block(self, node: Any, prefix: tuple, out: dict) -> None:
        self.enter(node)
        block_type, labels, body = self.block_parts(node)
        existing = out.get(block_type)
        blocks = existing if isinstance(existing, list) else []
        out[block_type] = blocks
        path = prefix + (block_type, len(blocks))
        span = self.span(node)
        self.spans.setdefault(prefix + (block_type,), span)
        self.spans[path] = span
        value = self.body(body, path)
        if labels:
            value["__labels__"] = labels
        blocks.append(value)
        self.depth -= 1

    # -- expressions ----------------------------------------------------------------------

    def expression(self, node: Any, path: tuple) -> Any:
        """An `expression` node: a conditional, or one term (primary and postfix operators)."""
        items = [c for c in node.children if c.type != "comment"]
        if len(items) == 1 and items[0].type == "conditional":
            return self.conditional(items[0])
        return self.term(items, path)

    def term(self, items: list, path: tuple) -> Any:
        """A flat run of nodes forming one term: `primary postfix*` or `( expression ) postfix*`."""
        if items[0].type == "(":
            postfix = items[3:]
            value = self.expression(items[1], () if postfix else path)
        else:
            postfix = items[1:]
            value = self.primary(items[0], () if postfix else path)
        start = items[0].start_byte
        for operator in postfix:
            if operator.type == "get_attr":
                value = self.get_attr(value, self.text(_named(operator)[0]), start, operator.end_byte)
            elif operator.type == "index":
                value = self.index(value, operator.children[0], start, operator.end_byte)
            else:
                value = self.splat(value, operator.children[0], start)
        return value

    def primary(self, node: Any, path: tuple) -> Any:
        kind = node.type
        if kind == "variable_expr":
            name = self.text(node)
            return Traversal(name, (name,), (name,))
        if kind == "literal_value":
            return self.literal(node.children[0])
        self.enter(node)
        inner = node.children[0]
        if kind == "template_expr":
            value = self.template(inner, path)
        elif kind == "collection_value":
            value = self.tuple(inner, path) if inner.type == "tuple" else self.object(inner, path)
        elif kind == "function_call":
            value = self.function_call(node, path)
        elif kind == "operation":
            value = self.unary(inner) if inner.type == "unary_operation" else self.binary(inner)
        elif kind == "for_expr":
            value = self.for_expr(inner)
        else:
            raise HclSyntaxError(f"invalid HCL: unexpected {kind}", _line_of_point(node))
        self.depth -= 1
        return value

    def literal(self, node: Any) -> Any:
        kind = node.type
        if kind == "numeric_lit":
            text = self.text(node)
            if text.startswith("0x"):
                raise HclSyntaxError("invalid HCL: hexadecimal numbers are not HCL", _line_of_point(node))
            return float(text) if "." in text else integer(text)
        if kind == "bool_lit":
            return self.text(node) == "true"
        if kind == "null_lit":
            return None
        return self.template(node, ())

    def get_attr(self, base: Any, name: str, start: int, end: int) -> Any:
        text = self.slice(start, end)
        if isinstance(base, Traversal):
            parts = base.parts + (name,)
            return Traversal(text, (traversal_text(parts),), parts)
        return GetAttr(text, collect_refs([base]), base, name)

    def index_key(self, node: Any) -> Any:
        if node.type == "legacy_index":
            return integer(self.text(node)[1:].strip())
        return self.expression(_named(node)[0], ())

    def index(self, base: Any, node: Any, start: int, end: int) -> Any:
        key = self.index_key(node)
        text = self.slice(start, end)
        if isinstance(base, Traversal) and isinstance(key, (int, str)) and not isinstance(key, bool):
            parts = base.parts + (key,)
            return Traversal(text, (traversal_text(parts),), parts)
        return Index(text, collect_refs([base, key]), base, key)

    def splat(self, base: Any, node: Any, start: int) -> Any:
        """`base[*].a[0]` / `base.*.a`: the operators after the splat apply to each element (an index
        that is not a literal is kept as its expression node), except that an attribute-only splat
        takes attributes only (`x.*.a[0]` is `(x.*.a)[0]`)."""
        full = node.type == "full_splat"
        parts: list[Any] = []
        end = node.children[0].end_byte  # the `[*]` / `.*` token
        operators = _named(node)
        for position, operator in enumerate(operators):
            if operator.type == "get_attr":
                parts.append(self.text(_named(operator)[0]))
                end = operator.end_byte
                continue
            if full:
                parts.append(self.index_key(operator.children[0]))
                end = operator.end_byte
                continue
            value = Splat(self.slice(start, end), collect_refs([base, parts]), base, tuple(parts), full)
            for rest in operators[position:]:
                if rest.type == "get_attr":
                    value = self.get_attr(value, self.text(_named(rest)[0]), start, rest.end_byte)
                else:
                    value = self.index(value, rest.children[0], start, rest.end_byte)
            return value
        return Splat(self.slice(start, end), collect_refs([base, parts]), base, tuple(parts), full)

    def tuple(self, node: Any, path: tuple) -> list:
        items = []
        for child in node.children:
            if child.type == "expression":
                item_path = path + (len(items),) if path else ()  # () outside an attribute: no spans
                if path:
                    self.spans[item_path] = self.span(child)
                items.append(self.expression(child, item_path))
        return items

    def object(self, node: Any, path: tuple) -> dict:
        out: dict[str, Any] = {}
        for element in node.children:
            if element.type != "object_elem":
                continue
            key_node, value_node = [c for c in element.children if c.type == "expression"][:2]
            key = self.object_key(key_node)
            element_path = path + (key,) if path else ()
            if path:
                self.spans[element_path] = self.span(element)
            out[key] = self.expression(value_node, element_path)
        return out

    def object_key(self, node: Any) -> str:
        items = [c for c in node.children if c.type != "comment"]
        if len(items) == 1:
            inner = items[0]
            if inner.type == "variable_expr":
                return self.text(inner)
            string = inner.children[0] if inner.type in ("literal_value", "template_expr") else None
            if string is not None and string.type in ("string_lit", "quoted_template"):
                value = self.template(string, ())
                if isinstance(value, str):
                    return value
        return self.text(node)

    def function_call(self, node: Any, path: tuple) -> Call:
        named = _named(node)
        name = self.text(named[0])
        args: list[Any] = []
        expand = False
        if len(named) > 1:
            for child in named[1].children:
                if child.type == "expression":
                    arg_path = path if name in _TRANSPARENT_CALLS and not args else ()
                    args.append(self.expression(child, arg_path))
                elif child.type == "ellipsis":
                    expand = True
        return Call(self.text(node), collect_refs(args), name, tuple(args), expand)

    def unary(self, node: Any) -> Any:
        items = [c for c in node.children if c.type != "comment"]
        operator = items[0].type
        operand = self.term(items[1:], ())
        if operator == "-" and isinstance(operand, (int, float)) and not isinstance(operand, bool):
            return -operand
        if operator == "!" and isinstance(operand, bool):
            return not operand
        return UnaryOp(self.text(node), collect_refs([operand]), operator, operand)

    def binary(self, node: Any) -> BinaryOp:
        items = [c for c in node.children if c.type != "comment"]
        at = next(i for i, c in enumerate(items) if not c.is_named and c.type in _OPERATORS)
        left, right = self.term(items[:at], ()), self.term(items[at + 1:], ())
        return BinaryOp(self.text(node), collect_refs([left, right]), items[at].type, left, right)

    def conditional(self, node: Any) -> Conditional:
        """tree-sitter-hcl groups `a ? b : c ? d : e` to the left, HCL (and Terraform) to the right:
        the left spine of unparenthesised conditions is read as the token sequence
        c0 ? t0 : e0 ? t1 : e1 ... and rebuilt from its end."""
        spine = [node]
        while True:
            condition = next(c for c in spine[-1].children if c.type == "expression")
            inner = [c for c in condition.children if c.type != "comment"]
            if len(inner) != 1 or inner[0].type != "conditional":
                break
            self.enter(condition)
            spine.append(inner[0])
        spine.reverse()  # innermost first: spine[i] holds t_i and e_i, spine[0] also c0
        branches = [[c for c in level.children if c.type == "expression"] for level in spine]
        value = self.expression(branches[-1][2], ())
        for level in range(len(spine) - 1, -1, -1):
            condition_node = branches[0][0] if level == 0 else branches[level - 1][2]
            condition = self.expression(condition_node, ())
            if_true = self.expression(branches[level][1], ())
            value = Conditional(self.slice(condition_node.start_byte, node.end_byte),
                                collect_refs([condition, if_true, value]), condition, if_true, value)
        self.depth -= len(spine) - 1
        return value

    def for_expr(self, node: Any) -> ForExpr:
        intro = next(c for c in node.children if c.type == "for_intro")
        names = [self.text(c) for c in intro.children if c.type == "identifier"]
        collection = self.expression(next(c for c in intro.children if c.type == "expression"), ())
        expressions = [c for c in node.children if c.type == "expression"]
        values = [self.expression(e, ()) for e in expressions]
        cond_node = next((c for c in node.children if c.type == "for_cond"), None)
        condition = self.expression(_named(cond_node)[0], ()) if cond_node is not None else None
        is_object = node.type == "for_object_expr"
        key_expr, value_expr = (values[0], values[1]) if is_object else (None, values[0])
        grouping = any(c.type == "ellipsis" for c in node.children)
        return ForExpr(self.text(node), collect_refs([collection, key_expr, value_expr, condition]),
                       names[0] if len(names) > 1 else None, names[-1], collection, key_expr, value_expr,
                       condition, grouping, is_object)

    # -- templates ------------------------------------------------------------------------

    def atoms(self, node: Any, out: list) -> None:
        """The interpolations and directive markers inside a template, in order."""
        for child in node.children:
            if child.type in _ATOMS:
                out.append(child)
            elif child.type in ("template_directive", "template_if", "template_for"):
                self.atoms(child, out)

    def template(self, node: Any, path: tuple) -> Any:
        """A quoted string or heredoc: a str when it interpolates nothing, the expression itself for
        `"${x}"` alone, else a Template."""
        if node.type == "heredoc_template":
            return self.heredoc(node)
        children = node.children
        if len(children) == 2 or len(children) == 3 and children[1].type == "template_literal":
            literal = self.slice(children[0].end_byte, children[-1].start_byte)  # most strings: plain text
            if "\\" not in literal and "$" not in literal and "%" not in literal:
                return literal
        atoms: list[Any] = []
        self.atoms(node, atoms)
        named = [c for c in node.children if c.is_named]
        start, end = named[0].end_byte, named[-1].start_byte  # inside the quotes
        pieces: list[Any] = []
        position = start
        for atom in atoms:
            pieces.append(self.slice(position, atom.start_byte))
            pieces.append(atom)
            position = atom.end_byte
        pieces.append(self.slice(position, end))
        tokens: list[Any] = []
        for piece in pieces:
            if isinstance(piece, str):
                for chunk in _ESCAPED_INTERPOLATION_RE.split(piece):
                    if chunk.startswith("$${") and _ESCAPED_INTERPOLATION_RE.fullmatch(chunk):
                        tokens.append(chunk[1:])
                    elif chunk:
                        tokens.append(_unescape(chunk.replace("%%{", "%{")))
            else:
                tokens.append(piece)
        parts = self.nest(tokens)
        if all(isinstance(p, str) for p in parts):
            return "".join(parts)
        if len(parts) == 1 and not isinstance(parts[0], (TemplateIf, TemplateFor)):
            return parts[0]  # "${var.x}" is var.x itself
        return Template(self.text(node), collect_refs(parts), tuple(parts))

    def heredoc(self, node: Any) -> Any:
        """`<<EOT` / `<<-EOT`: the body as python-hcl2's heredoc token gives it (the lines between
        the markers, `<<-` dedented by the common indent of its non-blank lines), `$${` and `%%{`
        unescaped; interpolations and directives structured."""
        named = _named(node)
        trim = self.text(named[0]) == "<<-"
        opener, closer = named[1], named[-1]
        atoms: list[Any] = []
        self.atoms(node, atoms)
        start, end = opener.end_byte, closer.start_byte
        raw: list[str] = []
        marked: list[str] = []
        position = start
        for number, atom in enumerate(atoms):
            gap = self.slice(position, atom.start_byte)
            raw += [gap, self.text(atom)]
            marked += [gap, f"\x00{number}\x01"]
            position = atom.end_byte
        gap = self.slice(position, end)
        raw.append(gap)
        marked.append(gap)
        body = _heredoc_lines("".join(raw))
        marked_body = _heredoc_lines("".join(marked))
        if trim:
            margin = _margin(body)
            body, marked_body = _cut_margin(body, margin), _cut_margin(marked_body, margin)
        body += "\n"
        marked_body += "\n"
        tokens: list[Any] = []
        for index, piece in enumerate(_ATOM_RE.split(marked_body)):
            if index % 2:
                tokens.append(atoms[int(piece)])
            else:
                tokens.append(piece.replace("$${", "${").replace("%%{", "%{"))
        if not atoms:
            return tokens[0]
        parts = self.nest(tokens)
        if all(isinstance(p, str) for p in parts):
            return "".join(parts)
        return Template(body if len(body) <= 200 else body[:200] + "...", collect_refs(parts), tuple(parts))

    def nest(self, tokens: list) -> list:
        """Literal strings and atom nodes, flat, into parts with TemplateIf/TemplateFor nested;
        `~` strip markers trim the whitespace of the literal next to them."""
        self.strip(tokens)
        # [opening atom, parts being collected, the `if` branch once `else` was met]
        stack: list[list] = [[None, [], None]]
        for token in tokens:
            if isinstance(token, str):
                _append_part(stack[-1][1], token)
                continue
            kind = token.type
            if kind == "template_interpolation":
                expressions = [c for c in token.children if c.type == "expression"]
                if not expressions:
                    raise HclSyntaxError("invalid HCL: empty ${} interpolation", _line_of_point(token))
                _append_part(stack[-1][1], self.expression(expressions[0], ()))
            elif kind in ("template_if_intro", "template_for_start"):
                self.enter(token)
                stack.append([token, [], None])
            elif kind == "template_else_intro":
                stack[-1][1:] = [[], stack[-1][1]]
            else:
                opening, parts, if_branch = stack.pop()
                self.depth -= 1
                stack[-1][1].append(self.directive(opening, parts, if_branch))
        return stack[0][1]

    def directive(self, opening: Any, parts: list, if_branch: list | None) -> Any:
        text = self.text(opening.parent)  # the whole template_if / template_for
        expression = self.expression(next(c for c in opening.children if c.type == "expression"), ())
        if opening.type == "template_if_intro":
            if_true, if_false = (tuple(parts), ()) if if_branch is None else (tuple(if_branch), tuple(parts))
            return TemplateIf(text, collect_refs([expression, if_true, if_false]), expression, if_true, if_false)
        names = [self.text(c) for c in opening.children if c.type == "identifier"]
        return TemplateFor(text, collect_refs([expression, tuple(parts)]), names[0] if len(names) > 1 else None,
                           names[-1], expression, tuple(parts))

    @staticmethod
    def strip(tokens: list) -> None:
        for index, token in enumerate(tokens):
            if isinstance(token, str):
                continue
            markers = [c for c in token.children if c.type == "strip_marker"]
            if not markers:
                continue
            first = [c for c in token.children if c.type != "comment"][1].type == "strip_marker"
            last = [c for c in token.children if c.type != "comment"][-2].type == "strip_marker"
            if first and index and isinstance(tokens[index - 1], str):
                tokens[index - 1] = tokens[index - 1].rstrip()
            if last and index + 1 < len(tokens) and isinstance(tokens[index + 1], str):
                tokens[index + 1] = tokens[index + 1].lstrip()


def _append_part(parts: list, part: Any) -> None:
    """A template part after the others: a string (literal text, or an interpolation whose value
    is one, `${"}"}`) joins the string before it; an empty one is no part."""
    if isinstance(part, str):
        if parts and isinstance(parts[-1], str):
            parts[-1] += part
        elif part:
            parts.append(part)
    else:
        parts.append(part)


def _heredoc_lines(rest: str) -> str:
    """The body between the markers: after the opener's line break, before the closing line."""
    return rest.removeprefix("\n").rstrip(" \t").removesuffix("\n")


def _margin(text: str) -> str:
    """The indent `<<-` removes, as python-hcl2's `_dedent` finds it (terraform.py)."""
    import os

    indents = set(_INDENT_RE.findall(_WHITESPACE_ONLY_LINE_RE.sub("", text)))
    return os.path.commonprefix([min(indents), max(indents)]) if indents else ""


def _cut_margin(text: str, margin: str) -> str:
    text = _WHITESPACE_ONLY_LINE_RE.sub("", text)
    if not margin:
        return text
    return ("\n" + text).replace("\n" + margin, "\n")[1:]


def _walk(source: str, work: Any) -> Any:
    """`work(root, walker)`; a stack overflow (nesting under MAX_NESTING levels that still costs too
    many frames, such as templates inside templates) is the same one-line nesting error."""
    root, data = parse_tree(source)
    walker = _Walker(source, data)
    try:
        return work(root, walker)
    except RecursionError:
        line = _line_of_point(walker.deepest) if walker.deepest is not None else None
        raise HclSyntaxError("nesting too deep to analyse; skipped", line) from None


def _body_of(root: Any) -> Any:
    return next((c for c in root.children if c.type == "body"), None)


def parse_terraform(source: str, file: str, module: str) -> list[Resource]:
    """Parse one `.tf` file. Raises HclSyntaxError with a one-line message."""

    def resources(root: Any, walker: _Walker) -> list[Resource]:
        out: list[Resource] = []
        body = _body_of(root)
        for node in body.children if body is not None else ():
            if node.type == "block":
                block_type, labels, block_body = walker.block_parts(node)
                walker.spans = {}
                attributes = walker.body(block_body, ())
                out.extend(block_resources(block_type, labels, attributes, walker.spans, walker.span(node),
                                           file, module))
        return out

    return _walk(source, resources)


def parse_tfvars(source: str, file: str, module: str) -> list[Resource]:
    """A variables file (`terraform.tfvars`, `*.auto.tfvars`, `prod.tfvars`) becomes one `tfvars` resource."""

    def tfvars(root: Any, walker: _Walker) -> list[Resource]:
        values = walker.body(_body_of(root), ())
        name = file.rsplit("/", 1)[-1]
        return [Resource("terraform", "tfvars", "tfvars", name, name, values, file, module,
                         Span(1, source.count("\n") + 1), walker.spans)]

    return _walk(source, tfvars)
