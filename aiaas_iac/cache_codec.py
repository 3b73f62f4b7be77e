"""Cache entries as JSON: plain data plus a closed list of the model's classes.

The cache used to hold pickles, and loading a planted pickle runs any code it
names. Here an entry is JSON, and decoding can build nothing but JSON values,
tuples, dicts (with any hashable keys the encoder wrote) and the classes in
`_allowed_classes()`, each through its own constructor from its fields. Any
other tag fails the whole entry, which is then ignored and rebuilt.

Every non-JSON value is a one-key object, so `json.loads` with an object hook
rebuilds the tree in C-driven passes (decoding speed matters: a warm scan with
one edited file reads every other file's entry):

    {"t": [...]}           tuple
    {"m": [k, v, k, v]}    dict, keys encoded like values (tuples, ints...)
    {"<Class>": [...]}     an allowed dataclass, its fields in declaration order
    {"S": [[shared, *rest_of_path, start_line, end_line, start_col, end_col], ...]}
                           a Resource's spans (path tuple -> Span), the bulk of an entry;
                           `shared` leading parts are those of the previous row's path
    {"Severity": "high"}   the Severity enum

Lists, strings, numbers, booleans and null are themselves. A value of any
other type (a str subclass, a set...) makes `encode` raise: it is not cached.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from typing import Any


class CodecError(ValueError):
    """A value that cannot be encoded, or an entry that does not decode to allowed data."""


@functools.lru_cache(maxsize=1)
def _result_classes() -> dict[str, type]:
    """The classes of a whole-scan result and of the check catalog: all a warm scan decodes, so
    it need not import the parsers."""
    # Imported here: the model modules must not import the cache.
    from aiaas_iac import model
    from aiaas_iac.catalog import CatalogEntry, CheckInfo
    from aiaas_iac.result_cache import CachedResult

    classes = [model.Span, model.ParseError, model.Location, model.Mappings, model.Finding, CachedResult,
               model.CheckMeta, CheckInfo, CatalogEntry]
    return {cls.__name__: cls for cls in classes}


@functools.lru_cache(maxsize=1)
def _allowed_classes() -> dict[str, type]:
    from aiaas_iac import model
    from aiaas_iac.parsers import ParsedFile
    from aiaas_iac.parsers.hcl_expressions import EXPRESSION_NODES
    from aiaas_iac.suppress import Suppression

    classes = [model.Unknown, *EXPRESSION_NODES, model.Resource, ParsedFile, Suppression]
    return {**_result_classes(), **{cls.__name__: cls for cls in classes}}


def _class_for(tag: str) -> type | None:
    return _result_classes().get(tag) or _allowed_classes().get(tag)


@functools.lru_cache(maxsize=1)
def _field_names() -> dict[type, tuple[str, ...]]:
    return {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in _allowed_classes().values()}


_PLAIN = (str, int, float, bool, type(None))
_LEAF = frozenset(_PLAIN)  # encoded as themselves (a string of 20+ characters is screened first)
_TUPLE, _DICT, _SPANS = "t", "m", "S"
_SEVERITY = "Severity"


class SecretFound(CodecError):
    """`encode` met a value its screen flags: the caller does not store it."""


def _encoder(fields: dict[type, tuple[str, ...]], severity: type, span: type, resource: type,
             screen: Any) -> Any:
    # Screening happens during the one walk encoding makes anyway (a separate walk cost as much
    # as the encoding): a string of 20+ characters and every mapping are shown to `screen`.
    text_is_secret = screen.text if screen is not None else None
    mapping_is_secret = screen.mapping if screen is not None else None

    def spans_of(spans: Any) -> Any:
        # A resource's spans are most of a parse result (a path tuple and a Span per value): one
        # flat list each, [*path, start_line, end_line, start_column, end_column], instead of
        # three tagged objects.
        if type(spans) is not dict:
            return encode_value(spans)
        rows, previous = [], ()
        for path, where in spans.items():
            if type(path) is not tuple or type(where) is not span:
                return encode_value(spans)
            # Consecutive paths share most of their parts (a depth-first walk): store how many.
            shared = 0
            for mine, theirs in zip(path, previous):
                if mine != theirs or type(mine) is not type(theirs):
                    break
                shared += 1
            rest = path[shared:]
            for part in rest:  # the shared parts were checked (and screened) in an earlier row
                kind = type(part)
                if kind is not str and kind is not int:
                    return encode_value(spans)
                if kind is str and text_is_secret is not None and len(part) >= 20 and text_is_secret(part):
                    raise SecretFound("secret in a path")
            rows.append([shared, *rest, where.start_line, where.end_line, where.start_column, where.end_column])
            previous = path
        return {_SPANS: rows}

    def encode_value(value: Any) -> Any:
        kind = type(value)
        if kind is str:
            if text_is_secret is not None and len(value) >= 20 and text_is_secret(value):
                raise SecretFound("secret in a string")
            return value
        if kind in _PLAIN:
            return value
        # Containers take their short strings and other plain items as they are, without a call
        # each: most of a parse result is such leaves.
        if kind is list:
            return [item if type(item) in _LEAF and (type(item) is not str or len(item) < 20) else encode_value(item)
                    for item in value]
        if kind is dict:
            if mapping_is_secret is not None and mapping_is_secret(value):
                raise SecretFound("secret in a mapping")
            flat = []
            append = flat.append
            for key, item in value.items():
                append(key if type(key) is str and len(key) < 20 else encode_value(key))
                append(item if type(item) in _LEAF and (type(item) is not str or len(item) < 20)
                       else encode_value(item))
            return {_DICT: flat}
        if kind is tuple:
            return {_TUPLE: [item if type(item) in _LEAF and (type(item) is not str or len(item) < 20)
                             else encode_value(item) for item in value]}
        if kind is severity:
            return {_SEVERITY: value.value}
        names = fields.get(kind)
        if names is None:
            raise CodecError(f"not cacheable: {kind.__name__}")
        if kind is resource:
            return {kind.__name__: [spans_of(value.spans) if name == "spans" else encode_value(getattr(value, name))
                                    for name in names]}
        return {kind.__name__: [encode_value(getattr(value, name)) for name in names]}

    return encode_value


def encode(value: Any, screen: Any = None) -> str:
    """JSON text of `value`; CodecError if it holds anything outside the allowed data, and
    SecretFound if `screen` (with `text(str)` and `mapping(dict)` predicates) flags a part."""
    from aiaas_iac.model import Resource, Severity, Span

    try:
        tree = _encoder(_field_names(), Severity, Span, Resource, screen)(value)
        return json.dumps(tree, ensure_ascii=False, separators=(",", ":"))
    except (ValueError, RecursionError) as error:  # huge integers, deep nesting
        raise CodecError(str(error)) from None


def _object_hook(classes: Any, severity: type, span: type) -> Any:
    from aiaas_iac.model import new_span

    def make_span(start_line: Any, end_line: Any, start_column: Any, end_column: Any) -> Any:
        # A warm scan with one edited file rebuilds tens of thousands of spans (model.new_span).
        if type(start_line) is not int or type(end_line) is not int:
            raise CodecError("malformed span")
        return new_span(start_line, end_line, start_column, end_column)

    def build(obj: dict) -> Any:
        if len(obj) != 1:
            raise CodecError("malformed entry")
        (tag, body), = obj.items()
        if tag == _TUPLE and type(body) is list:
            return tuple(body)
        if tag == _DICT and type(body) is list and len(body) % 2 == 0:
            return dict(zip(body[0::2], body[1::2]))
        if tag == _SPANS and type(body) is list:
            spans, previous = {}, ()
            for row in body:
                path = previous[:row[0]] + tuple(row[1:-4])
                spans[path] = make_span(*row[-4:])
                previous = path
            return spans
        if tag == _SEVERITY and type(body) is str:
            return severity(body)
        cls = classes(tag)
        if cls is None or type(body) is not list:
            raise CodecError(f"unknown tag in entry: {tag[:40]!r}")
        return cls(*body)
    return build


def decode(text: str) -> Any:
    """The value `encode` wrote; CodecError for anything else (never builds other classes)."""
    from aiaas_iac.model import Severity, Span

    try:
        return json.loads(text, object_hook=_object_hook(_class_for, Severity, Span))
    except CodecError:
        raise
    except (ValueError, TypeError, RecursionError) as error:  # bad JSON, wrong arity, unhashable key
        raise CodecError(str(error)[:200]) from None
