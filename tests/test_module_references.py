"""References across Terraform module boundaries: a value a caller passes into a module (an input
variable), or a module passes back (an output), still names the resource it was written for, so
the checks that follow references (tool Lambda, tool role, attached policies, log groups, shared
roles) find it in the other module instance. Scenarios in sample_infra/terraform/modules/
`tool_role_into_module` and `tool_lambda_from_output`, each with an insecure and a hardened root.
"""

from __future__ import annotations

import time

from conftest import SAMPLES, scan_dir, triples

MODULES = SAMPLES / "terraform" / "modules"

ROLE = '''\
resource "aws_iam_role" "lambda" {
  name               = "tool"
  assume_role_policy = "{}"
  inline_policy {
    name   = "p"
    policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = [%s], Resource = "*" }] })
  }
}
'''

TOOL_MODULE = '''\
variable "lambda_role_arn" {
  type = string
}
resource "aws_lambda_function" "this" {
  function_name = "tool"
  role          = var.lambda_role_arn
  handler       = "h"
  runtime       = "python3.12"
  filename      = "x.zip"
}
resource "aws_bedrockagent_agent_action_group" "this" {
  action_group_name = "tools"
  agent_id          = "AGENT12345"
  agent_version     = "DRAFT"
  action_group_executor {
    lambda = aws_lambda_function.this.arn
  }
  function_schema {
    member_functions {
      functions {
        name = "put_file"
      }
    }
  }
}
'''

FN_MODULE = '''\
resource "aws_iam_role" "tool" {
  name               = "tool"
  assume_role_policy = "{}"
  inline_policy {
    name   = "p"
    policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = [%s], Resource = "*" }] })
  }
}
resource "aws_lambda_function" "tool" {
  function_name = "tool"
  role          = aws_iam_role.tool.arn
  handler       = "h"
  runtime       = "python3.12"
  filename      = "x.zip"
}
output "lambda_arn" {
  value = aws_lambda_function.tool.arn
}
'''

ACTION_GROUP = '''\
resource "aws_bedrockagent_agent_action_group" "tools" {
  action_group_name = "tools"
  agent_id          = "AGENT12345"
  agent_version     = "DRAFT"
  action_group_executor {
    lambda = %s
  }
  function_schema {
    member_functions {
      functions {
        name = "delete_file"
      }
    }
  }
}
'''


# --- the two repros ------------------------------------------------------------------------------

def test_a_role_passed_into_a_module_is_the_tool_role_of_its_lambda(tree):
    report = tree({
        "main.tf": ROLE % '"s3:*"' + 'module "tool" {\n  source          = "./mod"\n'
                                    '  lambda_role_arn = aws_iam_role.lambda.arn\n}\n',
        "mod/main.tf": TOOL_MODULE,
    }, select=["AIA111", "AIA115"])
    assert triples(report) == {("AIA111", "main.tf", 6), ("AIA115", "mod/main.tf", 11)}
    by_code = {f.code: f for f in report.findings}
    assert by_code["AIA111"].resource == "aws_iam_role.lambda"
    assert "module.tool.aws_lambda_function.this (called by module.tool.aws_bedrockagent_agent_action_group.this)" \
        in by_code["AIA111"].message
    assert by_code["AIA115"].resource == "module.tool.aws_bedrockagent_agent_action_group.this"
    assert "has role aws_iam_role.lambda of the root module, which is allowed s3:*" in by_code["AIA115"].message


def test_a_narrow_role_passed_into_the_same_module_is_no_finding(tree):
    report = tree({
        "main.tf": ROLE % '"dynamodb:GetItem"' + 'module "tool" {\n  source          = "./mod"\n'
                                                '  lambda_role_arn = aws_iam_role.lambda.arn\n}\n',
        "mod/main.tf": TOOL_MODULE,
    }, select=["AIA111", "AIA115"])
    assert triples(report) == set()


def test_a_lambda_from_a_module_output_is_the_action_groups_tool(tree):
    report = tree({
        "main.tf": 'module "fn" {\n  source = "./fn"\n}\n' + ACTION_GROUP % "module.fn.lambda_arn",
        "fn/main.tf": FN_MODULE % '"s3:*"',
    }, select=["AIA111", "AIA115"])
    assert triples(report) == {("AIA115", "main.tf", 4), ("AIA111", "fn/main.tf", 6)}
    by_code = {f.code: f for f in report.findings}
    assert by_code["AIA115"].resource == "aws_bedrockagent_agent_action_group.tools"
    assert "runs delete_file without user confirmation, and its Lambda module.fn.aws_lambda_function.tool has role" \
        " module.fn.aws_iam_role.tool, which is allowed s3:*" in by_code["AIA115"].message
    assert by_code["AIA111"].resource == "module.fn.aws_iam_role.tool"
    assert "(called by aws_bedrockagent_agent_action_group.tools of the root module)" in by_code["AIA111"].message


