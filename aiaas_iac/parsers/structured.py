"""YAML/JSON files: decide by content what they are (CloudFormation, Kubernetes, Terraform plan).

Most YAML and JSON in a repository is none of these (CI config, compose files,
package.json...): such files are left alone silently, even when they are
broken. A cheap look at the text picks the candidate formats; the parser of
each confirms on the parsed value, so a YAML file with a `Resources:` key that
is not a template is ignored (or read as a manifest if it is one). A syntax
error is reported only for a file whose text looked like one of the formats.
"""

from __future__ import annotations

import re

from aiaas_iac.discover import SourceFile
from aiaas_iac.parsers import ParsedFile, ParseLimits

_CFN_MARKERS = re.compile(r"AWSTemplateFormatVersion|[\"']?Type[\"']?\s*:\s*[\"']?AWS::")
# A key at the start of a line (YAML, pretty JSON) or a quoted key anywhere (minified JSON).
_CFN_RESOURCES = re.compile(r"^\s*Resources\s*:|[\"']Resources[\"']\s*:", re.MULTILINE)
_K8S_API_VERSION = re.compile(r"^[\s-]*apiVersion\s*:|[\"']apiVersion[\"']\s*:", re.MULTILINE)
_K8S_KIND = re.compile(r"^[\s-]*kind\s*:|[\"']kind[\"']\s*:", re.MULTILINE)
_PLAN_MARKERS = re.compile(r"\"format_version\"")
_PLAN_SECTIONS = ("planned_values", "resource_changes", "root_module")


def candidates(text: str) -> list[str]:
    """The formats the text may be, most specific first: `tfplan`, `cloudformation`, `kubernetes`."""
    head = text[:200_000]
    found = []
    if _PLAN_MARKERS.search(head[:2000]) and any(section in head for section in _PLAN_SECTIONS):
        found.append("tfplan")
    if _CFN_MARKERS.search(head) and _CFN_RESOURCES.search(head):
        found.append("cloudformation")
    if _K8S_API_VERSION.search(head) and _K8S_KIND.search(head):
        found.append("kubernetes")
    return found


def _parse_as(kind: str, source: SourceFile, text: str, limits: ParseLimits) -> ParsedFile | None:
    if kind == "tfplan":
        from aiaas_iac.parsers import tfplan

        return tfplan.parse(source, text, limits)
    if kind == "cloudformation":
        from aiaas_iac.parsers import cloudformation

        return cloudformation.parse(source, text, limits)
    from aiaas_iac.parsers import kubernetes

    return kubernetes.parse(source, text, limits)


def parse(source: SourceFile, text: str, limits: ParseLimits) -> ParsedFile:
    kinds = candidates(text)
    for position, kind in enumerate(kinds):
        parsed = _parse_as(kind, source, text, limits)
        if parsed is None:
            continue  # not this format after all
        if parsed.errors and "kubernetes" in kinds[position + 1:]:
            # A multi-document manifest that mentions `Type: AWS::...` is no broken template.
            manifests = _parse_as("kubernetes", source, text, limits)
            if manifests is not None and manifests.resources:
                return manifests
        return parsed
    return ParsedFile()
