"""Shared test helpers: scan a directory and compare exact (code, file, line) triples."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_infra"


def scan_dir(path: Path | str, **options):
    """Scan `path` with it as the working directory, as a user would run `aiaas-iac scan .`."""
    from aiaas_iac.engine import scan

    path = Path(path)
    previous = Path.cwd()
    os.chdir(path)
    try:
        return scan(".", **options)
    finally:
        os.chdir(previous)


def triples(report, code_prefix: str = "") -> set[tuple[str, str, int]]:
    """{(code, file, start line)} of a report's findings, optionally only codes with a prefix."""
    return {(f.code, f.location.file, f.location.span.start_line)
            for f in report.findings if f.code.startswith(code_prefix)}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Create files (relative path -> text) under root and return root."""
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return root


@pytest.fixture
def tree(tmp_path):
    """Build a scan directory from a {relative path: text} mapping and scan it."""
    def build(files: dict[str, str], **options):
        write_tree(tmp_path, files)
        return scan_dir(tmp_path, **options)
    return build


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory):
    """Tests never read or write the user's real parse cache."""
    os.environ["AIAAS_IAC_CACHE_DIR"] = str(tmp_path_factory.mktemp("aiaas-cache"))
    yield