def test_a_read_only_lambda_from_a_module_output_is_no_finding(tree):
    report = tree({
        "main.tf": 'module "fn" {\n  source = "./fn"\n}\n' + ACTION_GROUP % "module.fn.lambda_arn",
        "fn/main.tf": FN_MODULE % '"s3:GetObject"',
    }, select=["AIA111", "AIA115"])
    assert triples(report) == set()


# --- the sample scenarios ------------------------------------------------------------------------

def test_sample_a_role_given_to_two_for_each_instances_is_one_finding_naming_both():
    report = scan_dir(MODULES / "tool_role_into_module")
    assert triples(report) == {("AIA111", "insecure/main.tf", 9), ("AIA115", "modules/tool/main.tf", 14)}
    by_code = {f.code: f for f in report.findings}
    assert by_code["AIA111"].resource == "aws_iam_role.lambda"
    assert 'module.tool["files"].aws_lambda_function.this' in by_code["AIA111"].message
    assert 'module.tool["mail"].aws_lambda_function.this' in by_code["AIA111"].message
    assert by_code["AIA115"].message.endswith('(in module.tool["files"], module.tool["mail"])')


def test_sample_a_lambda_and_its_role_from_nested_module_outputs():
    report = scan_dir(MODULES / "tool_lambda_from_output")
    assert triples(report) == {("AIA115", "insecure/main.tf", 7)}
    (finding,) = report.findings
    assert "its Lambda module.fn.aws_lambda_function.tool has role module.fn.module.role.aws_iam_role.this," \
           " which is allowed s3:DeleteObject" in finding.message


# --- other helpers that follow references ------------------------------------------------------

def test_a_policy_attached_inside_a_module_counts_for_the_callers_role(tree):
    report = tree({
        "main.tf": ROLE % '"s3:GetObject"' + 'module "tool" {\n  source          = "./mod"\n'
                                            '  lambda_role_arn = aws_iam_role.lambda.arn\n}\n'
                   'module "grant" {\n  source = "./grant"\n  role   = aws_iam_role.lambda.name\n}\n',
        "mod/main.tf": TOOL_MODULE,
        "grant/main.tf": 'variable "role" {}\nresource "aws_iam_role_policy_attachment" "admin" {\n'
                         '  role       = var.role\n  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}\n',
    }, select=["AIA111"])
    assert triples(report) == {("AIA111", "grant/main.tf", 4)}
    assert report.findings[0].resource == "module.grant.aws_iam_role_policy_attachment.admin"


def test_a_log_group_declared_in_a_module_is_the_invocation_log_group(tree):
    report = tree({
        "main.tf": 'module "logs" {\n  source = "./logs"\n}\n'
                   'resource "aws_bedrock_model_invocation_logging_configuration" "this" {\n'
                   '  logging_config {\n    cloudwatch_config {\n      log_group_name = module.logs.name\n'
                   '      role_arn       = "arn:aws:iam::123456789012:role/l"\n    }\n  }\n}\n',
        "logs/main.tf": 'resource "aws_cloudwatch_log_group" "bedrock" {\n  name = "bedrock"\n}\n'
                        'output "name" {\n  value = aws_cloudwatch_log_group.bedrock.name\n}\n',
    }, select=["AIA119"])
    assert triples(report) == {("AIA119", "logs/main.tf", 1)}
    assert "receives Bedrock invocation logs from aws_bedrock_model_invocation_logging_configuration.this" \
           " of the root module" in report.findings[0].message


def test_one_role_passed_to_agents_in_two_instances_is_shared(tree):
    agent = 'variable "role" {}\nresource "aws_bedrockagent_agent" "a" {\n  agent_name = "a"\n' \
            '  foundation_model = "m"\n  agent_resource_role_arn = var.role\n}\n'
    report = tree({
        "main.tf": 'resource "aws_iam_role" "shared" {\n  name = "s"\n  assume_role_policy = "{}"\n}\n'
                   'module "one" {\n  source = "./agent"\n  role = aws_iam_role.shared.arn\n}\n'
                   'module "two" {\n  source = "./agent"\n  role = aws_iam_role.shared.arn\n}\n',
        "agent/main.tf": agent,
    }, select=["AIA112"])
    assert triples(report) == {("AIA112", "agent/main.tf", 5)}
    assert "is used by module.one.aws_bedrockagent_agent.a, module.two.aws_bedrockagent_agent.a" \
        in report.findings[0].message


