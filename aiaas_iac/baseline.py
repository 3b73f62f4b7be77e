"""Baselines: record today's findings so that only new ones are reported and gate.

Entries are matched by fingerprint (code, file, resource, place in the
resource: never line numbers, so moved lines still match); an entry whose file
is no longer in the scan is then matched by code, resource and place alone,
so renamed or moved files keep their baseline.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from aiaas_iac import __version__
from aiaas_iac.model import Finding
from aiaas_iac.report.escape import json_text

if TYPE_CHECKING:
    from aiaas_iac.engine import Report

BASELINE_VERSION = "1"


def baseline_document(findings: list[Finding]) -> str:
    entries = [{
        "fingerprint": f.fingerprint, "code": f.code, "file": f.location.file,
        "resource": f.resource, "detail": f.detail, "message": f.message,
    } for f in findings if not f.suppressed]
    document = {"tool": "aiaas-iac", "tool_version": __version__, "baseline_version": BASELINE_VERSION,
                "findings": entries}
    return json_text(document)


def read_baseline(path: Path) -> list[dict]:
    from aiaas_iac.engine import UsageError

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: baseline file not found (create it with `aiaas-iac baseline --output {path}`)") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot read baseline: {error}") from None
    except ValueError as error:
        raise UsageError(f"{path}: baseline is not valid JSON: {error}") from None
    entries = document.get("findings") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "fingerprint" in e for e in entries):
        raise UsageError(f"{path}: not an aiaas-iac baseline (expected a `findings` list of entries with a fingerprint)")
    return entries


def apply_baseline(report: "Report", path: Path, scanned_files: set[str]) -> None:
    """Remove findings the baseline already has; count the baseline entries now fixed."""
    entries = read_baseline(path)
    by_fingerprint: dict[str, list[dict]] = defaultdict(list)
    for entry in entries:
        by_fingerprint[entry["fingerprint"]].append(entry)
    remaining: list[Finding] = []
    unmatched: list[Finding] = []
    for finding in report.findings:
        bucket = by_fingerprint.get(finding.fingerprint)
        if bucket:
            bucket.pop()
            report.baseline_matched += 1
        else:
            unmatched.append(finding)
    # Second pass: entries whose file left the scan (renamed/moved) match on what was found.
    moved: dict[tuple, list[dict]] = defaultdict(list)
    for bucket in by_fingerprint.values():
        for entry in bucket:
            if entry.get("file") not in scanned_files:
                moved[(entry.get("code"), entry.get("resource"), entry.get("detail", ""))].append(entry)
    for finding in unmatched:
        candidates = moved.get((finding.code, finding.resource, finding.detail))
        if candidates:
            entry = candidates.pop()
            by_fingerprint[entry["fingerprint"]].remove(entry)
            report.baseline_matched += 1
        else:
            remaining.append(finding)
    report.baseline_fixed = sum(len(bucket) for bucket in by_fingerprint.values())
    report.findings = remaining
