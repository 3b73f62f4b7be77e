"""A deterministic, realistic mixed IaC corpus for the benchmark.

Roughly 50 % Terraform (modules of several `.tf` files), 20 % CloudFormation
(two thirds YAML with short-form intrinsics, one third JSON), 20 % multi-
document Kubernetes manifests and 10 % Azure deployments (two thirds Bicep,
one third ARM JSON). Most files hold plain infrastructure; about a
third of Terraform modules, a quarter of templates and a third of Kubernetes
apps use an AI service, as in a real platform repository. File sizes follow a
log-normal distribution clipped to 20-400 lines. The same seed and size always
give byte-identical files.

`generate_modules` writes the module-heavy corpus instead: Terraform only, as a platform
repository lays it out, with shared modules under `terraform/modules/` (one Bedrock invoke
module per model policy, application modules nesting one of them, plain AWS/GCP/Azure modules)
and many roots under `terraform/envs/` calling them with different inputs, some with
`count`/`for_each`. Every module is judged once per instance, so it exercises the module tree.

    python bench/corpus.py DIR --files 300 [--seed N] [--modules]
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


MODEL_ARNS = [
    "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0",
    "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20241022-v2:0",
    "arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-embed-text-v2:0",
]
INVOKE_MODULE = '''variable "name" {
  type = string
}

variable "models" {
  description = "Model ARNs the workload may invoke."
  type        = list(string)
  default     = %(default)s
}

variable "tags" {
  type    = map(string)
  default = {}
}

resource "aws_iam_role" "workload" {
  name = "${var.name}-workload"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "invoke" {
  name = "${var.name}-invoke"
  role = aws_iam_role.workload.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
      Resource = var.models
    }]
  })
}
'''
INVOKE_OUTPUTS = '''output "role_arn" {
  value = aws_iam_role.workload.arn
}

output "models" {
  value = var.models
}
'''
APP_CALL = '''
variable "models" {
  type    = list(string)
  default = null
}

module "access" {
  source = "../%(invoke)s"
  name   = "${var.environment}-%(name)s"
  models = var.models != null ? var.models : %(fallback)s
  tags   = var.tags
}

output "access_role" {
  value = module.access.role_arn
}
'''


def _hcl_list(values: list[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def write_shared_module(rng: Random, directory: Path, kind: str, invoke_modules: list[str],
                        ai_cloud: str | None = None) -> tuple[int, int]:
    """One shared module: `invoke` (a Bedrock policy over `var.models`), `app` (plain resources of
    one cloud plus a nested call of an invoke module) or `plain` (one cloud, maybe its AI blocks;
    always, of `ai_cloud`, when given). Returns (files written, files with AI resources)."""
    directory.mkdir(parents=True, exist_ok=True)
    names = _Names(rng)
    module = directory.name.replace("-", "_")
    if kind == "invoke":
        default = _hcl_list(["*"]) if rng.random() < 0.3 else _hcl_list(rng.sample(MODEL_ARNS, 1))
        files = {"main.tf": INVOKE_MODULE % {"default": default}, "outputs.tf": INVOKE_OUTPUTS}
        ai = 1
    else:
        cloud = "aws" if kind == "app" else ai_cloud or rng.choices(list(CLOUDS), weights=[0.5, 0.25, 0.25])[0]
        templates = CLOUDS[cloud]
        files = {
            "variables.tf": templates.variables(rng, module),
            "main.tf": templates.locals_block(rng, module) + "\n" + fill(rng, templates.PLAIN, target_lines(rng), names),
        }
        ai = 0
        if kind == "app":
            files["access.tf"] = APP_CALL % {"invoke": rng.choice(invoke_modules), "name": module,
                                             "fallback": _hcl_list(rng.sample(MODEL_ARNS, 1))}
            ai = 1
        elif ai_cloud or rng.random() < 0.3:
            files[AI_FILE_NAMES[cloud]] = fill(rng, templates.AI, target_lines(rng), names)
            ai = 1
    for file_name, text in files.items():
        (directory / file_name).write_text(text, encoding="utf-8")
    return len(files), ai


def _module_call(rng: Random, label: str, module: str, kind: str, environment: str) -> str:
    """A call of a shared module from a root, with inputs for its kind and maybe count/for_each."""
    lines = [f'module "{label}" {{', f'  source = "../../modules/{module}"']
    repeat = rng.random()
    if repeat < 0.2:
        lines.append(f"  count  = {rng.randrange(1, 4)}")
        suffix = "-${count.index}"
    elif repeat < 0.35:
        teams = rng.sample(["search", "support", "research", "billing", "ops"], rng.randrange(2, 4))
        lines.append("  for_each = toset(" + _hcl_list(teams) + ")")
        suffix = "-${each.key}"
    else:
        suffix = ""
    if kind == "invoke":
        lines.append(f'  name   = "{environment}-{label}{suffix}"')
        if rng.random() < 0.7:  # the rest keep the module's default, scoped or not
            models = ["*"] if rng.random() < 0.2 else rng.sample(MODEL_ARNS, rng.randrange(1, 3))
            lines.append(f"  models = {_hcl_list(models)}")
    else:
        lines.append(f'  environment = "{environment}"')
        if kind == "app" and rng.random() < 0.5:
            lines.append(f"  models = {_hcl_list(rng.sample(MODEL_ARNS, 1))}")
    lines.append(f'  tags = {{ Team = "{label}", Stage = "{environment}" }}')
    return "\n".join(lines) + "\n}\n"


LOGGING_CONFIGURATION = '''
resource "aws_bedrock_model_invocation_logging_configuration" "this" {
  logging_config {
    cloudwatch_config {
      log_group_name = "bedrock-invocations"
      role_arn       = "arn:aws:iam::123456789012:role/bedrock-logging"
    }
  }
}
'''


def generate_modules(root: Path, files: int, seed: int = DEFAULT_SEED) -> CorpusSummary:
    """Write a module-heavy Terraform corpus of about `files` files into `root` (emptied first):
    a shared module per ~12 files (a third Bedrock invoke modules, a third application modules
    nesting one, the rest plain), and roots (`main.tf` + `versions.tf`) calling 3-8 of them."""
    rng = Random(seed * 1_000_003 + files + 7)
    if root.exists():
        shutil.rmtree(root)
    shared = max(6, files // 12)
    kinds = ["invoke", "app", "plain"]
    modules: list[tuple[str, str]] = []
    written = with_ai = 0
    for index in range(shared):
        kind = kinds[index % 3]
        name = f"{kind}-{index:03d}"
        # The first plain modules hold Azure OpenAI and Vertex AI blocks, which checkov's AI checks judge.
        ai_cloud = {2: "azure", 5: "gcp"}.get(index)
        count, ai = write_shared_module(rng, root / "terraform" / "modules" / name, kind,
                                        [m for m, k in modules if k == "invoke"] or ["invoke-000"], ai_cloud)
        modules.append((name, kind))
        written += count
        with_ai += ai
    environments = ["dev", "staging", "prod"]
    index = 0
    while written < files:
        environment = environments[index % 3]
        directory = root / "terraform" / "envs" / f"{environment}-{index:04d}"
        directory.mkdir(parents=True, exist_ok=True)
        calls = rng.sample(modules, min(len(modules), rng.randrange(3, 9)))
        text = "".join(_module_call(rng, f"{name.split('-')[0]}_{n}", name, kind, environment)
                       for n, (name, kind) in enumerate(calls))
        if rng.random() < 0.6:
            text += LOGGING_CONFIGURATION
        (directory / "main.tf").write_text(text, encoding="utf-8")
        (directory / "versions.tf").write_text(templates_aws.PROVIDER, encoding="utf-8")
        written += 2
        with_ai += any(kind != "plain" for _, kind in calls)
        index += 1
    return summarize(root, with_ai, written, 0, 0)


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
    parser.add_argument("--modules", action="store_true", help="the module-heavy Terraform corpus")
    args = parser.parse_args()
    build = generate_modules if args.modules else generate
    print(json.dumps(build(args.directory, args.files, args.seed).as_dict(), indent=2))


if __name__ == "__main__":
    main()
