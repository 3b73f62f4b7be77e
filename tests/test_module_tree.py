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


def test_a_shared_module_missing_logging_in_several_roots_is_one_finding_naming_them(tree):
    # LuisOsuna117/terraform-aws-agentcore: seven examples call one module; the same AIA104 line
    # seven times told the user nothing more than once with the roots named.
    module = """
resource "aws_bedrockagent_agent" "this" {
  agent_name              = "support"
  agent_resource_role_arn = "arn:aws:iam::111122223333:role/support"
  foundation_model        = "anthropic.claude-3-5-haiku-20241022-v1:0"
}
"""
    call = 'module "agent" {\n  source = "../../modules/agent"\n}\n'
    logging = """
resource "aws_bedrock_model_invocation_logging_configuration" "this" {
  logging_config {
    cloudwatch_config {
      log_group_name = "bedrock"
    }
  }
}
"""
    report = tree({"modules/agent/main.tf": module, "envs/dev/main.tf": call, "envs/test/main.tf": call,
                   "envs/prod/main.tf": call + logging})
    found = [f for f in report.findings if f.code == "AIA104"]
    assert [(f.location.file, f.location.span.start_line) for f in found] == [("modules/agent/main.tf", 2)]
    assert found[0].message.endswith("(configurations envs/dev, envs/test)")
    assert {site.file for site in found[0].related} == {"envs/dev/main.tf", "envs/test/main.tf"}


# --- modules installed by `terraform init` (.terraform/modules/modules.json) ------------------------

REGISTRY = MODULES / "registry"
INSTALLED = "envs/prod/.terraform/modules"


def test_a_registry_module_is_judged_from_where_terraform_init_installed_it():
    report = findings("registry")
    # The batch call keeps the module's default (every model); the chat call narrows it. The finding
    # is inside the installed submodule, reported at the repository's module block that leads there.
    assert triples(report) == {("AIA102", "envs/prod/main.tf", 13)}
    (finding,) = report.findings
    assert finding.resource == "module.batch.module.policy.aws_iam_policy.invoke"
    assert finding.message.endswith(
        "[in installed module registry.terraform.io/acme/bedrock-invoke/aws 1.2.0, modules/policy/main.tf:15]")
    assert [(r.file, r.span.start_line) for r in finding.related] == [
        (f"{INSTALLED}/batch/modules/policy/main.tf", 15)]


def test_a_root_without_terraform_init_notes_its_registry_call_and_an_uncalled_install_is_not_judged():
    report = findings("registry")
    # `retired` is installed but called by nobody: its `bedrock:*` on `*` (AIA101) is never judged.
    assert "AIA101" not in {f.code for f in report.findings}
    assert report.notes == ["envs/dev/main.tf:4: module batch from acme/bedrock-invoke/aws not evaluated:"
                            " run terraform init to include it"]


def test_the_not_evaluated_note_is_shown_in_the_default_text_report():
    from aiaas_iac.report.text import render

    lines = render(findings("registry")).splitlines()
    assert "note: envs/dev/main.tf:4: module batch from acme/bedrock-invoke/aws not evaluated: run terraform init" \
           " to include it" in lines
    assert lines[-2] == "1 note (1 module not evaluated); -v to list"


