"""What every cloud's builder shares: reach accumulated from grants, and paths made from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from aiaas_iac.inventory.model import AccessPath, Identity, ordered, strongest
from aiaas_iac.model import Resource

MAX_SCOPE_VALUES = 20  # values listed per path; the words say how many there are


def related_key(resource: Resource) -> tuple[str, str]:
    """How a finding names the resource it is on: (module instance, address)."""
    return (resource.module, resource.full_address or resource.address)


def identity_of(resource: Resource, kind: str, address: str | None = None) -> Identity:
    return Identity(kind, address or resource.full_address or resource.address, resource.file,
                    resource.span.start_line)


@dataclass
class Reach:
    """What the grants to one identity add up to, for one service."""

    capabilities: set = field(default_factory=set)
    values: list = field(default_factory=list)
    scope_all: bool = False
    via: list = field(default_factory=list)
    related: set = field(default_factory=set)

    def add(self, capabilities: Any, values: Any = (), scope_all: bool = False, via: Any = (),
            related: Any = ()) -> None:
        self.capabilities.update(capabilities)
        self.values.extend(v for v in values if v not in self.values)
        self.scope_all = self.scope_all or scope_all
        self.via.extend(v for v in via if v not in self.via)
        self.related.update(related)

    def __bool__(self) -> bool:
        # Listing or describing models reaches no model: a read-only grant is not an access path
        # (the capabilities are invoke, manage, admin and logging-control).
        return bool(self.capabilities - {"read"})


class Collector:
    """The paths of one scan, one per (identity, service): a second grant to the same pair widens it."""

    def __init__(self) -> None:
        self.paths: dict[tuple, AccessPath] = {}

    def add(self, identity: Identity, service: str, reach: Reach, credential: str, logged: bool | None,
            words: Callable[[Reach], str], related: Any = ()) -> AccessPath | None:
        if not reach:
            return None
        values = tuple(str(v) for v in reach.values[:MAX_SCOPE_VALUES])
        path = AccessPath(
            identity=identity, service=service, capability=strongest(reach.capabilities),
            capabilities=ordered(reach.capabilities), scope=words(reach), scope_values=values,
            scope_all=reach.scope_all, credential=credential, logged=logged, via=tuple(reach.via),
            related=set(reach.related) | set(related),
        )
        key = (identity.kind, identity.file, identity.address, service)
        existing = self.paths.get(key)
        if existing is None:
            self.paths[key] = path
            return path
        merged = Reach(set(existing.capabilities) | set(path.capabilities),
                       list(dict.fromkeys(existing.scope_values + path.scope_values)),
                       existing.scope_all or path.scope_all, list(dict.fromkeys(existing.via + path.via)),
                       existing.related | path.related)
        self.paths[key] = AccessPath(
            identity=identity, service=service, capability=strongest(merged.capabilities),
            capabilities=ordered(merged.capabilities), scope=_merged_words(existing, path),
            scope_values=tuple(merged.values[:MAX_SCOPE_VALUES]), scope_all=merged.scope_all,
            credential=existing.credential if existing.long_lived or not path.long_lived else path.credential,
            logged=_merged_logged(existing.logged, path.logged), via=tuple(merged.via), related=merged.related,
        )
        return self.paths[key]


def _merged_words(a: AccessPath, b: AccessPath) -> str:
    if a.scope == b.scope:
        return a.scope
    if a.scope_all != b.scope_all:
        return a.scope if a.scope_all else b.scope
    return f"{a.scope}; {b.scope}"


def _merged_logged(a: bool | None, b: bool | None) -> bool | None:
    """Two grants are logged only when both are."""
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def values_text(values: Any, limit: int = 3) -> str:
    shown = [str(v) for v in list(values)[:limit]]
    more = len(list(values)) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")
