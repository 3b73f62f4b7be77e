"""Values are resolved where the code makes them certain, and stay unknown otherwise."""

from pathlib import Path

from aiaas_iac.model import Unknown
from aiaas_iac.parsers.hcl_expressions import Template
from aiaas_iac.parsers.terraform import parse_terraform, parse_tfvars
from aiaas_iac.resolve import resolve_terraform


def resolved(files: dict[str, str], root: Path, module: str = ".") -> dict:
    resources = []
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
        parse = parse_tfvars if name.endswith("tfvars") else parse_terraform
        if name.endswith((".tf", "tfvars")):
            resources += parse(text, name, module)
    return {r.address: r for r in resolve_terraform(resources, root)}


def test_variable_default(tmp_path):
    found = resolved({"main.tf": 'variable "auth" { default = true }\nresource "x" "y" { enabled = var.auth }\n'}, tmp_path)
    assert found["x.y"].get("enabled") is True


def test_variable_without_default_stays_unknown(tmp_path):
    found = resolved({"main.tf": 'variable "auth" {}\nresource "x" "y" { enabled = var.auth }\n'}, tmp_path)
    assert isinstance(found["x.y"].get("enabled"), Unknown)


def test_tfvars_override_default_and_auto_tfvars_override_tfvars(tmp_path):
    found = resolved({
        "main.tf": 'variable "a" { default = "d" }\nvariable "b" { default = "d" }\nresource "x" "y" {\n  a = var.a\n  b = var.b\n}\n',
        "terraform.tfvars": 'a = "tfvars"\nb = "tfvars"\n',
        "z.auto.tfvars": 'b = "auto"\n',
    }, tmp_path)
    assert (found["x.y"].get("a"), found["x.y"].get("b")) == ("tfvars", "auto")


def test_a_variables_file_terraform_does_not_load_on_its_own_sets_nothing(tmp_path):
    found = resolved({
        "main.tf": 'variable "log_text" { default = true }\nresource "x" "y" { enabled = var.log_text }\n',
        "dev.tfvars": "log_text = false\n",
    }, tmp_path)
    assert found["x.y"].get("enabled") is True


def test_locals_chain_and_indexing(tmp_path):
    found = resolved({"main.tf": 'locals {\n  p = "arn:aws:bedrock"\n  arns = ["${local.p}:*::foundation-model/*"]\n}\nresource "x" "y" { r = local.arns[0] }\n'}, tmp_path)
    assert found["x.y"].get("r") == "arn:aws:bedrock:*::foundation-model/*"


def test_local_cycle_stays_unknown(tmp_path):
    found = resolved({"main.tf": 'locals {\n  a = local.b\n  b = local.a\n}\nresource "x" "y" { v = local.a }\n'}, tmp_path)
    assert isinstance(found["x.y"].get("v"), Unknown)


def test_jsonencode_becomes_the_structure(tmp_path):
    found = resolved({"main.tf": 'variable "act" { default = "bedrock:*" }\nresource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = [{ Action = var.act }] })\n}\n'}, tmp_path)
    assert found["aws_iam_policy.p"].get("policy") == {"Statement": [{"Action": "bedrock:*"}]}


def test_file_inside_the_module(tmp_path):
    found = resolved({
        "main.tf": 'resource "aws_iam_policy" "p" { policy = file("${path.module}/policies/p.json") }\n',
        "policies/p.json": '{"Statement": []}',
    }, tmp_path)
    assert found["aws_iam_policy.p"].get("policy") == '{"Statement": []}'


def test_file_outside_the_scan_root_is_not_read(tmp_path):
    (tmp_path / "secret.json").write_text("{}")
    root = tmp_path / "repo"
    root.mkdir()
    found = resolved({"main.tf": 'resource "aws_iam_policy" "p" { policy = file("../secret.json") }\n'}, root)
    assert isinstance(found["aws_iam_policy.p"].get("policy"), Unknown)


def test_templatefile_with_literal_vars(tmp_path):
    found = resolved({
        "main.tf": 'resource "aws_iam_policy" "p" { policy = templatefile("${path.module}/p.tpl", { model = "m1" }) }\n',
        "p.tpl": '{"Resource": "arn:aws:bedrock:*::foundation-model/${model}"}',
    }, tmp_path)
    assert found["aws_iam_policy.p"].get("policy") == '{"Resource": "arn:aws:bedrock:*::foundation-model/m1"}'


