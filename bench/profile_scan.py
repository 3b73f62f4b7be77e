"""Profile one aiaas-iac scan of a benchmark corpus in a single process, and say where the time goes.

    python bench/profile_scan.py [--files 300] [--warm] [--top 25] [--json]

Parsing runs in this process (`--jobs 1`), so cProfile sees all of it; worker
processes would hide it. Cold: `--no-cache`. Warm (`--warm`): an unprofiled
scan fills a cache in bench/.work/profile-cache first. The full profile is kept
in bench/.work/profile-<files>-<cold|warm>.prof for `python -m pstats`.
Timings under cProfile are inflated (roughly 1.5x); read them as shares.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from corpus import DEFAULT_SEED, generate  # noqa: E402

WORK = BENCH / ".work"

# (label, file path suffix, function name): a phase is the cumulative time of its function.
PHASES = [
    ("the scan command, after imports", "aiaas_iac/cli.py", "scan"),
    ("discover + parse or load all files", "aiaas_iac/parsers/__init__.py", "parse_files"),
    ("Terraform: lark parse (python-hcl2 grammar)", "lark/lark.py", "parse"),
    ("Terraform: all of parse_terraform", "aiaas_iac/parsers/terraform.py", "parse_terraform"),
    ("CloudFormation: importing cfn-lint's decoder", "aiaas_iac/parsers/cloudformation.py", "_decoder"),
    ("CloudFormation: all of parse", "aiaas_iac/parsers/cloudformation.py", "parse"),
    ("Kubernetes: parse", "aiaas_iac/parsers/kubernetes.py", "parse"),
    ("cache: read entries", "aiaas_iac/cache.py", "load"),
    ("cache: write entries", "aiaas_iac/cache.py", "store"),
    ("load check modules", "aiaas_iac/engine.py", "load_checks"),
    ("run checks", "aiaas_iac/engine.py", "run_checks"),
    ("render the report", "aiaas_iac/report/__init__.py", "render"),
]


def _scan_args(no_cache: bool) -> list[str]:
    return ["scan", ".", "--format", "json", "--output", str(WORK / "profile-output.json"), "--jobs", "1"] + (["--no-cache"] if no_cache else [])


def profile_scan(corpus_dir: Path, warm: bool) -> pstats.Stats:
    """Profile the CLI's imports and the scan in this (fresh) process."""
    if warm:
        cache = WORK / "profile-cache"
        shutil.rmtree(cache, ignore_errors=True)
        os.environ["AIAAS_IAC_CACHE_DIR"] = str(cache)
        subprocess.run([sys.executable, "-m", "aiaas_iac", *_scan_args(no_cache=False)], cwd=corpus_dir,
                       capture_output=True, check=False)
    previous = Path.cwd()
    os.chdir(corpus_dir)
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        from aiaas_iac.cli import app

        app(_scan_args(no_cache=not warm), standalone_mode=False)
    except SystemExit:
        pass
    finally:
        profiler.disable()
        os.chdir(previous)
    return pstats.Stats(profiler)


def phases(stats: pstats.Stats) -> list[tuple[str, float]]:
    """(label, cumulative seconds) for each phase found, then the three slowest checks."""
    cumulative: dict[tuple[str, str], float] = {}
    checks: dict[str, float] = {}
    for (file, _line, function), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        path = file.replace(os.sep, "/")
        for _label, suffix, name in PHASES:
            if function == name and path.endswith(suffix):
                cumulative[(suffix, name)] = cumulative.get((suffix, name), 0.0) + ct
        if function == "run" and "/checks/" in path:
            checks[path.split("/checks/", 1)[1]] = ct
    rows = [("imports + scan command (everything profiled)", stats.total_tt)]
    rows += [(label, cumulative[(suffix, name)]) for label, suffix, name in PHASES if (suffix, name) in cumulative]
    rows += [(f"check {path}", seconds) for path, seconds in sorted(checks.items(), key=lambda kv: -kv[1])[:3]]
    return rows


def report(stats: pstats.Stats, top: int) -> str:
    buffer = io.StringIO()
    stats.stream = buffer
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--warm", action="store_true", help="profile a scan that reads a filled parse cache")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--json", action="store_true", help="print only the phases, as JSON")
    args = parser.parse_args()
    corpus_dir = WORK / f"corpus-{args.files}"
    if not corpus_dir.is_dir():
        generate(corpus_dir, args.files, DEFAULT_SEED)
    stats = profile_scan(corpus_dir, args.warm)
    stats.dump_stats(WORK / f"profile-{args.files}-{'warm' if args.warm else 'cold'}.prof")
    if args.json:
        print(json.dumps(phases(stats)))
        return
    for label, seconds in phases(stats):
        print(f"{seconds:7.3f} s  {label}")
    print(report(stats, args.top))


if __name__ == "__main__":
    main()