def test_two_roles_of_two_instances_are_not_shared(tree):
    agent = 'resource "aws_iam_role" "own" {\n  name = "s"\n  assume_role_policy = "{}"\n}\n' \
            'resource "aws_bedrockagent_agent" "a" {\n  agent_name = "a"\n' \
            '  foundation_model = "m"\n  agent_resource_role_arn = aws_iam_role.own.arn\n}\n' \
            'output "role" {\n  value = aws_iam_role.own.arn\n}\n'
    report = tree({
        "main.tf": 'module "one" {\n  source = "./agent"\n}\nmodule "two" {\n  source = "./agent"\n}\n',
        "agent/main.tf": agent,
    }, select=["AIA112"])
    assert triples(report) == set()


def test_the_inventory_lists_a_role_granted_bedrock_inside_a_module_once(tmp_path):
    from conftest import write_tree

    write_tree(tmp_path, {
        "main.tf": 'resource "aws_iam_role" "app" {\n  name = "app"\n  assume_role_policy = "{}"\n}\n'
                   'module "one" {\n  source = "./grant"\n  role = aws_iam_role.app.name\n}\n'
                   'module "two" {\n  source = "./grant"\n  role = aws_iam_role.app.id\n}\n',
        "grant/main.tf": 'variable "role" {}\nresource "aws_iam_role_policy" "invoke" {\n  role = var.role\n'
                         '  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "bedrock:InvokeModel",'
                         ' Resource = "*" }] })\n}\n',
    })
    paths = _inventory(tmp_path)
    roles = [p for p in paths if p.identity.kind == "aws-role"]
    assert [(p.identity.address, p.capabilities) for p in roles] == [("aws_iam_role.app", ("invoke",))]
    assert set(roles[0].via) == {"module.one.aws_iam_role_policy.invoke", "module.two.aws_iam_role_policy.invoke"}


def _inventory(path):
    import os

    from aiaas_iac.inventory import inventory

    previous = os.getcwd()
    os.chdir(path)
    try:
        return inventory(".").paths
    finally:
        os.chdir(previous)


# --- hostile input ---------------------------------------------------------------------------------

def test_a_reference_cycle_through_module_outputs_and_inputs_terminates_without_findings(tree):
    passthrough = 'variable "arn" {}\nresource "aws_lambda_function" "f" {\n  function_name = "f"\n' \
                  '  role = var.arn\n  handler = "h"\n  runtime = "python3.12"\n  filename = "x.zip"\n}\n' \
                  'output "arn" {\n  value = var.arn\n}\noutput "fn" {\n  value = aws_lambda_function.f.arn\n}\n'
    started = time.monotonic()
    report = tree({
        "main.tf": 'module "a" {\n  source = "./m"\n  arn = module.b.arn\n}\n'
                   'module "b" {\n  source = "./m"\n  arn = module.a.arn\n}\n'
                   + ACTION_GROUP % "module.a.fn",
        "m/main.tf": passthrough,
    })
    assert time.monotonic() - started < 30
    assert triples(report, "AIA11") == set()
    assert report.errors == []


def test_an_output_referencing_itself_through_a_chain_terminates(tree):
    report = tree({
        "main.tf": 'module "x" {\n  source = "./x"\n}\n' + ACTION_GROUP % "module.x.first",
        "x/main.tf": 'module "y" {\n  source = "../y"\n  v = module.y.out\n}\n'
                     'output "first" {\n  value = module.y.out\n}\n',
        "y/main.tf": 'variable "v" {\n  default = null\n}\noutput "out" {\n  value = var.v\n}\n',
    })
    assert triples(report, "AIA11") == set()
    assert report.errors == []


def test_a_huge_for_each_of_instances_passing_references_is_capped(tree):
    keys = ", ".join(f'"k{i}"' for i in range(1500))
    started = time.monotonic()
    report = tree({
        "main.tf": ROLE % '"s3:*"' + f'module "tool" {{\n  source = "./mod"\n  for_each = toset([{keys}])\n'
                                    '  lambda_role_arn = aws_iam_role.lambda.arn\n}\n',
        "mod/main.tf": TOOL_MODULE,
    }, select=["AIA111", "AIA115"])
    assert time.monotonic() - started < 240
    assert triples(report) == {("AIA111", "main.tf", 6), ("AIA115", "mod/main.tf", 11)}
    assert any("more than 1000 instances" in note for note in report.notes)


