"""Kubernetes manifests (multi-document YAML, or JSON) -> one `manifest` Resource per object.

A document is a Kubernetes object when it has a string `apiVersion` and
`kind`; anything else in the stream (empty documents, lists of values, CI
configuration that happens to sit beside manifests) is left alone. A `List`
(`kind: List`, `kind: DeploymentList`...) contributes each of its `items`.

Address: `Kind/namespace/name`, or `Kind/name` without a namespace (`name`
falls back to `metadata.generateName`, then `unnamed`). Attribute paths and
spans start at the object's root (`("spec", "template", "spec", ...)`).

Helm chart templates are Go templates, not manifests: a file under a
`templates/` directory beside a `Chart.yaml` is skipped with a note, and so
is a file with `{{` that is not valid YAML. One with `{{` that *is* valid
YAML (Argo Workflows' `{{inputs.parameters.x}}`, quoted placeholders) is
read like any manifest; its placeholders are just strings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiaas_iac.discover import SourceFile
from aiaas_iac.model import ParseError, Resource, Span
from aiaas_iac.parsers import ParsedFile, ParseLimits
from aiaas_iac.parsers.positioned_yaml import Document, YamlError, load_json_document, load_yaml_documents

FORMAT = "kubernetes"


def in_helm_chart_templates(path: Path) -> bool:
    """True for `<chart>/templates/**` where `<chart>/Chart.yaml` exists."""
    return any(parent.name == "templates" and (parent.parent / "Chart.yaml").is_file() for parent in path.parents)


def _helm_note(rel: str) -> str:
    return f"{rel}: Helm template, skipped (scan the output of `helm template` to check it)"


def is_object(value: Any) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("apiVersion"), str) and value["apiVersion"] != ""
            and isinstance(value.get("kind"), str) and value["kind"] != "")


def address_of(manifest: dict) -> tuple[str, str]:
    """(name, address) of one object."""
    metadata = manifest.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    name = metadata.get("name") or metadata.get("generateName") or "unnamed"
    if not isinstance(name, str):
        # `name: {{ .Release.Name }}` in an unrendered template parses as a YAML mapping.
        name = "(templated)" if isinstance(name, dict) else str(name)
    namespace = metadata.get("namespace")
    kind = manifest["kind"]
    if isinstance(namespace, str) and namespace and "{{" not in namespace:
        return name, f"{kind}/{namespace}/{name}"
    return name, f"{kind}/{name}"


def _resource(manifest: dict, spans: dict, span: Span, rel: str) -> Resource:
    name, address = address_of(manifest)
    return Resource(FORMAT, "manifest", manifest["kind"], name, address, manifest, rel, rel, span, spans)


def _list_items(document: Document) -> dict[int, dict]:
    """Spans of each `items[i]`, re-based to the item, in one pass over the document's spans."""
    by_item: dict[int, dict] = {}
    for path, span in document.spans.items():
        if len(path) > 2 and path[0] == "items" and isinstance(path[1], int):
            by_item.setdefault(path[1], {})[path[2:]] = span
    return by_item


def objects_of(document: Document, rel: str) -> list[Resource]:
    manifest = document.value
    if not is_object(manifest):
        return []
    items = manifest.get("items")
    if manifest["kind"].endswith("List") and isinstance(items, list):
        item_spans = _list_items(document)
        return [_resource(item, item_spans.get(index, {}), document.spans.get(("items", index), document.span), rel)
                for index, item in enumerate(items) if is_object(item)]
    return [_resource(manifest, document.spans, document.span, rel)]


def parse(source: SourceFile, text: str, limits: ParseLimits) -> ParsedFile:
    if in_helm_chart_templates(source.path):
        return ParsedFile(notes=(_helm_note(source.rel),))
    try:
        if source.rel.lower().endswith(".json"):
            documents = [load_json_document(text, limits.max_depth)]
        else:
            documents = load_yaml_documents(text, limits.max_depth)
    except YamlError as error:
        # Go template syntax makes a file invalid YAML; a file that is valid YAML but too deep or
        # an alias bomb is not excused by a `{{` somewhere in it.
        if "{{" in text and str(error).startswith("invalid "):
            return ParsedFile(notes=(_helm_note(source.rel),))
        return ParsedFile(errors=(ParseError(source.rel, str(error), error.line),))
    resources = [resource for document in documents for resource in objects_of(document, source.rel)]
    return ParsedFile(resources=tuple(resources))
