"""Bicep expressions -> values, over the tree-sitter-bicep syntax tree.

One `BicepEvaluator` per evaluation of a file (a file alone with its parameter
defaults, or one module instance with its caller's `params`). Declarations are
evaluated lazily and once; a variable that refers back to itself is unknown.
Functions are `arm_functions`' (the ARM JSON evaluator calls the same ones).

Symbols stand for their declarations: a parameter or variable for its value, a
resource for an unknown that names it (`openai`, so `openai.identity.principalId`
keeps the path and `scope: openai` points at it), except `<resource>.name`,
which is the evaluated name. Nesting deeper than `max_depth` is the file's
error, never a Python recursion error.
"""

from __future__ import annotations

from typing import Any, Callable

from aiaas_iac.model import Span, Unknown
from aiaas_iac.parsers import arm_functions as fn
from aiaas_iac.parsers.arm_functions import MAX_ITEMS, ResourceLink, contains_unknown, unknown

_ESCAPES = {"\\'": "'", "\\\\": "\\", "\\n": "\n", "\\r": "\r", "\\t": "\t", "\\$": "$"}
# Loops whose collection is longer than this are judged by their first MAX_LOOP items.
MAX_LOOP = 100


class TooDeep(Exception):
    def __init__(self, line: int) -> None:
        super().__init__("nesting too deep")
        self.line = line


def text_of(node: Any) -> str:
    return node.text.decode("utf-8", "surrogateescape")


def named(node: Any) -> list:
    children = node.named_children
    if any(c.type in ("comment", "diagnostic_comment") for c in children):
        return [c for c in children if c.type not in ("comment", "diagnostic_comment")]
    return children


def line_of(node: Any) -> int:
    return node.start_point[0] + 1


