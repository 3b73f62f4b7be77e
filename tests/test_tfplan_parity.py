"""A `terraform show -json` plan of a module yields the findings a scan of the module's source does.

The plans in sample_infra/terraform-plan/ are what Terraform 1.9 prints (pretty-printed) for the
sample modules called from a root module: `module.chatbot` for the Bedrock agent modules, and a
module with `count = 2` whose access keys have `count = 2` for the evaluation runners.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from aiaas_iac.discover import SourceFile
from aiaas_iac.model import Unknown
from aiaas_iac.parsers import parse_file
from conftest import SAMPLES, scan_dir, triples, write_tree

PLANS = SAMPLES / "terraform-plan" / "aws"
SOURCES = SAMPLES / "terraform" / "aws"
CHATBOT = "module.chatbot."


def codes(report, prefixes=("AIA1", "AIA5")) -> set[str]:
    return {f.code for f in report.findings if f.code.startswith(prefixes)}


def local_resource(finding) -> str:
    """The finding's resource without the plan's module path, as a source scan names it."""
    return finding.resource.removeprefix(CHATBOT)


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


# --- the insecure Bedrock agent module ------------------------------------------------------------

def test_insecure_plan_yields_the_codes_of_its_source_module():
    plan, source = scan_dir(PLANS / "bedrock_agent_insecure"), scan_dir(SOURCES / "bedrock_agent_insecure")
    expected = {"AIA101", "AIA102", "AIA103", "AIA104", "AIA105", "AIA106", "AIA107", "AIA108", "AIA109", "AIA110"}
    assert codes(plan) == codes(source) == expected


def test_insecure_plan_reports_each_source_finding_at_the_same_resource():
    plan, source = scan_dir(PLANS / "bedrock_agent_insecure"), scan_dir(SOURCES / "bedrock_agent_insecure")
    # AIA104 is one finding for the whole scan, shown at the first Bedrock block by file and line:
    # agent.tf's agent in the source, the guardrail (first by address) in the plan. Where inside
    # a resource may differ: a plan has `null` for an unset argument, and JSON strings where the
    # source has `jsonencode({...})`.
    plan_findings = Counter((f.code, local_resource(f)) for f in plan.findings if f.code != "AIA104")
    source_findings = Counter((f.code, f.resource) for f in source.findings if f.code != "AIA104")
    assert plan_findings == source_findings


def test_insecure_plan_findings_and_lines():
    assert triples(scan_dir(PLANS / "bedrock_agent_insecure")) == {
        ("AIA104", "tfplan.json", 10),  # first Bedrock resource of the plan, no logging configuration
        ("AIA109", "tfplan.json", 10),  # guardrail filters HATE and INSULTS only
        ("AIA105", "tfplan.json", 86),  # agent: "guardrail_configuration": null
        ("AIA106", "tfplan.json", 94),  # agent: "customer_encryption_key_arn": null
        ("AIA107", "tfplan.json", 212),  # access key of support-chatbot-evaluation (user policy names it)
        ("AIA107", "tfplan.json", 229),  # access key of support-chatbot-partner
        ("AIA108", "tfplan.json", 259),  # trust {"AWS": "*"}; policy_arn reaches bedrock:* via configuration
        ("AIA102", "tfplan.json", 341),  # jsonencode'd var.invoke_model_arns default: foundation-model/*
        ("AIA103", "tfplan.json", 341),  # same policy: bedrock:*ModelInvocationLoggingConfiguration
        ("AIA107", "tfplan.json", 378),  # service_name bedrock.amazonaws.com
        ("AIA102", "tfplan.json", 441),  # file("policies/evaluation-invoke.json") content
        ("AIA110", "tfplan.json", 502),  # AllowFromPublic: true next to a knowledge base
        ("AIA101", "tfplan.json", 544),  # deferred aws_iam_policy_document: statement bedrock:* on *
    }


def test_findings_name_the_full_plan_address_and_sit_in_its_planned_values_entry():
    plan_file = PLANS / "bedrock_agent_insecure" / "tfplan.json"
    planned = json.loads(plan_file.read_text())["planned_values"]["root_module"]["child_modules"][0]["resources"]
    starts = {r["address"]: line_of(plan_file, f'"address": "{r["address"]}"') for r in planned}
    ends = dict(zip(sorted(starts, key=starts.get), sorted(starts.values())[1:] + [10**9]))
    report = scan_dir(PLANS / "bedrock_agent_insecure")
    for finding in report.findings:
        assert finding.resource.startswith(CHATBOT)
        assert starts[finding.resource] <= finding.location.span.start_line < ends[finding.resource]
    whole_resource = {f.code: f.location.span.start_line for f in report.findings if f.code in ("AIA105", "AIA109")}
    assert whole_resource == {"AIA105": starts["module.chatbot.aws_bedrockagent_agent.support"],
                              "AIA109": starts["module.chatbot.aws_bedrock_guardrail.support"]}


def test_plan_messages_read_like_the_source_messages():
    report = scan_dir(PLANS / "bedrock_agent_insecure")
    messages = {f.resource: f.message for f in report.findings if f.code == "AIA108"}
    assert messages == {"module.chatbot.aws_iam_role.agent": (
        'aws_iam_role.agent trust policy allows Principal {"AWS": "*"} with no Condition, and the role is granted'
        " Bedrock actions by aws_iam_role_policy_attachment.agent (data.aws_iam_policy_document.agent_permissions)")}


def test_without_the_configuration_section_an_unknown_policy_arn_links_to_nothing(tmp_path):
    # `policy_arn = aws_iam_policy.agent.arn` is known only after apply: without the configuration's
    # references the attachment cannot be followed, and an unknown never counts toward a finding.
    plan = json.loads((PLANS / "bedrock_agent_insecure" / "tfplan.json").read_text())
    del plan["configuration"]
    write_tree(tmp_path, {"tfplan.json": json.dumps(plan, indent=2)})
    assert "AIA108" not in codes(scan_dir(tmp_path))


# --- the hardened Bedrock agent module ------------------------------------------------------------

def test_hardened_plan_has_no_findings_like_its_source():
    assert scan_dir(SOURCES / "bedrock_agent_hardened").findings == []
    assert scan_dir(PLANS / "bedrock_agent_hardened").findings == []


def hardened_plan_without(tmp_path, drop) -> set:
    plan = json.loads((PLANS / "bedrock_agent_hardened" / "tfplan.json").read_text())
    module = plan["planned_values"]["root_module"]["child_modules"][0]
    module["resources"] = [r for r in module["resources"] if not drop(r)]
    write_tree(tmp_path, {"tfplan.json": json.dumps(plan, indent=2)})
    return codes(scan_dir(tmp_path))


def test_hardened_plan_without_its_logging_configuration_misses_invocation_logging(tmp_path):
    logging = "aws_bedrock_model_invocation_logging_configuration"
    assert hardened_plan_without(tmp_path, lambda r: r["type"] == logging) == {"AIA104"}


def test_hardened_plan_guardrail_known_after_apply_counts_as_attached(tmp_path):
    plan = json.loads((PLANS / "bedrock_agent_hardened" / "tfplan.json").read_text())
    agent = next(r for r in plan["planned_values"]["root_module"]["child_modules"][0]["resources"]
                 if r["type"] == "aws_bedrockagent_agent")
    assert agent["values"]["guardrail_configuration"] == [{}]  # identifier and version unknown until apply
    agent["values"]["guardrail_configuration"] = None
    write_tree(tmp_path, {"tfplan.json": json.dumps(plan, indent=2)})
    assert codes(scan_dir(tmp_path)) == {"AIA105"}


# --- a child module with count, and resources with count --------------------------------------------

RUNNERS = PLANS / "evaluation_runners"


def test_counted_module_plan_yields_the_codes_of_its_source():
    plan, source = scan_dir(RUNNERS / "plan"), scan_dir(RUNNERS / "source")
    assert codes(plan) == codes(source) == {"AIA104", "AIA107", "AIA502"}


def test_every_module_and_resource_instance_is_reported_under_its_full_address():
    report = scan_dir(RUNNERS / "plan")
    assert sorted((f.code, f.resource) for f in report.findings if f.code != "AIA104") == [
        ("AIA107", "module.evaluation[0].aws_iam_access_key.runner[0]"),
        ("AIA107", "module.evaluation[0].aws_iam_access_key.runner[1]"),
        ("AIA107", "module.evaluation[1].aws_iam_access_key.runner[0]"),
        ("AIA107", "module.evaluation[1].aws_iam_access_key.runner[1]"),
        ("AIA502", "module.evaluation[0].output.runner_secret_access_key"),
        ("AIA502", "module.evaluation[1].output.runner_secret_access_key"),
    ]


def test_module_output_is_read_from_the_configuration_section():
    report = scan_dir(RUNNERS / "plan")
    plan_file = RUNNERS / "plan" / "tfplan.json"
    outputs = {(f.location.span.start_line, f.message) for f in report.findings if f.code == "AIA502"}
    # `runner_access_key_id` references `aws_iam_access_key.runner[1].id`: no secret, no finding.
    # The finding points at the output's "expression" in the configuration.
    assert outputs == {(line_of(plan_file, '"runner_secret_access_key": {') + 1,
                        "output.runner_secret_access_key returns aws_iam_access_key.runner.secret"
                        " without sensitive = true")}


def access_key_plan(output_references: list[str], sensitive: bool = False) -> str:
    output = {"expression": {"references": output_references}}
    if sensitive:
        output["sensitive"] = True
    return json.dumps({
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": [{
            "address": "aws_iam_access_key.ci", "mode": "managed", "type": "aws_iam_access_key", "name": "ci",
            "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
            "values": {"pgp_key": None, "status": "Active", "user": "ci"},
            "sensitive_values": {"secret": True, "ses_smtp_password_v4": True}}]}},
        "resource_changes": [{"address": "aws_iam_access_key.ci", "change": {
            "actions": ["create"], "after_unknown": {"id": True, "secret": True, "ses_smtp_password_v4": True}}}],
        "configuration": {"root_module": {"outputs": {"ci_secret": output}}},
    }, indent=2)


def test_root_output_of_a_secret_attribute_is_reported(tree):
    report = tree({"tfplan.json": access_key_plan(["aws_iam_access_key.ci.secret", "aws_iam_access_key.ci"])})
    assert triples(report, "AIA5") == {("AIA502", "tfplan.json", 46)}  # the output's "expression"


def test_sensitive_root_output_is_not_reported(tree):
    references = ["aws_iam_access_key.ci.secret", "aws_iam_access_key.ci"]
    assert triples(tree({"tfplan.json": access_key_plan(references, sensitive=True)}), "AIA5") == set()


def test_output_referencing_only_the_whole_resource_is_not_guessed(tree):
    # `nonsensitive(aws_iam_access_key.ci[*].secret)` and `aws_iam_access_key.ci[*].id` both reference
    # just `aws_iam_access_key.ci` in a plan: which attribute is read is not in it. The source scan
    # reads the expression and reports the first; the plan scan cannot tell them apart.
    assert triples(tree({"tfplan.json": access_key_plan(["aws_iam_access_key.ci"])}), "AIA5") == set()


def test_an_unknown_map_entry_does_not_take_the_references_of_the_whole_map(tmp_path):
    # `app_settings = { ENDPOINT = account.endpoint, API_KEY = local.key }` is one expression whose
    # references belong to the map: which entry reads which attribute is not in the plan.
    plan = {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [{
            "address": "azurerm_linux_web_app.chat", "mode": "managed", "type": "azurerm_linux_web_app",
            "name": "chat", "values": {"app_settings": {"AZURE_OPENAI_DEPLOYMENT": "gpt-4o"}}}]}},
        "resource_changes": [{"address": "azurerm_linux_web_app.chat", "change": {
            "actions": ["create"], "after_unknown": {
                "app_settings": {"AZURE_OPENAI_API_KEY": True, "AZURE_OPENAI_ENDPOINT": True}, "id": True,
                "service_plan_id": True}}}],
        "configuration": {"root_module": {"resources": [{
            "address": "azurerm_linux_web_app.chat", "mode": "managed", "type": "azurerm_linux_web_app",
            "name": "chat", "expressions": {
                "app_settings": {"references": ["azurerm_cognitive_account.openai.endpoint",
                                                "azurerm_cognitive_account.openai", "local.openai_key"]},
                "service_plan_id": {"references": ["azurerm_service_plan.chat.id", "azurerm_service_plan.chat"]}}}]}},
    }
    write_tree(tmp_path, {"tfplan.json": json.dumps(plan, indent=2)})
    [app] = parse_file(SourceFile(tmp_path / "tfplan.json", "tfplan.json", "structured")).resources
    assert app.get("app_settings", "AZURE_OPENAI_API_KEY") == Unknown("(known after apply)")
    assert app.get("service_plan_id") == Unknown("(known after apply)",
                                                 ("azurerm_service_plan.chat.id", "azurerm_service_plan.chat"))


def test_source_scan_instantiates_the_counted_module_as_the_plan_does():
    """The source names each module instance the plan has, for every code (merged findings
    list their instances); resource-level `count` keys are the plan's alone."""
    import re

    def instances(report) -> set[tuple[str, str]]:
        found = set()
        for finding in report.findings:
            named = re.search(r"\(in ([^)]*)\)$", finding.message)
            for prefix in named.group(1).split(", ") if named else [finding.resource]:
                module = re.match(r"(module\.evaluation\[\d\])", prefix)
                if module:
                    found.add((finding.code, module.group(1)))
        return found

    plan, source = scan_dir(RUNNERS / "plan"), scan_dir(RUNNERS / "source")
    assert instances(source) - {("AIA104", "module.evaluation[0]")} == instances(plan) - {
        ("AIA104", "module.evaluation[0]")} == {
        (code, f"module.evaluation[{n}]") for code in ("AIA107", "AIA502") for n in (0, 1)}


