"""Terraform's expression semantics over the parser's structured nodes, three-valued.

`Evaluator.evaluate(value)` gives the value where the code makes it certain, or an `Unknown`
carrying the references it depends on: the node itself with what could be worked out inside
it filled in (a Template with its known parts joined, a Call with its arguments evaluated), so a
check can still follow `aws_iam_user.bot.name`. Any unknown input makes the result unknown; a
collection with unknown elements stays a collection (its length and keys are known).

Two choices differ from `terraform console` on purpose:
- `&&`/`||` with one operand known decisive (`true || x`) are that value even when the other
  is unknown: the result is the same whatever the unknown turns out to be, so it is certain
  (Terraform's plan shows it unknown only because it does not look). Modules gate optional
  blocks with `var.x != null && var.x.enabled` and rely on it.
- `jsonencode(x)` / `yamlencode(x)` keep the structure of `x` (marked, so a string context
  such as a template renders it as Terraform would, JSON keys sorted): a policy document's
  statements keep their source lines and the unknown parts inside it stay holes.

An expression Terraform rejects (a missing attribute, a wrong type) is an `Invalid`, which
`try()` skips and `can()` reports false. Everything is bounded: MAX_STEPS node evaluations per
value, MAX_DEPTH nesting, collections and strings past resolve's MAX_VALUE_ITEMS /
MAX_VALUE_CHARS, and a regex `replace` under a timeout, each leave the value unknown.
"""

from __future__ import annotations

from typing import Any, Callable

from aiaas_iac.model import Unknown
from aiaas_iac.parsers.hcl_expressions import (BinaryOp, Call, Conditional, ForExpr, GetAttr, Index, Splat, Template,
                                              TemplateFor, TemplateIf, Traversal, UnaryOp, collect_refs,
                                              traversal_text)

MAX_STEPS = 200_000
MAX_DEPTH = 64
MAX_VALUE_CHARS = 1 << 20
MAX_VALUE_ITEMS = 100_000
MISSING = object()


class Invalid(Unknown):
    """An expression Terraform would reject (a missing key, an operator on the wrong type)."""


class MaybeAbsent(Unknown):
    """The value of a map entry that an object `for` keeps only if a condition it cannot decide
    holds (`{for k, v in m : k => v if v != null}` with `v` unknown): the entry reads as unknown,
    and the map's key set (its length, keys, iteration, `for_each`) is unknown as a whole."""


def uncertain_keys(value: Any) -> bool:
    """True for a map some of whose keys may be absent (see MaybeAbsent)."""
    return isinstance(value, dict) and any(isinstance(v, MaybeAbsent) for v in value.values())


class EncodedMap(dict):
    """`jsonencode({...})` kept as its structure; `encoding` is json or yaml."""

    __slots__ = ("encoding",)


class EncodedList(list):
    __slots__ = ("encoding",)


class _Exhausted(Exception):
    pass


def encoded(value: Any, encoding: str) -> Any:
    wrapped = EncodedMap(value) if isinstance(value, dict) else EncodedList(value)
    wrapped.encoding = encoding
    return wrapped


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def number_text(value: int | float) -> str:
    """A number as Terraform writes it in a string: `2`, `2.5`, never `2.0`."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


def fits(value: Any, items: int = MAX_VALUE_ITEMS, chars: int = MAX_VALUE_CHARS) -> bool:
    """True when `value`, written out (shared parts counted each time), stays under the caps;
    stops as soon as it does not, so a value built by doubling is measured in bounded time."""
    budget = [items, chars]
    stack = [value]
    while stack:
        node = stack.pop()
        budget[0] -= 1
        if isinstance(node, str):
            budget[1] -= len(node)
        elif isinstance(node, dict):
            budget[1] -= sum(len(k) for k in node)
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
        if budget[0] < 0 or budget[1] < 0:
            return False
    return True


def _first_of(value: Any, kind: type) -> Any:
    """The first `kind` inside a value (walked once per shared part, without recursion), or None."""
    stack, seen = [value], set()
    while stack:
        node = stack.pop()
        if isinstance(node, kind):
            return node
        if isinstance(node, (dict, list)) and id(node) not in seen:
            seen.add(id(node))
            stack.extend(node.values() if isinstance(node, dict) else node)
    return None


def has_unknown(value: Any) -> bool:
    return _first_of(value, Unknown) is not None


def first_invalid(value: Any) -> Invalid | None:
    return _first_of(value, Invalid)


def equal(a: Any, b: Any) -> bool:
    """Terraform's `==` on known values: types must agree (`1 == "1"` and `true == 1` are false)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if is_number(a) and is_number(b):
        return a == b
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    if a is None or b is None:
        return a is b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    return False