class BicepEvaluator:
    """Evaluates expressions of one file; `lookup(name)` gives a top-level symbol's value."""

    def __init__(self, lookup: Callable[[str], Any], max_depth: int, link: ResourceLink | None = None,
                 resource_name: Callable[[str], Any] | None = None) -> None:
        self.lookup = lookup
        # The evaluated `name` of a resource symbol (NOT_A_RESOURCE for other symbols).
        self.resource_name = resource_name or (lambda symbol: NOT_A_RESOURCE)
        self.max_depth = max_depth
        self.link = link or ResourceLink()
        self.depth = 0
        self.truncated_loops: list[int] = []  # lines of loops cut at MAX_LOOP
        self._methods: dict[str, Callable[[Any, dict], Any]] = {}
        # While a resource body is evaluated: the span of every object property and array item
        # under it, by attribute path (None otherwise, and inside calls and operators).
        self._spans: dict | None = None
        self._path: tuple = ()

    def value(self, node: Any, local: dict | None = None) -> Any:
        self.depth += 1
        try:
            if self.depth > self.max_depth:
                raise TooDeep(line_of(node))
            kind = node.type
            method = self._methods.get(kind)
            if method is None:
                method = self._methods[kind] = getattr(self, "_" + kind, None) or self._unsupported
            if self._spans is None or kind in _SPAN_CONTAINERS:
                return method(node, local or _EMPTY)
            spans, self._spans = self._spans, None  # a value computed from this node has no spans of its own
            try:
                return method(node, local or _EMPTY)
            finally:
                self._spans = spans
        finally:
            self.depth -= 1

    def _unsupported(self, node: Any, local: dict) -> Any:
        return Unknown(text_of(node)[:200])

    # --- literals ------------------------------------------------------------------------------

    def _string(self, node: Any, local: dict) -> Any:
        children = node.children
        if len(children) == 3 and children[1].type == "string_content" and children[0].type == "'":
            return text_of(children[1])  # the common case: no escape, no interpolation
        parts: list[Any] = []
        multiline = node.children and node.children[0].type == "'''"
        for child in node.children:
            if child.type == "string_content":
                parts.append(text_of(child))
            elif child.type == "escape_sequence":
                raw = text_of(child)
                if raw.startswith("\\u{"):
                    try:
                        parts.append(chr(int(raw[3:-1], 16)))
                    except (ValueError, OverflowError):
                        parts.append(raw)
                else:
                    parts.append(raw if multiline else _ESCAPES.get(raw, raw))
            elif child.type == "interpolation":
                inner = named(child)
                parts.append(self.value(inner[0], local) if inner else None)
        return fn.join_text(parts, text_of(node)[:200])

    def _number(self, node: Any, local: dict) -> Any:
        raw = text_of(node)
        if len(raw) > 30:
            return Unknown(raw[:40])
        try:
            return int(raw)
        except ValueError:
            try:
                return float(raw)
            except ValueError:
                return Unknown(raw)

    def _boolean(self, node: Any, local: dict) -> Any:
        return text_of(node) == "true"

    def _null(self, node: Any, local: dict) -> Any:
        return None

    def _array(self, node: Any, local: dict) -> Any:
        items = named(node)
        if len(items) > MAX_ITEMS:
            return Unknown("[...]")
        if self._spans is None:
            return [self.value(item, local) for item in items]
        out, path = [], self._path
        for position, item in enumerate(items):
            self._spans[path + (position,)] = span_of(item)
            self._path = path + (position,)
            out.append(self.value(item, local))
        self._path = path
        return out

    def _object(self, node: Any, local: dict) -> Any:
        out: dict = {}
        path = self._path
        for prop in node.named_children:
            if prop.type != "object_property":
                continue
            key, value = self.property(prop, local)
            if isinstance(key, Unknown) and value is not None:
                # `'${uami.id}': {}`: a key known only at deploy time keeps its references.
                out[key] = self.value(value, local)
            elif key is not None and value is not None:
                if self._spans is not None:
                    self._spans[path + (key,)] = span_of(prop)
                    self._path = path + (key,)
                out[key] = self.value(value, local)
        self._path = path
        return out

    def with_spans(self, node: Any, local: dict) -> tuple[Any, dict]:
        """`conditional(node)` and the spans of the properties and items under it, by path."""
        self._spans, self._path = {}, ()
        try:
            value = self.conditional(node, local)
            return value, self._spans
        finally:
            self._spans, self._path = None, ()

    def property(self, prop: Any, local: dict) -> tuple[Any, Any]:
        """(key as text, value node) of an `object_property`; a computed key that is unknown is
        that Unknown when it has references (`'${uami.id}'`), else None."""
        children = prop.children
        parts = children if len(children) == 3 and children[1].type == ":" else named(prop)
        if len(parts) < 2:
            return None, None
        key_node, value_node = parts[0], parts[-1]
        if key_node.type in ("identifier", "compatible_identifier", "property_identifier"):
            return text_of(key_node), value_node
        key = self.value(key_node, local)
        keep = isinstance(key, str) or (isinstance(key, Unknown) and bool(key.refs))
        return (key if keep else None), value_node

    # --- names ---------------------------------------------------------------------------------

    def _identifier(self, node: Any, local: dict) -> Any:
        name = text_of(node)
        if name in local:
            return local[name]
        return self.lookup(name)

    _compatible_identifier = _identifier

    def _parenthesized_expression(self, node: Any, local: dict) -> Any:
        inner = named(node)
        return self.value(inner[0], local) if inner else None

    def _resource_expression(self, node: Any, local: dict) -> Any:
        # `parent::child` names the nested declaration by that address.
        return Unknown(text_of(node)[:200], (text_of(node).replace(" ", ""),))

    def _member_expression(self, node: Any, local: dict) -> Any:
        children = node.children
        target, prop = children[0], children[-1]
        safe = any(c.type == ".?" for c in children)
        name = text_of(prop)
        text = text_of(node)[:200]
        if target.type == "identifier" and text_of(target) not in local and name == "name":
            named_value = self.resource_name(text_of(target))
            if named_value is not NOT_A_RESOURCE:
                return named_value
        return fn.member(self.value(target, local), name, text, safe)

    def _subscript_expression(self, node: Any, local: dict) -> Any:
        parts = named(node)
        if len(parts) < 2:
            return Unknown(text_of(node)[:200])
        safe = any(c.type == "?" for c in node.children)
        return fn.index(self.value(parts[0], local), self.value(parts[1], local), text_of(node)[:200], safe)

    # --- operators -----------------------------------------------------------------------------

    def _unary_expression(self, node: Any, local: dict) -> Any:
        operator = text_of(node.children[0])
        operand = self.value(named(node)[-1], local)
        text = text_of(node)[:200]
        if operator == "!":
            return (not operand) if isinstance(operand, bool) else unknown(text, operand)
        if operator == "-" and isinstance(operand, (int, float)) and not isinstance(operand, bool):
            return -operand
        return unknown(text, operand)

    def _binary_expression(self, node: Any, local: dict) -> Any:
        left_node, right_node = node.child_by_field_name("left") or node.children[0], node.child_by_field_name("right") or node.children[-1]
        operator = text_of(node.child_by_field_name("operator") or node.children[1])
        text = text_of(node)[:200]
        left = self.value(left_node, local)
        if operator == "??":
            if isinstance(left, Unknown):
                return unknown(text, left)
            return self.value(right_node, local) if left is None else left
        if operator in ("&&", "||"):
            if isinstance(left, bool) and left is (operator == "||"):
                return left
            right = self.value(right_node, local)
            return fn._logical(text, "and" if operator == "&&" else "or", left, right)
        right = self.value(right_node, local)
        if operator in ("==", "!="):
            same = fn.equal(left, right)
            return unknown(text, left, right) if same is None else (same if operator == "==" else not same)
        if operator in ("=~", "!~"):
            if isinstance(left, str) and isinstance(right, str):
                return (left.lower() == right.lower()) == (operator == "=~")
            return unknown(text, left, right)
        if operator in ("<", "<=", ">", ">="):
            names = {"<": "less", "<=": "lessOrEquals", ">": "greater", ">=": "greaterOrEquals"}
            return fn._compare(text, names[operator], left, right)
        names = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod"}
        if operator in names:
            return fn._arith(text, names[operator], left, right)
        return unknown(text, left, right)

    def _ternary_expression(self, node: Any, local: dict) -> Any:
        condition = self.value(node.child_by_field_name("condition"), local)
        yes, no = node.child_by_field_name("consequence"), node.child_by_field_name("alternative")
        if isinstance(condition, bool):
            return self.value(yes if condition else no, local)
        return unknown(text_of(node)[:200], condition, self.value(yes, local), self.value(no, local))

    # --- calls ---------------------------------------------------------------------------------

    def _call_expression(self, node: Any, local: dict) -> Any:
        function = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        args = [self.value(a, local) for a in named(arguments)] if arguments is not None else []
        text = text_of(node)[:200]
        if function is not None and function.type == "member_expression":
            target, method = function.children[0], text_of(function.children[-1])
            if text_of(target) in ("sys", "az"):
                return fn.call(method, args, text, self.link)
            owner = self.value(target, local)
            if method.lower().startswith("list") or method.lower() == "getsecret":
                return fn.resource_function(text, method, owner, self.link)
            return unknown(text, owner, *args)
        name = text_of(function) if function is not None else ""
        return fn.call(name, args, text, self.link)

    def _lambda_expression(self, node: Any, local: dict) -> Any:
        return Unknown(text_of(node)[:200])

    # --- loops and conditions ------------------------------------------------------------------

    def loop_items(self, node: Any, local: dict) -> tuple[list[dict] | None, Any]:
        """For a `for_statement`: the local scopes of its iterations (None when the collection is
        unknown) and its body node."""
        parameters = next((c for c in node.children if c.type == "for_loop_parameters"), None)
        item_name = index_name = None
        if parameters is not None:
            for child in parameters.children:
                if child.type == "loop_variable":
                    item_name = text_of(child)
                elif child.type == "loop_enumerator":
                    index_name = text_of(child)
        else:
            first = next((c for c in node.children if c.type == "identifier"), None)
            item_name = text_of(first) if first is not None else None
        parts = named(node)
        body = parts[-1]
        collection_node = parts[-2] if len(parts) >= 2 else None
        collection = self.value(collection_node, local) if collection_node is not None else None
        if isinstance(collection, dict):
            collection = fn._items("items", collection)
        if not isinstance(collection, list):
            scope = dict(local)
            for name in (item_name, index_name):
                if name:
                    scope[name] = unknown(name, collection)
            return None, body
        if len(collection) > MAX_LOOP:
            self.truncated_loops.append(line_of(node))
            collection = collection[:MAX_LOOP]
        scopes = []
        for position, item in enumerate(collection):
            scope = dict(local)
            if item_name:
                scope[item_name] = item
            if index_name:
                scope[index_name] = position
            scopes.append(scope)
        return scopes, body

    def unknown_loop_scope(self, node: Any, local: dict) -> dict:
        scope = dict(local)
        for child in node.children:
            if child.type in ("loop_variable", "loop_enumerator", "identifier") and child.next_sibling is not None:
                scope[text_of(child)] = Unknown(text_of(child))
                if child.type == "identifier":
                    break
        parameters = next((c for c in node.children if c.type == "for_loop_parameters"), None)
        for child in (parameters.children if parameters is not None else []):
            if child.type in ("loop_variable", "loop_enumerator"):
                scope[text_of(child)] = Unknown(text_of(child))
        return scope

    def _for_statement(self, node: Any, local: dict) -> Any:
        scopes, body = self.loop_items(node, local)
        text = text_of(node)[:200]
        if scopes is None:
            return Unknown(text)
        out = []
        for scope in scopes:
            item = self.conditional(body, scope)
            if item is not _SKIPPED:
                out.append(item)
        return out

    def conditional(self, node: Any, local: dict) -> Any:
        """The value of a body that may be `if (cond) {...}`; _SKIPPED when the condition is false."""
        if node.type != "if_statement":
            return self.value(node, local)
        parts = named(node)
        condition = self.value(parts[0], local)
        if condition is False:
            return _SKIPPED
        return self.value(parts[-1], local)

    def _if_statement(self, node: Any, local: dict) -> Any:
        found = self.conditional(node, local)
        return None if found is _SKIPPED else found


NOT_A_RESOURCE = object()
_SKIPPED = object()
_EMPTY: dict = {}
# Nodes whose properties and items keep their own spans (a resource body, `if` and parentheses around it).
_SPAN_CONTAINERS = frozenset({"object", "array", "if_statement", "parenthesized_expression"})


def span_of(node: Any) -> Span:
    start, end = node.start_point, node.end_point
    return Span(start[0] + 1, end[0] + 1, start[1] + 1, end[1] + 1)
SKIPPED = _SKIPPED


def has_unknown(value: Any) -> bool:
    return contains_unknown(value)
