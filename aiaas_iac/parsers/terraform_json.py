"""Terraform JSON syntax (`*.tf.json`, `*.tfvars.json`) -> the same Resources as the HCL parser.

Blocks map to JSON objects keyed by their labels (`{"resource": {"aws_iam_policy":
{"app": {...}}}}`; any level may also be a list of such objects). Where
Terraform reads a string as a template (resource, data, output, locals,
module and provider arguments) a `${...}` interpolation is parsed with the
HCL expression parser, so `"${var.x}"` is the same `Traversal` as `var.x` in
a `.tf` file and the value resolver treats both alike. Meta-arguments that
take a bare expression (`depends_on`, `provider`, `providers`,
`ignore_changes`) are parsed as one. Variable blocks, the `terraform` block,
module `source`/`version` and `.tfvars.json` values are literal.

Without a provider schema JSON cannot tell a nested block from an object
attribute: a block written as one object stays a dict (HCL gives a list of
one dict; `Resource.blocks()` accepts both). `"//"` comment keys are dropped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

from aiaas_iac.discover import SourceFile
from aiaas_iac.model import ParseError, Resource, Span, Unknown
from aiaas_iac.parsers import ParsedFile, ParseLimits
from aiaas_iac.parsers.hcl_expressions import Template, collect_refs
from aiaas_iac.parsers.positioned_yaml import Document, YamlError, load_json_document

FORMAT = "terraform"
_BARE_EXPRESSION_KEYS = frozenset({"depends_on", "provider", "providers", "ignore_changes", "replace_triggered_by"})
_LITERAL_MODULE_KEYS = frozenset({"source", "version"})
_LITERAL_OUTPUT_KEYS = frozenset({"description", "sensitive", "ephemeral"})
_COMMENT_KEY = "//"


# Where the template syntax starts: escapes `$${`/`%%{`, a directive `%{`, an interpolation `${`.
_TEMPLATE_MARK = re.compile(r"\$\$\{|%%\{|%\{|\$\{")


def _split_template(text: str) -> list[tuple[str, str]] | None:
    """[("literal", text) | ("expression", source)] or None for a template directive (`%{`).

    The text is searched from mark to mark (str/regex search in C), not walked character by character."""
    parts: list[tuple[str, str]] = []
    literal: list[str] = []
    position = 0
    while (mark := _TEMPLATE_MARK.search(text, position)) is not None:
        literal.append(text[position:mark.start()])
        token = mark.group()
        if token == "%{":
            return None
        if token != "${":  # `$${` and `%%{` stand for `${` and `%{`
            literal.append(token[1:])
            position = mark.end()
            continue
        end = _interpolation_end(text, mark.end())
        if "".join(literal):
            parts.append(("literal", "".join(literal)))
        literal = []
        parts.append(("expression", text[mark.end():end]))
        position = end + 1
    literal.append(text[position:])
    if "".join(literal):
        parts.append(("literal", "".join(literal)))
    return parts


def _interpolation_end(text: str, start: int) -> int:
    """Index of the `}` closing an interpolation, skipping nested braces and quoted strings."""
    from aiaas_iac.parsers.hcl_templates import TemplateSyntaxError, closing_brace

    try:
        return closing_brace(text, start)
    except TemplateSyntaxError:
        raise _TfJsonError("unterminated ${ interpolation") from None


class _TfJsonError(Exception):
    pass


def parse_expression(source: str) -> Any:
    """One HCL expression (`var.x`, `jsonencode({...})`) as the HCL parser gives it."""
    from aiaas_iac.parsers.terraform import HclSyntaxError, parse_expression_text

    try:
        return parse_expression_text(source)
    except HclSyntaxError as error:
        raise _TfJsonError(f"invalid expression in a string: {str(error).removeprefix('invalid HCL: ')}") from None


def template_value(text: str) -> Any:
    """A JSON string read as a Terraform template: a literal, one expression, or a Template."""
    if "${" not in text and "%{" not in text:
        return text
    parts = _split_template(text)
    if parts is None:  # a template directive (`%{ if }`, `%{ for }`): the HCL template reader
        from aiaas_iac.parsers.terraform import template_text_value

        return template_text_value(text, json.dumps(text))
    values = [value if kind == "literal" else parse_expression(value) for kind, value in parts]
    if all(isinstance(v, str) for v in values):
        return "".join(values)
    if len(values) == 1:
        return values[0]  # "${var.x}" is var.x itself
    return Template(json.dumps(text), collect_refs(values), tuple(values))


class _Interpreter:
    """Applies Terraform's JSON rules to one block body, reporting the line of a bad expression."""

    def __init__(self, spans: dict) -> None:
        self.spans = spans

    def value(self, value: Any, path: tuple, mode: str) -> Any:
        """`mode`: literal, template, or bare (the string is an expression without `${}`)."""
        if isinstance(value, dict):
            return {k: self.value(v, path + (k,), self.mode_of(k, mode)) for k, v in value.items() if k != _COMMENT_KEY}
        if isinstance(value, list):
            return [self.value(v, path + (i,), mode) for i, v in enumerate(value)]
        if not isinstance(value, str) or mode == "literal":
            return value
        try:
            return parse_expression(value) if mode == "bare" else template_value(value)
        except _TfJsonError as error:
            span = next((self.spans[path[:n]] for n in range(len(path), 0, -1) if path[:n] in self.spans), None)
            raise YamlError(str(error), span.start_line if span else None) from None

    @staticmethod
    def mode_of(key: str, mode: str) -> str:
        if mode == "template" and key in _BARE_EXPRESSION_KEYS:
            return "bare"
        return mode


