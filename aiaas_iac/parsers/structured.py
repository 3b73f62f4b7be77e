"""YAML/JSON files: decide by content what they are (CloudFormation, Kubernetes, Terraform plan).

Most YAML and JSON in a repository is none of these (CI config, compose files,
package.json...): such files are left alone silently.
"""

from __future__ import annotations

import re

from aiaas_iac.discover import SourceFile
from aiaas_iac.parsers import ParsedFile, ParseLimits

_CFN_MARKERS = re.compile(r"AWSTemplateFormatVersion|[\"']?Type[\"']?\s*:\s*[\"']?AWS::")
_K8S_MARKERS = re.compile(r"^\s*[\"']?apiVersion[\"']?\s*:", re.MULTILINE)
_PLAN_MARKERS = re.compile(r"\"format_version\"")


def sniff(text: str) -> str | None:
    """`cloudformation`, `tfplan`, `kubernetes` or None, from a cheap look at the text."""
    head = text[:200_000]
    if _PLAN_MARKERS.search(head[:2000]) and ("planned_values" in head or "resource_changes" in head):
        return "tfplan"
    if _CFN_MARKERS.search(head) and re.search(r"^\s*[\"']?Resources[\"']?\s*:", head, re.MULTILINE):
        return "cloudformation"
    if _K8S_MARKERS.search(head) and re.search(r"^\s*[\"']?kind[\"']?\s*:", head, re.MULTILINE):
        return "kubernetes"
    return None


def parse(source: SourceFile, text: str, limits: ParseLimits) -> ParsedFile:
    # CloudFormation, Kubernetes and plan parsers are added with their formats;
    # until a format has a parser its files are left alone, like other YAML/JSON.
    return ParsedFile()
