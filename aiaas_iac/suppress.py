"""Inline suppressions: `# aiaas-iac:ignore=AIA301[,AIA302] <reason>` (also `//` and `/* */` in HCL).

Codes are named as `--select` names them: a code, a code prefix (`AIA3`) or a slug.

A suppression applies to findings on its own line, or on the line directly
below it when that line starts the block (resource, nested block or element)
containing the finding. A reason is required: without one the comment
suppresses nothing and is itself reported (AIA901); one that suppresses
nothing is reported too (AIA902).

Only real comments count (`parsers/comments.py` finds them): the same text in
a string value (a template `Description`, an HCL string or heredoc, a YAML
block scalar) is data, and JSON has no comments at all. The reason is copied
into every report, so it is cut to `MAX_REASON_CHARS` and passed through the same
redaction as every message (aiaas_iac/redaction.py).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Iterable

from aiaas_iac.check import code_of
from aiaas_iac.model import Finding, Resource

_MARKER = "aiaas-iac:"
# Possessive quantifiers: a marker followed by 200,000 spaces is read once, never backtracked over.
_SUPPRESSION_RE = re.compile(
    r"(?:#|//|/\*)[ \t]*+aiaas-iac:[ \t]*+ignore[ \t]*+=[ \t]*+"
    r"([A-Za-z0-9_-]++(?:[ \t]*+,[ \t]*+[A-Za-z0-9_-]++)*+)"
)
_BLANKS = re.compile(r"\s*+")
MAX_REASON_CHARS = 200
# Enough to see whole any credential that could end up in the first MAX_REASON_CHARS once
# redacted; what lies beyond is never shown.
_REASON_WINDOW = 1_000
_TOKEN_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-"
SYNTAXES = ("hcl", "yaml", "json")


@dataclass(frozen=True)
class Suppression:
    file: str
    line: int
    tokens: tuple[str, ...]  # codes or slugs, as written
    reason: str


def clean_reason(raw: str) -> str:
    """The reason as reports show it: trimmed, credentials redacted (the one redaction every
    report uses), at most MAX_REASON_CHARS. Only the first `_REASON_WINDOW` characters after
    leading blanks are ever looked at."""
    from aiaas_iac.redaction import safe_text

    reason = raw[_BLANKS.match(raw).end():][:_REASON_WINDOW + 1]
    if len(reason) > _REASON_WINDOW:
        # Cut inside a token, keep none of it: the part seen could be most of a credential.
        reason = reason[:_REASON_WINDOW].rstrip(_TOKEN_CHARACTERS)
    return safe_text(reason.strip().strip(" -:"), MAX_REASON_CHARS)


def find_suppressions(text: str, file: str, syntax: str) -> tuple[Suppression, ...]:
    """Suppression comments in one file's text; `syntax` is `hcl`, `yaml` or `json` (none).
    Cheap when the text holds no marker."""
    if syntax not in SYNTAXES:
        raise ValueError(f"unknown syntax {syntax!r}")
    if syntax == "json" or _MARKER not in text:
        return ()
    from aiaas_iac.parsers.comments import hcl_comments, yaml_comments

    until = text.rfind(_MARKER)
    comments = hcl_comments(text, until) if syntax == "hcl" else yaml_comments(text, until)
    found = []
    line, counted_to = 1, 0
    for start, end in comments:
        if text.find(_MARKER, start, end) < 0:
            continue
        for match in _SUPPRESSION_RE.finditer(text, start, end):
            line += text.count("\n", counted_to, match.start())
            counted_to = match.start()
            line_end = text.find("\n", match.end(), end)
            reason_end = end if line_end < 0 else line_end
            if reason_end == end and text.startswith("/*", start) and text.startswith("*/", end - 2):
                reason_end -= 2  # the `*/` closing a block comment on the marker's line
            # The reason runs to the end of the line: look at a bounded part of it only.
            reason_start = _BLANKS.match(text, match.end(), reason_end).end()
            reason = text[reason_start:min(reason_end, reason_start + _REASON_WINDOW + 1)]
            tokens = tuple(t.strip() for t in match.group(1).split(",") if t.strip())
            found.append(Suppression(file, line, tokens, clean_reason(reason)))
    return tuple(found)


def codes_named(names: dict[str, str], token: str) -> frozenset[str]:
    """The codes a suppression's token names: `--select` semantics (a code or slug, or a code
    prefix such as `AIA3`); empty when it names no known check."""
    exact = code_of(names, token)
    if exact is not None:
        return frozenset((exact,))
    prefix = token.strip().upper()
    return frozenset(code for code in names.values() if prefix and code.startswith(prefix))


def _covers(suppression: Suppression, finding: Finding, resource: Resource | None) -> bool:
    line = finding.location.span.start_line
    if suppression.line == line:
        return True
    target = suppression.line + 1
    if resource is None:
        # No block of that address in the file: a finding moved to the `module` block that leads
        # into an installed module (module_tree.relocated) is covered from the line above it.
        return target == line
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
    """Mark suppressed findings; return them with the (suppression, token) pairs that matched
    something, so each code of a multi-code comment is judged on its own (AIA902)."""
    by_file: dict[str, list[Suppression]] = {}
    for suppression in suppressions:
        if suppression.reason:
            by_file.setdefault(suppression.file, []).append(suppression)
    index = {(r.file, r.address): r for r in resources}
    used: set[tuple[Suppression, str]] = set()
    named = {(s, t): codes_named(names, t) for group in by_file.values() for s in group for t in s.tokens}
    out = []
    for finding in findings:
        for suppression in by_file.get(finding.location.file, ()):
            tokens = [t for t in suppression.tokens if finding.code in named[(suppression, t)]]
            if tokens and _covers(suppression, finding, index.get((finding.location.file, finding.resource))):
                finding = dataclasses.replace(finding, suppressed=True, suppression_reason=suppression.reason)
                used.update((suppression, t) for t in tokens)
                break
        out.append(finding)
    return out, used
