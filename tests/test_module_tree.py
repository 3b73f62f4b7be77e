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
        "main.tf:7: module gone: module directory modules/missing is not among the scanned Terraform files; not evaluated",
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


INVOKE_ANY = '''\
variable "models" {}
variable "name" {}
resource "aws_iam_policy" "p" {
  name   = var.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "bedrock:InvokeModel", Resource = var.models }] })
}
'''


def test_a_conditional_output_flows_into_another_module(tree):
    report = tree({
        "main.tf": 'module "cfg" {\n  source = "./cfg"\n  open = true\n}\n'
                   'module "inv" {\n  source = "./inv"\n  models = module.cfg.models\n  name = module.cfg.name\n}\n',
        "cfg/main.tf": 'variable "open" {\n  default = false\n}\n'
                       'output "models" {\n  value = var.open ? ["*"] : ["arn:aws:bedrock:us-east-1::foundation-model/x"]\n}\n'
                       'output "name" {\n  value = "n"\n}\n',
        "inv/main.tf": INVOKE_ANY,
    }, select=["AIA102"])
    assert triples(report) == {("AIA102", "inv/main.tf", 5)}
    assert report.findings[0].resource == "module.inv.aws_iam_policy.p"


KNOWLEDGE_BASE = 'resource "aws_bedrockagent_knowledge_base" "kb" {\n  name = "kb"\n}\n'
PUBLIC_NETWORK_POLICY = '''\
variable "public" {
  default = false
}
resource "aws_opensearchserverless_security_policy" "network" {
  name = "kb-network"
  type = "network"
  policy = jsonencode([{
    Rules           = [{ ResourceType = "collection", Resource = ["collection/kb"] }]
    AllowFromPublic = var.public
  }])
}
'''


def test_aia110_judges_a_root_with_the_modules_it_calls(tree):
    # app: a knowledge base and a public vector store through its module; search: the same module,
    # public too, but no knowledge base in its configuration.
    report = tree({
        "app/main.tf": KNOWLEDGE_BASE + 'module "store" {\n  source = "../modules/store"\n  public = true\n}\n',
        "search/main.tf": 'module "store" {\n  source = "../modules/store"\n  public = true\n}\n',
        "private/main.tf": KNOWLEDGE_BASE + 'module "store" {\n  source = "../modules/store"\n}\n',
        "modules/store/main.tf": PUBLIC_NETWORK_POLICY,
    }, select=["AIA110"])
    assert triples(report) == {("AIA110", "modules/store/main.tf", 7)}
    assert report.findings[0].resource == "module.store.aws_opensearchserverless_security_policy.network"


VERTEX_ENDPOINT = 'resource "google_vertex_ai_endpoint" "e" {\n  name = "e"\n  display_name = "e"\n  location = "us-central1"\n}\n'
AUDIT = '''\
resource "google_project_iam_audit_config" "vertex" {
  project = "p"
  service = "aiplatform.googleapis.com"
  audit_log_config {
    log_type = "DATA_READ"
  }
  audit_log_config {
    log_type = "DATA_WRITE"
  }
}
'''


def test_aia203_audit_logs_of_one_root_do_not_cover_another(tree):
    report = tree({
        "envs/dev/main.tf": 'module "ml" {\n  source = "../../modules/ml"\n}\n',
        "envs/prod/main.tf": 'module "ml" {\n  source = "../../modules/ml"\n}\n' + AUDIT,
        "modules/ml/main.tf": VERTEX_ENDPOINT,
    }, select=["AIA203"])
    assert triples(report) == {("AIA203", "modules/ml/main.tf", 1)}
    assert report.findings[0].message.endswith("(configuration envs/dev)")


def test_audit_logs_declared_in_a_called_module_cover_the_root(tree):
    report = tree({
        "main.tf": VERTEX_ENDPOINT + 'module "audit" {\n  source = "./modules/audit"\n}\n',
        "modules/audit/main.tf": AUDIT,
    }, select=["AIA203"])
    assert triples(report) == set()


def test_sarif_names_the_module_blocks_that_make_a_finding_as_related_locations():
    from aiaas_iac.report.sarif import render

    report = findings("nested")
    (finding,) = report.findings
    assert [(r.file, r.span.start_line) for r in finding.related] == [("main.tf", 5), ("main.tf", 10)]
    (result,) = __import__("json").loads(render(report))["runs"][0]["results"]
    assert [(r["physicalLocation"]["artifactLocation"]["uri"], r["physicalLocation"]["region"]["startLine"])
            for r in result["relatedLocations"]] == [("main.tf", 5), ("main.tf", 10)]


