"""Terraform parse speed, end to end (text -> Resources): tree-sitter-hcl vs python-hcl2's lark walker.

Both backends parse the same files in the same run, each file read once beforehand; the time is
the best of `--repeat` passes over all files (parser construction excluded: both build it once per
process), peak memory is tracemalloc's peak for one pass. Prints lines/s, the ratio, and the peak.

    python bench/parse_terraform.py [DIR ...] [--corpus-files 1000] [--repeat 3]

Without DIR it parses `sample_infra/` and a generated corpus (`bench/corpus.py`, in bench/.work/).
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))


def terraform_files(root: Path) -> list[tuple[str, str, bool]]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.suffix in (".tf", ".tfvars") and path.is_file():
            found.append((str(path), path.read_text(encoding="utf-8"), path.suffix == ".tfvars"))
    return found


def one_pass(files: list, parse, parse_vars) -> int:
    resources = 0
    for name, text, is_vars in files:
        try:
            resources += len((parse_vars if is_vars else parse)(text, name, "."))
        except Exception:  # both backends refuse the same few files; the time still counts
            pass
    return resources


def measure(files: list, parse, parse_vars, repeat: int) -> tuple[float, int, int]:
    """(best seconds, resources, peak bytes)."""
    one_pass(files, parse, parse_vars)  # warm: imports, parser construction
    best = float("inf")
    resources = 0
    for _ in range(repeat):
        started = time.perf_counter()
        resources = one_pass(files, parse, parse_vars)
        best = min(best, time.perf_counter() - started)
    tracemalloc.start()
    one_pass(files, parse, parse_vars)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, resources, peak


def report(label: str, files: list, repeat: int) -> None:
    from aiaas_iac.parsers import terraform, terraform_ts

    lines = sum(text.count("\n") + 1 for _, text, _ in files)
    lark = measure(files, terraform.parse_terraform_lark, terraform.parse_tfvars_lark, repeat)
    tree = measure(files, terraform_ts.parse_terraform, terraform_ts.parse_tfvars, repeat)
    print(f"{label}: {len(files)} files, {lines} lines")
    for name, (seconds, resources, peak) in (("python-hcl2 7 (lark) ", lark), ("tree-sitter-hcl     ", tree)):
        print(f"  {name} {seconds:7.3f} s  {lines / seconds:9.0f} lines/s  {resources} resources  "
              f"peak {peak / 2**20:6.1f} MiB")
    print(f"  tree-sitter is {lark[0] / tree[0]:.1f}x faster; peak memory {tree[2] / lark[2]:.2f}x of lark's")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directories", nargs="*", type=Path)
    parser.add_argument("--corpus-files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    directories = args.directories
    if not directories:
        import corpus

        generated = BENCH / ".work" / f"corpus-{args.corpus_files}"
        if not generated.exists():
            corpus.generate(generated, args.corpus_files, corpus.DEFAULT_SEED)
        directories = [BENCH.parent / "sample_infra", generated]
    for directory in directories:
        report(str(directory), terraform_files(directory), args.repeat)


if __name__ == "__main__":
    main()