# --- every plan sample against its source: the same codes on the same resources -------------------

MODULE_PLANS = SAMPLES / "terraform-plan" / "modules"
MODULE_SOURCES = SAMPLES / "terraform" / "modules"
# (plan directory, source directory, the plan's address of the source's root module, expected)
PARITY = [
    ("aws/bedrock_agent_insecure", SOURCES / "bedrock_agent_insecure", CHATBOT, {
        ("AIA101", "data.aws_iam_policy_document.agent_permissions"),
        ("AIA102", "aws_iam_role_policy.backend_bedrock"), ("AIA102", "aws_iam_user_policy.evaluation_invoke"),
        ("AIA103", "aws_iam_role_policy.backend_bedrock"), ("AIA104", "configuration"),
        ("AIA105", "aws_bedrockagent_agent.support"), ("AIA106", "aws_bedrockagent_agent.support"),
        ("AIA107", "aws_iam_access_key.evaluation"), ("AIA107", "aws_iam_access_key.partner"),
        ("AIA107", "aws_iam_service_specific_credential.partner_bedrock"), ("AIA108", "aws_iam_role.agent"),
        ("AIA109", "aws_bedrock_guardrail.support"),
        ("AIA110", "aws_opensearchserverless_security_policy.kb_network")}),
    ("aws/bedrock_agent_hardened", SOURCES / "bedrock_agent_hardened", CHATBOT, set()),
    ("aws/evaluation_runners/plan", RUNNERS / "source", "", {
        ("AIA104", "configuration"),
        ("AIA107", "module.evaluation[0].aws_iam_access_key.runner"),
        ("AIA107", "module.evaluation[1].aws_iam_access_key.runner"),
        ("AIA502", "module.evaluation[0].output.runner_secret_access_key"),
        ("AIA502", "module.evaluation[1].output.runner_secret_access_key")}),
    ("modules/two_instances", MODULE_SOURCES / "two_instances", "", {
        ("AIA102", "module.research.aws_iam_policy.invoke")}),
    ("modules/defaults", MODULE_SOURCES / "defaults", "", {("AIA102", "module.invoke.aws_iam_policy.invoke")}),
    ("modules/count_for_each", MODULE_SOURCES / "count_for_each", "", {
        ("AIA102", 'module.team["research"].aws_iam_policy.invoke')}),
    ("modules/nested", MODULE_SOURCES / "nested", "", {
        ("AIA102", "module.app.module.policy.aws_iam_policy.invoke"),
        ("AIA102", "module.batch.aws_iam_policy.invoke")}),
    ("modules/sibling_roots", MODULE_SOURCES / "sibling_roots", "", {("AIA104", "configuration")}),
    ("modules/registry", MODULE_SOURCES / "registry", "", {
        ("AIA102", "module.batch.module.policy.aws_iam_policy.invoke")}),
    # The tool Lambda from a module output, its role from a nested module's output (insecure and
    # hardened roots): references crossing modules, in the plan through the configuration's.
    ("modules/tool_lambda_from_output", MODULE_SOURCES / "tool_lambda_from_output", "", {
        ("AIA115", "aws_bedrockagent_agent_action_group.tools")}),
]
_LISTED = re.compile(r"\(in ([^()]*)\)")
_RESOURCE_KEY = re.compile(r"\[(?:\d+|\"(?:[^\"\\]|\\.)*\")\]$")


