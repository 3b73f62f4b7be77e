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


# --- what may be cached (cache_policy) ------------------------------------------------------

from aiaas_iac.cache_policy import cacheable  # noqa: E402
from aiaas_iac.discover import SourceFile  # noqa: E402


def parsed_text(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    kind = "terraform" if name.endswith(".tf") else "tfvars" if name.endswith(".tfvars") else "structured"
    source = SourceFile(path, name, kind)
    return parse_file(source), kind


@pytest.mark.parametrize("name, text, expected", [
    ("a.tf", 'resource "aws_instance" "a" {\n  metadata_options {\n    http_tokens = "required"\n  }\n}\n', True),
    ("b.tf", 'resource "aws_db_instance" "a" {\n  password = "Tr0ub4dor-and-3"\n}\n', False),
    ("c.tf", 'variable "db_password" {\n  default = "Tr0ub4dor-and-3"\n}\n', False),
    ("d.tf", 'resource "aws_secretsmanager_secret" "a" {\n  name = "openai"\n  kms_key_id = "alias/x"\n}\n', True),
    ("e.tf", 'locals {\n  k = "sk-proj-u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAj"\n}\n', False),
    ("f.tf", 'locals {\n  k = "AKIAIOSFODNN7EXAMPLE"\n}\n', True),  # AWS's documented example key
    ("g.tfvars", 'aws_secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8Tx3vLpQ"\n', False),
    ("h.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: aGVsbG8=}\n", False),
    ("i.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: Opaque\n", True),
    ("j.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      env:\n"
               "        - {name: DB_TOKEN, value: 'x9-Lk2-pq8-Zr'}\n", False),
    ("k.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      env:\n"
               "        - {name: LOG_LEVEL, value: debug-verbose}\n", True),
    ("l.json", '{"format_version": "1.2", "planned_values": {"root_module": {"resources": [{"address": "a.b",'
               ' "mode": "managed", "type": "a", "name": "b", "values": {}}]}}}', False),
])
def test_what_is_cached(tmp_path, name, text, expected):
    parsed, kind = parsed_text(tmp_path, name, text)
    assert parsed.resources and not parsed.errors
    assert cacheable(parsed, kind) is expected
