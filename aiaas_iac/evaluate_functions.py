"""Terraform's built-in functions over known values, for `evaluate.Evaluator`.

Each function declares how much of each argument must be known: `deep` (every part, e.g.
`join`'s strings), `shallow` (the collection itself, not its elements: `length([x, y])` is 2
whatever x is) or `lazy` (`try`, `can`, `coalesce`: they decide themselves). A function that
gets less than it needs is unknown; one whose arguments Terraform would reject is `Invalid`.
"""

from __future__ import annotations

import base64
import functools
import math
import re
from typing import Any, Callable

from aiaas_iac.evaluate import (MAX_VALUE_CHARS, MAX_VALUE_ITEMS, MISSING, EncodedList, EncodedMap, Evaluator, Invalid,
                                uncertain_keys,
                                encoded, equal, first_invalid, fits, has_unknown, index_value, is_number, json_text,
                                to_bool, to_number, to_text)
from aiaas_iac.model import Unknown
from aiaas_iac.parsers.hcl_expressions import Call, Template, collect_refs

_REGEX_TIMEOUT = 0.05  # seconds for one regex replace
_REGEX_SUBJECT = 100_000  # characters a regex replace reads at most
_RANGE_LIMIT = 1024 * 1024  # Terraform's own limit on range()


class _Reject(Exception):
    """Terraform would report an error for these arguments."""


def _need(condition: bool) -> None:
    if not condition:
        raise _Reject


def _text(value: Any) -> str:
    text = to_text(value)
    _need(text is not None)
    return text  # type: ignore[return-value]


def _texts(values: list) -> list[str]:
    return [_text(v) for v in values]


def _sized(value: Any) -> Any:
    _need(fits(value))
    return value


def _list(value: Any) -> list:
    _need(isinstance(value, list))
    return value


def _map(value: Any) -> dict:
    _need(isinstance(value, dict))
    return value


def _int(value: Any) -> int:
    number = to_number(value)
    _need(number is not None and float(number).is_integer())
    return int(number)  # type: ignore[arg-type]


def _distinct(items: list) -> list:
    out: list = []
    for item in items:
        if not any(equal(item, seen) for seen in out):
            out.append(item)
        _need(len(out) < 10_000)  # pairwise comparison: bounded
    return out


def _set(items: list) -> list:
    """A set of known values as Terraform orders it: strings lexically, numbers by value."""
    unique = _distinct(items)
    if all(isinstance(i, str) for i in unique):
        return sorted(unique)
    if all(is_number(i) for i in unique):
        return sorted(unique)
    return unique


def _flatten(value: list, out: list, depth: int = 0) -> None:
    _need(depth < 64)
    for item in value:
        if isinstance(item, Unknown):
            raise _Unknown
        if isinstance(item, list):
            _flatten(item, out, depth + 1)
        else:
            out.append(item)
            _need(len(out) <= MAX_VALUE_ITEMS)


class _Unknown(Exception):
    """The result depends on an unknown part."""


def _coalesce(args: list) -> Any:
    for arg in args:
        if isinstance(arg, Unknown):
            raise _Unknown
        if arg is not None and arg != "":
            return arg
    raise _Reject


def _coalescelist(args: list) -> Any:
    for arg in args:
        if isinstance(arg, Unknown):
            raise _Unknown
        if _list(arg):
            return arg
    return []


def _lookup(mapping: dict, key: Any, *default: Any) -> Any:
    found = _map(mapping).get(_text(key), MISSING)
    if found is MISSING:
        _need(len(default) == 1)
        return default[0]
    return found


def _element(items: list, index: Any) -> Any:
    _need(bool(_list(items)))
    position = _int(index)
    _need(position >= 0)
    return items[position % len(items)]


def _one(items: Any) -> Any:
    _need(isinstance(items, list) and len(items) <= 1)
    return items[0] if items else None


def _contains(items: list, value: Any) -> bool:
    if any(not has_unknown(i) and equal(i, value) for i in _list(items)):
        return True
    if any(has_unknown(i) for i in items):
        raise _Unknown
    return False


