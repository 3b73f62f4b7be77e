"""`inventory --diff-base REF`: the access paths a change adds, removes or widens.

The tree at REF is read from git without touching the working tree and without running anything
the repository configures: the revision is resolved with `rev-parse --verify --end-of-options`,
listed with `ls-tree`, and blobs are read raw with `cat-file --batch` (no smudge or textconv
filters, no hooks, no fsmonitor; a clean environment with no global or system config). Only
regular files inside the scanned paths and within the scan's size limit are written, into a
private temporary directory that is removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from aiaas_iac.engine import UsageError
from aiaas_iac.inventory.model import CAPABILITY_RANK, AccessPath

GIT_TIMEOUT = 120  # seconds for any one git command
MAX_FILES = 100_000  # blobs written from the base tree
MAX_TOTAL_BYTES = 1 << 30
_REGULAR_MODES = (b"100644", b"100755")
_GIT_OPTIONS = ("-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "core.untrackedCache=false",
                "-c", "protocol.allow=never")


def git_environment(home: str) -> dict[str, str]:
    """Only what git needs: no GIT_* from the caller, no global or system configuration."""
    return {
        "PATH": os.environ.get("PATH", os.defpath), "HOME": home, "LC_ALL": "C",
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_ATTR_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "GIT_NO_REPLACE_OBJECTS": "1",
    }


def _git(repo: Path, env: dict, *args: str, input_bytes: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *_GIT_OPTIONS, "-C", str(repo), *args], input=input_bytes, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=GIT_TIMEOUT, check=False)
    except FileNotFoundError:
        raise UsageError("--diff-base needs git, which is not installed") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"git {args[0]} took longer than {GIT_TIMEOUT} s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git {args[0]} failed: {message[-1] if message else 'exit ' + str(done.returncode)}")
    return done.stdout


def resolve_commit(repo: Path, env: dict, ref: str) -> str:
    if not ref or any(c in ref for c in "\0\n\r") or len(ref) > 1024:
        raise UsageError(f"--diff-base {ref!r}: not a revision")
    try:
        out = _git(repo, env, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    except UsageError:
        raise UsageError(f"--diff-base {ref!r}: no such commit in {repo}") from None
    commit = out.decode("ascii", "replace").strip()
    if len(commit) not in (40, 64) or not all(c in "0123456789abcdef" for c in commit):
        raise UsageError(f"--diff-base {ref!r}: no such commit in {repo}")
    return commit


@dataclass(frozen=True)
class TreeEntry:
    mode: bytes
    kind: bytes
    object_id: str
    size: int | None
    path: str


def tree_entries(repo: Path, env: dict, commit: str) -> Iterator[TreeEntry]:
    out = _git(repo, env, "ls-tree", "-r", "-l", "-z", "--full-tree", commit)
    for record in out.split(b"\0"):
        if not record:
            continue
        head, _, name = record.partition(b"\t")
        fields = head.split()
        if len(fields) != 4:
            continue
        mode, kind, object_id, size = fields
        yield TreeEntry(mode, kind, object_id.decode("ascii", "replace"),
                        int(size) if size.isdigit() else None, os.fsdecode(name))


def _safe_parts(path: str) -> list[str] | None:
    parts = path.split("/")
    if any(p in ("", ".", "..") or p.lower() == ".git" for p in parts):
        return None
    return parts


def _inside(path: str, prefixes: list[str]) -> bool:
    return any(p == "" or path == p or path.startswith(p + "/") for p in prefixes)


def extract_tree(repo: Path, ref: str, prefixes: list[str], destination: Path, max_bytes: int) -> list[str]:
    """Write the regular files of `ref` under `prefixes` (repository-relative; "" for all) into
    `destination`; returns notes on what was left out."""
    env = git_environment(str(destination))
    commit = resolve_commit(repo, env, ref)
    wanted: list[TreeEntry] = []
    notes: list[str] = []
    for entry in tree_entries(repo, env, commit):
        if not _inside(entry.path, prefixes):
            continue
        if entry.kind != b"blob" or entry.mode not in _REGULAR_MODES:
            notes.append(f"{ref}: {entry.path}: not a regular file (mode {entry.mode.decode()}); not read")
            continue
        if _safe_parts(entry.path) is None:
            notes.append(f"{ref}: {entry.path}: unsafe path; not read")
            continue
        if entry.size is None or entry.size > max_bytes:
            notes.append(f"{ref}: {entry.path}: over the {max_bytes / 1048576:.1f} MiB limit; skipped")
            continue
        wanted.append(entry)
    if len(wanted) > MAX_FILES or sum(e.size or 0 for e in wanted) > MAX_TOTAL_BYTES:
        raise UsageError(f"--diff-base {ref!r}: the tree is too large to compare ({len(wanted)} files)")
    tree_root = destination / "tree"
    tree_root.mkdir(mode=0o700)
    _write_blobs(repo, env, wanted, tree_root)
    return notes


def _write_blobs(repo: Path, env: dict, entries: list[TreeEntry], tree_root: Path) -> None:
    if not entries:
        return
    try:
        process = subprocess.Popen(["git", *_GIT_OPTIONS, "-C", str(repo), "cat-file", "--batch"], env=env,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except FileNotFoundError:
        raise UsageError("--diff-base needs git, which is not installed") from None
    assert process.stdin is not None and process.stdout is not None
    try:
        for entry in entries:
            process.stdin.write(entry.object_id.encode("ascii") + b"\n")
            process.stdin.flush()
            header = process.stdout.readline().split()
            if len(header) != 3 or header[1] != b"blob" or not header[2].isdigit() or int(header[2]) != entry.size:
                raise UsageError(f"git cat-file gave an unexpected answer for {entry.path}")
            content = process.stdout.read(int(header[2]) + 1)[:-1]
            target = tree_root.joinpath(*entry.path.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            descriptor = os.open(target, flags, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(content)
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=GIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()


# --- comparing two inventories -----------------------------------------------------------------


@dataclass(frozen=True)
class DiffEntry:
    change: str  # added / removed / widened
    path: AccessPath  # the path as it is now (as it was, for removed)
    before: AccessPath | None = None
    reasons: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"change": self.change, "path": self.path.as_dict(), "reasons": list(self.reasons)}
        if self.before is not None:
            out["before"] = self.before.as_dict()
        return out


@dataclass
class InventoryDiff:
    base: str
    entries: list[DiffEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, change: str) -> int:
        return sum(1 for e in self.entries if e.change == change)

    @property
    def new_or_widened(self) -> bool:
        return any(e.change in ("added", "widened") for e in self.entries)

    def summary(self) -> str:
        return (f"{self.count('added')} added, {self.count('widened')} widened, "
                f"{self.count('removed')} removed access path{'s' if len(self.entries) != 1 else ''}")

    def as_dict(self) -> dict[str, Any]:
        return {"base": self.base, "added": self.count("added"), "widened": self.count("widened"),
                "removed": self.count("removed"), "entries": [e.as_dict() for e in self.entries],
                "notes": list(self.notes)}


def widening(before: AccessPath, after: AccessPath) -> list[str]:
    """How `after` reaches further than `before`: capability up, scope broader, logging lost,
    credential become long-lived."""
    reasons = []
    if CAPABILITY_RANK[after.capability] > CAPABILITY_RANK[before.capability]:
        reasons.append(f"capability {before.capability} -> {after.capability}")
    if after.scope_all and not before.scope_all:
        reasons.append(f"scope broader: {', '.join(before.scope_values) or before.scope} -> {after.scope}")
    elif not after.scope_all and not before.scope_all:
        new = [v for v in after.scope_values if v not in before.scope_values]
        if new:
            reasons.append(f"scope adds {', '.join(new[:3])}" + (f" and {len(new) - 3} more" if len(new) > 3 else ""))
    if before.logged is True and after.logged is not True:
        reasons.append("logging lost" if after.logged is False else "logging no longer certain")
    if after.long_lived and not before.long_lived:
        reasons.append(f"credential became long-lived: {before.credential} -> {after.credential}")
    return reasons


def compare(base: str, before: list[AccessPath], after: list[AccessPath]) -> InventoryDiff:
    old = {p.key: p for p in before}
    new = {p.key: p for p in after}
    diff = InventoryDiff(base)
    for key, path in new.items():
        if key not in old:
            diff.entries.append(DiffEntry("added", path))
        else:
            reasons = widening(old[key], path)
            if reasons:
                diff.entries.append(DiffEntry("widened", path, old[key], tuple(reasons)))
    diff.entries += [DiffEntry("removed", path) for key, path in old.items() if key not in new]
    order = {"added": 0, "widened": 1, "removed": 2}
    diff.entries.sort(key=lambda e: (order[e.change], e.path.identity.file, e.path.identity.line,
                                     e.path.identity.address, e.path.service))
    return diff


def repository_of(directory: Path) -> Path:
    env = git_environment(tempfile.gettempdir())
    out = _git(directory, env, "rev-parse", "--show-toplevel")
    return Path(os.fsdecode(out.strip())).resolve()


def inventory_at(ref: str, paths: list[str], root: Path, max_bytes: int, run: Any) -> tuple[Any, list[str]]:
    """Inventory the same paths as they are at `ref`: `run(paths, root)` is called on a private
    copy whose layout matches the working tree's, then the copy is removed."""
    repo = repository_of(root if root.is_dir() else root.parent)
    relative = []
    for path in [Path(os.path.abspath(p)).resolve() for p in paths] + [root]:
        try:
            relative.append(path.relative_to(repo).as_posix())
        except ValueError:
            raise UsageError(f"--diff-base: {path} is not inside the git repository {repo}") from None
    root_relative = relative.pop()
    prefixes = ["" if r == "." else r for r in relative]
    scratch = Path(tempfile.mkdtemp(prefix="aiaas-iac-base-"))
    try:
        notes = extract_tree(repo, ref, prefixes, scratch, max_bytes)
        tree = scratch / "tree"
        base_root = tree if root_relative == "." else tree / root_relative
        base_root.mkdir(parents=True, exist_ok=True)
        base_paths = []
        for prefix in prefixes:
            target = tree / prefix if prefix else tree
            if not target.exists():
                continue  # the path is new in this change: nothing at the base
            base_paths.append(str(target))
        result = run(base_paths, base_root) if base_paths else None
        return result, notes
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
