"""bench/inventory_speed.py owns one section of bench/RESULTS.md: it replaces only that section,
and bench/results.py keeps it when run.py rewrites the file."""

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

from inventory_speed import write_section  # noqa: E402
from results import INVENTORY_BEGIN, INVENTORY_END, kept_sections  # noqa: E402


def test_section_is_appended_then_replaced_and_the_rest_kept(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark\n\n## 300 files\n\ntable\n")
    write_section(results, [INVENTORY_BEGIN, "## Inventory vs scan", "first", INVENTORY_END])
    write_section(results, [INVENTORY_BEGIN, "## Inventory vs scan", "second", INVENTORY_END])
    text = results.read_text()
    assert text == (f"# Benchmark\n\n## 300 files\n\ntable\n\n{INVENTORY_BEGIN}\n## Inventory vs scan\nsecond\n"
                    f"{INVENTORY_END}\n")
    assert kept_sections(results) == f"\n{INVENTORY_BEGIN}\n## Inventory vs scan\nsecond\n{INVENTORY_END}\n"


def test_nothing_is_kept_without_a_section(tmp_path):
    results = tmp_path / "RESULTS.md"
    assert kept_sections(results) == ""
    results.write_text(f"# Benchmark\n{INVENTORY_END}\n")
    assert kept_sections(results) == ""