def _zipmap(keys: list, values: list) -> dict:
    _need(len(_list(keys)) == len(_list(values)))
    return dict(zip(_texts(keys), values))


def _range(*args: Any) -> list:
    numbers = [to_number(a) for a in args]
    _need(1 <= len(numbers) <= 3 and all(n is not None for n in numbers))
    start, stop, step = (0, numbers[0], 1) if len(numbers) == 1 else (numbers[0], numbers[1], numbers[2] if len(numbers) == 3 else 1)
    _need(step != 0)
    count = max(0, math.ceil((stop - start) / step))  # type: ignore[operator]
    if count > min(_RANGE_LIMIT, MAX_VALUE_ITEMS):
        raise _Unknown  # Terraform refuses past 1024*1024; we stop at the value limit
    return [start + i * step for i in range(count)]  # type: ignore[operator]


def _format(spec: Any, *args: Any) -> str:
    """Terraform's `format` for the verbs policy code uses: %s %d %f %v %q %t %%."""
    text, out, position, used = _text(spec), [], 0, 0
    for match in re.finditer(r"%(?:\[(\d+)\])?([-+# 0]*)(\d*)(?:\.(\d+))?([a-zA-Z%])", text):
        out.append(text[position:match.start()])
        position = match.end()
        verb = match.group(5)
        if verb == "%":
            out.append("%")
            continue
        index = int(match.group(1)) - 1 if match.group(1) else used
        _need(0 <= index < len(args))
        used = index + 1
        value = args[index]
        if verb in ("s", "v"):
            piece = _text(value) if not isinstance(value, (dict, list)) else json_text(value)
        elif verb == "q":
            piece = json_text(_text(value))
        elif verb == "d":
            piece = str(_int(value))
        elif verb in ("f", "e", "g"):
            number = to_number(value)
            _need(number is not None)
            precision = int(match.group(4)) if match.group(4) is not None else 6
            piece = format(float(number), f".{min(precision, 50)}{verb}")  # type: ignore[arg-type]
        elif verb == "t":
            _need(isinstance(value, bool))
            piece = "true" if value else "false"
        else:
            raise _Reject
        _need(piece is not None)
        width = int(match.group(3) or 0)
        _need(width <= 1000)
        flags = match.group(2)
        piece = piece.ljust(width) if "-" in flags else piece.rjust(width, "0" if "0" in flags and verb in "df" else " ")  # type: ignore[union-attr]
        out.append(piece)  # type: ignore[arg-type]
        _need(sum(len(p) for p in out) <= MAX_VALUE_CHARS)
    out.append(text[position:])
    return "".join(out)


_GO_EXPAND = re.compile(r"\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))")


def _go_replacement(template: str) -> Callable:
    """Go's regexp Expand, which Terraform's `replace` uses: `$1`, `${1}`, `$name`, `${name}`, `$$`."""
    def replace(match: Any) -> str:
        def expand(ref: Any) -> str:
            if ref.group(1) == "$":
                return "$"
            name = ref.group(2) or ref.group(3)
            try:
                return match.group(int(name) if name.isdigit() else name) or ""
            except (IndexError, KeyError):
                return ""
        return _GO_EXPAND.sub(expand, template)

    return replace


def _replace(text: Any, search: Any, replacement: Any) -> str:
    subject, pattern, by = _text(text), _text(search), _text(replacement)
    if len(pattern) > 1 and pattern.startswith("/") and pattern.endswith("/"):
        import regex

        if len(subject) > _REGEX_SUBJECT:
            raise _Unknown
        try:
            compiled = regex.compile(pattern[1:-1])
            result = compiled.sub(_go_replacement(by), subject, timeout=_REGEX_TIMEOUT)
        except TimeoutError:
            raise _Unknown from None
        except (regex.error, ValueError, OverflowError):
            raise _Reject from None
    else:
        _need(len(subject) <= MAX_VALUE_CHARS)
        result = subject.replace(pattern, by) if pattern else subject
    _need(len(result) <= MAX_VALUE_CHARS)
    return result