def by_resource(report, prefix: str = "") -> set[tuple[str, str]]:
    """(code, full address) of every finding, with the instances a merged finding lists expanded.

    Configuration-wide AIA104 is one finding per configuration, shown at the configuration's first
    Bedrock block (by file and line in the source, by address in a plan): it is compared as being
    there, not by the block it is shown at. A resource's own `count`/`for_each` key is the plan's
    alone (the source reports a counted block once per module instance): it is dropped."""
    found = set()
    for finding in report.findings:
        if finding.code == "AIA104":
            found.add((finding.code, "configuration"))
            continue
        addresses = [finding.resource]
        listed = _LISTED.search(finding.message)
        if listed:
            names = [name.split(" of ")[0] for name in listed.group(1).split(", ")]
            local = finding.resource.removeprefix(names[0] + ".")
            addresses += [f"{name}.{local}" for name in names[1:]]
        found.update((finding.code, prefix + _RESOURCE_KEY.sub("", address)) for address in addresses)
    return found


def test_every_plan_sample_has_its_source_in_the_parity_list():
    plans = {str(p.parent.relative_to(SAMPLES / "terraform-plan")) for p in (SAMPLES / "terraform-plan").rglob("tfplan.json")}
    listed = {plan for plan, *_ in PARITY}
    assert {p for p in plans if not any(p == item or p.startswith(item + "/") for item in listed)} == set()


