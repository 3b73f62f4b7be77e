"""A content-addressed parse cache in the user's cache directory.

Keyed by tool version, parser library versions, parse limits, the file's
relative path (resources carry it) and a hash of its bytes. Entries are
written atomically (temp file + rename), so concurrent scans are safe; an
entry that cannot be read back is ignored and rebuilt. Nothing is written
into the scanned tree.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

CACHE_FORMAT = "2"


def cache_dir() -> Path:
    explicit = os.environ.get("AIAAS_IAC_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "aiaas-iac"


@functools.lru_cache(maxsize=1)
def _versions() -> str:
    from importlib import metadata

    from aiaas_iac import __version__

    # The package's own source too: in a development checkout the version stays the same
    # while parsers change, and a stale entry would hide the change.
    package = Path(__file__).resolve().parent
    stamp = hashlib.sha256()
    for source in sorted(package.rglob("*.py")):
        stat = source.stat()
        stamp.update(f"{source.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}\0".encode())
    parts = [CACHE_FORMAT, __version__, stamp.hexdigest()[:16]]
    for package in ("python-hcl2", "cfn-lint", "PyYAML", "lark"):
        try:
            parts.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{package}=none")
    return "|".join(parts)


def content_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cache_key(rel: str, kind: str, digest: str, limits: Any) -> str:
    """The entry of one file's parse result; `digest` is `content_digest` of its bytes."""
    key = f"{_versions()}|{kind}|{rel}|{limits!r}|{digest}"
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def _entry(key: str) -> Path:
    return cache_dir() / key[:2] / key[2:]


def load(key: str) -> Any | None:
    try:
        with open(_entry(key), "rb") as handle:
            return pickle.load(handle)
    except Exception:  # missing, truncated or corrupt entry: parse again
        return None


def store(key: str, value: Any) -> None:
    path = _entry(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(descriptor, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except Exception:  # a read-only or full cache must never fail a scan
        try:
            os.unlink(temporary)  # type: ignore[possibly-undefined]
        except Exception:
            pass
