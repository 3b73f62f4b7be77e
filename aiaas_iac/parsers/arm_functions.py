"""The ARM template function library, shared by the Bicep and ARM JSON evaluators.

Bicep compiles to ARM JSON and both call the same functions (`concat`,
`format`, `resourceId`, `listKeys`, ...): one implementation serves both, so
a value means the same in either format. Values are plain Python values and
`Unknown`s. A function over an unknown argument returns an `Unknown` that
keeps the argument's references, except where the result is certain anyway
(`coalesce('a', x)`, `empty([])`).

References (`Unknown.refs`) name what a value comes from as
`<resource address>[.<attribute path>]`: `openai.identity.principalId`,
`openai.listKeys().key1`, `Microsoft.CognitiveServices/accounts/oai.id`;
`resourceGroup()`, `subscription()` and `managementGroup()` name the
deployment's scopes. The Azure semantics (`aiaas_iac/iam/azure*.py`) follow
them to resources.

Every result is bounded: strings longer than MAX_STRING and collections longer
than MAX_ITEMS become unknown instead of being built.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any, Callable

from aiaas_iac.model import Unknown

MAX_STRING = 1 << 20
MAX_ITEMS = 10_000
SCOPE_REFS = ("resourceGroup()", "subscription()", "managementGroup()", "tenant()")


class ResourceLink:
    """How the evaluator of one template turns a resource ID built by `resourceId(...)` into the
    address of a resource it declares (ARM addresses are `<type>/<name>`); Bicep links by symbol."""

    def address(self, type_: str, names: list) -> str:
        return f"{type_}/{'/'.join(name_key(n) for n in names)}"


def name_key(name: Any) -> str:
    """A resource name as part of a link key: itself, or `<expression>` for a name known only at
    deploy time (`parameters('name')` without a default is the same unknown wherever it is used)."""
    return name if isinstance(name, str) else f"<{name.text}>" if isinstance(name, Unknown) else "?"


def refs_of(*values: Any) -> tuple[str, ...]:
    """Every reference in `values` (nested lists and dicts included), in order, once."""
    found: dict[str, None] = {}
    stack = list(values)
    budget = MAX_ITEMS
    while stack and budget > 0:
        budget -= 1
        value = stack.pop(0)
        if isinstance(value, Unknown):
            found.update(dict.fromkeys(value.refs))
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return tuple(found)


def unknown(text: str, *values: Any) -> Unknown:
    return Unknown(text, refs_of(*values))


def contains_unknown(value: Any, depth: int = 0) -> bool:
    if isinstance(value, Unknown):
        return True
    if depth > 64:
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v, depth + 1) for v in value)
    return False


def member(value: Any, name: str, text: str, safe: bool = False) -> Any:
    """`value.name` (`.?name` when `safe`): a property of a known object, or an unknown whose
    references extend by the property (`openai.identity` -> `openai.identity.principalId`)."""
    if isinstance(value, Unknown):
        if len(value.refs) == 1 and value.refs[0] not in SCOPE_REFS:
            return Unknown(text, (f"{value.refs[0]}.{name}",))
        return Unknown(text, value.refs)
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and key.lower() == name.lower():
                return item
        return None if safe else Unknown(text)
    if value is None and safe:
        return None
    return Unknown(text)


def index(value: Any, key: Any, text: str, safe: bool = False) -> Any:
    if isinstance(value, Unknown) or isinstance(key, Unknown):
        return unknown(text, value, key)
    if isinstance(value, list) and isinstance(key, int) and not isinstance(key, bool):
        return value[key] if -len(value) <= key < len(value) else (None if safe else Unknown(text))
    if isinstance(value, dict) and isinstance(key, str):
        return member(value, key, text, safe)
    return None if safe and value is None else Unknown(text)


# --- conversions and comparisons -----------------------------------------------------------

def to_text(value: Any) -> str | None:
    """The text ARM makes of a value inside `format`/`concat`/interpolation; None if unknown."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float, str)):
        return str(value)
    if value is None:
        return ""
    if isinstance(value, (dict, list)) and not contains_unknown(value):
        return json.dumps(value, separators=(",", ":"))
    return None


