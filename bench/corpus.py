"""A deterministic, realistic mixed IaC corpus for the benchmark.

Roughly 50 % Terraform (modules of several `.tf` files), 20 % CloudFormation
(two thirds YAML with short-form intrinsics, one third JSON), 20 % multi-
document Kubernetes manifests and 10 % Azure deployments (two thirds Bicep,
one third ARM JSON). Most files hold plain infrastructure; about a
third of Terraform modules, a quarter of templates and a third of Kubernetes
apps use an AI service, as in a real platform repository. File sizes follow a
log-normal distribution clipped to 20-400 lines. The same seed and size always
give byte-identical files.

    python bench/corpus.py DIR --files 300 [--seed N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from random import Random

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import templates_aws  # noqa: E402
import templates_azure  # noqa: E402
import templates_bicep  # noqa: E402
import templates_cloudformation as cfn  # noqa: E402
import templates_gcp  # noqa: E402
import templates_kubernetes as k8s  # noqa: E402

DEFAULT_SEED = 20250601
CLOUDS = {"aws": templates_aws, "gcp": templates_gcp, "azure": templates_azure}
AI_FILE_NAMES = {"aws": "bedrock.tf", "gcp": "vertex.tf", "azure": "openai.tf"}
MAX_LINES = 400
PLAIN_FILE_NAMES = ["main.tf", "network.tf", "iam.tf", "storage.tf", "compute.tf", "data.tf", "security.tf"]


@dataclass(frozen=True)
class CorpusSummary:
    root: Path
    files: int
    lines: int
    terraform_files: int
    cloudformation_files: int
    kubernetes_files: int
    bicep_arm_files: int
    files_with_ai: int
    median_lines: float
    max_lines: int

    def as_dict(self) -> dict:
        return {key: str(value) if isinstance(value, Path) else value for key, value in self.__dict__.items()}


def target_lines(rng: Random) -> int:
    return int(min(MAX_LINES, max(20, rng.lognormvariate(4.4, 0.75))))


def fill(rng: Random, builders: list, target: int, next_name) -> str:
    """Blocks from `builders` until the text reaches about `target` lines (always at least one)."""
    parts: list[str] = []
    lines = 0
    while lines < target:
        block = rng.choice(builders)(rng, next_name())
        block_lines = block.count("\n")
        if parts and lines + block_lines > min(MAX_LINES, target * 1.3):
            break
        parts.append(block)
        lines += block_lines + 1
    return "\n".join(parts)


class _Names:
    """Unique resource names within one module: `<word>_<n>`."""

    WORDS = ["app", "api", "worker", "ingest", "search", "billing", "reports", "chat", "events", "batch"]

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return f"{self.rng.choice(self.WORDS)}_{self.count}"


def write_terraform_module(rng: Random, directory: Path, file_budget: int) -> tuple[int, int]:
    """One module; returns (files written, files with AI resources)."""
    cloud = rng.choices(list(CLOUDS), weights=[0.5, 0.25, 0.25])[0]
    templates = CLOUDS[cloud]
    uses_ai = rng.random() < 0.3
    names = _Names(rng)
    module = directory.name.replace("-", "_")
    files: dict[str, str] = {
        "versions.tf": templates.PROVIDER,
        "variables.tf": templates.variables(rng, module),
        "main.tf": templates.locals_block(rng, module) + "\n" + fill(rng, templates.PLAIN, target_lines(rng), names),
    }
    extra = rng.sample(PLAIN_FILE_NAMES[1:], rng.randrange(0, 4))
    if uses_ai:
        files[AI_FILE_NAMES[cloud]] = fill(rng, templates.AI, target_lines(rng), names)
    for file_name in extra:
        files[file_name] = fill(rng, templates.PLAIN, target_lines(rng), names)
    if cloud == "aws" and rng.random() < 0.5:
        files["outputs.tf"] = templates_aws.outputs(rng, module)
    chosen = list(files)[:file_budget]
    directory.mkdir(parents=True, exist_ok=True)
    for file_name in chosen:
        (directory / file_name).write_text(files[file_name], encoding="utf-8")
    return len(chosen), int(AI_FILE_NAMES[cloud] in chosen)


def cloudformation_template(rng: Random, stack: str, render) -> tuple[str, bool]:
    template = cfn.skeleton(rng, stack)
    uses_ai = rng.random() < 0.25
    target = target_lines(rng)
    for index in range(12):
        builders = cfn.AI if uses_ai and index == 0 else cfn.PLAIN
        before = dict(template["Resources"])
        template["Resources"] |= rng.choice(builders)(rng, f"{rng.choice(_Names.WORDS).title()}{index}")
        template["Outputs"] = cfn.outputs(template["Resources"])
        lines = render(template).count("\n")
        if lines > MAX_LINES and index > 0:
            template["Resources"] = before
            template["Outputs"] = cfn.outputs(before)
            break
        if lines >= target:
            break
    return render(template), uses_ai


def kubernetes_manifest(rng: Random, namespace: str) -> tuple[str, bool]:
    target = target_lines(rng)
    documents: list[dict] = []
    uses_any_ai = False
    while not documents or yaml.safe_dump_all(documents, sort_keys=False).count("\n") < target:
        app = f"{rng.choice(_Names.WORDS)}-{len(documents)}"
        uses_ai = rng.random() < 0.3
        workload = k8s.deployment if rng.random() < 0.7 else k8s.cronjob
        app_documents = []
        for builder in [workload, k8s.config_map] + rng.sample(k8s.MANIFESTS[3:], rng.randrange(0, 3)):
            app_documents += builder(rng, app, namespace, uses_ai)
        if documents and yaml.safe_dump_all(documents + app_documents, sort_keys=False).count("\n") > MAX_LINES:
            break
        documents += app_documents
        uses_any_ai |= uses_ai
    return yaml.safe_dump_all(documents, sort_keys=False, width=120), uses_any_ai


def generate(root: Path, files: int, seed: int = DEFAULT_SEED) -> CorpusSummary:
    """Write a corpus of `files` files into `root` (emptied first)."""
    rng = Random(seed * 1_000_003 + files)
    if root.exists():
        shutil.rmtree(root)
    terraform_goal = round(files * 0.5)
    cloudformation_goal = round(files * 0.2)
    bicep_goal = round(files * 0.1)
    kubernetes_goal = files - terraform_goal - cloudformation_goal - bicep_goal
    with_ai = 0

    written = 0
    while written < terraform_goal:
        directory = root / "terraform" / f"module-{written:04d}"
        count, ai = write_terraform_module(rng, directory, terraform_goal - written)
        written += count
        with_ai += ai

    for index in range(cloudformation_goal):
        as_json = index % 3 == 2
        text, uses_ai = cloudformation_template(rng, f"stack-{index:04d}", cfn.to_json if as_json else cfn.to_yaml)
        with_ai += uses_ai
        directory = root / "cloudformation"
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"stack-{index:04d}.{'json' if as_json else 'yaml'}").write_text(text, encoding="utf-8")

    for index in range(kubernetes_goal):
        namespace = rng.choice(["payments", "search", "assistant", "platform", "data"])
        text, uses_ai = kubernetes_manifest(rng, namespace)
        with_ai += uses_ai
        directory = root / "kubernetes" / namespace
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"manifests-{index:04d}.yaml").write_text(text, encoding="utf-8")

    for index in range(bicep_goal):
        as_arm = index % 3 == 2
        name = templates_bicep.file_name(rng, index)
        build = templates_bicep.arm_file if as_arm else templates_bicep.bicep_file
        text, uses_ai = build(rng, name.split("-")[0], target_lines(rng), MAX_LINES)
        with_ai += uses_ai
        directory = root / "azure" / name
        directory.mkdir(parents=True, exist_ok=True)
        (directory / ("azuredeploy.json" if as_arm else "main.bicep")).write_text(text, encoding="utf-8")

    return summarize(root, with_ai, terraform_goal, cloudformation_goal, kubernetes_goal, bicep_goal)


def summarize(root: Path, with_ai: int, terraform: int, cloudformation: int, kubernetes: int,
              bicep_arm: int = 0) -> CorpusSummary:
    line_counts = [path.read_text(encoding="utf-8").count("\n") for path in sorted(root.rglob("*")) if path.is_file()]
    return CorpusSummary(root=root, files=len(line_counts), lines=sum(line_counts), terraform_files=terraform,
                         cloudformation_files=cloudformation, kubernetes_files=kubernetes,
                         bicep_arm_files=bicep_arm, files_with_ai=with_ai,
                         median_lines=statistics.median(line_counts), max_lines=max(line_counts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    print(json.dumps(generate(args.directory, args.files, args.seed).as_dict(), indent=2))


if __name__ == "__main__":
    main()
