"""Terraform `count`, `for_each` and `dynamic` blocks, expanded where the collection is literal.

The value resolver leaves `count.index`, `each.key`/`each.value` and a dynamic
block's iterator as `Unknown`s: they differ per instance. When the collection
itself is certain (a literal list or map, a `local`, a variable's default,
`length(...)` of one), `instances()` gives one copy of the resource per
instance with those references replaced, so a check reads
`role = local.roles[count.index]` once for each role. Anything else keeps a
single copy whose per-instance values stay unknown.

python-hcl2 leaves conditionals and operators as opaque `Unknown`s, yet modules
gate almost every optional block, resource and setting with one (`count =
var.enabled ? 1 : 0`, `for_each = var.cmk != null ? [var.cmk] : []`,
`publicNetworkAccess = var.private ? "Disabled" : "Enabled"`). `evaluate()`
works such an expression out when the values it reads are certain (literal
variable defaults, tfvars, locals); `instances()` and `declared()` give
resources with those values filled in, so the settings a module leaves at its
defaults are judged like literals.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Callable, Iterable, Iterator

from aiaas_iac.context import ScanContext
from aiaas_iac.model import Resource, Unknown, blocks_of
from aiaas_iac.parsers.hcl_expressions import (BinaryOp, Call, Conditional, ForExpr, GetAttr, Index, Splat, Template,
                                              Traversal, UnaryOp, collect_refs, traversal_parts)
from aiaas_iac.parsers.terraform import HclSyntaxError, _TreeWalker, expression_tree
from aiaas_iac.resolve import ModuleResolver, module_inputs, value_at

# Terraform allows far more, but a scan must stay bounded on a generated collection.
MAX_INSTANCES = 1000
# Expressions this module evaluates from their source text. Transitional: the tree-sitter backend
# hands them over structured, the lark backend as plain Unknowns; the structured evaluator replaces
# the text evaluation below.
_TEXT_EVALUATED = (Unknown, Conditional, BinaryOp, UnaryOp, GetAttr, Index, Splat, ForExpr)

# `local.roles[count.index]`, `var.roles[each.key].name`: an index the parser cannot evaluate alone.
_INSTANCE_INDEX_RE = re.compile(
    r"^(?P<base>[A-Za-z_][\w.\-\[\]\"]*?)\[(?P<index>count\.index|each\.key|each\.value)\]"
    r"(?P<rest>(?:\.[A-Za-z_][\w-]*|\[\d+\]|\[\"[^\"]*\"\])*)$"
)


def _module_resolver(ctx: ScanContext, near: Resource) -> ModuleResolver:
    def build() -> ModuleResolver:
        variables, locals_ = module_inputs(ctx.in_module(near))
        # A module instance is `dir#module.a` (see module_tree): files are read from `dir`.
        return ModuleResolver(variables, locals_, ctx.root / near.module.split("#", 1)[0], ctx.root)

    return ctx.memo(("terraform_instances.module_resolver", near.format, near.module), build)


def bind_resolver(ctx: ScanContext, format: str, module: str, resolver: ModuleResolver) -> None:
    """Evaluate `module`'s expressions with `resolver` (a module instance's, which also knows
    the outputs of the modules it calls) instead of one built from its variable defaults."""
    ctx.memo(("terraform_instances.module_resolver", format, module), lambda: resolver)


def resolve_reference_text(ctx: ScanContext, near: Resource, text: str) -> Any:
    """The value of a reference written as text (`local.roles`, `var.roles`) in `near`'s module."""
    parts = traversal_parts(text)
    if not parts:
        return Unknown(text)
    return _module_resolver(ctx, near).resolve(Traversal(text, (text,), parts))


