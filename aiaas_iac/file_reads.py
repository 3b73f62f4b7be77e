"""Files read by Terraform's `file()`/`templatefile()`: only regular files inside the scanned paths.

The scanned repository is hostile input. A pull request can write
`file("../../x")`, `file(".git/config")` (actions/checkout keeps its token
there), `file("/proc/self/environ")`, commit a symlink that points outside, or
name a FIFO that blocks the reader forever. So a read is allowed only when the
file's real path (every symlink resolved) lies inside one of the paths given
to the scan — not merely under the working directory — has no `.git`
component below that path, is not under /proc, /sys or /dev, and is a regular
file no larger than `MAX_BYTES`. It is opened without following a final
symlink and without blocking, and the descriptor itself is checked with fstat
(a path check alone can be raced or fooled by special files).

A refused read leaves the value unknown (so it can never produce a finding)
and adds a note. Every outcome — a digest, "absent" or "refused" — is
recorded in the active `ReadScope`, so the result cache can tell whether a
cached scan still holds (a missing file that appears later must be seen).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from typing import Iterable, Iterator

MAX_BYTES = 1_000_000
_SYSTEM_TREES = ("/proc", "/sys", "/dev")
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
ABSENT = "absent"
# Outcome prefix of a refused read, followed by why (shown in the note).
REFUSED = "refused:"
# Shown escaped in a note: a path written in the scanned tree can hold a newline and `::`.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MAX_SHOWN_PATH = 200
# Read contents shorter than this are not searched for in messages: an action name or an ARN
# read from a file would be redacted in every message quoting it.
_MIN_REDACTED_TEXT = 16


@dataclass
class ReadScope:
    """Where reads may go during one scan, and what they found."""

    roots: tuple[str, ...]  # real paths of the scanned files and directories
    outcomes: dict[str, str] = field(default_factory=dict)  # requested absolute path -> outcome
    notes: dict[str, None] = field(default_factory=dict)  # insertion-ordered set
    texts: dict[str, None] = field(default_factory=dict)  # contents read, redacted when quoted


def scope_for(paths: Iterable[str | os.PathLike]) -> ReadScope:
    return ReadScope(tuple(dict.fromkeys(os.path.realpath(os.fspath(p)) for p in paths)))


_active: ReadScope | None = None


@contextlib.contextmanager
def confined_to(paths: Iterable[str | os.PathLike]) -> Iterator[ReadScope]:
    """Within the block, reads are confined to `paths` and recorded in the yielded scope."""
    global _active
    previous, _active = _active, scope_for(paths)
    try:
        yield _active
    finally:
        _active = previous


def active_scope() -> ReadScope | None:
    return _active


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _refusal(real: str, roots: tuple[str, ...]) -> str | None:
    """Why the file at real path `real` may not be read, or None."""
    if any(_inside(real, tree) for tree in _SYSTEM_TREES):
        return "a system path"
    containing = [root for root in roots if _inside(real, root)]
    if not containing:
        return "outside the scanned paths"
    # Below the scanned path only: a user may keep their checkout under any directory name.
    below = os.path.relpath(real, max(containing, key=len))
    if any(part.lower() == ".git" for part in below.split(os.sep)):
        return "under .git"
    return None


def read_outcome(requested: str, roots: tuple[str, ...]) -> tuple[str, bytes | None]:
    """(outcome, content) of reading the absolute path `requested`: ("sha256:<hex>", bytes),
    (ABSENT, None) or (REFUSED + why, None). Never raises, never blocks."""
    try:
        real = os.path.realpath(requested)
    except (OSError, ValueError, UnicodeError):  # NUL, unencodable, symlink loop on some versions
        return REFUSED + "unreadable", None
    why = _refusal(real, roots)
    if why is not None:
        return REFUSED + why, None
    try:
        descriptor = os.open(real, _OPEN_FLAGS)
    except (FileNotFoundError, NotADirectoryError):
        return ABSENT, None
    except (OSError, ValueError, UnicodeError):  # ELOOP (a symlink swapped in), EACCES, ...
        return REFUSED + "unreadable", None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            return REFUSED + "not a regular file", None
        if status.st_size > MAX_BYTES:
            return REFUSED + f"larger than {MAX_BYTES // 1_000_000} MB", None
        chunks, size = [], 0
        while size <= MAX_BYTES:
            chunk = os.read(descriptor, MAX_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_BYTES:  # grew while read
            return REFUSED + f"larger than {MAX_BYTES // 1_000_000} MB", None
        data = b"".join(chunks)
        return "sha256:" + hashlib.sha256(data).hexdigest(), data
    except OSError:
        return REFUSED + "unreadable", None
    finally:
        os.close(descriptor)


def read_text(path_text: str, base_dir: str, default_roots: tuple[str, ...], where: str = "") -> str | None:
    """The text of the file `path_text` (relative to `base_dir`) names, if it may be read.

    Inside a `confined_to` block the block's scope applies (the engine sets it to the scanned
    paths); outside one — library use, tests — `default_roots`. `where` (the module) prefixes
    the note a refused read leaves."""
    scope = _active or ReadScope(tuple(os.path.realpath(r) for r in default_roots))
    requested = os.path.abspath(os.path.join(base_dir, path_text))
    outcome, data = read_outcome(requested, scope.roots)
    scope.outcomes.setdefault(requested, outcome)
    if outcome.startswith(REFUSED):
        why = outcome[len(REFUSED):]
        what = "file() outside the scanned paths not read" if why == "outside the scanned paths" \
            else f"file() not read ({why})"
        prefix = f"{where}: " if where and where != "." else ""
        shown = _CONTROL.sub(lambda match: ascii(match.group())[1:-1], path_text[:_MAX_SHOWN_PATH])
        scope.notes[f"{prefix}{what}: {shown}"] = None
        return None
    if data is None:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    stripped = text.strip()
    if len(stripped) >= _MIN_REDACTED_TEXT:
        scope.texts[stripped] = None
    return text