def _regex_results(pattern: Any, text: Any, first_only: bool) -> Any:
    """Terraform's regex/regexall: the match, or its captures (a list, or a map when named)."""
    import regex

    subject, source = _text(text), _text(pattern)
    if len(subject) > _REGEX_SUBJECT:
        raise _Unknown
    try:
        compiled = regex.compile(source)
        matches = []
        for found in compiled.finditer(subject, timeout=_REGEX_TIMEOUT):
            if compiled.groupindex:
                matches.append({name: found.group(name) for name in compiled.groupindex})
            elif compiled.groups:
                matches.append(list(found.groups()))
            else:
                matches.append(found.group(0))
            if len(matches) > MAX_VALUE_ITEMS:
                raise _Unknown  # Terraform would build it; too big for a scan to know
            if first_only:
                break
    except TimeoutError:
        raise _Unknown from None
    except (regex.error, ValueError, OverflowError):
        raise _Reject from None
    if first_only:
        _need(bool(matches))  # Terraform: "pattern did not match any part of the given string"
        return matches[0]
    return matches


def _index(items: Any, value: Any) -> int:
    for position, item in enumerate(_list(items)):
        if has_unknown(item):
            raise _Unknown
        if equal(item, value):
            return position
    raise _Reject


def _setproduct(*collections: Any) -> list:
    lists = [_list(c) for c in collections]
    _need(len(lists) >= 2)
    total = 1
    for items in lists:
        total *= len(items)
        if total > MAX_VALUE_ITEMS:
            raise _Unknown  # Terraform would build it; too big for a scan to know
    out: list = [[]]
    for items in lists:
        out = [prefix + [item] for prefix in out for item in items]
    return out


def _jsondecode(text: Any) -> Any:
    import json

    source = _text(text)
    _need(len(source) <= MAX_VALUE_CHARS)
    try:
        return _sized(json.loads(source))
    except (ValueError, RecursionError):
        raise _Reject from None


def _yamldecode(text: Any) -> Any:
    import yaml

    source = _text(text)
    _need(len(source) <= MAX_VALUE_CHARS)
    try:
        value = yaml.load(source, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError, ValueError):
        raise _Reject from None
    _need(fits(value))  # aliases share parts: measured as written out, bounded
    _need(_plain(value))
    return value


def _plain(value: Any) -> bool:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if not all(isinstance(k, str) for k in node):
                return False
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif not (node is None or isinstance(node, (str, int, float, bool))):
            return False
    return True


def _base64decode(text: Any) -> str:
    try:
        return base64.b64decode(_text(text), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise _Reject from None


def _substr(text: Any, offset: Any, length: Any) -> str:
    value, start, count = _text(text), _int(offset), _int(length)
    if start < 0:
        start = max(0, len(value) + start)
    _need(start <= len(value))
    return value[start:] if count == -1 else value[start:start + count]


def _slice(items: Any, start: Any, end: Any) -> list:
    first, last = _int(start), _int(end)
    _need(0 <= first <= last <= len(_list(items)))
    return items[first:last]


def _chunklist(items: Any, size: Any) -> list:
    count = _int(size)
    _need(count >= 0)
    items = _list(items)
    return [items] if count == 0 else [items[i:i + count] for i in range(0, len(items), count)]


def _trim(text: Any, characters: Any) -> str:
    return _text(text).strip(_text(characters))


def _title(text: Any) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in _text(text).split(" "))


def _hash(name: str) -> Callable:
    import hashlib

    return lambda text: getattr(hashlib, name)(_text(text).encode()).hexdigest()


def _sum(items: Any) -> Any:
    numbers = [to_number(i) for i in _list(items)]
    _need(bool(numbers) and all(n is not None for n in numbers))
    return sum(numbers)  # type: ignore[arg-type]


def _tomap(value: Any) -> dict:
    return _map(value)


