"""The AI access inventory: exact paths per identity kind, agreement with the checks, the schema,
Markdown/Mermaid escaping, and the --diff-base comparison against a git revision."""

import json
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

import aiaas_iac
from aiaas_iac.cli import app
from aiaas_iac.inventory.model import AccessPath, Identity
from aiaas_iac.inventory.render import document as inventory_document, markdown_cell, mermaid, mermaid_label

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "inventory"
SAMPLES = HERE.parent / "sample_infra"
SCHEMA = json.loads((HERE.parent / "schemas" / "inventory.schema.json").read_text())
GROUP = "group membership (members' own credentials)"
runner = CliRunner()


def rows(directory, **options):
    inventory = aiaas_iac.inventory(str(directory), use_cache=False, **options)
    assert inventory.failures == [] and inventory.report.tool_errors == []
    return [(p.identity.kind, p.identity.address, p.identity.line, p.service, p.capability, p.credential, p.logged,
             p.scope_all, p.findings) for p in inventory.paths]


def test_terraform_aws_roles_users_groups_access_keys_and_bedrock_api_keys():
    # Not in it: the S3-only role (Action "*" on an S3 ARN grants nothing in Bedrock) and the
    # role whose count = 0 creates nothing, and the role that can only list and describe models.
    assert rows(FIXTURES / "aws") == [
        ("aws-role", "aws_iam_role.chat", 1, "bedrock", "invoke", "role (workload identity)", False, False, ["AIA104"]),
        ("aws-user", "aws_iam_user.ci", 33, "bedrock", "admin", "long-lived access key", False, True,
         ["AIA101", "AIA107"]),
        ("aws-access-key", "aws_iam_access_key.ci", 42, "bedrock", "admin", "long-lived access key", False, True,
         ["AIA101", "AIA107"]),
        ("bedrock-api-key", "aws_iam_service_specific_credential.ci", 46, "bedrock", "admin", "API key", False, True,
         ["AIA101", "AIA107"]),
        ("aws-group", "aws_iam_group.ops", 51, "bedrock", "logging-control",
         "group membership (members' own credentials)", False, True, ["AIA102", "AIA103"]),
    ]


def test_scope_in_words_and_values():
    inventory = aiaas_iac.inventory(str(FIXTURES / "aws"), use_cache=False)
    chat = inventory.paths[0]
    assert chat.scope_values == ("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",)
    assert chat.scope.startswith("1 Bedrock resource: arn:aws:bedrock:us-east-1::foundation-model/")
    assert chat.capabilities == ("invoke",)
    group = inventory.paths[-1]
    assert group.capabilities == ("invoke", "logging-control") and group.scope_values == ("*",)


def test_terraform_users_hold_what_their_groups_grant():
    # Not in it: dave (in the S3-only group) and his key, erin (her membership has count = 0).
    inventory = aiaas_iac.inventory(str(FIXTURES / "aws_groups"), use_cache=False)
    assert inventory.failures == [] and inventory.report.tool_errors == []
    assert [(p.identity.kind, p.identity.address, p.identity.line, p.capability, p.credential, p.scope_all,
             p.scope_values, p.via, p.findings) for p in inventory.paths] == [
        ("aws-group", "aws_iam_group.ml", 1, "admin", "group membership (members' own credentials)", True, ("*",),
         ("aws_iam_group_policy.ml",), ["AIA101", "AIA104"]),
        ("aws-user", "aws_iam_user.alice", 19, "admin", "long-lived access key", True, ("*",),
         ("aws_iam_group_policy.ml through group aws_iam_group.ml (aws_iam_user_group_membership.alice)",),
         ["AIA101", "AIA104", "AIA107"]),
        ("aws-access-key", "aws_iam_access_key.alice", 28, "admin", "long-lived access key", True, ("*",),
         ("aws_iam_group_policy.ml through group aws_iam_group.ml (aws_iam_user_group_membership.alice)",),
         ["AIA101", "AIA104", "AIA107"]),
        ("aws-group", "aws_iam_group.invokers", 32, "invoke", "group membership (members' own credentials)", True,
         ("*",), ("aws_iam_group_policy_attachment.invokers (aws_iam_policy.invoke_all)",), ["AIA102"]),
        # bob's own policy names one model, his group's every model: the path is the union
        ("aws-user", "aws_iam_user.bob", 46, "invoke", "IAM user (no access key declared)", True,
         ("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0", "*"),
         ("aws_iam_user_policy.bob", "aws_iam_group_policy_attachment.invokers (aws_iam_policy.invoke_all) through"
          " group aws_iam_group.invokers (aws_iam_group_membership.invokers)"), ["AIA102"]),
        # carol is a member by her literal name
        ("aws-user", "aws_iam_user.carol", 55, "invoke", "IAM user (no access key declared)", True, ("*",),
         ("aws_iam_group_policy_attachment.invokers (aws_iam_policy.invoke_all) through group aws_iam_group.invokers"
          " (aws_iam_group_membership.invokers)",), ["AIA102"]),
    ]
    assert {p.logged for p in inventory.paths} == {False}


