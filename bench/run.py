"""Benchmark aiaas-iac against checkov on the same generated corpora, and write bench/RESULTS.md.

    python bench/run.py [--sizes 100,300,1000] [--module-sizes 300,1000] [--repeat 3] [--checkov-repeat N]

`--sizes` are sizes of the mixed corpus (Terraform, CloudFormation, Kubernetes), `--module-sizes`
of the module-heavy Terraform corpus (roots calling shared modules, see corpus.generate_modules);
both are measured in the same run, against the same checkov (`--module-sizes ""` skips it).

Run it with the interpreter of an environment where aiaas-iac is installed
(e.g. `.venv/bin/python bench/run.py`). checkov gets its own virtual
environment under bench/.work/checkov-venv, created on first use: it cannot
share one with python-hcl2 (DESIGN.md). Every run is a fresh process on the
same files; the variants are interleaved within each repetition so that drift
on the machine spreads over all of them.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from corpus import DEFAULT_SEED, generate, generate_modules  # noqa: E402
from measure import Sample, measure  # noqa: E402
from results import write_results  # noqa: E402

WORK = BENCH / ".work"
CHECKOV_VERSION = "3.3.30"
CHECKOV_VENV = WORK / "checkov-venv"
FRAMEWORKS = ["terraform", "cloudformation", "kubernetes"]
# checkov's checks on the AI services that overlap our catalog (see bench/README.md).
CHECKOV_AI_CHECKS = [
    "CKV_AWS_373", "CKV_AWS_383",
    "CKV_AZURE_134", "CKV_AZURE_236", "CKV_AZURE_247", "CKV2_AZURE_22",
    "CKV_GCP_92", "CKV_GCP_96", "CKV2_GCP_24", "CKV2_GCP_25", "CKV2_GCP_26", "CKV2_GCP_33", "CKV2_GCP_34",
]
VARIANTS = ["aiaas-iac cold", "aiaas-iac warm", "aiaas-iac warm, 1 file edited", "aiaas-iac no cache",
            "checkov AI checks", "checkov all checks"]


def ensure_checkov() -> tuple[Path, float | None]:
    """checkov's own venv; returns its executable and the install time when it was installed now."""
    executable = CHECKOV_VENV / "bin" / "checkov"
    if executable.exists() and checkov_version(executable) == CHECKOV_VERSION:
        return executable, None
    shutil.rmtree(CHECKOV_VENV, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", str(CHECKOV_VENV)], check=True)
    pip = [str(CHECKOV_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run(pip + [f"checkov=={CHECKOV_VERSION}"], check=True)
    return executable, time.perf_counter() - started


def checkov_version(executable: Path) -> str:
    result = subprocess.run([str(executable), "--version"], capture_output=True, text=True)
    return result.stdout.strip()


def verify_check_ids(executable: Path) -> None:
    """Fail early if a pinned checkov lost or renamed one of the AI checks."""
    listing = subprocess.run([str(executable), "--list", "--framework", "terraform", "cloudformation"],
                             capture_output=True, text=True, check=True).stdout
    known = set(re.findall(r"\bCKV2?_[A-Z0-9]+_\d+\b", listing))
    missing = [check for check in CHECKOV_AI_CHECKS if check not in known]
    if missing:
        sys.exit(f"checkov {CHECKOV_VERSION} does not list {', '.join(missing)}")


def commands(variant: str, checkov: Path, out: Path) -> list[str]:
    if variant.startswith("aiaas-iac"):
        command = [sys.executable, "-m", "aiaas_iac", "scan", ".", "--format", "json", "--output", str(out)]
        return command + (["--no-cache"] if variant.endswith("no cache") else [])
    command = [str(checkov), "-d", ".", "--framework", *FRAMEWORKS, "--quiet", "--compact", "-o", "json",
               "--skip-download"]
    return command + (["--check", ",".join(CHECKOV_AI_CHECKS)] if variant == "checkov AI checks" else [])


def count_findings(variant: str, output: Path) -> dict:
    """Finding counts from a run's JSON output; raises if the output is empty or not a report."""
    text = output.read_text(encoding="utf-8")
    if not text.strip():
        raise RuntimeError(f"{variant} wrote no output to {output}")
    document = json.loads(text)
    if variant.startswith("aiaas-iac"):
        summary = document["summary"]
        return {"findings": summary["findings"], "files_scanned": summary["files_scanned"],
                "files_not_parsed": summary["files_not_parsed"]}
    reports = document if isinstance(document, list) else [document]
    totals = {"failed": 0, "passed": 0, "parsing_errors": 0, "resources": 0}
    for report in reports:
        summary = report["summary"]
        totals["failed"] += summary["failed"]
        totals["passed"] += summary["passed"]
        totals["parsing_errors"] += summary["parsing_errors"]
        totals["resources"] += summary["resource_count"]
    if totals["failed"] + totals["passed"] == 0:
        raise RuntimeError(f"{variant} evaluated no check: {output}")
    return totals


SNAPSHOT = WORK / "snapshot"


def snapshot_source() -> str:
    """Copy the aiaas-iac that this interpreter imports into bench/.work/snapshot, which every run
    then imports: edits to the working tree during a run cannot mix two versions in one table.
    Returns a description of what was copied."""
    spec = importlib.util.find_spec("aiaas_iac")
    if spec is None or spec.origin is None:
        sys.exit(f"{sys.executable} cannot import aiaas_iac: run this with the project's environment")
    package = Path(spec.origin).parent
    shutil.rmtree(SNAPSHOT, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(package, SNAPSHOT / "aiaas_iac", ignore=ignore)
    for sibling in ("checks", "schemas"):  # a source checkout keeps them beside the package
        if not (package / sibling).is_dir() and (package.parent / sibling).is_dir():
            shutil.copytree(package.parent / sibling, SNAPSHOT / sibling, ignore=ignore)
    return _source_state(package.parent)


def _source_state(tree: Path) -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=tree, capture_output=True, text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return f"installed package at {tree}"
    changed = git("status", "--porcelain", "--", "aiaas_iac", "checks", "schemas").splitlines()
    return f"commit {commit}" + (f" plus uncommitted changes in {len(changed)} files" if changed else "")


def aiaas_version() -> str:
    result = subprocess.run([sys.executable, "-m", "aiaas_iac", "version"], env=child_environment(),
                            capture_output=True, text=True, check=True)
    return result.stdout.split()[-1]


def child_environment() -> dict[str, str]:
    """The caller's environment without our settings, importing the snapshot, with bytecode
    caching on: an installed wheel runs from .pyc files, and checkov's venv has them from pip."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("AIAAS_IAC_") and key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SNAPSHOT), env.get("PYTHONPATH")]))
    return env


def profile_phases(size: int) -> dict[str, list]:
    """Where a cold and a warm single-process scan of the corpus spend their time (profile_scan.py)."""
    found = {}
    for mode in ("cold", "warm"):
        command = [sys.executable, str(BENCH / "profile_scan.py"), "--files", str(size), "--json"]
        result = subprocess.run(command + (["--warm"] if mode == "warm" else []), env=child_environment(),
                                capture_output=True, text=True, check=True)
        found[mode] = json.loads(result.stdout)
    return found


def run_variant(variant: str, index: int, corpus_dir: Path, runs_dir: Path, checkov: Path) -> tuple[Sample, dict]:
    """One timed run; returns its measurements and the counts read from its JSON output."""
    stem = runs_dir / f"{re.sub(r'[^a-z0-9]+', '-', variant)}-{index}"
    cache = runs_dir / ("warm-cache" if "warm" in variant else f"cold-cache-{index}")
    env = child_environment() | {"AIAAS_IAC_CACHE_DIR": str(cache)}
    out = stem.with_suffix(".json")
    stdout = out if variant.startswith("checkov") else stem.with_suffix(".stdout")
    # A pull request that touches one file: the cached parses of the others stay valid.
    edited = sorted((corpus_dir / "terraform").rglob("main.tf"))[0]
    original = edited.read_bytes()
    if variant.endswith("edited"):
        edited.write_bytes(original + f"\n# edited for benchmark run {index}\n".encode())
    try:
        sample = measure(commands(variant, checkov, out), corpus_dir, env, stdout, stem.with_suffix(".stderr"))
    finally:
        edited.write_bytes(original)
    return sample, count_findings(variant, out) | {"exit_code": sample.exit_code}


def run_size(size: int, repeat: int, checkov_repeat: int, checkov: Path, seed: int, kind: str = "mixed") -> dict:
    name = str(size) if kind == "mixed" else f"{kind}-{size}"
    corpus_dir = WORK / f"corpus-{name}"
    summary = (generate if kind == "mixed" else generate_modules)(corpus_dir, size, seed)
    runs_dir = WORK / "runs" / name
    shutil.rmtree(runs_dir, ignore_errors=True)
    runs_dir.mkdir(parents=True)
    # Untimed: fill the warm cache as a tree being worked on has it. The first scan of a tree writes
    # its result only; the parse cache is written from its second scan on (result_cache.SEEN_MARK),
    # here one with an edited file, whose cost is reported as "first edit after the first scan".
    fill, _ = run_variant("aiaas-iac warm", -1, corpus_dir, runs_dir, checkov)
    first_edit, _ = run_variant("aiaas-iac warm, 1 file edited", -1, corpus_dir, runs_dir, checkov)
    samples: dict[str, list[Sample]] = {variant: [] for variant in VARIANTS}
    counts: dict[str, dict] = {}
    for index in range(max(repeat, checkov_repeat)):
        for variant in VARIANTS:
            if index >= (checkov_repeat if variant.startswith("checkov") else repeat):
                continue
            sample, counts[variant] = run_variant(variant, index, corpus_dir, runs_dir, checkov)
            samples[variant].append(sample)
            print(f"  {size:>5} files{' (modules)' if kind != 'mixed' else ''}  {variant:<20} {sample.wall_seconds:7.2f} s wall  "
                  f"{sample.cpu_seconds:7.2f} s cpu  {sample.tree_pss_mb:6.0f} MB  exit {sample.exit_code}  "
                  f"(other processes: {sample.other_cpu_seconds:.2f} s cpu)", flush=True)
    return {"size": size, "kind": kind, "corpus": summary.as_dict(), "cache_fill_seconds": fill.wall_seconds,
            "first_edit_seconds": first_edit.wall_seconds,
            "samples": {variant: [asdict(s) for s in runs] for variant, runs in samples.items()},
            "counts": counts, "repeat": repeat, "checkov_repeat": checkov_repeat}


def main() -> None:
    parser = argparse.ArgumentParser(description="aiaas-iac vs checkov benchmark")
    parser.add_argument("--sizes", default="100,300,1000", help="corpus sizes in files, comma-separated")
    parser.add_argument("--module-sizes", default="300,1000",
                        help="module-heavy corpus sizes in files, comma-separated; empty to skip")
    parser.add_argument("--repeat", type=int, default=3, help="runs per aiaas-iac variant and size")
    parser.add_argument("--checkov-repeat", default="",
                        help="runs per checkov variant, one number or one per size (default: --repeat)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--output", type=Path, default=BENCH / "RESULTS.md")
    args = parser.parse_args()
    source = snapshot_source()
    started = datetime.datetime.now(datetime.timezone.utc)
    sizes = [int(size) for size in args.sizes.split(",")]
    checkov_repeats = [int(n) for n in args.checkov_repeat.split(",")] if args.checkov_repeat else [args.repeat]
    checkov_repeats += [checkov_repeats[-1]] * (len(sizes) - len(checkov_repeats))

    checkov, install_seconds = ensure_checkov()
    verify_check_ids(checkov)
    results = []
    for size, checkov_repeat in zip(sizes, checkov_repeats):
        print(f"corpus of {size} files", flush=True)
        results.append(run_size(size, args.repeat, checkov_repeat, checkov, args.seed))
    module_results = []
    for size in [int(size) for size in args.module_sizes.split(",") if size.strip()]:
        print(f"module-heavy corpus of {size} files", flush=True)
        checkov_repeat = checkov_repeats[sizes.index(size)] if size in sizes else checkov_repeats[-1]
        module_results.append(run_size(size, args.repeat, checkov_repeat, checkov, args.seed, "modules"))
    profiled = 300 if 300 in sizes else sizes[len(sizes) // 2]
    document = {"checkov_version": checkov_version(checkov), "checkov_install_seconds": install_seconds,
                "checkov_ai_checks": CHECKOV_AI_CHECKS, "sizes": results, "module_sizes": module_results,
                "source": source,
                "aiaas_version": aiaas_version(), "date": f"{started:%Y-%m-%d %H:%M} UTC",
                "profile": {"files": profiled, "phases": profile_phases(profiled)}}
    (WORK / "results.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    write_results(document, args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