class _Substitution:
    """Replaces `count.index`, `each.key`/`each.value` or a dynamic block's iterator in values."""

    def __init__(self, ctx: ScanContext, near: Resource, scope: dict[str, dict]) -> None:
        self.ctx, self.near, self.scope = ctx, near, scope

    def __call__(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, Traversal):
            return self.traversal(value)
        if isinstance(value, Template):
            return self.template(value)
        if type(value) in _TEXT_EVALUATED:
            return self.indexed(value)
        return value

    def traversal(self, value: Traversal) -> Any:
        head = value.parts[0]
        if head not in self.scope:
            return value
        found = value_at(self.scope[head], value.parts[1:], missing=None)
        return value if found is None else found

    def template(self, value: Template) -> Any:
        parts = [self(p) for p in value.parts]
        if all(isinstance(p, (str, int, float)) and not isinstance(p, bool) for p in parts):
            return "".join(str(p) for p in parts)
        return Template(value.text, collect_refs(parts), tuple(parts))

    def indexed(self, value: Unknown) -> Any:
        match = _INSTANCE_INDEX_RE.match(re.sub(r"\s+", "", value.text))
        if not match or match["index"].split(".")[0] not in self.scope:
            return value
        key = self.traversal(Traversal(match["index"], (), tuple(match["index"].split("."))))
        collection = resolve_reference_text(self.ctx, self.near, match["base"])
        if isinstance(key, Unknown) or isinstance(collection, Unknown):
            return value
        found = value_at(collection, (key,) + traversal_parts(match["rest"]), missing=None)
        return value if found is None else found