def test_cloudformation_users_hold_what_their_groups_grant():
    # LoneUser is in no group: not in it.
    inventory = aiaas_iac.inventory(str(FIXTURES / "cfn_groups"), use_cache=False)
    assert [(p.identity.kind, p.identity.address, p.identity.line, p.capability, p.credential, p.logged,
             p.scope_all, p.via, p.findings) for p in inventory.paths] == [
        ("aws-group", "Invokers", 3, "invoke", "group membership (members' own credentials)", None, False,
         ("Policies of Invokers",), []),
        ("aws-group", "Admins", 13, "admin", "group membership (members' own credentials)", None, True,
         ("Admins (attaches AmazonBedrockFullAccess)",), ["AIA101"]),
        ("aws-user", "AppUser", 19, "invoke", "long-lived access key", None, False,
         ("Policies of Invokers through group Invokers (Groups of AppUser)",), ["AIA107"]),
        ("aws-access-key", "AppKey", 24, "invoke", "long-lived access key", None, False,
         ("Policies of Invokers through group Invokers (Groups of AppUser)",), ["AIA107"]),
        ("aws-user", "OpsUser", 28, "admin", "IAM user (no access key declared)", None, True,
         ("Admins (attaches AmazonBedrockFullAccess) through group Admins (AddOps)",), ["AIA101"]),
    ]


def test_awscc_user_lists_its_groups(tmp_path):
    (tmp_path / "main.tf").write_text("""
resource "awscc_iam_group" "ml" {
  group_name = "ml"
  policies = [{
    policy_name     = "invoke"
    policy_document = jsonencode({ Statement = [{ Effect = "Allow", Action = "bedrock:Converse*", Resource = "*" }] })
  }]
}

resource "awscc_iam_user" "bot" {
  user_name = "bot"
  groups    = [awscc_iam_group.ml.group_name]
}

resource "awscc_iam_user" "idle" {
  user_name = "idle"
  groups    = ["auditors"]
}
""")
    inventory = aiaas_iac.inventory(str(tmp_path), use_cache=False)
    assert [(p.identity.kind, p.identity.address, p.capability, p.credential, p.via) for p in inventory.paths] == [
        ("aws-group", "awscc_iam_group.ml", "invoke", GROUP, ("policies of awscc_iam_group.ml",)),
        ("aws-user", "awscc_iam_user.bot", "invoke", "IAM user (no access key declared)",
         ("policies of awscc_iam_group.ml through group awscc_iam_group.ml (groups of awscc_iam_user.bot)",)),
    ]


def test_group_membership_with_hostile_and_huge_input(tmp_path):
    """Memberships naming unknown, numeric or nested values, a user in a thousand groups and a
    group with a thousand members: no traceback, nothing claimed for what cannot be named."""
    groups = "\n".join(f'resource "aws_iam_group" "g{i}" {{\n  name = "g{i}"\n}}' for i in range(1000))
    members = ", ".join(f'"u{i}"' for i in range(1000))
    (tmp_path / "main.tf").write_text(groups + """
resource "aws_iam_group_policy" "g0" {
  group  = aws_iam_group.g0.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "bedrock:InvokeModel", Resource = "*" }] })
}

resource "aws_iam_user" "many" {
  name = "many"
}

resource "aws_iam_user_group_membership" "many" {
  user   = aws_iam_user.many.name
  groups = [""" + ", ".join(f"aws_iam_group.g{i}.name" for i in range(1000)) + """]
}

resource "aws_iam_group_membership" "crowd" {
  name  = "crowd"
  group = aws_iam_group.g0.name
  users = [""" + members + """, 7, ["nested"], { a = 1 }, var.who, null]
}

resource "aws_iam_user" "u999" {
  name = "u999"
}

resource "aws_iam_user_group_membership" "u999" {
  user   = "u999"
  groups = [""" + ", ".join(f'"g{i}"' for i in range(1000)) + """]
}

resource "aws_iam_user" "odd" {
  name = "odd"
}

resource "aws_iam_user_group_membership" "odd" {
  user   = aws_iam_user.odd.name
  groups = var.groups
}

variable "who" {}
variable "groups" {}
""")
    inventory = aiaas_iac.inventory(str(tmp_path), use_cache=False)
    assert inventory.failures == [] and inventory.report.tool_errors == [] and inventory.report.errors == []
    assert [(p.identity.address, p.capability) for p in inventory.paths] == [
        ("aws_iam_group.g0", "invoke"), ("aws_iam_user.many", "invoke"), ("aws_iam_user.u999", "invoke")]


