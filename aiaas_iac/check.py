"""The check API: one class per check, metadata as plain attributes next to its logic.

A check module defines one subclass of `Check`. The engine loads built-in
checks from the package's `checks/` directory and user checks from
`--checks-dir` the same way.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, ClassVar, Iterable

from aiaas_iac.model import CheckMeta, Finding, Location, Mappings, Resource, Severity, Span

if TYPE_CHECKING:
    from aiaas_iac.context import ScanContext


class Check:
    """Subclass, set the attributes, write `run`. The class docstring is the check's *what*."""

    code: ClassVar[str]
    slug: ClassVar[str]
    severity: ClassVar[Severity]
    title: ClassVar[str]
    formats: ClassVar[tuple[str, ...]]
    why: ClassVar[str]
    remediation: ClassVar[str]
    failing_example: ClassVar[str]
    passing_example: ClassVar[str]
    mappings: ClassVar[Mappings]
    precision: ClassVar[str] = "high"
    tags: ClassVar[tuple[str, ...]] = ()
    # Tool-level checks (AIA9xx) that review suppressions run after they are applied.
    after_suppressions: ClassVar[bool] = False

    def run(self, ctx: "ScanContext") -> Iterable[Finding]:
        raise NotImplementedError

    @classmethod
    def meta(cls) -> CheckMeta:
        return CheckMeta(
            code=cls.code, slug=cls.slug, severity=cls.severity, title=cls.title,
            formats=tuple(cls.formats), what=inspect.cleandoc(cls.__doc__ or ""),
            why=inspect.cleandoc(cls.why), remediation=inspect.cleandoc(cls.remediation),
            failing_example=inspect.cleandoc(cls.failing_example),
            passing_example=inspect.cleandoc(cls.passing_example),
            mappings=cls.mappings, precision=cls.precision, tags=tuple(cls.tags),
        )

    def finding(self, resource: Resource, message: str, path: tuple = (), detail: str | None = None,
                identity: str = "") -> Finding:
        """A finding located at `path` inside `resource` (its block when the path is unknown).

        Whole-scan checks pass `identity` (e.g. "scan") so the finding's fingerprint does not
        depend on which block it happens to be reported at."""
        return Finding(
            code=self.code, slug=self.slug, severity=self.severity, message=message,
            location=Location(resource.file, resource.span_of(*path)),
            resource=resource.full_address or resource.address,
            remediation=inspect.cleandoc(self.remediation), mappings=self.mappings,
            detail=detail if detail is not None else ".".join(str(p) for p in path),
            identity=identity, module=resource.module,
        )

    def finding_at(self, file: str, line: int, message: str, resource: str = "", detail: str = "") -> Finding:
        """A finding on a source line that belongs to no resource (e.g. a comment)."""
        return Finding(
            code=self.code, slug=self.slug, severity=self.severity, message=message,
            location=Location(file, Span(line, line)), resource=resource,
            remediation=inspect.cleandoc(self.remediation), mappings=self.mappings, detail=detail,
        )


def check_names(checks: Iterable[type[Check]]) -> dict[str, str]:
    """Every way to name a check (its code, its lower-case slug) -> its code."""
    return {name: c.code for c in checks for name in (c.code, c.slug.lower())}


def code_of(names: dict[str, str], token: str) -> str | None:
    """The code a user's token (`AIA101`, `aia101`, `bedrock-wildcard-permission`) names, if any."""
    token = token.strip()
    return names.get(token.upper()) or names.get(token.lower())
