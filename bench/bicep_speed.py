"""Bicep parse speed, end to end (text -> Resources), in lines per second.

Generates Bicep deployment files with the corpus generator (`templates_bicep`),
then times, per file, (a) tree-sitter-bicep's parse alone and (b) what a scan
does with a Bicep file: `aiaas_iac.parsers.bicep.parse` (syntax tree, every
declaration evaluated, positions recorded). Also ARM JSON templates through
`structured.parse` (decode with positions, classify, evaluate expressions).

    python bench/bicep_speed.py [--files 200] [--repeat 5]
"""

from __future__ import annotations

import argparse
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
    print(f"{len(bicep_texts)} Bicep files ({bicep_lines:,} lines, median "
          f"{statistics.median(t.count(chr(10)) for t in bicep_texts):.0f}), {len(arm_texts)} ARM files "
          f"({arm_lines:,} lines); best of {args.repeat}")
    print("| stage | lines | wall s | lines/s (wall) | CPU s | lines/s (CPU) |")
    print("|---|---|---|---|---|---|")
    for label, lines, (wall, cpu) in rows:
        print(f"| {label} | {lines:,} | {wall:.3f} | {lines / wall:,.0f} | {cpu:.3f} | {lines / max(cpu, 1e-9):,.0f} |")


if __name__ == "__main__":
    main()