def test_a_registry_call_inside_a_module_called_twice_is_noted_once(tree):
    report = tree({
        "main.tf": 'module "a" {\n  source = "./m"\n}\nmodule "b" {\n  source = "./m"\n}\n',
        "m/main.tf": 'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n',
    })
    assert report.notes == ["m/main.tf:1: module vpc from terraform-aws-modules/vpc/aws not evaluated:"
                            " run terraform init to include it"]


def test_instances_of_two_roots_with_one_address_stay_apart(tree):
    # envs/dev and envs/prod both call module.invoke: different inputs, different verdicts,
    # and a finding of both names each root.
    invoke = (MODULES / "two_instances" / "modules" / "invoke" / "main.tf").read_text()
    call = 'module "invoke" {{\n  source = "../../modules/invoke"\n  name = "{0}"\n  models = {1}\n}}\n'
    report = tree({
        "envs/dev/main.tf": call.format("dev", '["*"]'),
        "envs/prod/main.tf": call.format("prod", '["arn:aws:bedrock:us-east-1::foundation-model/a"]'),
        "envs/test/main.tf": call.format("test", '["*"]'),
        "modules/invoke/main.tf": invoke,
    }, select=["AIA102"])
    (finding,) = report.findings
    assert finding.message.endswith("(in module.invoke of envs/dev, module.invoke of envs/test)")
    assert [(r.file, r.span.start_line) for r in finding.related] == [("envs/dev/main.tf", 1), ("envs/test/main.tf", 1)]


def test_local_sources_resolve_relative_to_the_caller_and_stay_inside_the_root():
    from aiaas_iac.module_tree import callee_dir, is_local_source

    assert [is_local_source(s) for s in ("./m", "../m", ".", "m", "git::https://x/y.git", "hashicorp/consul/aws")] \
        == [True, True, True, False, False, False]
    assert callee_dir("envs/dev", "../../modules/chat") == "modules/chat"
    assert callee_dir(".", "./modules/chat/") == "modules/chat"
    assert callee_dir("examples/default", "../../") == "."
    assert callee_dir("envs/dev", "../../../elsewhere") is None
    assert callee_dir(".", "../../../../etc") is None


def test_a_null_input_takes_the_default_of_a_non_nullable_variable_only(tree):
    module = (MODULES / "defaults" / "modules" / "invoke" / "main.tf").read_text()  # default: unscoped
    strict = module.replace('  type        = list(string)\n', '  type        = list(string)\n  nullable    = false\n')
    report = tree({
        "main.tf": 'module "strict" {\n  source = "./strict"\n  name = "s"\n  models = null\n}\n'
                   'module "loose" {\n  source = "./loose"\n  name = "l"\n  models = null\n}\n',
        "strict/main.tf": strict,
        "loose/main.tf": module,
    }, select=["AIA102"])
    assert {(c, f) for c, f, _ in triples(report)} == {("AIA102", "strict/main.tf")}


def test_expressions_are_evaluated_with_each_instances_inputs():
    """`!var.x`, a dynamic block over `var.id != null ? [1] : []` with a null optional()
    default, a ternary inside jsonencode, `count` on an object variable's attribute and on a
    local, each with the inputs of the for_each instance (the old text evaluator missed the
    first three for the public instance)."""
    report = findings("expressions")
    assert triples(report) == {
        ("AIA110", "modules/assistant/main.tf", 18),  # AllowFromPublic = !var.settings.private_only
        ("AIA101", "modules/assistant/main.tf", 42),  # Action = var.settings.full_access ? "bedrock:*" : ...
        ("AIA105", "modules/assistant/main.tf", 50),  # dynamic guardrail_configuration over [] (id null)
        ("AIA109", "modules/assistant/main.tf", 65),  # count = var.settings.guardrail.create ? 1 : 0
        ("AIA209", "modules/assistant/main.tf", 85),  # count = local.deploy_engine ? 1 : 0
        ("AIA203", "modules/assistant/main.tf", 85),
    }
    by_code = {f.code: f.resource for f in report.findings}
    assert by_code["AIA101"] == 'module.assistant["public"].aws_iam_policy.invoke'
    assert by_code["AIA105"] == 'module.assistant["public"].aws_bedrockagent_agent.assistant'
    assert by_code["AIA109"] == 'module.assistant["public"].aws_bedrock_guardrail.screen'
    assert by_code["AIA209"] == 'module.assistant["locked"].google_vertex_ai_reasoning_engine.faq'