def _instance_count(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    return None


def instance_scopes(ctx: ScanContext, resource: Resource, limit: int = MAX_INSTANCES) -> list[tuple[Any, dict]] | None:
    """(instance key, substitution scope) for each instance, at most `limit`; None when the
    collection is unknown."""
    if "count" in resource.attributes:
        count = _instance_count(evaluate(ctx, resource, resource.get("count")))
        if count is None:
            return None
        return [(index, {"count": {"index": index}}) for index in range(min(count, limit))]
    collection = evaluate(ctx, resource, resource.get("for_each"))
    if isinstance(collection, dict):
        items = list(collection.items())
    elif isinstance(collection, list) and all(isinstance(k, str) for k in collection):
        items = [(k, k) for k in dict.fromkeys(collection)]
    else:
        return None
    return [(key, {"each": {"key": key, "value": value}}) for key, value in items[:limit]]


def instances(ctx: ScanContext, resource: Resource) -> list[tuple[Any, Resource]]:
    """(instance key, the resource with that instance's values) for each instance Terraform creates.

    The key is None for a resource without `count`/`for_each`, and for one whose
    collection is unknown (its per-instance values then stay Unknown)."""
    if "count" not in resource.attributes and "for_each" not in resource.attributes:
        return [(None, with_known_values(ctx, resource))]
    scopes = instance_scopes(ctx, resource)
    if scopes is None:
        return [(None, with_known_values(ctx, resource))]
    out = []
    for key, scope in scopes:
        attributes = _Substitution(ctx, resource, scope)(dict(resource.attributes))
        instance = dataclasses.replace(resource, attributes=attributes)
        out.append((key, with_known_values(ctx, instance, scope)))
    return out


def declared(ctx: ScanContext, resource: Resource) -> Resource | None:
    """`resource` with its conditionals worked out (see `with_known_values`), or None when its
    `count`/`for_each` certainly creates no instance (`count = var.enabled ? 1 : 0` with the
    variable defaulting to false): the module's defaults do not create it."""
    if ("count" in resource.attributes or "for_each" in resource.attributes) and instance_scopes(ctx, resource) == []:
        return None
    return with_known_values(ctx, resource)


def declared_resources(ctx: ScanContext, resources: Iterable[Resource]) -> Iterator[Resource]:
    """`declared()` over Terraform resources (others pass through): what the module's defaults
    create, with their conditionals worked out."""
    for resource in resources:
        if resource.format != "terraform":
            yield resource
        elif (found := declared(ctx, resource)) is not None:
            yield found


def with_known_values(ctx: ScanContext, resource: Resource, scope: dict | None = None) -> Resource:
    """`resource` with every conditional, operator or function call the code makes certain
    replaced by its value (`for_each = var.cmk != null ? [var.cmk] : []` with `var.cmk`
    defaulting to null is `[]`). The resource itself when nothing changes, so identity
    comparisons with the scanned resources keep working."""
    attributes = _known_values(ctx, resource, dict(resource.attributes), scope)
    if attributes == resource.attributes:
        return resource
    return dataclasses.replace(resource, attributes=attributes)


def _known_values(ctx: ScanContext, near: Resource, value: Any, scope: dict | None) -> Any:
    if isinstance(value, dict):
        return {k: _known_values(ctx, near, v, scope) for k, v in value.items()}
    if isinstance(value, list):
        return [_known_values(ctx, near, v, scope) for v in value]
    if type(value) in _TEXT_EVALUATED or isinstance(value, Call):  # references are the resolver's work
        return evaluate(ctx, near, value, scope)
    return value


def instance_address(address: str, key: Any) -> str:
    if key is None:
        return address
    return f"{address}[{key}]" if isinstance(key, int) else f'{address}["{key}"]'


def expanded_blocks(ctx: ScanContext, resource: Resource, block_type: str) -> Iterator[tuple[tuple, dict, bool]]:
    """(path, block, certain) for each `block_type` block, including `dynamic` ones expanded
    over a literal `for_each`; `certain` is False for a dynamic block whose collection is unknown."""
    for index, block in resource.blocks(block_type):
        yield (block_type, index), block, True
    for index, dynamic in resource.blocks("dynamic"):
        if dynamic.get("__labels__") != [block_type]:
            continue
        content = next((b for _, b in blocks_of(dynamic.get("content"))), {})
        path = ("dynamic", index, "content", 0)
        iterator = dynamic.get("iterator")
        name = iterator.parts[0] if isinstance(iterator, Traversal) else block_type
        collection = evaluate(ctx, resource, dynamic.get("for_each"))
        if isinstance(collection, list):
            items = list(enumerate(collection))
        elif isinstance(collection, dict):
            items = list(collection.items())
        else:
            yield path, content, False
            continue
        for key, value in items[:MAX_INSTANCES]:
            yield path, _Substitution(ctx, resource, {name: {"key": key, "value": value}})(content), True


def some_block_may(ctx: ScanContext, resource: Resource, block_type: str, test: Callable[[dict], bool]) -> bool:
    """Does some `block_type` block pass `test`? True as well for a `dynamic` one over an unknown
    collection, which may add such a block: an unknown never counts toward a finding."""
    return any(not certain or test(block) for _, block, certain in expanded_blocks(ctx, resource, block_type))


def has_dynamic_block(block: dict, block_type: str) -> bool:
    """True when `block` holds a `dynamic "<block_type>"` block: the blocks it makes are not known statically."""
    return any(isinstance(item, dict) and (item.get("__labels__") or [None])[0] == block_type
               for item in block.get("dynamic") or [])


# --- conditionals and operators -------------------------------------------------------------

# Loosest last. python-hcl2 7.x nests operators right to left whatever their precedence
# (`a != null && b` comes out as `a != (null && b)`), so chains are flattened and regrouped.
_PRECEDENCE = (("*", "/", "%"), ("+", "-"), (">", ">=", "<", "<="), ("==", "!="), ("&&",), ("||",))
_UNKNOWN = Unknown("(not statically known)")


def evaluate(ctx: ScanContext, near: Resource, value: Any, scope: dict | None = None) -> Any:
    """`value` worked out where the code makes it certain: conditionals, comparisons, `!`, `&&`,
    `||`, arithmetic and `length`/`coalesce`/`contains` over values the resolver knows (variable
    defaults, locals, and `scope`'s `each`/`count`). Anything else comes back as it was."""
    if not isinstance(value, Unknown) or not value.text:
        return value
    if scope:
        found = _ExpressionEvaluator(ctx, near, scope).evaluate_text(value.text)
    else:
        key = ("terraform_instances.evaluate", near.format, near.module, value.text)
        found = ctx.memo(key, lambda: _ExpressionEvaluator(ctx, near, {}).evaluate_text(value.text))
    return value if isinstance(found, Unknown) else found


def _trees(node: Any) -> list:
    return [c for c in node.children if hasattr(c, "data") and c.data != "new_line_or_comment"]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) != isinstance(b, bool):
        return False  # Terraform: true != 1
    return a == b


def _operate(operator: str, a: Any, b: Any) -> Any:
    if operator in ("&&", "||"):
        decisive = operator == "||"  # the value that settles the result on its own
        if a is decisive or b is decisive:
            return decisive
        return (not decisive) if isinstance(a, bool) and isinstance(b, bool) else _UNKNOWN
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return _UNKNOWN
    if operator in ("==", "!="):
        return _equal(a, b) == (operator == "==")
    if not (_is_number(a) and _is_number(b)) or (operator in ("/", "%") and b == 0):
        return _UNKNOWN
    return {">": lambda: a > b, ">=": lambda: a >= b, "<": lambda: a < b, "<=": lambda: a <= b,
            "+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
            "/": lambda: a / b, "%": lambda: a % b}[operator]()


