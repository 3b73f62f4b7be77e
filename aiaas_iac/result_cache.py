"""Whole-scan result cache: an unchanged repository is answered without parsing or checking.

Checks look across files, so their findings can only be reused when nothing
they could have seen changed. The key covers the tool and parser versions,
the scan root, the selected checks and the files defining them, the parse
limits, and every scanned file's path, kind and content hash. Files read
through `file()`/`templatefile()` are recorded with their hashes and
verified on reuse. Any difference falls back to the per-file parse cache.
"""

from __future__ import annotations

import hashlib
import inspect
import os
from dataclasses import dataclass
from typing import Any, Sequence

from aiaas_iac import cache
from aiaas_iac.model import Finding, ParseError

ENTRY_FORMAT = "result-1"


@dataclass(frozen=True)
class CachedResult:
    findings: tuple[Finding, ...]
    failures: tuple[str, ...]
    errors: tuple[ParseError, ...]
    notes: tuple[str, ...]
    file_reads: tuple[tuple[str, str], ...]  # (absolute path, sha256) read while resolving


def _file_digest(path: str, limit: int) -> str:
    try:
        if os.path.getsize(path) > limit:
            stat = os.stat(path)
            return f"large:{stat.st_size}:{stat.st_mtime_ns}"
        with open(path, "rb") as handle:
            return cache.content_digest(handle.read())
    except OSError as error:
        return f"unreadable:{error.errno}"


def scan_key(root: Any, sources: Sequence[Any], checks: Sequence[Any], limits: Any,
             options: Any) -> tuple[str, dict[str, str]]:
    """The scan's key, and each readable file's content digest (reused for the parse cache)."""
    digest = hashlib.sha256()
    digest.update(f"{ENTRY_FORMAT}|{cache._versions()}|{root}|{limits!r}|{options.frameworks!r}\0".encode())
    for check in checks:
        module_file = inspect.getfile(check)
        stat = os.stat(module_file)
        digest.update(f"{check.code}|{module_file}|{stat.st_size}|{stat.st_mtime_ns}\0".encode())
    files: dict[str, str] = {}
    for source in sources:
        file_digest = _file_digest(str(source.path), limits.max_file_bytes)
        if ":" not in file_digest:
            files[source.rel] = file_digest
        digest.update(f"{source.rel}|{source.kind}|{file_digest}\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest(), files


def load(key: str) -> CachedResult | None:
    entry = cache.load(key)
    if not isinstance(entry, CachedResult):
        return None
    for path, sha in entry.file_reads:
        if _file_digest(path, 1 << 62) != sha:
            return None
    return entry


def store(key: str, entry: CachedResult) -> None:
    cache.store(key, entry)
