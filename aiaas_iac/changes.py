"""Pull-request mode: report and gate only on findings in files changed since a git ref.

git runs in the repository that holds the scanned paths (`git -C`), which need
not be the working directory: the tool may run from outside the repository or
scan a subdirectory of it. File names are read NUL-separated (`-z`) as bytes,
so names with spaces, newlines or bytes that are not UTF-8 are kept exactly
as the scan saw them; `core.quotePath=false` is set for any output that is not.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from aiaas_iac.engine import Report

GIT_TIMEOUT_SECONDS = 60


class _GitFailed(Exception):
    """git exited non-zero; the message is the first line it wrote on stderr."""


def _usage_error(message: str) -> Exception:
    from aiaas_iac.engine import UsageError

    return UsageError(f"--changed-since: {message}")


def _git(directory: Path, *args: str) -> bytes:
    command = ["git", "-C", str(directory), "-c", "core.quotePath=false", *args]
    try:
        result = subprocess.run(command, capture_output=True, stdin=subprocess.DEVNULL, timeout=GIT_TIMEOUT_SECONDS)
    except FileNotFoundError:
        raise _usage_error("git is not installed") from None
    except (OSError, subprocess.TimeoutExpired) as error:
        raise _usage_error(f"cannot run git: {error}") from None
    if result.returncode != 0:
        lines = os.fsdecode(result.stderr).strip().splitlines()
        raise _GitFailed(lines[0] if lines else f"git {args[0]} exited with status {result.returncode}")
    return result.stdout


def check_ref(ref: str) -> str:
    """`ref` if it can only be read as a revision: one starting with `-` would be read as
    an option (`--changed-since=--output=/tmp/x`)."""
    if not ref or ref.startswith("-"):
        raise _usage_error(f"{ref!r} is not a git revision (a revision cannot start with '-')")
    return ref


def repository_top(directory: Path) -> Path:
    """The top directory of the git work tree holding `directory`."""
    try:
        output = _git(directory, "rev-parse", "--show-toplevel")
    except _GitFailed:
        raise _usage_error(f"{directory} is not inside a git repository") from None
    return Path(os.path.realpath(os.fsdecode(output.removesuffix(b"\n"))))


def changed_in_repository(top: Path, ref: str) -> set[Path]:
    """Absolute paths of files changed since `ref` in the repository at `top`:
    committed, staged, unstaged and untracked (not ignored)."""
    try:
        # The ref is resolved first, so what reaches `git diff` is a commit id.
        commit = os.fsdecode(_git(top, "rev-parse", "--verify", "--quiet", check_ref(ref) + "^{commit}")).strip()
    except _GitFailed:
        raise _usage_error(f"unknown git revision {ref!r} in {top}") from None
    try:
        # Run at the top, both list paths relative to it.
        names = _git(top, "diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", commit, "--")
        names += _git(top, "ls-files", "-z", "--others", "--exclude-standard")
    except _GitFailed as error:
        raise _usage_error(f"git: {error}") from None
    return {top / os.fsdecode(name) for name in names.split(b"\0") if name}


def changed_files(root: Path, ref: str, paths: Iterable[Path] = ()) -> set[str]:
    """Files changed since `ref`, as posix paths relative to the scan root (as findings name them).

    `paths` are the scanned paths; each is looked up in its own repository (the
    scan root itself may be a directory above the repository)."""
    check_ref(ref)
    root = Path(os.path.realpath(root))
    directories = {p if p.is_dir() else p.parent for p in (Path(os.path.abspath(p)) for p in paths)} or {root}
    tops = {repository_top(directory) for directory in directories}
    changed: set[str] = set()
    for top in tops:
        for path in changed_in_repository(top, ref):
            try:
                changed.add(PurePath(path).relative_to(root).as_posix())
            except ValueError:
                continue  # outside the scan root: no finding can be in it
    return changed


def keep_changed_files(report: "Report", ref: str, paths: Iterable[Path] = ()) -> None:
    """Whole-scan checks have already seen every file; keep only findings in changed files."""
    changed = changed_files(report.root, ref, paths)
    kept = [f for f in report.findings if f.location.file in changed]
    report.not_in_changed_files = len(report.findings) - len(kept)
    report.findings = kept