def to_number(value: Any) -> int | float | None:
    """A number, or a string that writes one (Terraform converts `"1" + 1` to 2)."""
    if is_number(value):
        return value
    if isinstance(value, str) and 0 < len(value) <= 64:
        try:
            return int(value)
        except ValueError:
            try:
                number = float(value)
            except ValueError:
                return None
            return number if number == number and abs(number) != float("inf") else None
    return None


def to_text(value: Any) -> str | None:
    """A value as a template or string function reads it; None where Terraform has no string."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return number_text(value)
    if isinstance(value, (EncodedMap, EncodedList)) and value.encoding == "json":
        return json_text(value)
    return None


def json_text(value: Any) -> str | None:
    """Terraform's `jsonencode`: compact, keys sorted, `<>&` escaped; None past the caps."""
    import json

    if not fits(value):
        return None
    try:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return None
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def to_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    return {"true": True, "false": False}.get(value) if isinstance(value, str) else None


def _truncated_int(a: int | float, b: int | float) -> int | float:
    """Terraform's `%`: the remainder takes the dividend's sign (-7 % 3 is -1)."""
    if isinstance(a, int) and isinstance(b, int):
        result = abs(a) % abs(b)
        return -result if a < 0 else result
    import math

    return math.fmod(a, b)


def arithmetic(operator: str, a: Any, b: Any) -> Any:
    """`+ - * / % > >= < <=` on known operands; MISSING where Terraform reports an error."""
    x, y = to_number(a), to_number(b)
    if x is None or y is None:
        return MISSING
    if operator in (">", ">=", "<", "<="):
        return {">": x > y, ">=": x >= y, "<": x < y, "<=": x <= y}[operator]
    if operator in ("/", "%") and y == 0:
        return MISSING
    if operator == "*" and isinstance(x, int) and isinstance(y, int) and x.bit_length() + y.bit_length() > 4096:
        return MISSING  # a number Terraform could not write either
    try:
        if operator == "+":
            result = x + y
        elif operator == "-":
            result = x - y
        elif operator == "*":
            result = x * y
        elif operator == "/":
            result = x / y if not (isinstance(x, int) and isinstance(y, int) and x % y == 0) else x // y
        else:
            result = _truncated_int(x, y)
    except (OverflowError, ValueError):
        return MISSING
    if isinstance(result, float) and result.is_integer() and abs(result) < 2 ** 53:
        return int(result)
    return result