def test_terraform_gcp_service_accounts_keys_and_api_keys():
    # Not in it: the service account with only a storage role.
    assert rows(FIXTURES / "gcp") == [
        ("gcp-service-account", "google_service_account.predict", 1, "vertex-ai", "invoke", "service account key",
         True, True, ["AIA204"]),
        ("gcp-service-account-key", "google_service_account_key.predict", 11, "vertex-ai", "invoke",
         "service account key", True, True, ["AIA204"]),
        ("gcp-api-key", "google_apikeys_key.gemini", 25, "gemini-api", "invoke", "API key", None, False, ["AIA208"]),
    ]


def test_terraform_azure_managed_identity_principal_ids_and_account_keys():
    # Not in it: the keys of the account with local_auth_enabled = false, the Storage Blob role.
    assert rows(FIXTURES / "azure") == [
        ("azure-account-key", "azurerm_cognitive_account.open", 1, "azure-openai", "invoke", "account key", False,
         False, ["AIA301", "AIA302", "AIA303", "AIA306", "AIA307"]),
        ("azure-managed-identity", "azurerm_user_assigned_identity.app", 30, "azure-openai", "invoke",
         "managed identity", True, False, []),
        ("azure-principal", "11111111-2222-3333-4444-555555555555", 42, "azure-openai", "manage",
         "principal (credential unknown)", False, True, ["AIA304"]),
    ]


def test_cloudformation_roles_users_and_access_keys():
    # BucketRole reads S3 only: not in it. CloudFormation declares no invocation logging: unknown.
    assert rows(FIXTURES / "cfn") == [
        ("aws-role", "AgentRole", 3, "bedrock", "admin", "role (workload identity)", None, True, ["AIA101"]),
        ("aws-user", "BotUser", 13, "bedrock", "invoke", "long-lived access key", None, False, ["AIA107"]),
        ("aws-access-key", "BotKey", 23, "bedrock", "invoke", "long-lived access key", None, False, ["AIA107"]),
    ]


def test_kubernetes_workloads_with_ai_credentials():
    # `web` has no AI credential: not in it.
    assert rows(FIXTURES / "k8s") == [
        ("k8s-workload", "Deployment/ml/chat", 1, "openai", "invoke", "Kubernetes Secret", None, True, []),
    ]


def test_sample_kubernetes_workloads():
    found = {(kind, address, service, credential) for kind, address, _, service, _, credential, *_ in
             rows(SAMPLES / "kubernetes" / "fail")}
    assert found == {
        ("k8s-workload", "CronJob/ml/bedrock-sync", "bedrock", "Kubernetes Secret"),
        ("k8s-workload", "Deployment/ml/chat-api", "anthropic", "Kubernetes Secret"),
        ("k8s-workload", "Deployment/ml/chat-api", "azure-openai", "literal environment value"),
        ("k8s-workload", "CronJob/ml/refresh-embeddings", "huggingface", "literal environment value"),
        ("k8s-workload", "Deployment/ml/ingest-worker", "bedrock", "Kubernetes Secret"),
        # a service account key file mounted from Secret tuning-sa-key (AIA403)
        ("k8s-workload", "Job/ml/vertex-tune", "vertex-ai", "Kubernetes Secret"),
    }


def test_module_instances_are_inventoried_per_instance():
    found = rows(SAMPLES / "terraform-plan" / "aws" / "evaluation_runners" / "source")
    users = [(address, findings) for kind, address, _, _, _, _, _, _, findings in found if kind == "aws-user"]
    assert users == [("module.evaluation[0].aws_iam_user.runner", ["AIA104", "AIA107"]),
                     ("module.evaluation[1].aws_iam_user.runner", ["AIA107"])]


def test_inventory_and_checks_agree_on_sample_infra():
    """Every finding on an identity or key resource appears in that identity's path."""
    inventory = aiaas_iac.inventory(str(SAMPLES), use_cache=False)
    by_identity = {}
    for path in inventory.paths:
        by_identity.setdefault((path.identity.file, path.identity.address), set()).update(path.findings)
    checked = 0
    for finding in inventory.report.findings:
        key = (finding.location.file, finding.resource)
        if key in by_identity and not finding.suppressed:
            assert finding.code in by_identity[key], (finding.code, key)
            checked += 1
    assert checked > 40
    # and a path with findings names only codes the scan reported on that file
    reported = {(f.location.file, f.code) for f in inventory.report.findings}
    for path in inventory.paths:
        for code in path.findings:
            assert any(c == code for _, c in reported)