def join_text(parts: list[Any], text: str) -> Any:
    """String interpolation / concatenation of `parts`; unknown when any part is."""
    pieces = []
    size = 0
    for part in parts:
        piece = to_text(part)
        if piece is None:
            return unknown(text, *parts)
        size += len(piece)
        if size > MAX_STRING:
            return Unknown(text)
        pieces.append(piece)
    return "".join(pieces)


def equal(a: Any, b: Any) -> Any:
    if contains_unknown(a) or contains_unknown(b):
        return None
    if _is_number(a) and _is_number(b):
        return a == b
    return type(a) is type(b) and a == b


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def truth(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _bounded(value: Any, text: str) -> Any:
    if isinstance(value, str) and len(value) > MAX_STRING:
        return Unknown(text)
    if isinstance(value, (list, dict)) and len(value) > MAX_ITEMS:
        return Unknown(text)
    return value


# --- the functions -------------------------------------------------------------------------

def _format(text: str, fmt: Any, *args: Any) -> Any:
    if not isinstance(fmt, str):
        return unknown(text, fmt, *args)
    out = []

    def substitute(match: re.Match) -> str:
        if match.group(0) in ("{{", "}}"):
            return match.group(0)[0]
        position = int(match.group(1))
        if position >= len(args):
            raise _Undecided
        piece = to_text(args[position])
        if piece is None:
            raise _Undecided
        out.append(piece)
        return piece

    try:
        result = re.sub(r"\{\{|\}\}|\{(\d{1,3})(?::[^}]*)?\}", substitute, fmt)
    except _Undecided:
        return unknown(text, *args)
    return _bounded(result, text)


class _Undecided(Exception):
    pass


def _concat(text: str, *args: Any) -> Any:
    if args and all(isinstance(a, list) for a in args):
        joined = [item for a in args for item in a]
        return _bounded(joined, text)
    if any(isinstance(a, list) for a in args) and not any(isinstance(a, Unknown) for a in args):
        return Unknown(text)
    if any(isinstance(a, Unknown) for a in args) and not any(isinstance(a, str) for a in args):
        return unknown(text, *args)
    return join_text(list(args), text)


def _hash_text(text: str, args: tuple, length: int) -> Any:
    """uniqueString/guid: deterministic over known arguments (ARM's own hash is not needed:
    names are compared within one evaluation)."""
    pieces = [to_text(a) for a in args]
    if any(p is None for p in pieces) or not args:
        return unknown(text, *args)
    digest = hashlib.sha256("\x1f".join(pieces).encode("utf-8", "surrogateescape")).hexdigest()
    if length == 36:
        return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
    return digest[:length]


def _coalesce(text: str, *args: Any) -> Any:
    for arg in args:
        if isinstance(arg, Unknown):
            return unknown(text, *args)
        if arg is not None:
            return arg
    return None


def _empty(text: str, value: Any) -> Any:
    if value is None:
        return True
    if isinstance(value, (str, list, dict)):
        return len(value) == 0
    return unknown(text, value)


def _contains(text: str, container: Any, item: Any) -> Any:
    if contains_unknown(container) or isinstance(item, Unknown):
        return unknown(text, container, item)
    if isinstance(container, str) and isinstance(item, (str, int)):
        return str(item).lower() in container.lower()
    if isinstance(container, list):
        return any(equal(item, other) for other in container)
    if isinstance(container, dict) and isinstance(item, str):
        return any(isinstance(k, str) and k.lower() == item.lower() for k in container)
    return unknown(text, container, item)


def _union(text: str, *args: Any) -> Any:
    if args and all(isinstance(a, dict) for a in args):
        merged: dict = {}
        for arg in args:
            for key, value in arg.items():
                if isinstance(merged.get(key), dict) and isinstance(value, dict):
                    merged[key] = _union(text, merged[key], value)
                else:
                    merged[key] = value
        return _bounded(merged, text)
    if args and all(isinstance(a, list) for a in args):
        out: list = []
        for arg in args:
            for item in arg:
                if not any(equal(item, seen) is True for seen in out):
                    out.append(item)
        return _bounded(out, text)
    return unknown(text, *args)


def _length(text: str, value: Any) -> Any:
    return len(value) if isinstance(value, (str, list, dict)) else unknown(text, value)


def _range(text: str, start: Any, count: Any) -> Any:
    if not (_is_number(start) and _is_number(count)) or count < 0:
        return unknown(text, start, count)
    if count > MAX_ITEMS:
        return Unknown(text)
    return list(range(int(start), int(start) + int(count)))


def _string(text: str, value: Any) -> Any:
    if isinstance(value, str):
        return value
    piece = to_text(value)
    if isinstance(value, bool):
        piece = "true" if value else "false"
    return piece if piece is not None else unknown(text, value)


def _bool(text: str, value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if _is_number(value):
        return value != 0
    return unknown(text, value)


def _int(text: str, value: Any) -> Any:
    if _is_number(value):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,18}", value.strip()):
        return int(value)
    return unknown(text, value)


def _strings(text: str, fn: Callable[..., Any], *args: Any) -> Any:
    """`fn` over string (or number) arguments; unknown when one is not."""
    if not all(isinstance(a, str) or _is_number(a) for a in args):
        return unknown(text, *args)
    try:
        return _bounded(fn(*args), text)
    except (ValueError, TypeError, IndexError):
        return Unknown(text)


def _first_last(text: str, value: Any, last: bool) -> Any:
    if isinstance(value, (str, list)):
        return (value[-1] if last else value[0]) if value else None
    return unknown(text, value)


def _join(text: str, items: Any, separator: Any) -> Any:
    if not isinstance(items, list) or not isinstance(separator, str):
        return unknown(text, items, separator)
    return join_text(sum(([separator, item] for item in items), [])[1:], text)


def _split(text: str, value: Any, separator: Any) -> Any:
    if not isinstance(value, str):
        return unknown(text, value, separator)
    if isinstance(separator, list) and all(isinstance(s, str) and s for s in separator):
        pattern = "|".join(re.escape(s) for s in separator)
        return _bounded(re.split(pattern, value), text)
    if isinstance(separator, str) and separator:
        return _bounded(value.split(separator), text)
    return Unknown(text)


def _if(text: str, condition: Any, yes: Any, no: Any) -> Any:
    decided = truth(condition)
    if decided is None:
        return unknown(text, condition, yes, no)
    return yes if decided else no


def _logical(text: str, op: str, *args: Any) -> Any:
    values = [truth(a) for a in args]
    if op == "and":
        if any(v is False for v in values):
            return False
        return True if all(v is True for v in values) else unknown(text, *args)
    if any(v is True for v in values):
        return True
    return False if all(v is False for v in values) else unknown(text, *args)


def _compare(text: str, op: str, a: Any, b: Any) -> Any:
    if _is_number(a) and _is_number(b) or isinstance(a, str) and isinstance(b, str):
        return {"less": a < b, "lessOrEquals": a <= b, "greater": a > b, "greaterOrEquals": a >= b}[op]
    return unknown(text, a, b)


def _arith(text: str, op: str, a: Any, b: Any) -> Any:
    if not (_is_number(a) and _is_number(b)):
        return unknown(text, a, b)
    if op in ("div", "mod") and b == 0:
        return Unknown(text)
    result = {"add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b,
              "div": lambda: int(a / b), "mod": lambda: a % b}[op]()
    return result if abs(result) < 1 << 62 else Unknown(text)


# --- resource IDs and runtime values -------------------------------------------------------

def _type_and_names(args: tuple) -> tuple[str, list[str]] | None:
    """(type, names) of `resourceId([subscriptionId], [rgName], type, name1, ...)`: the type is
    the first argument holding a `/`; IDs given before it are the subscription and group."""
    for position, arg in enumerate(args):
        if isinstance(arg, str) and "/" in arg and "." in arg.split("/", 1)[0]:
            names = list(args[position + 1:])
            if names and all(isinstance(n, (str, Unknown)) for n in names):
                return arg, names
            return None
    return None


def resource_id(text: str, link: ResourceLink, *args: Any) -> Any:
    """`resourceId('Microsoft.X/y', 'name')`: the ID of a resource the template may declare; its
    reference names that resource's address, so checks can follow it to the declaration."""
    found = _type_and_names(args)
    if found is None:
        return unknown(text, *args)
    type_, names = found
    return Unknown(text, (f"{link.address(type_, names)}.id",))


def resource_function(text: str, function: str, target: Any, link: ResourceLink) -> Any:
    """`listKeys(id, ...)`, `reference(id, ...)`, `list*(...)`: a runtime value of the resource
    `target` names, unknown, with the reference `<address>.<function>()` (or the resource's
    `properties` for `reference` without 'Full')."""
    base = None
    if isinstance(target, Unknown) and len(target.refs) == 1:
        ref = target.refs[0]
        base = ref[:-3] if ref.endswith(".id") else ref
    elif isinstance(target, str) and "/" not in target:
        base = target  # reference('symbolicName') in languageVersion 2.0 templates
    if base is None:
        return unknown(text, target)
    return Unknown(text, (f"{base}.{function}()",))


def scope_object(name: str) -> Unknown:
    """`resourceGroup()`, `subscription()`: the deployment's scope, known only at deploy time."""
    return Unknown(f"{name}()", (f"{name}()",))


def _json(text: str, value: Any) -> Any:
    if not isinstance(value, str) or len(value) > MAX_STRING:
        return unknown(text, value)
    try:
        return json.loads(value)
    except (ValueError, RecursionError):
        return Unknown(text)


def _base64(text: str, value: Any) -> Any:
    if not isinstance(value, str):
        return unknown(text, value)
    return base64.b64encode(value.encode("utf-8", "surrogateescape")).decode("ascii")


def _take_skip(text: str, value: Any, count: Any, take: bool) -> Any:
    if not isinstance(value, (str, list)) or not _is_number(count):
        return unknown(text, value, count)
    count = max(0, int(count))
    return value[:count] if take else value[count:]


def _object(text: str, *args: Any) -> Any:
    if len(args) % 2 or not all(isinstance(k, str) for k in args[::2]):
        return unknown(text, *args)
    return dict(zip(args[::2], args[1::2]))


def _items(text: str, value: Any) -> Any:
    if not isinstance(value, dict):
        return unknown(text, value)
    return [{"key": k, "value": v} for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))]


