"""Pull-request mode: report and gate only on findings in files changed since a git ref."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiaas_iac.engine import Report


def _git(root, *args: str) -> list[str]:
    from aiaas_iac.engine import UsageError

    try:
        result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise UsageError(f"--changed-since: cannot run git: {error}") from None
    if result.returncode != 0:
        message = (result.stderr.strip().splitlines() or ["git failed"])[0]
        raise UsageError(f"--changed-since: {message}")
    return [line for line in result.stdout.splitlines() if line]


def changed_files(root, ref: str) -> set[str]:
    """Files (relative to root) changed since `ref`: committed, staged, unstaged and untracked."""
    changed = set(_git(root, "diff", "--name-only", "--relative", "--no-renames", ref, "--"))
    changed |= set(_git(root, "ls-files", "--others", "--exclude-standard"))
    return changed


def keep_changed_files(report: "Report", ref: str) -> None:
    """Whole-scan checks have already seen every file; keep only findings in changed files."""
    changed = changed_files(report.root, ref)
    kept = [f for f in report.findings if f.location.file in changed]
    report.not_in_changed_files = len(report.findings) - len(kept)
    report.findings = kept
