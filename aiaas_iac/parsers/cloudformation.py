"""CloudFormation and SAM templates (YAML or JSON) -> Resources.

cfn-lint's decoder reads the template (short-form intrinsics such as `!Ref`
become `{"Ref": ...}`; every mapping, list, key and string keeps its marks).
It is imported only when a template is found: the import alone costs about
half a second, which a Terraform-only scan must not pay.

Each resource becomes a `Resource` whose attributes are its `Properties`,
each parameter and output one of their own. Intrinsic functions are resolved
where the template makes the value certain (see `cfn_intrinsics.py`); everything
else is an `Unknown` that names the logical IDs it refers to.
"""

from __future__ import annotations

import datetime
import functools
import logging
import re
from typing import Any, Callable, Mapping

from aiaas_iac.discover import SourceFile
from aiaas_iac.model import ParseError, Resource, Span
from aiaas_iac.parsers import ParsedFile, ParseLimits
from aiaas_iac.parsers.cfn_intrinsics import IntrinsicResolver
from aiaas_iac.parsers.positioned_yaml import LineIndex, YamlError, shorten_quoted

FORMAT = "cloudformation"
# A template names resources of these namespaces; other YAML with a `Resources:` key is not one.
_TEMPLATE_TYPE = re.compile(r"^(AWS|Alexa|Custom)::")
_DUPLICATE = re.compile(r"^Duplicate found(?: .*\(line (\d+)\))?")


@functools.cache
def _decoder() -> Callable[[str], tuple[Any, list]]:
    from cfnlint.decode import decode_str  # deferred: see the module docstring

    # cfn-lint logs some decode failures itself; the ParseError we return says it once.
    logging.getLogger("cfnlint.decode").addHandler(logging.NullHandler())
    return decode_str


def _line(value: Any) -> int | None:
    return value if isinstance(value, int) and value > 0 else None


def _decode_error(matches: list) -> YamlError:
    match = matches[0]
    message = str(getattr(match, "message", "") or "cannot be read")
    if "recursion" in message:
        return YamlError("invalid template: nesting too deep; skipped", None)
    if _DUPLICATE.match(message):
        # The first match is the key's first occurrence, the next one its repetition; the
        # messages name the key, so say less.
        repeated = matches[1] if len(matches) > 1 else match
        found = _DUPLICATE.match(str(getattr(repeated, "message", "")))
        line = int(found.group(1)) if found and found.group(1) else getattr(repeated, "linenumber", None)
        return YamlError("invalid template: duplicate key", _line(line))
    return YamlError(f"invalid template: {shorten_quoted(message)}", _line(getattr(match, "linenumber", None)))


def is_template(template: Any) -> bool:
    """Confirms the cheap text sniff: a format version, or resources typed `AWS::...`."""
    if not isinstance(template, Mapping):
        return False
    if "AWSTemplateFormatVersion" in template:
        return True
    resources = template.get("Resources")
    if not isinstance(resources, Mapping):
        return False
    return any(isinstance(body, Mapping) and isinstance(body.get("Type"), str) and _TEMPLATE_TYPE.match(body["Type"])
               for body in resources.values())


class _Positions:
    """cfn-lint nodes -> plain values, recording each entry's span relative to a starting node."""

    def __init__(self, lines: LineIndex, max_depth: int) -> None:
        self.lines = lines
        self.max_depth = max_depth

    def entry_span(self, key: Any, value: Any) -> Span | None:
        start = getattr(key, "start_mark", None)
        if start is None:
            return None
        return self.lines.span(start, getattr(value, "end_mark", None) or key.end_mark)

    def plain(self, node: Any, spans: dict, path: tuple = (), depth: int = 0) -> Any:
        if isinstance(node, Mapping):
            self.check_depth(node, depth)
            out = {}
            for key, value in node.items():
                name = str(key)
                out[name] = self.plain(value, spans, path + (name,), depth + 1)
                span = self.entry_span(key, value)
                if span is not None:
                    spans[path + (name,)] = span
            return out
        if isinstance(node, list):
            self.check_depth(node, depth)
            items = []
            for index, item in enumerate(node):
                items.append(self.plain(item, spans, path + (index,), depth + 1))
                if hasattr(item, "start_mark"):
                    spans[path + (index,)] = self.lines.span(item.start_mark, item.end_mark)
            return items
        if isinstance(node, str):
            return str(node)
        if isinstance(node, (datetime.date, datetime.datetime)):
            return node.isoformat()  # an unquoted `Version: 2012-10-17` is still that text
        if isinstance(node, bytes):
            return node.decode("utf-8", "replace")
        return node

    def check_depth(self, node: Any, depth: int) -> None:
        if depth >= self.max_depth:
            mark = getattr(node, "start_mark", None)
            raise YamlError(f"nesting deeper than {self.max_depth} levels; skipped",
                            mark.line + 1 if mark is not None else None)


def _section(template: Mapping, name: str) -> list[tuple[Any, Any]]:
    section = template.get(name)
    return list(section.items()) if isinstance(section, Mapping) else []


def _build(template: Mapping, rel: str, positions: _Positions) -> list[Resource]:
    unused: dict = {}
    parameters = {str(k): positions.plain(v, unused) for k, v in _section(template, "Parameters")}
    mappings = positions.plain(template.get("Mappings"), unused)
    resolver = IntrinsicResolver(parameters, mappings if isinstance(mappings, dict) else {})
    out: list[Resource] = []

    def add(kind: str, type_: str, key: Any, address: str, entry: Any, body: Any, resolve: bool) -> None:
        """`entry` is the logical ID's whole value (its location); `body` the mapping that becomes attributes."""
        spans: dict = {}
        attributes = positions.plain(body, spans) if isinstance(body, Mapping) else {}
        if resolve:
            attributes = resolver.resolve_mapping(attributes)
        span = positions.entry_span(key, entry) or Span(1, 1)
        out.append(Resource(FORMAT, kind, type_, str(key), address, attributes, rel, rel, span, spans))

    for key, body in _section(template, "Parameters"):
        add("parameter", "parameter", key, str(key), body, body, resolve=False)
    for key, body in _section(template, "Resources"):
        if isinstance(body, Mapping) and isinstance(body.get("Type"), str):
            add("resource", str(body["Type"]), key, str(key), body, body.get("Properties"), resolve=True)
    for key, body in _section(template, "Outputs"):
        add("output", "output", key, f"Outputs.{key}", body, body, resolve=True)
    return out


def parse(source: SourceFile, text: str, limits: ParseLimits) -> ParsedFile | None:
    """The template's resources, a ParsedFile with one error, or None when the file is not a template."""
    template, matches = _decoder()(text)
    try:
        if matches:
            raise _decode_error(matches)
        if not is_template(template):
            return None
        resources = _build(template, source.rel, _Positions(LineIndex(text), limits.max_depth))
    except YamlError as error:
        return ParsedFile(errors=(ParseError(source.rel, str(error), error.line),))
    return ParsedFile(resources=tuple(resources))