def test_sarif_gives_the_inner_location_of_an_installed_module_as_related():
    import json

    from aiaas_iac.report.sarif import render

    (result,) = json.loads(render(findings("registry")))["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert (location["artifactLocation"]["uri"], location["region"]["startLine"]) == ("envs/prod/main.tf", 13)
    assert [(r["message"]["text"], r["physicalLocation"]["artifactLocation"]["uri"],
             r["physicalLocation"]["region"]["startLine"]) for r in result["relatedLocations"]] == [
        ("inside the installed module", f"{INSTALLED}/batch/modules/policy/main.tf", 15)]


def test_an_installed_module_called_from_a_local_module_is_reported_at_the_local_call(tree):
    # root -> ./modules/app (in the repository) -> registry module: the block the user can change
    # is app's `module "policy"`; both instances of app share it (init installed one copy per
    # instance), so one finding names both, with both copies and both root calls as related.
    policy = (REGISTRY / "envs/prod/.terraform/modules/batch/modules/policy/main.tf").read_text()
    manifest = {"Modules": [{"Key": "", "Source": "", "Dir": "."}] + [
        {"Key": f"{app}.policy", "Source": "registry.terraform.io/acme/policy/aws", "Version": "2.0.0",
         "Dir": f".terraform/modules/{app}.policy"} for app in ("a", "b")]}
    files = {
        "main.tf": 'module "a" {\n  source = "./modules/app"\n}\nmodule "b" {\n  source = "./modules/app"\n}\n',
        "modules/app/main.tf": '# app\nmodule "policy" {\n  source = "acme/policy/aws"\n  name = "app"\n'
                               '  models = ["*"]\n}\n',
        ".terraform/modules/modules.json": __import__("json").dumps(manifest),
        ".terraform/modules/a.policy/main.tf": policy,
        ".terraform/modules/b.policy/main.tf": policy,
    }
    report = tree(files, select=["AIA102"])
    assert triples(report) == {("AIA102", "modules/app/main.tf", 2)}
    (finding,) = report.findings
    assert finding.resource == "module.a.module.policy.aws_iam_policy.invoke"
    assert "(in module.a.module.policy, module.b.module.policy)" in finding.message
    assert [(r.file, r.span.start_line) for r in finding.related] == [
        (".terraform/modules/a.policy/main.tf", 15), (".terraform/modules/b.policy/main.tf", 15),
        ("main.tf", 1), ("main.tf", 4)]


def test_a_suppression_at_the_repository_module_block_applies_and_one_inside_the_install_does_not(tree):
    policy = (REGISTRY / "envs/prod/.terraform/modules/batch/modules/policy/main.tf").read_text()
    manifest = '{"Modules": [{"Key": "p", "Source": "registry.terraform.io/acme/policy/aws", "Dir": ".terraform/m"},' \
               ' {"Key": "q", "Source": "registry.terraform.io/acme/policy/aws", "Dir": ".terraform/n"}]}'
    call = 'module "{0}" {{\n  source = "acme/policy/aws"\n  name = "{0}"\n  models = ["*"]\n}}\n'
    report = tree({
        "main.tf": "# aiaas-iac:ignore=AIA102 reviewed: sandbox account\n" + call.format("p") + call.format("q"),
        ".terraform/modules/modules.json": manifest,
        ".terraform/m/main.tf": policy,
        ".terraform/n/main.tf": policy.replace("resource ", "# aiaas-iac:ignore=AIA102 author says so\nresource "),
    }, select=["AIA102"])
    assert {(f.location.file, f.location.span.start_line, f.suppressed) for f in report.findings} == {
        ("main.tf", 2, True), ("main.tf", 7, False)}
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


def test_held_out_expressions_in_an_env_layout():
    """Roots under `env/` (not a virtualenv) call one module: the dev instance turns key auth on
    through `can(regex())`, has no key through `compact([null])`, grants aiplatform.admin through
    a `setproduct()` for_each, creates a count-gated profile policy and gives its tool role a
    write; the prod twin does none of these (`bedrock:InvokeModel*` is not a mutating grant, and
    its count = 0 profile policy is not created). A for_each account map gives each instance its
    own kind and key setting: dev's `vision` entry is not an AI account."""
    report = findings("heldout")
    assert triples(report) == {
        ("AIA306", "modules/ai/main.tf", 12),
        ("AIA301", "modules/ai/main.tf", 20),
        ("AIA201", "modules/ai/main.tf", 43),
        ("AIA102", "modules/ai/main.tf", 70),
        ("AIA115", "modules/ai/main.tf", 98),
        ("AIA301", "modules/ai/main.tf", 139),  # for_each: dev's `assistant` instance (AIServices)
    }
    assert {f.resource for f in report.findings} == {
        "module.ai.azurerm_cognitive_account.chat", "module.ai.azurerm_cognitive_account.extra",
        "module.ai.google_project_iam_member.vertex",
        "module.ai.aws_iam_role_policy.profile", "module.ai.aws_bedrockagent_agent_action_group.orders"}
    # Only the dev root's instance: a finding of both would name the two configurations.
    assert not any("env/prod" in f.message for f in report.findings)
    assert report.notes == []


def test_an_env_directory_that_is_a_virtualenv_is_skipped(tree):
    policy = 'resource "aws_iam_policy" "p" {\n  policy = jsonencode({Statement = [{Effect = "Allow", ' \
             'Action = "bedrock:*", Resource = "*"}]})\n}\n'
    report = tree({"env/pyvenv.cfg": "home = /usr/bin\n", "env/lib/site/x.tf": policy,
                   "app/env/bin/activate": "", "app/env/y.tf": policy,
                   "stage/env/dev/main.tf": policy}, select=["AIA101"])
    assert triples(report) == {("AIA101", "stage/env/dev/main.tf", 2)}


def test_a_count_gated_policy_in_a_module_instance_is_judged_per_caller(tree):
    """count = 0 from the caller's inputs: not created, so no grant; an unknown or huge count
    keeps the policy (an unknown never removes a finding either), and a root keeps judging
    what is written."""
    module = """variable "n" { default = 0 }
resource "aws_iam_role_policy" "p" {
  count  = var.n
  role   = "r"
  policy = jsonencode({Statement = [{Effect = "Allow", Action = "bedrock:*", Resource = "*"}]})
}
"""
    calls = "".join(f'module "{name}" {{\n  source = "./m"\n  n = {n}\n}}\n' for name, n in (
        ("off", "0"), ("unknown", "aws_x.y.count"), ("huge", "1e9"), ("negative", "-1"), ("cycle", "local.a")))
    report = tree({"main.tf": calls + "locals {\n  a = local.b\n  b = local.a\n}\n", "m/main.tf": module},
                  select=["AIA101"])
    assert triples(report) == {("AIA101", "m/main.tf", 5)}
    (finding,) = report.findings
    assert "module.off" not in finding.message
    assert {"module.unknown", "module.huge", "module.negative", "module.cycle"} <= set(
        finding.message.rsplit("(in ", 1)[1].rstrip(")").split(", "))
    # The module scanned on its own: its default creates nothing, and the written policy is judged.
    report = tree({"main.tf": "# no calls\n", "m/main.tf": module}, select=["AIA101"])
    assert triples(report) == {("AIA101", "m/main.tf", 5)}
    assert [f.resource for f in report.findings] == ["aws_iam_role_policy.p"]


def test_one_grant_at_another_statement_index_per_instance_is_one_finding(tree):
    # LuisOsuna117/terraform-aws-agentcore: `concat(var.pull ? [ecr] : [], [invoke_all])` puts the
    # same statement at index 1 in one instance and 0 in another: one finding naming both.
    module = """
variable "pull" {}
resource "aws_iam_role_policy" "run" {
  role = "run"
  policy = jsonencode({
    Statement = concat(
      var.pull ? [{ Effect = "Allow", Action = "ecr:BatchGetImage", Resource = "*" }] : [],
      [{ Effect = "Allow", Action = "bedrock:InvokeModel", Resource = "*" }],
    )
  })
}
"""
    root = """
module "a" {
  source = "./run"
  pull   = true
}
module "b" {
  source = "./run"
  pull   = false
}
"""
    report = tree({"main.tf": root, "run/main.tf": module})
    found = [f for f in report.findings if f.code == "AIA102"]
    assert [(f.location.file, f.location.span.start_line) for f in found] == [("run/main.tf", 6)]
    assert "module.a" in found[0].message and "module.b" in found[0].message


AVM_ACCOUNT = '''\
variable "kind" {
  type = string
}
variable "local_auth_enabled" {
  type    = bool
  default = null
}
resource "random_string" "suffix" {
  length = 4
}
resource "azapi_resource" "this" {
  type = "Microsoft.CognitiveServices/accounts@2025-06-01"
  name = "x"
  body = { for k, v in {
    kind = var.kind
    properties = { for k, v in {
      customSubDomainName = "sub-${random_string.suffix.result}"
      disableLocalAuth    = try(!var.local_auth_enabled, false)
    } : k => v if v != null }
  } : k => v if v != null }
}
'''


def test_an_account_body_filtered_by_a_null_test_over_unknown_entries_is_judged(tree):
    # The Azure Verified Module's body: `{for k, v in {...} : k => v if v != null}` with an
    # entry unknown (a random suffix); the entries the filter decides are still known.
    report = tree({
        "examples/default/main.tf": 'module "test" {\n  source = "../../"\n  kind   = "OpenAI"\n}\n',
        "examples/keyless/main.tf": 'module "test" {\n  source = "../../"\n  kind   = "OpenAI"\n'
                                    '  local_auth_enabled = false\n}\n',
        "examples/speech/main.tf": 'module "test" {\n  source = "../../"\n  kind   = "Speech"\n}\n',
        "main.tf": AVM_ACCOUNT,
    }, select=["AIA301"])
    assert triples(report) == {("AIA301", "main.tf", 14)}
    (finding,) = report.findings
    assert finding.resource == "module.test.azapi_resource.this"
    assert [r.file for r in finding.related] == ["examples/default/main.tf"]


GATED_LOGGING = '''\
variable "enable_logging" {
  type    = bool
  default = true
}
resource "aws_bedrock_model_invocation_logging_configuration" "this" {
  count = var.enable_logging ? 1 : 0
  logging_config {
    s3_config {
      bucket_name = "logs"
    }
  }
}
resource "aws_bedrock_guardrail" "this" {
  name                      = "g"
  blocked_input_messaging   = "no"
  blocked_outputs_messaging = "no"
}
'''


def test_logging_a_caller_turns_off_does_not_count_for_its_configuration(tree):
    """A held-out module gates its logging block on a variable; the root that passes false uses
    Bedrock without logging (AIA104 for that configuration only); unknown keeps it."""
    report = tree({
        "modules/platform/main.tf": GATED_LOGGING,
        "envs/off/main.tf": 'module "p" {\n  source         = "../../modules/platform"\n  enable_logging = false\n}\n',
        "envs/on/main.tf": 'module "p" {\n  source = "../../modules/platform"\n}\n',
        "envs/unknown/main.tf": 'variable "x" {}\nmodule "p" {\n  source         = "../../modules/platform"\n'
                                '  enable_logging = var.x\n}\n',
    }, select=["AIA104"])
    assert [(f.code, f.location.file, f.location.span.start_line, f.message.rsplit("(", 1)[-1])
            for f in report.findings] == [("AIA104", "modules/platform/main.tf", 13, "configuration envs/off)")]