# Codes whose finding sits on the credential or identity itself: each must have that path.
IDENTITY_CODES = {"AIA107", "AIA204", "AIA208", "AIA301", "AIA401", "AIA403"}


@pytest.mark.parametrize("tree", [SAMPLES, FIXTURES])
def test_every_finding_on_a_credential_has_its_path(tree):
    inventory = aiaas_iac.inventory(str(tree), use_cache=False)
    identities = {(p.identity.file, p.identity.address): p for p in inventory.paths}
    checked = 0
    for finding in inventory.report.findings:
        if finding.code in IDENTITY_CODES and not finding.suppressed:
            path = identities.get((finding.location.file, finding.resource))
            assert path is not None and finding.code in path.findings, (finding.code, finding.resource)
            checked += 1
    assert checked > (30 if tree is SAMPLES else 10)


def test_access_keys_of_a_user_named_but_not_declared(tmp_path):
    """AIA107 reads the policies the module applies to the user name: so does the inventory."""
    (tmp_path / "main.tf").write_text("""
resource "aws_iam_user_policy" "ci" {
  user   = "ci"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "bedrock:InvokeModel", Resource = "*" }] })
}

resource "aws_iam_access_key" "ci" {
  user = "ci"
}

resource "aws_iam_service_specific_credential" "ci" {
  service_name = "bedrock.amazonaws.com"
  user_name    = "ci"
}

resource "aws_iam_access_key" "other" {
  user = "someone-else"
}
""")
    assert [(kind, address, capability, credential, scope_all, findings)
            for kind, address, _, _, capability, credential, _, scope_all, findings in rows(tmp_path)] == [
        ("aws-access-key", "aws_iam_access_key.ci", "invoke", "long-lived access key", True,
         ["AIA102", "AIA104", "AIA107"]),
        ("bedrock-api-key", "aws_iam_service_specific_credential.ci", "invoke", "API key", True,
         ["AIA102", "AIA104", "AIA107"]),
    ]


def test_kubernetes_key_files(tmp_path):
    """GOOGLE_APPLICATION_CREDENTIALS is a key only when a Secret is mounted at its path."""
    def job(name, volume):
        return f"""apiVersion: batch/v1
kind: Job
metadata:
  name: {name}
  namespace: ml
spec:
  template:
    spec:
      serviceAccountName: tuner
      containers:
        - name: tune
          image: ghcr.io/acme/vertex-tune:1
          env:
            - name: VERTEX_LOCATION
              value: europe-west4
            - name: GOOGLE_APPLICATION_CREDENTIALS
              value: /var/run/gcp/key.json
          volumeMounts:
            - name: gcp
              mountPath: /var/run/gcp
      volumes:
        - name: gcp
          {volume}
"""
    (tmp_path / "jobs.yaml").write_text("---\n".join([
        job("from-secret", "secret: {secretName: tuner-key}"),
        job("federated", "configMap: {name: wif-config}"),  # workload identity federation config
        job("projected", "projected: {sources: [{secret: {name: tuner-key}}]}"),
    ]))
    assert [(address, service, credential, findings) for _, address, _, service, _, credential, _, _, findings
            in rows(tmp_path)] == [
        ("Job/ml/from-secret", "vertex-ai", "Kubernetes Secret", ["AIA403"]),
        ("Job/ml/projected", "vertex-ai", "Kubernetes Secret", ["AIA403"]),
    ]


def test_json_validates_against_the_schema(tmp_path):
    out = tmp_path / "inventory.json"
    result = runner.invoke(app, ["inventory", str(SAMPLES), "--format", "json", "--output", str(out), "--no-cache"])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    jsonschema.validate(document, SCHEMA)
    assert document["schema_version"] == "1.0"
    assert document["summary"]["paths"] == len(document["paths"]) > 50


def test_bad_file_is_skipped_with_exit_3(tmp_path):
    (tmp_path / "good.tf").write_text((FIXTURES / "aws" / "main.tf").read_text())
    (tmp_path / "bad.tf").write_text('resource "aws_iam_role" "x" {\n  name = \n')
    result = runner.invoke(app, ["inventory", str(tmp_path), "--no-cache"])
    assert result.exit_code == 3
    assert "bad.tf" in result.output and "aws_iam_user.ci" in result.output


# --- Markdown and Mermaid ---------------------------------------------------------------------