class Evaluator:
    """Evaluates values of one module (instance). `module` gives what references outside the
    expression name (`reference(traversal)` -> value or MISSING, `read_file(path)` -> text or
    None); `bindings` are names in scope (`count`, `each`, a dynamic block's iterator, the
    variables of a `for` or of a template)."""

    def __init__(self, module: Any = None, bindings: dict[str, Any] | None = None,
                 only_bindings: bool = False) -> None:
        self.module = module
        self.bindings: dict[str, Any] = dict(bindings or {})
        self.only_bindings = only_bindings  # templatefile(): only its variables are in scope
        self.steps = 0
        self.depth = 0
        self._memo: dict[int, tuple[Any, Any]] = {}

    def evaluate(self, value: Any) -> Any:
        """`value` worked out; bounded, never raises."""
        saved, self.steps = self.steps, 0  # re-entered for a local while evaluating another value
        try:
            return self.value(value)
        except (_Exhausted, RecursionError):
            return Unknown(getattr(value, "text", "(expression too large to evaluate)"), collect_refs([value]))
        finally:
            self.steps = saved

    # --- dispatch --------------------------------------------------------------------------------

    def value(self, value: Any) -> Any:
        if isinstance(value, (str, int, float, bool)) or value is None:
            return value
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise _Exhausted
        if self.depth >= MAX_DEPTH:
            return value if not isinstance(value, Unknown) else Unknown(value.text, value.refs)
        # Values share parts (a local used twice is one object): each is evaluated once per scope.
        key = id(value)
        known = self._memo.get(key)
        if known is not None and known[0] is value:
            return known[1]
        self.depth += 1
        try:
            result = self._dispatch(value)
        finally:
            self.depth -= 1
        self._memo[key] = (value, result)  # the bindings of one evaluator never change
        return result

    def _dispatch(self, value: Any) -> Any:
        if isinstance(value, (EncodedMap, EncodedList)):
            inner = self._dispatch(dict(value) if isinstance(value, dict) else list(value))
            return value if inner == value else encoded(inner, value.encoding)
        # What did not change is returned as it was: shared parts stay shared, and comparing a
        # value with its evaluation is an identity check, not a walk of a 2**40-part DAG.
        if isinstance(value, dict):
            mapping = {k: self.value(v) for k, v in value.items()}
            return value if all(mapping[k] is v for k, v in value.items()) else mapping
        if isinstance(value, list):
            items = [self.value(v) for v in value]
            return value if all(a is b for a, b in zip(items, value)) else items
        handler = _HANDLERS.get(type(value))
        return handler(self, value) if handler else value

    def scoped(self, names: dict[str, Any]) -> "Evaluator":
        """An evaluator for a `for` body: the same module, more names, its own memo."""
        child = Evaluator(self.module, {**self.bindings, **names}, self.only_bindings)
        child.steps, child.depth = self.steps, self.depth
        return child

    # --- references --------------------------------------------------------------------------

    def traversal(self, node: Traversal) -> Any:
        head = node.parts[0]
        if head in self.bindings:
            return self.select(self.bindings[head], node.parts[1:], node)
        if self.only_bindings:
            return Invalid(node.text, node.refs)
        found = self.module.reference(node) if self.module is not None else MISSING
        return node if found is MISSING else found

    def select(self, value: Any, parts: tuple, node: Any) -> Any:
        """`parts` (attribute names, keys, indexes) applied to `value`."""
        for position, part in enumerate(parts):
            if isinstance(value, Traversal):  # a reference: select further into what it names
                rest = parts[position:]
                full = value.parts + rest
                return Traversal(traversal_text(full), (traversal_text(full),), full)
            if isinstance(value, Unknown):
                return value
            value = index_value(value, part)
            if value is MISSING:
                return Invalid(getattr(node, "text", ""), collect_refs([node]))
        return value

    def unknown(self, node: Any, **children: Any) -> Unknown:
        """`node` with its evaluated children, its refs those of the children."""
        import dataclasses

        values = [v for v in children.values()]
        kind = Invalid if any(first_invalid(v) for v in values) else None
        if kind is None and all(getattr(node, name) is v for name, v in children.items()):
            return node
        updated = dataclasses.replace(node, refs=collect_refs(values), **children)
        if kind is not None:
            return Invalid(node.text, updated.refs)
        return updated

    # --- expressions -------------------------------------------------------------------------

    def template(self, node: Template) -> Any:
        parts = self.template_parts(node.parts)
        if isinstance(parts, Unknown):
            return parts
        if all(isinstance(p, str) for p in parts):
            text = "".join(parts)
            return text if len(text) <= MAX_VALUE_CHARS else Unknown(node.text, node.refs)
        if any(isinstance(p, Invalid) for p in parts):
            return Invalid(node.text, collect_refs(parts))
        if len(parts) == len(node.parts) and all(a is b for a, b in zip(parts, node.parts)):
            return node
        return Template(node.text, collect_refs(parts), tuple(parts))

    def template_parts(self, parts: tuple) -> list | Unknown:
        out: list[Any] = []
        size = 0
        for part in parts:
            if isinstance(part, TemplateIf):
                condition = to_bool(self.value(part.condition))
                if condition is None:
                    out.append(self.unknown(part, condition=self.value(part.condition)))
                    continue
                found = self.template_parts(part.if_true if condition else part.if_false)
            elif isinstance(part, TemplateFor):
                found = self.template_for(part)
            else:
                value = self.value(part)
                text = to_text(value)
                if text is None and not isinstance(value, Unknown):
                    return Invalid(getattr(part, "text", ""), collect_refs([part]))
                found = [text if text is not None else value]
            if isinstance(found, Unknown):
                return found
            for item in found:
                if isinstance(item, str):
                    size += len(item)
                    if out and isinstance(out[-1], str):
                        out[-1] += item
                        continue
                out.append(item)
            if size > MAX_VALUE_CHARS:
                return Unknown("(template longer than the value limit)", collect_refs(parts))
        return [p for p in out if p != ""]

    def template_for(self, node: TemplateFor) -> list | Unknown:
        collection = self.value(node.collection)
        items = iteration(collection)
        if items is None:
            if isinstance(collection, Unknown) and not isinstance(collection, Invalid) or uncertain_keys(collection):
                return [self.unknown(node, collection=Unknown(node.text, collect_refs([collection])))]  # a hole
            return Invalid(node.text, node.refs)
        out: list[Any] = []
        for key, item in items:
            names = {node.value_var: item} if node.key_var is None else {node.key_var: key, node.value_var: item}
            child = self.scoped(names)
            found = child.template_parts(node.body)
            self.steps = child.steps
            if isinstance(found, Unknown):
                return found
            out.extend(found)
        return out

    def conditional(self, node: Conditional) -> Any:
        condition = self.value(node.condition)
        decided = to_bool(condition)
        if decided is None:
            if isinstance(condition, Unknown) and not isinstance(condition, Invalid):
                return self.unknown(node, condition=condition, if_true=self.value(node.if_true),
                                    if_false=self.value(node.if_false))
            return Invalid(node.text, node.refs)
        return self.value(node.if_true if decided else node.if_false)

    def binary(self, node: BinaryOp) -> Any:
        left, right = self.value(node.left), self.value(node.right)
        operator = node.operator
        if operator in ("&&", "||"):
            decisive = operator == "||"
            a, b = to_bool(left), to_bool(right)
            if a is decisive or b is decisive:
                return decisive
            if a is not None and b is not None:
                return not decisive
        elif operator in ("==", "!=") and (left is None or right is None) and not (
                isinstance(left, Unknown) or isinstance(right, Unknown)):
            # Null against a known collection is decided even with unknown parts inside it.
            return (left is None and right is None) == (operator == "==")
        elif not has_unknown(left) and not has_unknown(right):
            if operator in ("==", "!="):
                return equal(left, right) == (operator == "==")
            result = arithmetic(operator, left, right)
            return Invalid(node.text, node.refs) if result is MISSING else result
        if not has_unknown(left) and not has_unknown(right):
            return Invalid(node.text, node.refs)  # `&&` on a non-boolean
        return self.unknown(node, left=left, right=right)

    def unary(self, node: UnaryOp) -> Any:
        operand = self.value(node.operand)
        if isinstance(operand, Unknown):
            return self.unknown(node, operand=operand)
        if node.operator == "!":
            decided = to_bool(operand)
            return Invalid(node.text, node.refs) if decided is None else not decided
        number = to_number(operand)
        return Invalid(node.text, node.refs) if number is None else -number

    def get_attr(self, node: GetAttr) -> Any:
        base = self.value(node.base)
        if isinstance(base, Unknown) and not isinstance(base, Traversal):
            return self.unknown(node, base=base)
        return self.select(base, (node.name,), node)

    def index(self, node: Index) -> Any:
        base, key = self.value(node.base), self.value(node.key)
        if isinstance(key, Unknown) or (isinstance(base, Unknown) and not isinstance(base, Traversal)):
            return self.unknown(node, base=base, key=key)
        if isinstance(key, float) and key.is_integer():
            key = int(key)
        if isinstance(base, Traversal) and not isinstance(key, (str, int)) or isinstance(key, bool):
            return Invalid(node.text, node.refs)
        return self.select(base, (key,), node)

    def splat(self, node: Splat) -> Any:
        base = self.value(node.base)
        if isinstance(base, Unknown):
            return self.unknown(node, base=base)
        if base is None:
            return []
        elements = base if isinstance(base, list) else [base]  # a single value splats to a tuple of it
        parts = []
        for part in node.parts:
            parts.append(self.value(part) if isinstance(part, Unknown) else part)
        if any(isinstance(p, Unknown) for p in parts):
            return self.unknown(node, base=base)
        return [self.select(element, tuple(parts), node) for element in elements]

    def for_expression(self, node: ForExpr) -> Any:
        collection = self.value(node.collection)
        items = iteration(collection)
        if items is None:
            if isinstance(collection, Unknown) and not isinstance(collection, Invalid):
                return self.unknown(node, collection=collection)
            if uncertain_keys(collection):
                return Unknown(node.text, collect_refs([collection]))
            return Invalid(node.text, node.refs)
        if len(items) > MAX_VALUE_ITEMS:
            return Unknown(node.text, node.refs)
        out_list: list = []
        out_map: dict = {}
        size = 0
        for key, item in items:
            names = {node.value_var: item} if node.key_var is None else {node.key_var: key, node.value_var: item}
            child = self.scoped(names)
            try:
                if node.condition is not None:
                    condition = child.value(node.condition)
                    keep = to_bool(condition)
                    if keep is None:
                        # An object entry whose condition is unknown may be absent: keep its key
                        # with an unknown value, so the entries the condition keeps stay known.
                        if (not node.is_object or node.grouping or not isinstance(condition, Unknown)
                                or isinstance(condition, Invalid)):
                            return Unknown(node.text, node.refs)
                        name = to_text(child.value(node.key_expr))
                        if name is None or name in out_map:
                            return Unknown(node.text, node.refs)
                        out_map[name] = MaybeAbsent(getattr(node.value_expr, "text", node.text),
                                                    collect_refs([condition]))
                        continue
                    if not keep:
                        continue
                value = child.value(node.value_expr)
                size += len(value) if isinstance(value, str) else 1
                if size > MAX_VALUE_CHARS:
                    return Unknown(node.text, node.refs)
                if not node.is_object:
                    out_list.append(value)
                    continue
                name = to_text(child.value(node.key_expr))
                if name is None:
                    return Unknown(node.text, node.refs)
            finally:
                self.steps = child.steps
            if node.grouping:
                out_map.setdefault(name, []).append(value)
            elif name in out_map:
                if isinstance(out_map[name], MaybeAbsent):
                    return Unknown(node.text, node.refs)  # a duplicate only if the other is kept
                return Invalid(node.text, node.refs)  # a duplicate key without `...`
            else:
                out_map[name] = value
        return out_map if node.is_object else out_list

    def call(self, node: Call) -> Any:
        from aiaas_iac.evaluate_functions import call_function

        return call_function(self, node)