def _tostring(value: Any) -> Any:
    if value is None:
        return None
    _need(not isinstance(value, (dict, list)) or isinstance(value, (EncodedMap, EncodedList)))
    return _text(value)


def _tonumber(value: Any) -> Any:
    if value is None:
        return None
    number = to_number(value)
    _need(number is not None)
    return number


def _tobool(value: Any) -> Any:
    if value is None:
        return None
    decided = to_bool(value)
    _need(decided is not None)
    return decided


def _merge(*maps: Any) -> dict:
    merged: dict = {}
    for mapping in maps:
        if mapping is None:
            continue
        merged.update(_map(mapping))
    return merged


def _concat(*lists: Any) -> list:
    _need(sum(len(_list(items)) for items in lists) <= MAX_VALUE_ITEMS)
    return [item for items in lists for item in items]


def _transpose(mapping: Any) -> dict:
    out: dict = {}
    for key, values in sorted(_map(mapping).items()):
        for value in _list(values):
            out.setdefault(_text(value), []).append(key)
    return {k: sorted(v) for k, v in out.items()}


def _join(separator: Any, *lists: Any) -> str:
    items = [_text(i) for items in lists for i in _list(items)]
    text = _text(separator).join(items)
    _need(len(text) <= MAX_VALUE_CHARS)
    return text


def _split(separator: Any, text: Any) -> list:
    pieces = _text(text).split(_text(separator)) if _text(separator) else list(_text(text))
    _need(len(pieces) <= MAX_VALUE_ITEMS)
    return pieces


def _formatlist(spec: Any, *args: Any) -> list:
    lengths = {len(a) for a in args if isinstance(a, list)}
    _need(len(lengths) <= 1)
    count = lengths.pop() if lengths else 1
    _need(count <= MAX_VALUE_ITEMS)
    return [_format(spec, *[a[i] if isinstance(a, list) else a for a in args]) for i in range(count)]


def _minmax(pick: Callable) -> Callable:
    def apply(*args: Any) -> Any:
        numbers = [to_number(a) for a in args]
        _need(bool(numbers) and all(n is not None for n in numbers))
        return pick(numbers)
    return apply