_LABEL = r'[A-Za-z0-9 ._/=,+*$:@#;-]*'
_GRAMMAR = [
    re.compile(r"flowchart LR"),
    re.compile(rf'  subgraph g\d+\["{_LABEL}"\]'),
    re.compile(rf'    s\d+\(\("{_LABEL}"\)\)'),
    re.compile(rf'    n\d+\["{_LABEL}<br/>{_LABEL}"\]'),
    re.compile(rf'    n\d+ -->\|"{_LABEL}"\| s\d+'),
    re.compile(r"  end"),
]


def assert_valid_flowchart(text):
    """The subset of Mermaid's flowchart grammar the inventory emits, checked strictly: every line
    is one of these statements, labels hold no quote, bracket, pipe or link syntax, subgraphs
    balance and every edge joins declared nodes."""
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    declared, depth = set(), 0
    for line in lines[1:]:
        assert any(p.fullmatch(line) for p in _GRAMMAR[1:]), line
        labels = re.findall(r'"([^"]*)"', line)
        assert all("--" not in label for label in labels), line
        if line.startswith("  subgraph"):
            depth += 1
        elif line == "  end":
            depth -= 1
        elif "-->" in line:
            source, target = re.match(r"\s+(\w+) -->.*\| (\w+)$", line).groups()
            assert source in declared and target in declared, line
        else:
            declared.add(re.match(r"\s+(\w+)", line).group(1))
        assert depth in (0, 1)
    assert depth == 0


def _path(address, service="bedrock", capability="invoke", scope_all=False, value="arn:x"):
    return AccessPath(Identity("aws-role", address, "main.tf", 1), service, capability, (capability,),
                      f"scope {value}", (value,), scope_all, "role (workload identity)", None)


def test_mermaid_of_sample_infra_is_valid_and_grouped():
    inventory = aiaas_iac.inventory(str(SAMPLES), use_cache=False)
    text = mermaid(inventory.paths)
    assert_valid_flowchart(text)
    services = {p.service for p in inventory.paths}
    assert text.count("subgraph") == len(services)


HOSTILE = ['a"]; click n0 call alert(1) %%', "x --> s0", "`rm -rf`", "line\nbreak", "<img src=x onerror=1>",
           "::add-mask::x", "[[evil]]", "a|b", "#quot;", "@octocat"]


def test_mermaid_escapes_hostile_identifiers():
    paths = [_path(name, value=name) for name in HOSTILE]
    text = mermaid(paths)
    assert_valid_flowchart(text)
    assert "<img" not in text and "`" not in text and "\n::" not in text


def test_mermaid_label_never_leaves_its_quotes():
    for name in HOSTILE:
        label = mermaid_label(name)
        assert '"' not in label and "]" not in label and "|" not in label and "-->" not in label and "\n" not in label


def test_hundred_paths_collapse_identical_edges():
    paths = [_path(f"aws_iam_role.r{i}", scope_all=True) for i in range(90)]
    paths += [_path(f"aws_iam_role.m{i}", service="vertex-ai", capability="admin", scope_all=True) for i in range(10)]
    text = mermaid(paths)
    assert_valid_flowchart(text)
    assert text.count("-->") == 2  # one edge per identical (service, capability, scope, credential)
    assert "and 86 more" in text and "and 6 more" in text


def test_hundred_distinct_paths_fold_past_eight_nodes_per_service():
    paths = [_path(f"aws_iam_role.r{i}", value=f"arn:aws:bedrock:::foundation-model/m{i}") for i in range(95)]
    paths += [_path(f"aws_iam_role.a{i}", capability="admin", scope_all=True) for i in range(5)]
    for path in paths[:10]:  # not logged is riskier: 7 of them are drawn, 3 folded
        path.logged = False
    text = mermaid(paths)
    assert_valid_flowchart(text)
    nodes = re.findall(r'    n\d+\["([^"]*)"\]', text)
    edges = re.findall(r'-->\|"([^"]*)"\|', text)
    assert len(nodes) == len(edges) == 9  # 8 drawn, then one per capability for the other 88 scopes
    assert edges[0] == "admin: all"  # the riskiest first
    assert edges[1:8] == [f"invoke: arn:aws:bedrock:::foundation-model/m{i}, not logged" for i in range(7)]
    assert edges[-1] == "invoke: 88 different scopes, 3 not logged"
    assert nodes[-1].endswith(" and 84 more<br/>role #40;workload identity#41;")
    # every identity is in a node: named, or counted
    named = sum(len(re.findall(r"aws_iam_role\.\w+", n)) for n in nodes)
    counted = sum(int(m) for m in re.findall(r" and (\d+) more", text))
    assert named + counted == 100


