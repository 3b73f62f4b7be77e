"""What the access inventory costs next to a scan, on the same generated corpus, in the same run.

    python bench/inventory_speed.py [--files 300] [--repeat 5] [--write]

Issue 13's target: `aiaas-iac inventory` costs no more than `aiaas-iac scan` on the same files,
and `inventory --diff-base REF` about two scans. Three variants, each a fresh process with an
empty cache directory (cold), interleaved within each repetition so that drift on the machine
spreads over all of them, on the mixed corpus of `bench/run.py` (same generator and seed):

- `scan`: `aiaas-iac scan . --format json`
- `inventory`: `aiaas-iac inventory . --format json`
- `inventory --diff-base HEAD`: the corpus is committed to a scratch git repository, so the base
  revision is read from git (every blob) and inventoried beside the working tree; the two trees
  are equal, as for a pull request that changes few files (the parse cache serves the second).
- `inventory --diff-base HEAD~1`: the worst case, HEAD~1 being a corpus of the same size from
  another seed, so that every file differs and both trees are parsed and evaluated in full.

Prints the medians and the ratios; `--write` puts them in bench/RESULTS.md under the heading
"Inventory vs scan", between markers that `bench/results.py` keeps when it rewrites the file.
Run it with the interpreter of an environment where aiaas-iac is installed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from corpus import DEFAULT_SEED, generate  # noqa: E402
from measure import Sample, measure  # noqa: E402
from results import INVENTORY_BEGIN, INVENTORY_END  # noqa: E402
from run import WORK, child_environment, snapshot_source  # noqa: E402

VARIANTS = ("scan", "inventory", "inventory --diff-base HEAD", "inventory --diff-base HEAD~1")
GIT = ["git", "-c", "user.email=bench@example.com", "-c", "user.name=bench", "-c", "core.hooksPath=/dev/null",
       "-c", "commit.gpgsign=false"]


def command(variant: str, out: Path) -> list[str]:
    base = [sys.executable, "-m", "aiaas_iac"]
    if variant == "scan":
        return base + ["scan", ".", "--format", "json", "--output", str(out)]
    extra = ["--diff-base", variant.rsplit(" ", 1)[1]] if "--diff-base" in variant else []
    return base + ["inventory", ".", "--format", "json", "--output", str(out), *extra]


def result_of(variant: str, out: Path) -> str:
    """What the run produced, to show that every variant did the whole job."""
    document = json.loads(out.read_text(encoding="utf-8"))
    summary = document["summary"]
    if variant == "scan":
        return f"{summary['findings']} findings, {summary['files_scanned']} files"
    text = f"{summary['paths']} paths, {summary['files_scanned']} files"
    if "diff" in document:
        diff = document["diff"]
        text += f", diff {diff['added']}/{diff['widened']}/{diff['removed']}"
    return text


def run(files: int, repeat: int, seed: int) -> dict:
    corpus_dir = WORK / f"corpus-inventory-{files}"
    shutil.rmtree(corpus_dir, ignore_errors=True)
    subprocess.run(GIT + ["init", "-q", str(corpus_dir)], check=True)
    staging = WORK / f"corpus-inventory-{files}-staging"
    for commit_seed, message in ((seed + 1, "another corpus"), (seed, "the corpus")):
        summary = generate(staging, files, commit_seed)  # empties `staging` first
        for child in corpus_dir.iterdir():
            if child.name != ".git":
                shutil.rmtree(child)
        shutil.copytree(staging, corpus_dir, dirs_exist_ok=True)
        subprocess.run(GIT + ["-C", str(corpus_dir), "add", "-A"], check=True)
        subprocess.run(GIT + ["-C", str(corpus_dir), "commit", "-qm", message], check=True)
    shutil.rmtree(staging)
    runs_dir = WORK / "runs" / f"inventory-{files}"
    shutil.rmtree(runs_dir, ignore_errors=True)
    runs_dir.mkdir(parents=True)
    samples: dict[str, list[Sample]] = {variant: [] for variant in VARIANTS}
    results: dict[str, str] = {}
    for index in range(repeat):
        for number, variant in enumerate(VARIANTS):
            stem = runs_dir / f"{number}-{index}"
            env = child_environment() | {"AIAAS_IAC_CACHE_DIR": str(runs_dir / f"cache-{number}-{index}")}
            out = stem.with_suffix(".json")
            sample = measure(command(variant, out), corpus_dir, env, stem.with_suffix(".stdout"),
                             stem.with_suffix(".stderr"))
            if sample.exit_code not in (0, 1):
                sys.exit(f"{variant} exited {sample.exit_code}: see {stem.with_suffix('.stderr')}")
            results[variant] = result_of(variant, out)
            samples[variant].append(sample)
            print(f"  {files} files  {variant:<28} {sample.wall_seconds:6.2f} s wall  {sample.cpu_seconds:6.2f} s cpu"
                  f"  {sample.tree_pss_mb:5.0f} MB  ({results[variant]})", flush=True)
    return {"files": files, "lines": summary.as_dict()["lines"], "repeat": repeat, "results": results,
            "samples": samples}


def report_lines(measured: dict, source: str, date: str) -> list[str]:
    samples = measured["samples"]

    def median(variant: str, field: str) -> float:
        return statistics.median(getattr(s, field) for s in samples[variant])

    scan_wall, scan_cpu = median("scan", "wall_seconds"), median("scan", "cpu_seconds")
    lines = [INVENTORY_BEGIN, "## Inventory vs scan", "",
             f"Generated by `python bench/inventory_speed.py --files {measured['files']} --write` ({date}, {source}); "
             f"the mixed corpus of `bench/run.py` ({measured['files']} files, {measured['lines']:,} lines), every run "
             f"a fresh process with an empty cache, the variants interleaved, {measured['repeat']} runs each (medians). Target "
             "(issue 13): the inventory costs no more than a scan, the diff about two scans. `HEAD` is the "
             "committed corpus itself (nothing changed), `HEAD~1` a corpus from another seed (every file "
             "changed).", "",
             "| variant | wall median (min–max) | CPU median | peak PSS, process tree | / scan (wall) | / scan (CPU) | result |",
             "|---|---|---|---|---|---|---|"]
    for variant in VARIANTS:
        walls = [s.wall_seconds for s in samples[variant]]
        wall, cpu = median(variant, "wall_seconds"), median(variant, "cpu_seconds")
        lines.append(f"| `{variant}` | {wall:.2f} s ({min(walls):.2f}–{max(walls):.2f}) | {cpu:.2f} s | "
                     f"{median(variant, 'tree_pss_mb'):.0f} MB | {wall / scan_wall:.2f}× | {cpu / scan_cpu:.2f}× | "
                     f"{measured['results'][variant]} |")
    return lines + [INVENTORY_END]


def write_section(output: Path, lines: list[str]) -> None:
    """Replace the section between the markers, or append it; the rest of the file is untouched."""
    text = output.read_text(encoding="utf-8") if output.exists() else ""
    section = "\n".join(lines)
    if INVENTORY_BEGIN in text and INVENTORY_END in text:
        head, _, rest = text.partition(INVENTORY_BEGIN)
        _, _, tail = rest.partition(INVENTORY_END)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    output.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description="aiaas-iac inventory vs scan")
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--write", action="store_true", help="update the section in bench/RESULTS.md")
    parser.add_argument("--output", type=Path, default=BENCH / "RESULTS.md")
    args = parser.parse_args()
    source = snapshot_source()
    date = f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC"
    measured = run(args.files, args.repeat, args.seed)
    lines = report_lines(measured, source, date)
    print("\n".join(lines[1:-1]))
    if args.write:
        write_section(args.output, lines)
        print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
