"""Docs are generated from the checks' metadata and must be current; metadata must match the spec."""

import re
from pathlib import Path

import pytest

from aiaas_iac.docs import TABLE_BEGIN, TABLE_END, checks_reference, checks_table
from aiaas_iac.engine import load_checks
from conftest import REPO

METAS = [c.meta() for c in load_checks()]
SPEC = REPO.parent / "shared" / "CHECKS.md"


def test_readme_check_table_is_current():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    current = readme[readme.index(TABLE_BEGIN) + len(TABLE_BEGIN):readme.index(TABLE_END)].strip()
    assert current == checks_table(METAS), "stale: run `python -m aiaas_iac.docs`"


def test_docs_checks_md_is_current():
    assert (REPO / "docs" / "checks.md").read_text(encoding="utf-8") == checks_reference(METAS), \
        "stale: run `python -m aiaas_iac.docs`"


@pytest.mark.parametrize("meta", METAS, ids=lambda m: m.code)
def test_every_check_is_fully_documented(meta):
    assert re.fullmatch(r"AIA\d{3}", meta.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", meta.slug)
    for field in ("title", "what", "why", "remediation", "failing_example", "passing_example"):
        assert getattr(meta, field).strip(), f"{meta.code} has no {field}"
    assert meta.failing_example != meta.passing_example
    assert meta.formats and set(meta.formats) <= {"terraform", "cloudformation", "kubernetes"}


def spec_rows() -> dict[str, tuple[str, str, tuple[str, ...]]]:
    rows = {}
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 8 and re.fullmatch(r"AIA\d{3}", cells[0]):
            formats = tuple(f for f, mark in zip(("terraform", "cloudformation", "kubernetes"), cells[3:6]) if mark)
            rows[cells[0]] = (cells[1], cells[2], formats)
    return rows


@pytest.mark.skipif(not SPEC.exists(), reason="the product spec (shared/CHECKS.md) is not beside this checkout")
def test_codes_slugs_severities_and_formats_match_the_spec():
    ours = {m.code: (m.slug, m.severity.value, m.formats) for m in METAS}
    spec = spec_rows()
    assert spec, "could not read the spec's tables"
    assert {code: ours.get(code) for code in spec} == spec