def test_markdown_readme_graph_is_the_real_output():
    """README's Mermaid example is what the fixture gives today."""
    readme = (HERE.parent / "README.md").read_text()
    shown = readme.split("riskiest first; past 8 nodes", 1)[1].split("```mermaid\n", 1)[1].split("\n```", 1)[0]
    assert shown == mermaid(aiaas_iac.inventory(str(FIXTURES / "aws"), use_cache=False).paths)


def test_markdown_cells_are_inert():
    for name in HOSTILE:
        cell = markdown_cell(name)
        assert "|" not in cell.replace("\\|", "") and "<" not in cell and "\n" not in cell
        assert "@" not in cell and "`" not in cell.replace("\\`", "")
    assert markdown_cell("::add-mask::x").startswith("&#58;&#58;")


def test_markdown_output_carries_table_and_graph(tmp_path):
    out = tmp_path / "inventory.md"
    result = runner.invoke(app, ["inventory", str(FIXTURES / "aws"), "--format", "markdown", "-o", str(out),
                                 "--no-cache"])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "```mermaid\nflowchart LR" in text
    assert "| aws\\_iam\\_role.chat | aws-role | bedrock | invoke |" in text
    graph = text.split("```mermaid\n", 1)[1].split("\n```", 1)[0]
    assert_valid_flowchart(graph)


# --- --diff-base ----------------------------------------------------------------------------------

ROLE = """resource "aws_iam_role" "chat" {{
  name               = "chat"
  assume_role_policy = "{{}}"
}}

resource "aws_iam_role_policy" "chat" {{
  role   = aws_iam_role.chat.id
  policy = jsonencode({{ Statement = [{{ Effect = "Allow", Action = {action}, Resource = {resource} }}] }})
}}
"""
ONE_MODEL = ROLE.format(action='["bedrock:InvokeModel"]',
                        resource='"arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"')
EVERYTHING = ROLE.format(action='"bedrock:*"', resource='"*"')


def git(repo, *args):
    subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                   check=True, capture_output=True)


@pytest.fixture
def two_commits(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / "infra").mkdir(parents=True)
    git(repo, "init", "-q")
    (repo / "infra" / "main.tf").write_text(ONE_MODEL)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one model")
    (repo / "infra" / "main.tf").write_text(EVERYTHING)
    git(repo, "commit", "-qam", "bedrock:*")
    monkeypatch.chdir(repo)
    return repo


def test_diff_reports_a_widened_role_and_fails_on_new_path(two_commits):
    result = runner.invoke(app, ["inventory", "infra", "--diff-base", "HEAD~1", "--fail-on-new-path",
                                 "--format", "json", "--no-cache"])
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA)
    diff = document["diff"]
    assert (diff["added"], diff["widened"], diff["removed"]) == (0, 1, 0)
    entry = diff["entries"][0]
    assert entry["change"] == "widened" and entry["path"]["identity"]["address"] == "aws_iam_role.chat"
    assert entry["reasons"][0] == "capability invoke -> admin"
    assert entry["reasons"][1].startswith(
        "scope broader: arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0 -> all Bedrock models")
    assert entry["before"]["capability"] == "invoke" and entry["path"]["scope_all"] is True
    # without the flag the diff is a report: exit 0
    assert runner.invoke(app, ["inventory", "infra", "--diff-base", "HEAD~1", "--no-cache"]).exit_code == 0


