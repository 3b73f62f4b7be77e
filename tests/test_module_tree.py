"""The Terraform module tree: roots, local module instances, per-configuration judgement.

Each scenario in sample_infra/terraform/modules/ is scanned as its own root directory, as a
user would run `aiaas-iac scan .` there; expectations are exact (code, file, line) sets.
"""

from __future__ import annotations

from conftest import SAMPLES, scan_dir, triples

MODULES = SAMPLES / "terraform" / "modules"


def findings(scenario: str):
    return scan_dir(MODULES / scenario)


def test_a_module_called_twice_is_reported_once_for_the_unsafe_instance():
    report = findings("two_instances")
    assert triples(report) == {("AIA102", "modules/invoke/main.tf", 17)}
    (finding,) = report.findings
    assert finding.resource == "module.research.aws_iam_policy.invoke"
    assert "module.support" not in finding.message


def test_defaults_overridden_by_the_caller_are_not_judged_and_kept_defaults_are():
    report = findings("defaults")
    assert triples(report) == {("AIA102", "modules/invoke/main.tf", 17)}
    (finding,) = report.findings
    assert finding.resource == "module.invoke.aws_iam_policy.invoke"
    assert "foundation-model/*" in finding.message


def test_count_and_for_each_on_a_module_make_one_instance_per_element():
    report = findings("count_for_each")
    assert triples(report) == {("AIA102", "modules/invoke/main.tf", 17)}
    assert [f.resource for f in report.findings] == ['module.team["research"].aws_iam_policy.invoke']


def test_nested_modules_and_an_output_used_by_the_root():
    report = findings("nested")
    assert triples(report) == {("AIA102", "modules/policy/main.tf", 17)}
    (finding,) = report.findings
    assert finding.resource == "module.app.module.policy.aws_iam_policy.invoke"
    assert finding.message.endswith("(in module.app.module.policy, module.batch)")


def test_logging_in_a_sibling_root_does_not_cover_another_root():
    report = findings("sibling_roots")
    assert triples(report) == {("AIA104", "modules/chat/main.tf", 8)}
    (finding,) = report.findings
    assert finding.message.endswith("(configuration envs/dev)")
    assert finding.identity == "bedrock-invocation-logging-missing:envs/dev"


def test_calls_that_cannot_be_evaluated_leave_notes_and_the_rest_is_judged():
    report = findings("unresolved")
    assert triples(report) == {("AIA102", "main.tf", 20)}
    assert report.notes == [
        "modules/b/main.tf:1: module a in module.loop.module.b: module cycle modules/a -> modules/b -> modules/a;"
        " not instantiated again",
        "main.tf:7: module gone: module directory modules/missing not found or holds no Terraform; not evaluated",
        "main.tf:11: module vpc from terraform-aws-modules/vpc/aws not evaluated: run terraform init to include it",
    ]


def test_a_module_nobody_calls_is_judged_with_its_defaults(tree):
    report = tree({"modules/invoke/main.tf": (MODULES / "defaults" / "modules" / "invoke" / "main.tf").read_text()})
    assert triples(report, "AIA102") == {("AIA102", "modules/invoke/main.tf", 17)}
    assert report.findings[0].resource == "aws_iam_policy.invoke"


def test_an_input_from_a_caller_resource_is_unknown_in_the_module(tree):
    # The ARN of a resource being created is not known: no finding, and no reference followed
    # into the module's own resources of the same name.
    report = tree({
        "main.tf": 'resource "aws_bedrock_custom_model" "m" {\n  custom_model_name = "m"\n}\n'
                   'module "invoke" {\n  source = "./modules/invoke"\n  name = "x"\n'
                   '  models = [aws_bedrock_custom_model.m.arn]\n}\n',
        "modules/invoke/main.tf": (MODULES / "defaults" / "modules" / "invoke" / "main.tf").read_text(),
    }, select=["AIA102"])
    assert triples(report) == set()


def test_a_conditional_input_is_worked_out_in_the_caller(tree):
    report = tree({
        "main.tf": 'variable "open" {\n  default = true\n}\n'
                   'module "invoke" {\n  source = "./modules/invoke"\n  name = "x"\n'
                   '  models = var.open ? ["*"] : ["arn:aws:bedrock:us-east-1::foundation-model/a"]\n}\n',
        "modules/invoke/main.tf": (MODULES / "two_instances" / "modules" / "invoke" / "main.tf").read_text(),
    }, select=["AIA102"])
    assert triples(report) == {("AIA102", "modules/invoke/main.tf", 17)}


def test_tfvars_of_the_root_reach_the_module(tree):
    report = tree({
        "main.tf": 'variable "models" {\n  type = list(string)\n}\n'
                   'module "invoke" {\n  source = "./modules/invoke"\n  name = "x"\n  models = var.models\n}\n',
        "terraform.tfvars": 'models = ["*"]\n',
        "modules/invoke/main.tf": (MODULES / "two_instances" / "modules" / "invoke" / "main.tf").read_text(),
    }, select=["AIA102"])
    assert triples(report) == {("AIA102", "modules/invoke/main.tf", 17)}


def test_a_module_count_on_an_unknown_value_is_one_instance_with_unknown_keys(tree):
    report = tree({
        "main.tf": 'variable "n" {}\nmodule "invoke" {\n  source = "./modules/invoke"\n  count = var.n\n'
                   '  name = "x-${count.index}"\n  models = ["*"]\n}\n',
        "modules/invoke/main.tf": (MODULES / "two_instances" / "modules" / "invoke" / "main.tf").read_text(),
    }, select=["AIA102"])
    assert triples(report) == {("AIA102", "modules/invoke/main.tf", 17)}
    assert report.findings[0].resource == "module.invoke.aws_iam_policy.invoke"
