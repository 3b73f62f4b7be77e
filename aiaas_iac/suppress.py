"""Inline suppressions: `# aiaas-iac:ignore=AIA301[,AIA302] <reason>` (also `//` in HCL).

A suppression applies to findings on its own line, or on the line directly
below it when that line starts the block (resource, nested block or element)
containing the finding. A reason is required: without one the comment
suppresses nothing and is itself reported (AIA901); one that suppresses
nothing is reported too (AIA902).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Iterable

from aiaas_iac.check import code_of
from aiaas_iac.model import Finding, Resource

_MARKER = "aiaas-iac:"
_SUPPRESSION_RE = re.compile(
    r"(?:#|//|/\*)\s*aiaas-iac:\s*ignore\s*=\s*([A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*)[ \t]*(.*?)\s*(?:\*/)?$"
)


@dataclass(frozen=True)
class Suppression:
    file: str
    line: int
    tokens: tuple[str, ...]  # codes or slugs, as written
    reason: str


def find_suppressions(text: str, file: str) -> tuple[Suppression, ...]:
    """Suppression comments in one file's text (cheap when there are none)."""
    if _MARKER not in text:
        return ()
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if _MARKER in line:
            match = _SUPPRESSION_RE.search(line)
            if match:
                tokens = tuple(t.strip() for t in match.group(1).split(",") if t.strip())
                found.append(Suppression(file, number, tokens, match.group(2).strip(" -:")))
    return tuple(found)


def _covers(suppression: Suppression, finding: Finding, resource: Resource | None) -> bool:
    line = finding.location.span.start_line
    if suppression.line == line:
        return True
    target = suppression.line + 1
    if resource is None:
        return False
    if resource.span.start_line == target:
        return True
    return any(span.start_line == target and span.start_line <= line <= span.end_line
               for span in resource.spans.values())


def apply_suppressions(
    findings: Iterable[Finding],
    suppressions: Iterable[Suppression],
    resources: Iterable[Resource],
    names: dict[str, str],
) -> tuple[list[Finding], set[Suppression]]:
    """Mark suppressed findings; return them with the set of suppressions that matched something."""
    by_file: dict[str, list[Suppression]] = {}
    for suppression in suppressions:
        if suppression.reason:
            by_file.setdefault(suppression.file, []).append(suppression)
    index = {(r.file, r.address): r for r in resources}
    used: set[Suppression] = set()
    out = []
    for finding in findings:
        for suppression in by_file.get(finding.location.file, ()):
            codes = {code_of(names, t) for t in suppression.tokens}
            if finding.code in codes and _covers(suppression, finding, index.get((finding.location.file, finding.resource))):
                finding = dataclasses.replace(finding, suppressed=True, suppression_reason=suppression.reason)
                used.add(suppression)
                break
        out.append(finding)
    return out, used
