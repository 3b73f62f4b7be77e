"""Bicep parse speed, end to end (text -> Resources), in lines per second.

Generates Bicep deployment files with the corpus generator (`templates_bicep`),
then times, per file, (a) tree-sitter-bicep's parse alone and (b) what a scan
does with a Bicep file: `aiaas_iac.parsers.bicep.parse` (syntax tree, every
declaration evaluated, positions recorded). Also ARM JSON templates through
`structured.parse` (decode with positions, classify, evaluate expressions).

    python bench/bicep_speed.py [--files 200] [--repeat 5] [--write]

`--write` puts the table in bench/RESULTS.md as its own section (kept when
`run.py` rewrites the rest of that file).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from random import Random

sys.path.insert(0, str(Path(__file__).resolve().parent))

import templates_bicep  # noqa: E402


def _best(function, repeat: int) -> tuple[float, float]:
    """(best wall seconds, best CPU seconds): on a shared machine the CPU time is the one that
    says what the code costs; the wall time includes waiting for a core."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="write the section into bench/RESULTS.md")
    args = parser.parse_args()

    from aiaas_iac.discover import SourceFile
    from aiaas_iac.parsers import ParseLimits, bicep, structured

    rng = Random(20250601)
    bicep_texts = [templates_bicep.bicep_file(rng, f"app{i}", int(min(400, max(40, rng.lognormvariate(4.6, 0.6)))),
                                              400)[0] for i in range(args.files)]
    arm_texts = [templates_bicep.arm_file(rng, f"app{i}", int(min(400, max(40, rng.lognormvariate(4.6, 0.6)))),
                                          400)[0] for i in range(args.files // 2)]
    limits = ParseLimits()
    bicep.parse("warm.bicep", bicep_texts[0], limits)  # load the grammar once
    bicep_lines = sum(t.count("\n") for t in bicep_texts)
    arm_lines = sum(t.count("\n") for t in arm_texts)

    def tree_sitter_only() -> None:
        for text in bicep_texts:
            bicep._parser().parse(text.encode())

    def bicep_end_to_end() -> None:
        for index, text in enumerate(bicep_texts):
            parsed = bicep.parse(f"f{index}.bicep", text, limits)
            assert not parsed.errors, parsed.errors

    source = SourceFile(Path("azuredeploy.json"), "azuredeploy.json", "structured")

    def arm_end_to_end() -> None:
        for text in arm_texts:
            parsed = structured.parse(source, text, limits)
            assert parsed.resources and not parsed.errors

    rows = [("tree-sitter-bicep parse only", bicep_lines, _best(tree_sitter_only, args.repeat)),
            ("Bicep text -> Resources", bicep_lines, _best(bicep_end_to_end, args.repeat)),
            ("ARM JSON text -> Resources", arm_lines, _best(arm_end_to_end, args.repeat))]
    out = [f"{len(bicep_texts)} generated Bicep files ({bicep_lines:,} lines, median "
           f"{statistics.median(t.count(chr(10)) for t in bicep_texts):.0f}) and {len(arm_texts)} ARM templates "
           f"({arm_lines:,} lines), one process, best of {args.repeat}. The CPU time is what the code costs; "
           f"wall time includes waiting for a core (load average {os.getloadavg()[0]:.1f} on "
           f"{os.cpu_count()} cores when measured).", "",
           "| stage | lines | wall s | lines/s (wall) | CPU s | lines/s (CPU) |", "|---|---|---|---|---|---|"]
    for label, lines, (wall, cpu) in rows:
        out.append(f"| {label} | {lines:,} | {wall:.3f} | {lines / wall:,.0f} | {cpu:.3f} | "
                   f"{lines / max(cpu, 1e-9):,.0f} |")
    print("\n".join(out))
    if args.write:
        write_section(out)


SECTION = "<!-- section:bicep-speed (written by `python bench/bicep_speed.py --write`) -->"


def write_section(lines: list[str]) -> None:
    """Replace this script's section of RESULTS.md (at the end, after the main results)."""
    results = Path(__file__).resolve().parent / "RESULTS.md"
    text = results.read_text(encoding="utf-8") if results.exists() else ""
    start = text.find(SECTION)
    if start >= 0:
        following = text.find("<!-- section:", start + len(SECTION))
        text = text[:start] + (text[following:] if following >= 0 else "")
    section = "\n".join([SECTION, "## Bicep and ARM parse speed", "", *lines, ""])
    results.write_text(text.rstrip("\n") + "\n\n" + section, encoding="utf-8")


if __name__ == "__main__":
    main()