def _combine(values: list, operators: list) -> Any:
    for level in _PRECEDENCE:
        index = 0
        while index < len(operators):
            if operators[index] in level:
                values[index:index + 2] = [_operate(operators[index], values[index], values[index + 1])]
                del operators[index]
            else:
                index += 1
    return values[0]


class _ExpressionEvaluator:
    """Evaluates one expression's lark tree against a module's known values."""

    def __init__(self, ctx: ScanContext, near: Resource, scope: dict) -> None:
        self.ctx, self.near, self.scope = ctx, near, scope
        self.walker: _TreeWalker | None = None

    def evaluate_text(self, text: str) -> Any:
        try:
            source, tree = expression_tree(text)
        except (HclSyntaxError, RecursionError):
            return _UNKNOWN
        attributes = [c for c in tree.children[0].children if getattr(c, "data", None) == "attribute"]
        if len(attributes) != 1:
            return _UNKNOWN
        self.walker = _TreeWalker(source)
        try:
            return self.node(attributes[0].children[-1])
        except (RecursionError, TypeError, ValueError, AttributeError, IndexError, KeyError):
            return _UNKNOWN

    def node(self, node: Any) -> Any:
        kind = node.data
        if kind == "expr_term" and len(_trees(node)) == 1 and any(str(c) == "(" for c in node.children):
            return self.node(_trees(node)[0])
        if kind == "expr_term" and len(_trees(node)) == 1 and _trees(node)[0].data in (
                "conditional", "binary_op", "unary_op", "function_call", "expr_term"):
            return self.node(_trees(node)[0])
        handler = {"conditional": self.conditional, "binary_op": self.binary, "unary_op": self.unary,
                   "function_call": self.function_call}.get(kind)
        return handler(node) if handler else self.leaf(node)

    def leaf(self, node: Any) -> Any:
        value = _Substitution(self.ctx, self.near, self.scope)(self.walker.expression(node, ()))
        return _module_resolver(self.ctx, self.near).resolve(value)

    def conditional(self, node: Any) -> Any:
        condition, if_true, if_false = _trees(node)
        return self.choose(self.node(condition), if_true, if_false)

    def choose(self, condition: Any, if_true: Any, if_false: Any) -> Any:
        if condition is True:
            return self.node(if_true)
        return self.node(if_false) if condition is False else _UNKNOWN

    def binary(self, node: Any) -> Any:
        operands, operators, tail = [], [], None
        while True:
            left, term = _trees(node)
            operator_node, right = _trees(term)
            operands.append(left)
            operators.append(str(operator_node.children[0]))
            if right.data == "binary_op":
                node = right
                continue
            if right.data == "conditional":  # `a == b ? x : y` is `(a == b) ? x : y`
                condition, *tail = _trees(right)
                operands.append(condition)
            else:
                operands.append(right)
            break
        result = _combine([self.node(o) for o in operands], operators)
        return self.choose(result, *tail) if tail else result

    def unary(self, node: Any) -> Any:
        operator = str(node.children[0])
        operand = self.node(_trees(node)[-1])
        if operator == "!" and isinstance(operand, bool):
            return not operand
        return -operand if operator == "-" and _is_number(operand) else _UNKNOWN

    def function_call(self, node: Any) -> Any:
        trees = _trees(node)
        name = self.walker.identifier(trees[0])
        args = [self.node(a) for a in (_trees(trees[1]) if len(trees) > 1 else [])]
        if name == "length" and len(args) == 1 and isinstance(args[0], (list, dict, str)):
            return len(args[0])
        if name == "contains" and len(args) == 2 and isinstance(args[0], list) and not isinstance(args[1], Unknown):
            return any(_equal(item, args[1]) for item in args[0]) or (
                _UNKNOWN if any(isinstance(item, Unknown) for item in args[0]) else False)
        if name == "coalesce":
            for arg in args:
                if isinstance(arg, Unknown):
                    return _UNKNOWN
                if arg is not None and arg != "":
                    return arg
            return _UNKNOWN
        if any(isinstance(a, Unknown) for a in args):
            return _UNKNOWN
        found = _module_resolver(self.ctx, self.near).resolve(Call(name, (), name, tuple(args)))
        return _UNKNOWN if isinstance(found, Unknown) else found