def test_a_reference_to_a_resource_the_instance_does_not_have_is_no_finding(tree):
    report = tree({
        "main.tf": ROLE % '"s3:*"' + 'module "tool" {\n  source          = "./mod"\n'
                                    '  lambda_role_arn = aws_iam_role.missing.arn\n}\n'
                   + ACTION_GROUP % "module.tool.nothing",
        "mod/main.tf": TOOL_MODULE.replace("aws_lambda_function.this.arn", "aws_lambda_function.gone.arn"),
    }, select=["AIA111", "AIA115"])
    assert triples(report) == set()
    assert report.errors == []


def test_for_each_keys_that_look_like_addresses_stay_apart(tree):
    report = tree({
        "main.tf": ROLE % '"s3:*"' + 'module "tool" {\n  source   = "./mod"\n'
                                    '  for_each = { "a\\"].b" = "x", "a" = "y" }\n'
                                    '  lambda_role_arn = each.value == "x" ? aws_iam_role.lambda.arn : "arn:aws:iam::1:role/o"\n}\n',
        "mod/main.tf": TOOL_MODULE,
    }, select=["AIA111"])
    assert triples(report) == {("AIA111", "main.tf", 6)}
    message = report.findings[0].message
    # Addresses print instance keys as Terraform does, unescaped; the reference followed the right one.
    assert '.b"].aws_lambda_function.this (called by' in message
    assert 'module.tool["a"].aws_lambda_function' not in message


def test_a_root_output_passing_on_a_module_secret_output_is_reported_at_the_module_only(tree):
    report = tree({
        "main.tf": 'module "keys" {\n  source = "./keys"\n}\noutput "secret" {\n  value = module.keys.secret\n}\n',
        "keys/main.tf": 'resource "aws_iam_user" "u" {\n  name = "u"\n}\n'
                        'resource "aws_iam_access_key" "k" {\n  user = aws_iam_user.u.name\n}\n'
                        'output "secret" {\n  value = aws_iam_access_key.k.secret\n}\n',
    }, select=["AIA502"])
    assert triples(report) == {("AIA502", "keys/main.tf", 8)}
    assert "$" not in report.findings[0].message


def test_an_ai_identity_from_a_module_output_given_owner_is_reported(tree):
    report = tree({
        "main.tf": 'module "ai" {\n  source = "./ai"\n}\nresource "azurerm_role_assignment" "owner" {\n'
                   '  scope                = "/subscriptions/0000/resourceGroups/rg"\n'
                   '  role_definition_name = "Owner"\n  principal_id         = module.ai.principal_id\n}\n',
        "ai/main.tf": 'resource "azurerm_cognitive_account" "oai" {\n  name     = "oai"\n  kind     = "OpenAI"\n'
                      '  sku_name = "S0"\n  identity {\n    type = "SystemAssigned"\n  }\n}\n'
                      'output "principal_id" {\n  value = azurerm_cognitive_account.oai.identity[0].principal_id\n}\n',
    }, select=["AIA309"])
    assert triples(report) == {("AIA309", "main.tf", 6)}
    assert "the identity of module.ai.azurerm_cognitive_account.oai" in report.findings[0].message


SEARCH_MODULE = '''\
resource "azurerm_search_service" "this" {
  name                = "search"
  resource_group_name = "rg"
  location            = "eastus"
  sku                 = "standard"
}
resource "azurerm_storage_account" "this" {
  name                     = "st"
  resource_group_name      = "rg"
  location                 = "eastus"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}
output "primary_key" {
  value     = azurerm_search_service.this.primary_key
  sensitive = true
}
output "storage_key" {
  value     = azurerm_storage_account.this.primary_access_key
  sensitive = true
}
'''


def test_a_search_key_from_a_module_output_makes_a_key_vault_secret_an_ai_secret(tree):
    """A held-out repository stored `module.SearchService.primary_key` in Key Vault: the output's
    reference is followed into the module instance, as CHECKS.md's Azure AI-secret consumer says."""
    report = tree({
        "main.tf": 'module "search" {\n  source = "./modules/search"\n}\n'
                   'resource "azurerm_key_vault_secret" "search" {\n  name         = "search-admin"\n'
                   '  value        = module.search.primary_key\n  key_vault_id = "kv"\n}\n'
                   'resource "azurerm_key_vault_secret" "storage" {\n  name         = "storage-admin"\n'
                   '  value        = module.search.storage_key\n  key_vault_id = "kv"\n}\n',
        "modules/search/main.tf": SEARCH_MODULE,
    }, select=["AIA503", "AIA504"])
    assert triples(report) == {("AIA503", "main.tf", 4), ("AIA504", "main.tf", 6)}  # not the storage key