_RUNTIME = frozenset({"utcnow", "newguid", "deployment", "environment", "tenant", "managementgroup", "deployer"})


_FUNCTIONS: dict[str, Callable[[str, tuple, ResourceLink], Any]] = {
    "format": lambda text, a, link: _format(text, *a) if a else Unknown(text),
    "concat": lambda text, a, link: _concat(text, *a),
    "uniquestring": lambda text, a, link: _hash_text(text, a, 13),
    "guid": lambda text, a, link: _hash_text(text, a, 36),
    "coalesce": lambda text, a, link: _coalesce(text, *a),
    "empty": lambda text, a, link: _empty(text, *a[:1]),
    "contains": lambda text, a, link: _contains(text, *a[:2]),
    "union": lambda text, a, link: _union(text, *a),
    "length": lambda text, a, link: _length(text, *a[:1]),
    "range": lambda text, a, link: _range(text, *a[:2]),
    "string": lambda text, a, link: _string(text, *a[:1]),
    "bool": lambda text, a, link: _bool(text, *a[:1]),
    "int": lambda text, a, link: _int(text, *a[:1]),
    "tolower": lambda text, a, link: _strings(text, lambda s: s.lower(), *a[:1]),
    "toupper": lambda text, a, link: _strings(text, lambda s: s.upper(), *a[:1]),
    "trim": lambda text, a, link: _strings(text, lambda s: s.strip(), *a[:1]),
    "replace": lambda text, a, link: _strings(text, lambda s, o, n: s.replace(o, n), *a[:3]),
    "substring": lambda text, a, link: _strings(text, lambda s, i, n=None: s[int(i):None if n is None else int(i) + int(n)], *a[:3]),
    "startswith": lambda text, a, link: _strings(text, lambda s, p: s.lower().startswith(p.lower()), *a[:2]),
    "endswith": lambda text, a, link: _strings(text, lambda s, p: s.lower().endswith(p.lower()), *a[:2]),
    "indexof": lambda text, a, link: _strings(text, lambda s, p: s.lower().find(p.lower()), *a[:2]),
    "first": lambda text, a, link: _first_last(text, *a[:1], last=False),
    "last": lambda text, a, link: _first_last(text, *a[:1], last=True),
    "join": lambda text, a, link: _join(text, *a[:2]),
    "split": lambda text, a, link: _split(text, *a[:2]),
    "if": lambda text, a, link: _if(text, *a[:3]),
    "not": lambda text, a, link: (not a[0]) if isinstance(a[0], bool) else unknown(text, *a),
    "and": lambda text, a, link: _logical(text, "and", *a),
    "or": lambda text, a, link: _logical(text, "or", *a),
    "equals": lambda text, a, link: (lambda r: unknown(text, *a) if r is None else r)(equal(*a[:2])),
    "less": lambda text, a, link: _compare(text, "less", *a[:2]),
    "lessorequals": lambda text, a, link: _compare(text, "lessOrEquals", *a[:2]),
    "greater": lambda text, a, link: _compare(text, "greater", *a[:2]),
    "greaterorequals": lambda text, a, link: _compare(text, "greaterOrEquals", *a[:2]),
    "add": lambda text, a, link: _arith(text, "add", *a[:2]),
    "sub": lambda text, a, link: _arith(text, "sub", *a[:2]),
    "mul": lambda text, a, link: _arith(text, "mul", *a[:2]),
    "div": lambda text, a, link: _arith(text, "div", *a[:2]),
    "mod": lambda text, a, link: _arith(text, "mod", *a[:2]),
    "min": lambda text, a, link: min(a) if a and all(_is_number(x) for x in a) else unknown(text, *a),
    "max": lambda text, a, link: max(a) if a and all(_is_number(x) for x in a) else unknown(text, *a),
    "createarray": lambda text, a, link: list(a),
    "array": lambda text, a, link: a[0] if isinstance(a[0], list) else [a[0]] if not isinstance(a[0], Unknown) else unknown(text, *a),
    "createobject": lambda text, a, link: _object(text, *a),
    "json": lambda text, a, link: _json(text, *a[:1]),
    "base64": lambda text, a, link: _base64(text, *a[:1]),
    "take": lambda text, a, link: _take_skip(text, *a[:2], take=True),
    "skip": lambda text, a, link: _take_skip(text, *a[:2], take=False),
    "items": lambda text, a, link: _items(text, *a[:1]),
    "null": lambda text, a, link: None,
    "true": lambda text, a, link: True,
    "false": lambda text, a, link: False,
    "resourceid": lambda text, a, link: resource_id(text, link, *a),
    "subscriptionresourceid": lambda text, a, link: resource_id(text, link, *a),
    "tenantresourceid": lambda text, a, link: resource_id(text, link, *a),
    "extensionresourceid": lambda text, a, link: resource_id(text, link, *a[1:]),
    "resourcegroup": lambda text, a, link: scope_object("resourceGroup") if not a else unknown(text, *a),
    "subscription": lambda text, a, link: scope_object("subscription") if not a else unknown(text, *a),
}


def call(name: str, args: list[Any], text: str, link: ResourceLink) -> Any:
    """The value of calling template function `name` (any case, `sys.` prefix allowed) on
    evaluated `args`; an unknown naming the arguments' references for anything not decidable."""
    fn = name.lower().removeprefix("sys.")
    a = tuple(args)
    simple = _FUNCTIONS.get(fn)
    if simple is not None:
        try:
            return simple(text, a, link)
        except (TypeError, IndexError):
            return unknown(text, *a)
    if fn == "reference" and a:
        full = len(a) > 2 and isinstance(a[2], str) and a[2].lower() == "full"
        found = resource_function(text, "reference", a[0], link)
        if isinstance(found, Unknown) and found.refs and found.refs[0].endswith(".reference()"):
            base = found.refs[0][: -len(".reference()")]
            return Unknown(text, (base if full else f"{base}.properties",))
        return found
    if fn.startswith("list") and a:
        return resource_function(text, name.removeprefix("sys."), a[0], link)
    if fn in _RUNTIME:
        return Unknown(text)
    return unknown(text, *a)
