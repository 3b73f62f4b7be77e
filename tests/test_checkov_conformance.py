"""Side by side with checkov on the checks both tools have.

checkov runs from its own virtual environment (it cannot share one with
python-hcl2): the executable named by CHECKOV_BIN, else
bench/.work/checkov-venv/bin/checkov (`python bench/run.py` creates it). For
every resource either tool has a verdict on, checkov FAILED must match a
finding of our mapped code, except for the differences listed below, each for
a reason we chose on purpose. The same list is in bench/README.md.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest
import yaml

from conftest import REPO, SAMPLES, scan_dir

REQUIRE_TOOLS = os.environ.get("AIAAS_REQUIRE_TOOLS") == "1"
SAMPLE_ROOTS = ["terraform/aws", "terraform/azure", "terraform/gcp", "cloudformation/aws"]


@dataclass(frozen=True)
class Overlap:
    code: str  # our check
    frameworks: tuple[str, ...]  # where checkov has the check
    resource_types: tuple[str, ...]  # what either tool evaluates for it


AZURE_ACCOUNTS = ("azurerm_cognitive_account", "azapi_resource")
OVERLAPS = {
    "CKV_AWS_373": Overlap("AIA106", ("terraform", "cloudformation"),
                           ("aws_bedrockagent_agent", "awscc_bedrock_agent", "AWS::Bedrock::Agent")),
    "CKV_AWS_383": Overlap("AIA105", ("terraform",), ("aws_bedrockagent_agent", "awscc_bedrock_agent")),
    "CKV_AZURE_236": Overlap("AIA301", ("terraform",), AZURE_ACCOUNTS),
    "CKV_AZURE_134": Overlap("AIA302", ("terraform",), AZURE_ACCOUNTS),
    "CKV2_AZURE_22": Overlap("AIA306", ("terraform",), AZURE_ACCOUNTS),
    "CKV_AZURE_247": Overlap("AIA307", ("terraform",), AZURE_ACCOUNTS),
    "CKV2_GCP_33": Overlap("AIA205", ("terraform",), ("google_vertex_ai_endpoint",)),
    "CKV2_GCP_34": Overlap("AIA205", ("terraform",), ("google_vertex_ai_index_endpoint",)),
    "CKV2_GCP_24": Overlap("AIA206", ("terraform",), ("google_vertex_ai_endpoint",)),
    "CKV_GCP_92": Overlap("AIA206", ("terraform",), ("google_vertex_ai_dataset",)),
    "CKV2_GCP_25": Overlap("AIA206", ("terraform",), ("google_vertex_ai_featurestore",)),
    "CKV2_GCP_26": Overlap("AIA206", ("terraform",), ("google_vertex_ai_tensorboard",)),
    "CKV_GCP_96": Overlap("AIA206", ("terraform",), ("google_vertex_ai_metadata_store",)),
}

AZAPI = "checkov does not evaluate azapi_resource bodies; we read the same settings from `body.properties`"
AWSCC = "checkov has no checks for the awscc provider; we treat awscc_bedrock_agent like aws_bedrockagent_agent"
INLINE_CMK = ("checkov passes only a separate azurerm_cognitive_account_customer_managed_key connected to a "
              "key vault key; we also accept the inline `customer_managed_key` block")
EMPTY_FQDNS = ("checkov also wants a non-empty `fqdns` list; with outbound_network_access_restricted = true, "
               "an empty or absent list allows no outbound destination at all, the strictest setting")
PSC_ENDPOINT = ("checkov passes only an endpoint with `network` (VPC peering); we also accept Private Service "
                "Connect (`private_service_connect_config.enable_private_service_connect = true`)")


@dataclass(frozen=True)
class Difference:
    check_id: str
    where: str  # sample root / module directory or template file
    address: str
    checkov_failed: bool
    reason: str


# Every entry must still occur, and nothing else may differ: a change in either tool or in the
# samples shows up here and has to be explained.
EXPECTED_DIFFERENCES = {
    Difference("CKV_AWS_373", "terraform/aws/bedrock_awscc", "awscc_bedrock_agent.assistant", False, AWSCC),
    Difference("CKV_AWS_373", "terraform/aws/agent_tools_insecure", "awscc_bedrock_agent.returns", False, AWSCC),
    Difference("CKV_AWS_383", "terraform/aws/agent_tools_insecure", "awscc_bedrock_agent.returns", False, AWSCC),
    Difference("CKV_AZURE_236", "terraform/azure/openai_azapi", "azapi_resource.sandbox", False, AZAPI),
    Difference("CKV_AZURE_134", "terraform/azure/openai_azapi", "azapi_resource.sandbox", False, AZAPI),
    Difference("CKV2_AZURE_22", "terraform/azure/openai_azapi", "azapi_resource.sandbox", False, AZAPI),
    Difference("CKV_AZURE_247", "terraform/azure/openai_azapi", "azapi_resource.sandbox", False, AZAPI),
    Difference("CKV2_AZURE_22", "terraform/azure/openai_module_variables", "azurerm_cognitive_account.this",
               True, INLINE_CMK),
    Difference("CKV2_AZURE_22", "terraform/azure/openai_module_variables", "azurerm_cognitive_account.embeddings",
               True, INLINE_CMK),
    Difference("CKV2_AZURE_22", "terraform/azure/foundry_hardened", "azurerm_cognitive_account.openai",
               True, INLINE_CMK),
    Difference("CKV_AZURE_247", "terraform/azure/openai_hardened", "azurerm_cognitive_account.openai",
               True, EMPTY_FQDNS),
    Difference("CKV_AZURE_247", "terraform/azure/openai_module_variables", "azurerm_cognitive_account.this",
               True, EMPTY_FQDNS),
    Difference("CKV_AZURE_247", "terraform/azure/openai_module_variables", "azurerm_cognitive_account.embeddings",
               True, EMPTY_FQDNS),
    Difference("CKV2_GCP_33", "terraform/gcp/vertex_hardened", "google_vertex_ai_endpoint.chat", True, PSC_ENDPOINT),
}


def checkov_executable() -> Path | None:
    explicit = os.environ.get("CHECKOV_BIN")
    candidate = Path(explicit) if explicit else REPO / "bench" / ".work" / "checkov-venv" / "bin" / "checkov"
    return candidate if candidate.is_file() and os.access(candidate, os.X_OK) else None


@pytest.fixture(scope="module")
def checkov() -> Path:
    executable = checkov_executable()
    if executable is None:
        if REQUIRE_TOOLS:
            pytest.fail("checkov is required in CI but missing: set CHECKOV_BIN")
        pytest.skip("checkov not installed (set CHECKOV_BIN or run python bench/run.py)")
    return executable


def _unindexed(address: str) -> str:
    """`x.y["a"]` and `x.y[0]` -> `x.y`: both tools name instances differently."""
    return re.sub(r"\[[^\]]*\]$", "", address)


def _location(file: str, framework: str) -> str:
    """Terraform resources are unique per module directory, CloudFormation ones per template."""
    path = PurePosixPath(file.lstrip("/"))
    return str(path if framework == "cloudformation" else path.parent)


def checkov_verdicts(executable: Path, root: Path) -> dict[tuple[str, str, str], bool]:
    """{(check ID, location, address): failed} for every resource checkov evaluated."""
    command = [str(executable), "-d", str(root), "--framework", "terraform", "cloudformation",
               "--check", ",".join(OVERLAPS), "-o", "json", "--skip-download"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode in (0, 1), result.stderr[-2000:]
    document = json.loads(result.stdout)
    reports = document if isinstance(document, list) else [document]
    verdicts = {}
    for report in reports:
        if "results" not in report:  # a framework with nothing to scan
            continue
        framework = report["check_type"]
        for status, failed in (("passed_checks", False), ("failed_checks", True)):
            for check in report["results"][status]:
                address = check["resource"]
                if framework == "cloudformation":
                    address = address.split(".", 1)[1]  # "AWS::Bedrock::Agent.Name" -> logical ID
                key = (check["check_id"], _location(check["file_path"], framework), _unindexed(address))
                verdicts[key] = failed
    return verdicts


class _TemplateLoader(yaml.SafeLoader):
    """Enough of a template to read resource types: short-form intrinsics (`!Ref x`) load as None."""


_TemplateLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def _cloudformation_types(template: Path) -> dict[str, str]:
    text = template.read_text(encoding="utf-8")
    document = json.loads(text) if template.suffix == ".json" else yaml.load(text, Loader=_TemplateLoader)
    return {logical: resource.get("Type", "") for logical, resource in (document or {}).get("Resources", {}).items()}


def our_verdicts(root: Path) -> dict[tuple[str, str, str], bool]:
    """{(check ID, location, address): True} for each of our findings that a checkov check covers."""
    findings = {}
    for finding in scan_dir(root).findings:
        framework = "cloudformation" if finding.location.file.endswith((".yaml", ".yml", ".json")) else "terraform"
        address = _unindexed(finding.resource)
        if framework == "cloudformation":
            resource_type = _cloudformation_types(root / finding.location.file).get(address, "")
        else:
            resource_type = address.split(".")[-2] if "." in address else ""
        for check_id, overlap in OVERLAPS.items():
            if (finding.code == overlap.code and framework in overlap.frameworks
                    and resource_type in overlap.resource_types):
                findings[(check_id, _location(finding.location.file, framework), address)] = True
    return findings


def differences(root_name: str, theirs: dict, ours: dict) -> set[Difference]:
    found = set()
    for key in theirs.keys() | ours.keys():
        checkov_failed = theirs.get(key, False)
        if checkov_failed != ours.get(key, False):
            check_id, where, address = key
            found.add(Difference(check_id, f"{root_name}/{where}", address, checkov_failed, ""))
    return found


def _without_reason(difference: Difference) -> Difference:
    return Difference(difference.check_id, difference.where, difference.address, difference.checkov_failed, "")


def test_every_mapped_check_exists_in_checkov(checkov):
    listing = subprocess.run([str(checkov), "--list", "--framework", "terraform", "cloudformation"],
                             capture_output=True, text=True, timeout=600, check=True).stdout
    assert set(OVERLAPS) <= set(re.findall(r"\bCKV2?_[A-Z0-9]+_\d+\b", listing))


@pytest.mark.parametrize("root_name", SAMPLE_ROOTS)
def test_same_verdicts_as_checkov_except_documented_differences(checkov, root_name):
    root = SAMPLES / root_name
    theirs = checkov_verdicts(checkov, root)
    assert theirs, f"checkov evaluated no overlapping check in {root_name}: the comparison would prove nothing"
    found = differences(root_name, theirs, our_verdicts(root))
    expected = {_without_reason(d) for d in EXPECTED_DIFFERENCES if d.where.startswith(root_name + "/")}
    assert found - expected == set(), "undocumented differences from checkov"
    assert expected - found == set(), "documented differences that no longer occur"