@pytest.mark.parametrize("plan_dir, source_dir, prefix, expected", PARITY, ids=[p[0] for p in PARITY])
def test_plan_and_source_report_the_same_codes_on_the_same_resources(plan_dir, source_dir, prefix, expected):
    plan = by_resource(scan_dir(SAMPLES / "terraform-plan" / plan_dir))
    source = by_resource(scan_dir(source_dir), prefix)
    assert plan == source == {(code, address if code == "AIA104" else prefix + address) for code, address in expected}


def test_module_plan_findings_sit_at_their_planned_values_entries():
    def at(plan_dir: str, address: str, attribute: str = "") -> tuple[str, int]:
        """The line of `address` in planned_values, or of `attribute` in that entry's values."""
        path = MODULE_PLANS / plan_dir / "tfplan.json"
        lines = path.read_text().splitlines()
        start = line_of(path, f'"address": "{address}"')
        line = start if not attribute else next(n for n in range(start, len(lines) + 1)
                                                if f'"{attribute}":' in lines[n - 1])
        return str(path.relative_to(MODULE_PLANS / plan_dir.split("/")[0])), line

    assert triples(scan_dir(MODULE_PLANS / "registry")) == {
        ("AIA102", *at("registry/prod", "module.batch.module.policy.aws_iam_policy.invoke", "policy"))}
    assert triples(scan_dir(MODULE_PLANS / "count_for_each")) == {
        ("AIA102", *at("count_for_each", 'module.team[\\"research\\"].aws_iam_policy.invoke', "policy"))}
    assert triples(scan_dir(MODULE_PLANS / "sibling_roots")) == {
        ("AIA104", *at("sibling_roots/dev", "module.chat.aws_iam_role_policy.chat", "policy"))}