def _objects(value: Any, path: tuple) -> Iterator[tuple[dict, tuple]]:
    """A JSON block level is an object, or a list of objects."""
    if isinstance(value, dict):
        yield value, path
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield item, path + (index,)


def _labelled(value: Any, path: tuple, labels: int) -> Iterator[tuple[tuple[str, ...], dict, tuple]]:
    """(labels, body, body path) for each block under a block type with `labels` labels."""
    if labels == 0:
        for body, body_path in _objects(value, path):
            yield (), body, body_path
        return
    for level, level_path in _objects(value, path):
        for label, inner in level.items():
            if label != _COMMENT_KEY:
                for rest, body, body_path in _labelled(inner, level_path + (label,), labels - 1):
                    yield (label,) + rest, body, body_path


@dataclass(frozen=True)
class _Block:
    kind: str
    type: str
    name: str
    address: str
    body: Any
    path: tuple  # of the body in the document
    literal_keys: frozenset = frozenset()
    literal: bool = False


def _blocks(block_type: str, value: Any, path: tuple) -> Iterator[_Block]:
    if block_type in ("resource", "data"):
        prefix = "data." if block_type == "data" else ""
        for (type_, name), body, body_path in _labelled(value, path, 2):
            yield _Block(block_type, type_, name, f"{prefix}{type_}.{name}", body, body_path)
    elif block_type in ("variable", "output", "module"):
        literal_keys = _LITERAL_OUTPUT_KEYS if block_type == "output" else _LITERAL_MODULE_KEYS
        prefix = "var" if block_type == "variable" else block_type
        for (name,), body, body_path in _labelled(value, path, 1):
            yield _Block(block_type, block_type, name, f"{prefix}.{name}", body, body_path, literal_keys,
                         literal=block_type == "variable")
    elif block_type == "provider":
        for (name,), body, body_path in _labelled(value, path, 1):
            yield _Block("provider", name, name, f"provider.{name}", body, body_path, frozenset({"alias"}))
    elif block_type == "terraform":
        for _, body, body_path in _labelled(value, path, 0):
            yield _Block("terraform", "terraform", "terraform", "terraform", body, body_path, literal=True)
    elif block_type == "locals":
        for _, body, body_path in _labelled(value, path, 0):
            for name, item in body.items():
                if name != _COMMENT_KEY:
                    yield _Block("local", "local", name, f"local.{name}", item, body_path + (name,))


def _spans_by_block(document: Document, blocks: list[_Block]) -> dict[tuple, dict]:
    """Each block's spans, re-based to its body, in one pass over the document's spans."""
    grouped: dict[tuple, dict] = {block.path: {} for block in blocks}
    longest = max((len(path) for path in grouped), default=0)
    for path, span in document.spans.items():
        for size in range(1, min(len(path) - 1, longest) + 1):
            bucket = grouped.get(path[:size])
            if bucket is not None:
                bucket[path[size:]] = span
                break
    return grouped


def _resource(block: _Block, spans: dict, document: Document, file: str, module: str) -> Resource:
    span = document.spans.get(block.path, document.span)
    if block.kind == "local":
        spans = {("value",) + path: s for path, s in spans.items()}
        spans[("value",)] = span
        attributes = {"value": _Interpreter(spans).value(block.body, ("value",), "template")}
    else:
        interpreter = _Interpreter(spans)
        attributes = {
            key: interpreter.value(value, (key,), "literal" if block.literal or key in block.literal_keys
                                   else interpreter.mode_of(key, "template"))
            for key, value in (block.body.items() if isinstance(block.body, dict) else ())
            if key != _COMMENT_KEY
        }
    return Resource(FORMAT, block.kind, block.type, block.name, block.address, attributes, file, module, span, spans)


def terraform_json_resources(document: Document, file: str, module: str) -> list[Resource]:
    blocks = [block for top, top_path in _objects(document.value, ())
              for block_type, value in top.items()
              for block in _blocks(block_type, value, top_path + (block_type,))]
    spans = _spans_by_block(document, blocks)
    return [_resource(block, spans[block.path], document, file, module) for block in blocks]


def parse(source: SourceFile, text: str, limits: ParseLimits) -> ParsedFile:
    """A `.tf.json` file's blocks, or a `.tfvars.json` file as one `tfvars` resource."""
    if not text.strip():
        return ParsedFile()
    try:
        document = load_json_document(text, limits.max_depth)
        if not isinstance(document.value, dict) and not (source.kind == "tfjson" and isinstance(document.value, list)):
            raise YamlError("expected a JSON object at the top level", 1)
        if source.kind == "tfvarsjson":
            name = source.rel.rsplit("/", 1)[-1]
            lines = text.count("\n") + 1
            return ParsedFile(resources=(Resource(FORMAT, "tfvars", "tfvars", name, name, document.value, source.rel,
                                                  source.module, Span(1, lines), document.spans),))
        resources = terraform_json_resources(document, source.rel, source.module)
    except YamlError as error:
        return ParsedFile(errors=(ParseError(source.rel, str(error), error.line),))
    return ParsedFile(resources=tuple(resources))