def index_value(value: Any, part: Any) -> Any:
    """`value[part]` / `value.part` on a known value, MISSING where Terraform has none."""
    if isinstance(value, dict):
        key = part if isinstance(part, str) else number_text(part) if is_number(part) else None
        return value[key] if key in value else MISSING
    if isinstance(value, list):
        number = to_number(part)
        if isinstance(number, float) and number.is_integer():
            number = int(number)
        if isinstance(number, int) and not isinstance(number, bool) and 0 <= number < len(value):
            return value[number]
    return MISSING


def iteration(collection: Any) -> list[tuple[Any, Any]] | None:
    """(key, value) pairs a `for` visits: list index order, map keys in lexical order."""
    if isinstance(collection, list):
        return list(enumerate(collection))
    if isinstance(collection, dict) and not uncertain_keys(collection):
        return sorted(collection.items(), key=lambda item: item[0])
    return None


_HANDLERS: dict[type, Callable[[Evaluator, Any], Any]] = {
    Traversal: Evaluator.traversal, Template: Evaluator.template, Conditional: Evaluator.conditional,
    BinaryOp: Evaluator.binary, UnaryOp: Evaluator.unary, GetAttr: Evaluator.get_attr, Index: Evaluator.index,
    Splat: Evaluator.splat, ForExpr: Evaluator.for_expression, Call: Evaluator.call,
}