def test_templatefile_with_unknown_vars_stays_unknown(tmp_path):
    found = resolved({
        "main.tf": 'variable "m" {}\nresource "aws_iam_policy" "p" { policy = templatefile("p.tpl", { model = var.m }) }\n',
        "p.tpl": '{"Resource": "${model}"}',
    }, tmp_path)
    assert isinstance(found["aws_iam_policy.p"].get("policy"), Unknown)


def test_templatefile_with_an_unknown_var_keeps_the_known_text_around_it(tmp_path):
    found = resolved({
        "main.tf": 'resource "aws_iam_policy" "p" {\n'
                   '  policy = templatefile("p.json.tpl", { region = data.aws_region.current.name })\n}\n',
        "p.json.tpl": '{"Resource": "arn:aws:bedrock:${region}::foundation-model/*", "Sid": "$${aws:username}"}',
    }, tmp_path)
    policy = found["aws_iam_policy.p"].get("policy")
    assert isinstance(policy, Unknown)
    assert policy.refs == ("data.aws_region.current.name",)
    assert [p if isinstance(p, str) else p.text for p in policy.parts] == [
        '{"Resource": "arn:aws:bedrock:', "data.aws_region.current.name",
        '::foundation-model/*", "Sid": "${aws:username}"}',
    ]


def test_templatefile_renders_its_directives(tmp_path):
    found = resolved({
        "main.tf": 'resource "aws_iam_policy" "p" { policy = templatefile("p.tpl", { ids = ["a", "b"] }) }\n',
        "p.tpl": '{"Resource": [%{ for i, id in ids }%{ if i > 0 },%{ endif }"${id}"%{ endfor }]}',
    }, tmp_path)
    assert found["aws_iam_policy.p"].get("policy") == '{"Resource": ["a","b"]}'


def test_templatefile_with_an_unknown_directive_collection_stays_unknown(tmp_path):
    found = resolved({
        "main.tf": 'resource "aws_iam_policy" "p" { policy = templatefile("p.tpl", { ids = aws_x.y.ids }) }\n',
        "p.tpl": '{"Resource": [%{ for id in ids }"${id}"%{ endfor }]}',
    }, tmp_path)
    policy = found["aws_iam_policy.p"].get("policy")
    assert isinstance(policy, Unknown) and "aws_x.y.ids" in policy.refs


def test_references_to_other_resources_keep_their_refs(tmp_path):
    found = resolved({"main.tf": 'resource "aws_iam_access_key" "k" { user = aws_iam_user.bot.name }\n'}, tmp_path)
    assert found["aws_iam_access_key.k"].get("user").refs == ("aws_iam_user.bot.name",)


def test_modules_do_not_see_each_others_variables(tmp_path):
    resources = parse_terraform('variable "a" { default = "root" }\n', "main.tf", ".")
    resources += parse_terraform('resource "x" "y" { a = var.a }\n', "child/main.tf", "child")
    found = {r.address: r for r in resolve_terraform(resources, tmp_path)}
    assert isinstance(found["x.y"].get("a"), Unknown)


def test_optional_attribute_defaults_of_an_object_variable(tmp_path):
    found = resolved({"main.tf": '''\
variable "account" {
  type = object({
    name               = string
    disable_local_auth = optional(bool, false)
    network            = optional(object({ default_action = optional(string, "Allow") }), {})
    tags               = optional(map(string))
  })
  default = { name = "chat" }
}
resource "x" "y" {
  disable = var.account.disable_local_auth
  action  = var.account.network.default_action
  tags    = var.account.tags
}
'''}, tmp_path)
    assert found["x.y"].get("disable") is False
    assert found["x.y"].get("action") == "Allow"
    assert found["x.y"].get("tags") is None


def test_optional_defaults_apply_to_tfvars_values_and_map_elements(tmp_path):
    found = resolved({
        "main.tf": 'variable "accounts" {\n  type = map(object({ local_auth = optional(bool, true) }))\n}\n'
                   'resource "x" "y" { a = var.accounts["chat"].local_auth }\n',
        "terraform.tfvars": 'accounts = { chat = {} }\n',
    }, tmp_path)
    assert found["x.y"].get("a") is True