# name -> (function, what it needs of its arguments: "deep" or "shallow"; the last repeats)
_FUNCTIONS: dict[str, tuple[Callable, tuple[str, ...]]] = {
    "merge": (_merge, ("shallow",)), "concat": (_concat, ("shallow",)),
    "lookup": (_lookup, ("shallow", "deep", "shallow")), "element": (_element, ("shallow", "deep")),
    "length": (lambda v: len(v) if isinstance(v, (list, dict)) else len(_text(v)), ("shallow",)),
    "keys": (lambda m: sorted(_map(m)), ("shallow",)),
    "values": (lambda m: [v for _, v in sorted(_map(m).items())], ("shallow",)),
    # Terraform's compact drops null elements as well as empty strings.
    "compact": (lambda items: [i for i in _texts([v for v in _list(items) if v is not None]) if i != ""], ("deep",)),
    "distinct": (lambda items: _distinct(_list(items)), ("deep",)),
    "contains": (_contains, ("shallow", "deep")),
    "zipmap": (_zipmap, ("deep", "shallow")), "one": (_one, ("shallow",)),
    "toset": (lambda items: _set(_list(items)), ("deep",)), "tolist": (_list, ("shallow",)),
    "tomap": (_tomap, ("shallow",)), "tostring": (_tostring, ("deep",)), "tonumber": (_tonumber, ("deep",)),
    "tobool": (_tobool, ("deep",)), "format": (_format, ("deep",)), "formatlist": (_formatlist, ("deep",)),
    "join": (_join, ("deep",)), "split": (_split, ("deep",)), "replace": (_replace, ("deep",)),
    "lower": (lambda s: _text(s).lower(), ("deep",)), "upper": (lambda s: _text(s).upper(), ("deep",)),
    "trimprefix": (lambda s, p: _text(s).removeprefix(_text(p)), ("deep",)),
    "trimsuffix": (lambda s, p: _text(s).removesuffix(_text(p)), ("deep",)),
    "startswith": (lambda s, p: _text(s).startswith(_text(p)), ("deep",)),
    "endswith": (lambda s, p: _text(s).endswith(_text(p)), ("deep",)),
    "strcontains": (lambda s, p: _text(p) in _text(s), ("deep",)),
    "trimspace": (lambda s: _text(s).strip(), ("deep",)), "trim": (_trim, ("deep",)), "title": (_title, ("deep",)),
    "substr": (_substr, ("deep",)),
    "jsondecode": (_jsondecode, ("deep",)), "yamldecode": (_yamldecode, ("deep",)),
    "base64encode": (lambda s: base64.b64encode(_text(s).encode()).decode(), ("deep",)),
    "base64decode": (_base64decode, ("deep",)),
    "setunion": (lambda *sets: _set([i for s in sets for i in _list(s)]), ("deep",)),
    "setintersection": (lambda first, *rest: _set([i for i in _list(first)
                                                   if all(any(equal(i, j) for j in _list(r)) for r in rest)]), ("deep",)),
    "setsubtract": (lambda a, b: _set([i for i in _list(a) if not any(equal(i, j) for j in _list(b))]), ("deep",)),
    "range": (_range, ("deep",)), "abs": (lambda n: abs(_tonumber(n)), ("deep",)),
    "min": (_minmax(min), ("deep",)), "max": (_minmax(max), ("deep",)),
    "ceil": (lambda n: math.ceil(_tonumber(n)), ("deep",)), "floor": (lambda n: math.floor(_tonumber(n)), ("deep",)),
    "alltrue": (lambda items: all(_tobool(i) for i in _list(items)), ("deep",)),
    "anytrue": (lambda items: any(_tobool(i) for i in _list(items)), ("deep",)),
    "sum": (_sum, ("deep",)), "reverse": (lambda items: list(reversed(_list(items))), ("shallow",)),
    "slice": (_slice, ("shallow", "deep")), "sort": (lambda items: sorted(_texts(_list(items))), ("deep",)),
    "chunklist": (_chunklist, ("shallow", "deep")), "transpose": (_transpose, ("deep",)),
    "sha256": (_hash("sha256"), ("deep",)), "sha1": (_hash("sha1"), ("deep",)), "md5": (_hash("md5"), ("deep",)),
    "flatten": (lambda items: _flattened(items), ("shallow",)),
    "regex": (lambda p, s: _regex_results(p, s, True), ("deep",)),
    "regexall": (lambda p, s: _regex_results(p, s, False), ("deep",)),
    "index": (_index, ("shallow", "deep")), "setproduct": (_setproduct, ("deep",)),
    # Sensitivity changes how Terraform displays a value, not the value.
    "sensitive": (lambda v: v, ("shallow",)), "nonsensitive": (lambda v: v, ("shallow",)),
    "chomp": (lambda s: re.sub(r"(\r\n|\n|\r)+$", "", _text(s)), ("deep",)),
    "strrev": (lambda s: _text(s)[::-1], ("deep",)),
}


def _flattened(items: Any) -> list:
    out: list = []
    _flatten(_list(items), out)
    return out


def _arguments(evaluator: Evaluator, node: Call) -> list | Unknown:
    args = [evaluator.value(a) for a in node.args]
    if node.expand and args:
        last = args[-1]
        if isinstance(last, Unknown):
            return evaluator.unknown(node, args=tuple(args))
        if not isinstance(last, list):
            return Invalid(node.text, node.refs)
        args = args[:-1] + list(last)
    return args


