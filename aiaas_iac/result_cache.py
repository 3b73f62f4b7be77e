"""Whole-scan result cache: an unchanged repository is answered without parsing or checking.

Checks look across files, so their findings can only be reused when nothing
they could have seen changed. The key covers the tool and parser versions,
the scan root and the scanned paths (reads are confined to them), the
selected checks and every file of the checks directories, the parse limits, and every
scanned file's path, kind, content hash and Helm-chart context. Every
`file()`/`templatefile()` read is recorded with its outcome — a digest,
"absent" or "refused" — and re-checked on reuse, so a target that appears,
changes or turns into a symlink invalidates the entry. Any difference falls
back to the per-file parse cache.

An entry holds findings, errors and notes that have already been through
`redaction` (no credential in them), and is not written when a recorded path
itself looks secret.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any, Sequence

from aiaas_iac import cache
from aiaas_iac.model import Finding, ParseError

ENTRY_FORMAT = "result-2"


@dataclass(frozen=True)
class CachedResult:
    findings: tuple[Finding, ...]
    failures: tuple[str, ...]
    errors: tuple[ParseError, ...]
    notes: tuple[str, ...]
    file_reads: tuple[tuple[str, str], ...]  # (requested absolute path, outcome) of file()/templatefile()


def _file_digest(path: str, limit: int) -> str:
    try:
        if os.path.getsize(path) > limit:
            status = os.stat(path)
            return f"large:{status.st_size}:{status.st_mtime_ns}"
        with open(path, "rb") as handle:
            return cache.content_digest(handle.read())
    except OSError as error:
        return f"unreadable:{error.errno}"


def scan_key(root: Any, scanned: Sequence[str], sources: Sequence[Any], codes: Sequence[str], checks_stamp: str,
             limits: Any, options: Any) -> tuple[str, dict[str, str]]:
    """The scan's key, and each readable file's content digest (reused for the parse cache)."""
    digest = hashlib.sha256()
    digest.update(f"{ENTRY_FORMAT}|{cache._versions()}|{root}|{limits!r}|{options.frameworks!r}\0".encode(
        "utf-8", "surrogateescape"))
    for path in scanned:
        digest.update(f"scanned|{path}\0".encode("utf-8", "surrogateescape"))
    # The check sources (every file of every checks directory: catalog.stamp) and the selection.
    digest.update(f"checks|{checks_stamp}|{','.join(codes)}\0".encode("utf-8", "surrogateescape"))
    files: dict[str, str] = {}
    for source in sources:
        file_digest = _file_digest(str(source.path), limits.max_file_bytes)
        if ":" not in file_digest:
            files[source.rel] = file_digest
        context = cache.file_context(source)
        digest.update(f"{source.rel}|{source.kind}|{context}|{file_digest}\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest(), files


def load(key: str, scanned: Sequence[str]) -> CachedResult | None:
    """The cached result, if every file()/templatefile() read still has the same outcome."""
    from aiaas_iac.file_reads import read_outcome, scope_for

    entry = cache.read_entry(key)
    if not isinstance(entry, CachedResult):
        return None
    roots = scope_for(scanned).roots
    for path, outcome in entry.file_reads:
        if not isinstance(path, str) or read_outcome(path, roots)[0] != outcome:
            return None
    return entry


def store(key: str, entry: CachedResult) -> None:
    from aiaas_iac.redaction import looks_secret

    if any(looks_secret(path) for path, _ in entry.file_reads):
        return
    cache.write_entry(key, entry)


# The parse cache is written from the second scan of a tree on. A tree scanned once may never be
# scanned again (a CI machine that keeps nothing): writing every file's entry then costs a quarter
# of the scan for nothing, while an unchanged tree is answered by the result entry alone. A tree seen
# before is being worked on, and its next scans reuse the entries of the files that did not change.
SEEN_MARK = "seen"


def _seen_key(root: Any, scanned: Sequence[str]) -> str:
    text = f"seen|{cache._versions()}|{root}|" + "|".join(scanned)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def seen_before(root: Any, scanned: Sequence[str]) -> bool:
    """Whether a scan of these paths from this root ran before with this version (see SEEN_MARK)."""
    return cache.read_entry(_seen_key(root, scanned)) == SEEN_MARK


def mark_seen(root: Any, scanned: Sequence[str]) -> None:
    cache.write_entry(_seen_key(root, scanned), SEEN_MARK)
