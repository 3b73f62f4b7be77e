"""The cache's JSON codec: exact round trips of the model, and nothing else can be built."""

from __future__ import annotations

import dataclasses
import json

import pytest

from conftest import SAMPLES

from aiaas_iac.cache_codec import CodecError, decode, encode
from aiaas_iac.discover import discover
from aiaas_iac.model import Finding, Location, Mappings, ParseError, Severity, Span, Unknown
from aiaas_iac.parsers import ParsedFile, parse_file
from aiaas_iac.result_cache import CachedResult


def shape(value):
    """Everything equality could miss: every dataclass field (compare=False ones included), the
    exact container types (tuple vs list) and the exact key types of dicts."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value), tuple((f.name, shape(getattr(value, f.name))) for f in dataclasses.fields(value)))
    if isinstance(value, dict):
        return (dict, tuple((shape(key), shape(item)) for key, item in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value), tuple(shape(item) for item in value))
    return (type(value), value)


def sample_sources():
    sources, errors = discover([SAMPLES], SAMPLES, ())
    assert sources and not errors
    return sources


@pytest.mark.parametrize("source", sample_sources(), ids=lambda s: s.rel)
def test_every_sample_parse_result_round_trips_exactly(source):
    parsed = parse_file(source)
    decoded = decode(encode(parsed))
    assert decoded == parsed
    assert shape(decoded) == shape(parsed)


def test_tuples_lists_and_key_types_are_preserved():
    value = {"a": (1, [2, (3,)]), 1: None, (0, "x"): True, None: 1.5, False: "f", "": []}
    assert shape(decode(encode(value))) == shape(value)


def test_a_scan_result_round_trips():
    finding = Finding("AIA101", "slug", Severity.HIGH, "message", Location("main.tf", Span(1, 2, 3, 4)),
                      "aws_iam_policy.p", "fix it", Mappings("NHI1", "PR.AA", "CWE-1"), detail="a.b",
                      suppressed=True, suppression_reason="why", identity="scan")
    result = CachedResult((finding,), ("failure",), (ParseError("x.tf", "bad", 3),), ("note",),
                          (("/abs/p.json", "absent"),))
    assert shape(decode(encode(result))) == shape(result)


@pytest.mark.parametrize("text", [
    '{"os.system": ["touch /tmp/pwned"]}',        # not an allowed class
    '{"Path": ["/etc/passwd"]}',
    '{"ScanOptions": []}',                        # a real class of ours, but not allowed
    '{"t": [1], "m": []}',                        # two tags
    '{"Span": [1, 2, 3, 4, 5, 6]}',               # wrong arity
    '{"m": [[1], 2]}',                            # unhashable key
    '{"Severity": "catastrophic"}',
    "\x80 not json",
])
def test_anything_but_allowed_data_fails_to_decode(text):
    with pytest.raises(CodecError):
        decode(text)


def test_values_of_other_types_are_not_encoded():
    class Sneaky(str):
        pass

    for value in ({1, 2}, Sneaky("x"), b"bytes", ParsedFile(notes=(object(),)), 10 ** 5000):
        with pytest.raises(CodecError):
            encode(value)


def test_unknowns_keep_their_class():
    from aiaas_iac.parsers.hcl_expressions import Call, Template, Traversal

    values = [Unknown("x", ("var.x",)), Traversal("var.x", ("var.x",), ("var", "x")),
              Call("file(x)", (), "file", ("x",)), Template("${a}b", ("a",), (Traversal("a", ("a",), ("a",)), "b"))]
    assert shape(decode(encode(values))) == shape(values)
    assert json.loads(encode(values))  # plain JSON text
