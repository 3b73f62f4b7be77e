"""Write a report or baseline file without following a symbolic link at the target.

In CI the target often lies inside the checked-out pull request (`--report
sarif:aiaas-iac.sarif`), so the pull request can commit a symlink there that
points at a file outside the repository. Opening the path for writing would
follow the link and overwrite that file. Instead the text goes to a temporary
file in the target's directory, which is then renamed over the target: a
rename replaces a link itself and never writes through it. A link at the
target is refused outright, which is clearer than silently replacing it.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


class UnsafeTarget(OSError):
    """The target is a symbolic link or not a regular file; nothing was written."""


def _umask() -> int:
    # The only portable way to read the umask is to set it and put it back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_file(path: Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8) atomically: readers see the old file or the new one.

    Missing parent directories are created. Raises UnsafeTarget for a symlink or a
    non-regular file at `path`, OSError when the directory cannot be written.
    """
    path = Path(path)
    try:
        mode: int | None = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISLNK(mode):
        raise UnsafeTarget(f"refusing to write through symbolic link {path}")
    if mode is not None and not stat.S_ISREG(mode):
        raise UnsafeTarget(f"refusing to write {path}: not a regular file")
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp creates the file 0600: keep the permissions of the file replaced,
        # else make it as readable as any file the user creates.
        os.chmod(temporary, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
