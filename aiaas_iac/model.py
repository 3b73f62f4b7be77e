"""The normalised model shared by parsers, checks and reporters.

Parsers produce `Resource`s and `ParseError`s; checks read resources and yield
`Finding`s; reporters turn findings into text. Everything here is a frozen
dataclass or a plain value so results can be cached, pickled across worker
processes and compared in tests.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum
from collections.abc import Mapping
from typing import Any, Iterator

class Severity(str, Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self.value]

    @property
    def security_severity(self) -> str:
        """GitHub code scanning's numeric severity (critical >= 9.0, high 7.0-8.9 ...)."""
        return _SECURITY_SEVERITY[self.value]

    @property
    def sarif_level(self) -> str:
        return "error" if self.rank >= 3 else ("warning" if self.rank == 2 else "note")

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(
                f"unknown severity {text!r} (expected critical, high, medium or low)"
            ) from None


_SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}

@dataclass(frozen=True)
class Span:
    """Lines are 1-based and inclusive; columns are 1-based when known."""

    start_line: int
    end_line: int
    start_column: int | None = None
    end_column: int | None = None


def new_span(start_line: int, end_line: int, start_column: int | None = None, end_column: int | None = None) -> Span:
    """`Span(...)` without the frozen dataclass's checked setattr per field: parsers and the cache
    make hundreds of thousands of spans, and this is about 3x faster. Equal to `Span(...)` in every way."""
    made = object.__new__(Span)
    fields = made.__dict__
    fields["start_line"], fields["end_line"] = start_line, end_line
    fields["start_column"], fields["end_column"] = start_column, end_column
    return made


@dataclass(frozen=True)
class Unknown:
    """A value the scanner cannot know statically.

    `text` is the source expression (for messages); `refs` are the references
    it mentions (`var.x`, `aws_iam_user.bot.name`, a CloudFormation logical ID
    or `Logical.Attribute`) so checks can still follow them. Checks must never
    guess toward a finding from an Unknown.
    """

    text: str
    refs: tuple[str, ...] = ()


def scalar_text(value: Any) -> str | None:
    """A string, number or boolean as the text a template or manifest makes of it (`true`,
    not `True`); None for null, a mapping, a list or an unknown value."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, (int, float)) else None


@dataclass(frozen=True)
class Resource:
    """One declaration in an IaC file, format-independent.

    `kind` says what sort of declaration it is: for Terraform `resource`,
    `data`, `variable`, `local`, `output`, `provider`, `module`, `tfvars`;
    for CloudFormation `resource`, `parameter`, `output`; for Kubernetes
    `manifest`. `attributes` holds plain Python values (dict/list/str/int/
    float/bool/None) and `Unknown`s; nested blocks are lists of dicts under
    their block type. `spans` maps attribute paths to source lines.
    """

    format: str
    kind: str
    type: str
    name: str
    address: str
    attributes: Mapping[str, Any]
    file: str
    module: str
    span: Span
    spans: Mapping[tuple, Span] = field(default_factory=dict, compare=False, repr=False)
    # The attributes as written, before value resolution replaced references with
    # values (Terraform only; None when nothing was resolved). Lets a check tell a
    # literal in this block from a value that came from a variable default.
    source_attributes: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    # The address across modules, where the file gives one (a Terraform plan's
    # `module.app.aws_iam_user.bot[0]`); empty when it is `address`. Findings name it.
    full_address: str = field(default="", compare=False, repr=False)

    def get(self, *path: Any, default: Any = None) -> Any:
        """The value at `path` (keys and list indexes), or `default` if absent."""
        value: Any = self.attributes
        for part in path:
            if isinstance(value, Mapping) and part in value:
                value = value[part]
            elif isinstance(value, list) and isinstance(part, int) and -len(value) <= part < len(value):
                value = value[part]
            else:
                return default
        return value

    def has(self, *path: Any) -> bool:
        marker = object()
        return self.get(*path, default=marker) is not marker

    def span_of(self, *path: Any) -> Span:
        """The span of the deepest recorded prefix of `path` (the block if none)."""
        for end in range(len(path), 0, -1):
            span = self.spans.get(tuple(path[:end]))
            if span is not None:
                return span
        return self.span

    def blocks(self, *path: Any) -> Iterator[tuple[int, dict]]:
        """(index, block) for each nested block at `path` (blocks are lists of dicts)."""
        return blocks_of(self.get(*path))


def blocks_of(value: Any) -> Iterator[tuple[int, dict]]:
    """(index, block) of a nested-block value: a list of blocks, or one block written as a mapping
    (as `.tf.json` and CloudFormation do)."""
    if isinstance(value, Mapping):
        value = [value]
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, Mapping):
                yield index, item


@dataclass(frozen=True)
class Mappings:
    owasp_nhi: str
    nist_csf: str
    cwe: str

    def as_tags(self) -> list[str]:
        """SARIF/GitHub tags; a mapping cell may list several ids ("GV.SC, AI RMF MANAGE")."""
        tags = []
        for prefix, cell in (("owasp-nhi", self.owasp_nhi), ("nist-csf", self.nist_csf), ("external/cwe", self.cwe.lower())):
            for item in cell.split(","):
                item = item.strip()
                if item and item != "n/a":
                    tags.append(f"{prefix}/{item.replace(' ', '-')}")
        return tags


@dataclass(frozen=True)
class CheckMeta:
    """What a check is, independent of its logic: drives rules, explain, SARIF and docs."""

    code: str
    slug: str
    severity: Severity
    title: str
    formats: tuple[str, ...]
    what: str
    why: str
    remediation: str
    failing_example: str
    passing_example: str
    mappings: Mappings
    precision: str = "high"
    tags: tuple[str, ...] = ()
    help_uri: str = ""


@dataclass(frozen=True)
class Location:
    file: str  # posix path relative to the scan root
    span: Span


@dataclass(frozen=True)
class Finding:
    code: str
    slug: str
    severity: Severity
    message: str
    location: Location
    resource: str  # the resource address: aws_iam_policy.app, a logical ID, Deployment/ns/name
    remediation: str
    mappings: Mappings
    # Where inside the resource the finding points (attribute path as text);
    # part of the fingerprint so that two findings in one resource stay apart.
    detail: str = ""
    suppressed: bool = False
    suppression_reason: str = ""
    # Whole-scan findings (e.g. "no invocation logging anywhere") are about the scan, not the
    # block they are shown at: they set an identity so their fingerprint survives that block moving.
    identity: str = ""
    # For a finding inside a local module: the module blocks in the root that instantiate it
    # (outermost call sites, which the user can change); SARIF relatedLocations.
    related: tuple[Location, ...] = field(default=(), compare=False)
    # The module (instance) of the resource it is reported at (module_tree merges instances by it).
    module: str = field(default="", compare=False, repr=False)

    @property
    def fingerprint(self) -> str:
        """Stable across line moves: built from what was found, never from line numbers."""
        parts = (self.code, self.identity) if self.identity else (self.code, self.location.file, self.resource, self.detail)
        key = "\x1f".join(parts)
        # surrogateescape: a file name that is not UTF-8 hashes as its own bytes instead of failing.
        return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]

    @property
    def sort_key(self) -> tuple:
        return (self.location.file, self.location.span.start_line, self.code, self.resource, self.detail)


@dataclass(frozen=True)
class ParseError:
    """A file that could not be (fully) read. One line for the user."""

    file: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"
