"""The check catalog without importing the checks: what a scan needs to know about them
before it knows whether it has to run them.

Importing the 50-odd check modules (and the IAM helpers they pull in) costs about
0.1 s: most of a scan answered from the result cache. A scan needs their
metadata (codes and slugs for `--select`, severities, rule text for SARIF)
before it looks the result up, and their code only when it has to run them.
So the metadata of every check, built-in and from `--checks-dir`, is kept in
the cache under a stamp of the check sources (each `.py` file's path, size and
modification time, and the tool's own version stamp): any edit, added or
removed file gives a new stamp, and the checks are imported again.

The entry lives in the user's cache directory, with the same protections as
every other entry (`aiaas_iac.cache`); without a usable cache the checks are
simply imported.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from aiaas_iac.model import CheckMeta, Severity


@dataclass(frozen=True)
class CheckInfo:
    """A check as the scan's bookkeeping sees it: its metadata and when it runs."""

    meta: CheckMeta
    after_suppressions: bool = False

    @property
    def code(self) -> str:
        return self.meta.code

    @property
    def slug(self) -> str:
        return self.meta.slug

    @property
    def severity(self) -> Severity:
        return self.meta.severity


@dataclass(frozen=True)
class CatalogEntry:
    """The cached catalog: the stamp it was built for (checked again on reading) and the checks."""

    stamp: str
    checks: tuple[CheckInfo, ...]


def check_directories(extra_dirs: Sequence[Path]) -> list[Path]:
    from aiaas_iac.engine import builtin_checks_dir

    return [builtin_checks_dir(), *extra_dirs]


def stamp(extra_dirs: Sequence[Path]) -> str:
    """A digest of everything loading the checks depends on; changes when any check source does."""
    from aiaas_iac import cache

    digest = hashlib.sha256(f"catalog-1|{cache._versions()}\0".encode())
    for directory in check_directories(extra_dirs):
        resolved = os.path.realpath(directory)
        digest.update(f"dir|{resolved}\0".encode("utf-8", "surrogateescape"))
        if not os.path.isdir(resolved):
            continue
        for path in sorted(Path(resolved).rglob("*.py")):
            try:
                status = path.stat()
            except OSError:
                continue
            digest.update(f"{path}|{status.st_size}|{status.st_mtime_ns}\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def infos_of(classes: Sequence[Any]) -> list[CheckInfo]:
    return [CheckInfo(c.meta(), bool(c.after_suppressions)) for c in classes]


def check_catalog(extra_dirs: Sequence[Path] = (), use_cache: bool = True) -> tuple[list[CheckInfo], str]:
    """(every check's CheckInfo sorted by code, the stamp of the check sources). Read from the
    cache when its stamp matches; else the checks are loaded (UsageError as `load_checks`)."""
    from aiaas_iac import cache
    from aiaas_iac.engine import load_checks

    current = stamp(extra_dirs)
    key = hashlib.sha256(f"catalog|{current}".encode()).hexdigest()
    if use_cache and cache.usable_dir() is not None:
        entry = cache.read_entry(key)
        if isinstance(entry, CatalogEntry) and entry.stamp == current and _well_formed(entry.checks):
            return list(entry.checks), current
    infos = infos_of(load_checks(extra_dirs))
    if use_cache and cache.usable_dir() is not None:
        cache.write_entry(key, CatalogEntry(current, tuple(infos)))
    return infos, current


def _well_formed(checks: Any) -> bool:
    return isinstance(checks, tuple) and all(
        isinstance(c, CheckInfo) and isinstance(c.meta, CheckMeta) and isinstance(c.meta.code, str)
        and isinstance(c.meta.slug, str) and isinstance(c.meta.severity, Severity) for c in checks)