def call_function(evaluator: Evaluator, node: Call) -> Any:
    name = node.name
    if name == "try":
        return _try(evaluator, node)
    if name == "can":
        value = evaluator.value(node.args[0]) if len(node.args) == 1 else None
        if first_invalid(value) is not None:
            return False
        return evaluator.unknown(node, args=(value,)) if has_unknown(value) else True
    args = _arguments(evaluator, node)
    if isinstance(args, Unknown):
        return args
    invalid = next((found for a in args if (found := first_invalid(a)) is not None), None)
    if invalid is not None:
        return Invalid(node.text, collect_refs(args))
    if name in ("jsonencode", "yamlencode") and len(args) == 1:
        return _encode(args[0], "json" if name == "jsonencode" else "yaml", node)
    if name == "coalesce" or name == "coalescelist":
        return _decide(evaluator, node, args, lambda: (_coalesce if name == "coalesce" else _coalescelist)(args))
    if name in ("file", "templatefile"):
        return _read(evaluator, node, args)
    entry = _FUNCTIONS.get(name)
    if entry is None:
        return evaluator.unknown(node, args=tuple(args))
    function, needs = entry
    if name in ("length", "keys", "values") and args and uncertain_keys(args[0]):
        return evaluator.unknown(node, args=tuple(args))
    for position, arg in enumerate(args):
        need = needs[min(position, len(needs) - 1)]
        if isinstance(arg, Unknown) or (need == "deep" and has_unknown(arg)):
            return evaluator.unknown(node, args=tuple(args))
    return _decide(evaluator, node, args, lambda: function(*args))


def _decide(evaluator: Evaluator, node: Call, args: list, compute: Callable[[], Any]) -> Any:
    try:
        return compute()
    except _Unknown:
        return evaluator.unknown(node, args=tuple(args))
    except (_Reject, TypeError, ValueError, OverflowError, ArithmeticError, KeyError, IndexError):
        return Invalid(node.text, collect_refs(args))


def _try(evaluator: Evaluator, node: Call) -> Any:
    for arg in node.args:
        value = evaluator.value(arg)
        if first_invalid(value) is not None:
            continue  # an error: try the next one
        if isinstance(value, Unknown):
            return evaluator.unknown(node, args=(value,))
        return value
    return Invalid(node.text, node.refs)


def _encode(value: Any, encoding: str, node: Call) -> Any:
    if isinstance(value, (dict, list)):
        return encoded(value, encoding)
    if isinstance(value, Unknown):
        return Call(node.text, collect_refs([value]), node.name, (value,))
    if encoding == "json":
        text = json_text(value)
        return text if text is not None else Invalid(node.text, node.refs)
    return Call(node.text, (), node.name, (value,))  # a YAML scalar document: not needed


def _read(evaluator: Evaluator, node: Call, args: list) -> Any:
    """`file(path)` and `templatefile(path, vars)`: read through the module's trust-bounded
    reader (a regular file inside the scanned paths, never .git); a template is parsed once
    here and rendered with only its variables in scope."""
    module = evaluator.module
    if module is None or evaluator.only_bindings or not args or not isinstance(args[0], str):
        return evaluator.unknown(node, args=tuple(args))
    if node.name == "file":
        content = module.read_file(args[0]) if len(args) == 1 else None
        return content if content is not None else evaluator.unknown(node, args=tuple(args))
    if len(args) != 2 or not isinstance(args[1], dict):
        return evaluator.unknown(node, args=tuple(args))
    content = module.read_file(args[0])
    if content is None:
        return evaluator.unknown(node, args=tuple(args))
    template = parsed_template(content, f"templatefile({args[0]!r}, ...)")
    renderer = Evaluator(None, args[1], only_bindings=True)
    renderer.steps = evaluator.steps
    rendered = renderer.value(template)
    evaluator.steps = renderer.steps
    if isinstance(rendered, Invalid):
        return evaluator.unknown(node, args=tuple(args))
    return rendered


@functools.lru_cache(maxsize=64)
def parsed_template(content: str, shown: str) -> Any:
    """A `templatefile()` file's template, parsed once (every instance renders the same file)."""
    from aiaas_iac.parsers.terraform import template_text_value

    if "${" not in content and "%{" not in content:
        return content
    return template_text_value(content, shown)