def test_diff_against_the_same_commit_is_empty_and_markdown_says_so(two_commits):
    result = runner.invoke(app, ["inventory", "infra", "--diff-base", "HEAD", "--fail-on-new-path",
                                 "--format", "markdown", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "0 added, 0 widened, 0 removed access paths" in result.stdout


def test_diff_markdown_names_the_base_literally_and_shows_the_widened_path(two_commits):
    result = runner.invoke(app, ["inventory", "infra", "--diff-base", "HEAD~1", "--format", "markdown", "--no-cache"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "### Access changes since `HEAD~1`\n" in text  # a code span shows backslashes: none added
    assert "0 added, 1 widened, 0 removed access path\n" in text
    assert "| widened | aws\\_iam\\_role.chat | bedrock | admin |" in text
    graphs = [part.split("\n```", 1)[0] for part in text.split("```mermaid\n")[1:]]
    assert len(graphs) == 2  # the change, and every path folded below it
    for graph in graphs:
        assert_valid_flowchart(graph)


def test_diff_reports_added_path_when_the_base_lacks_the_directory(two_commits):
    (two_commits / "new").mkdir()
    (two_commits / "new" / "main.tf").write_text(ONE_MODEL)
    result = runner.invoke(app, ["inventory", "new", "--diff-base", "HEAD", "--fail-on-new-path", "--format", "json",
                                 "--no-cache"])
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["diff"]["added"] == 1


def test_diff_base_that_looks_like_an_option_is_a_revision_not_an_option(two_commits, tmp_path):
    target = tmp_path / "x"
    result = runner.invoke(app, ["inventory", "infra", f"--diff-base=--output={target}", "--no-cache"])
    assert result.exit_code == 2
    assert "no such commit" in result.output and not target.exists()


def test_diff_base_that_does_not_exist(two_commits):
    result = runner.invoke(app, ["inventory", "infra", "--diff-base", "no-such-branch", "--no-cache"])
    assert result.exit_code == 2 and "no such commit" in result.output


def test_diff_never_runs_filters_hooks_or_reads_symlinks(two_commits, tmp_path):
    marker = tmp_path / "filter-ran"
    (two_commits / ".gitattributes").write_text("*.tf filter=evil\n")
    git(two_commits, "config", "filter.evil.smudge", f"touch {marker}; cat")
    git(two_commits, "config", "filter.evil.clean", "cat")
    git(two_commits, "config", "core.fsmonitor", f"touch {marker}")
    (two_commits / "infra" / "link.tf").symlink_to("/etc/passwd")
    git(two_commits, "add", "-A")
    git(two_commits, "-c", "core.fsmonitor=false", "commit", "-qm", "hostile")
    git(two_commits, "config", "--unset", "core.fsmonitor")
    git(two_commits, "config", "core.fsmonitor", f"touch {marker}")
    marker.unlink(missing_ok=True)
    result = runner.invoke(app, ["inventory", "infra", "--diff-base", "HEAD", "--no-cache"])
    assert not marker.exists()
    assert "infra/link.tf: not a regular file" in result.output


def test_diff_skips_blobs_over_the_size_limit(two_commits, tmp_path):
    (two_commits / "infra" / "huge.tf").write_text("# " + "x" * 300_000 + "\n")
    git(two_commits, "add", "-A")
    git(two_commits, "commit", "-qm", "huge")
    config = tmp_path / "limits.toml"
    config.write_text("max-file-size = 100000\n")
    result = runner.invoke(app, ["inventory", "infra", "--diff-base", "HEAD", "--config", str(config), "--no-cache"])
    assert "infra/huge.tf: over the 0.1 MiB limit; skipped" in result.output
    assert result.exit_code == 3  # the working tree's copy is skipped by the scan, as `scan` does


def test_diff_leaves_no_temporary_tree(two_commits, tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    assert runner.invoke(app, ["inventory", "infra", "--diff-base", "HEAD~1", "--no-cache"]).exit_code == 0
    assert list(scratch.iterdir()) == []


def test_python_api_is_callable_before_and_after_the_package_is_imported():
    import aiaas_iac.inventory  # noqa: F401  (the package replaces the lazy function)

    assert len(aiaas_iac.inventory(str(FIXTURES / "k8s"), use_cache=False).paths) == 1


# --- a multi-cloud configuration: every expected path, and the identities that must not appear -----

MULTICLOUD = FIXTURES / "multicloud"


def test_multicloud_configuration_exact_paths(monkeypatch):
    """One tree with Terraform for AWS, GCP and Azure, a CloudFormation stack and Kubernetes
    manifests. Must not appear: aws_iam_role.s3_reader and ArchiveRole (S3 only),
    google_service_account.exporter (storage only), azurerm_user_assigned_identity.backup (Reader
    and blob access on a storage account), the keys of azurerm_cognitive_account.private
    (local_auth_enabled = false), Deployment/prod/db-migrate (no AI credential)."""
    monkeypatch.chdir(MULTICLOUD)
    inventory = aiaas_iac.inventory(".", use_cache=False)
    assert inventory.failures == [] and inventory.report.tool_errors == [] and inventory.report.errors == []
    jsonschema.validate(inventory_document(inventory), SCHEMA)
    found = [(p.identity.file, p.identity.line, p.identity.kind, p.identity.address, p.service, p.capability,
              p.credential, p.logged, p.scope_all, p.findings) for p in inventory.paths]
    assert found == [
        ("cfn/stack.yaml", 4, "aws-role", "DraftRole", "bedrock", "invoke", "role (workload identity)", None, False,
         []),
        ("infra/aws.tf", 12, "aws-role", "aws_iam_role.summarizer", "bedrock", "invoke", "role (workload identity)",
         True, False, []),
        ("infra/aws.tf", 35, "aws-user", "aws_iam_user.batch", "bedrock", "admin", "long-lived access key", True,
         True, ["AIA101", "AIA107"]),
        ("infra/aws.tf", 48, "aws-access-key", "aws_iam_access_key.batch", "bedrock", "admin",
         "long-lived access key", True, True, ["AIA101", "AIA107"]),
        ("infra/aws.tf", 53, "aws-group", "aws_iam_group.analysts", "bedrock", "admin", GROUP, True, True,
         ["AIA101"]),
        ("infra/aws.tf", 62, "aws-user", "aws_iam_user.analyst", "bedrock", "admin",
         "IAM user (no access key declared)", True, True, ["AIA101"]),
        ("infra/azure.tf", 7, "azure-account-key", "azurerm_cognitive_account.chat", "azure-openai", "invoke",
         "account key", False, False, ["AIA301", "AIA303", "AIA306"]),
        ("infra/azure.tf", 47, "azure-managed-identity", "azurerm_user_assigned_identity.api", "azure-openai",
         "invoke", "managed identity", True, False, []),
        ("infra/gcp.tf", 1, "gcp-service-account", "google_service_account.vertex_runner", "vertex-ai", "invoke",
         "service account key", True, True, ["AIA204"]),
        ("infra/gcp.tf", 12, "gcp-service-account-key", "google_service_account_key.vertex_runner", "vertex-ai",
         "invoke", "service account key", True, True, ["AIA204"]),
        ("infra/gcp.tf", 17, "gcp-api-key", "google_apikeys_key.gemini", "gemini-api", "invoke", "API key", None,
         False, []),
        ("k8s/assistant.yaml", 1, "k8s-workload", "Deployment/prod/assistant", "openai", "invoke",
         "Kubernetes Secret", None, True, []),
    ]


def test_multicloud_scopes_name_what_is_reached(monkeypatch):
    monkeypatch.chdir(MULTICLOUD)
    scopes = {p.identity.address: (p.scope, p.scope_values) for p in aiaas_iac.inventory(".", use_cache=False).paths}
    assert scopes["aws_iam_role.summarizer"][1] == (
        "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0",)
    assert scopes["azurerm_user_assigned_identity.api"] == ("the account oai-private-prod", ("account oai-private-prod",))
    assert scopes["azurerm_cognitive_account.chat"][0] == "every deployment of AI account oai-chat-prod"
    assert scopes["google_service_account.vertex_runner"][0] == (
        "all Vertex AI models and endpoints of project acme-ml-prod")
    assert scopes["google_apikeys_key.gemini"][0] == "api_targets generativelanguage.googleapis.com"


def test_multicloud_markdown_has_the_table_and_a_graph_grouped_by_service(monkeypatch):
    monkeypatch.chdir(MULTICLOUD)
    result = runner.invoke(app, ["inventory", ".", "--format", "markdown", "--no-cache"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("## AI access inventory\n\n12 access paths for 12 identities (7 long-lived, 1 not logged)"
                           " in 5 files\n")
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert table[0] == "| Identity | Kind | Service | Capability | Scope | Credential | Logged | Findings |"
    assert len(table) == 1 + 12
    assert "| azurerm\\_cognitive\\_account.chat | azure-account-key | azure-openai | invoke |" \
           " every deployment of AI account oai-chat-prod | account key | no | AIA301, AIA303, AIA306 |" in table
    graph = text.split("```mermaid\n", 1)[1].split("\n```", 1)[0]
    assert_valid_flowchart(graph)
    # one subgraph per service; the user and its key share one node and one edge
    assert re.findall(r'subgraph g\d+\["([^"]+)"\]', graph) == [
        "azure-openai", "bedrock", "gemini-api", "openai", "vertex-ai"]
    assert '["aws_iam_user.batch, aws_iam_access_key.batch<br/>long-lived access key"]' in graph
    assert '["google_service_account.vertex_runner, google_service_account_key.vertex_runner<br/>' \
           'service account key"]' in graph
    assert graph.count("-->") == 10
    assert '-->|"invoke: oai-chat-prod, not logged"|' in graph


def test_bicep_system_assigned_identity_and_account_key():
    # `principalId: web.identity.principalId` is the web app's own managed identity, not an
    # anonymous principal; the account with key authentication on is a key path.
    found = rows(SAMPLES / "bicep" / "azure" / "openai_insecure")
    assert [(kind, address, service, capability, credential) for kind, address, _, service, capability,
            credential, *_ in found] == [
        ("azure-account-key", "openai", "azure-openai", "invoke", "account key"),
        ("azure-managed-identity", "web.identity", "azure-openai", "invoke", "managed identity"),
    ]
