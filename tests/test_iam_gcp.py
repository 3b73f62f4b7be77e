"""GCP IAM semantics: where bindings come from, count/for_each instances, service accounts, audit logs."""

from pathlib import Path

from aiaas_iac.context import ScanContext
from aiaas_iac.iam import gcp
from aiaas_iac.model import Unknown
from aiaas_iac.parsers.terraform import parse_terraform, parse_tfvars
from aiaas_iac.resolve import resolve_terraform
from aiaas_iac.terraform_instances import evaluate


def context(root: Path, files: dict[str, str]) -> ScanContext:
    resources = []
    for name, text in files.items():
        (root / name).write_text(text)
        parse = parse_tfvars if name.endswith(".tfvars") else parse_terraform
        resources += parse(text, name, ".")
    return ScanContext(resolve_terraform(resources, root), root)


def roles(ctx: ScanContext) -> list:
    return [(b.where, b.role) for b in gcp.bindings(ctx)]


def test_iam_levels_of_resource_types():
    assert gcp.iam_level("google_project_iam_member") == gcp.PROJECT
    assert gcp.iam_level("google_folder_iam_binding") == gcp.FOLDER
    assert gcp.iam_level("google_organization_iam_policy") == gcp.ORGANIZATION
    assert gcp.iam_level("google_vertex_ai_feature_online_store_featureview_iam_member") == gcp.RESOURCE
    assert gcp.iam_level("google_storage_bucket_iam_member") is None
    assert gcp.iam_level("google_project_iam_audit_config") is None


def test_count_over_a_local_list_gives_one_binding_per_role(tmp_path):
    ctx = context(tmp_path, {"main.tf": """
locals {
  roles = ["roles/aiplatform.user", "roles/aiplatform.viewer"]
}

resource "google_project_iam_member" "app" {
  count   = length(local.roles)
  project = "acme"
  role    = local.roles[count.index]
  member  = "group:app@acme.example"
}
"""})
    assert roles(ctx) == [("google_project_iam_member.app[0]", "roles/aiplatform.user"),
                          ("google_project_iam_member.app[1]", "roles/aiplatform.viewer")]


def test_count_of_zero_creates_no_binding(tmp_path):
    ctx = context(tmp_path, {"main.tf": """
resource "google_project_iam_member" "app" {
  count   = 0
  project = "acme"
  role    = "roles/aiplatform.admin"
  member  = "group:app@acme.example"
}
"""})
    assert roles(ctx) == []


def test_unknown_count_keeps_one_binding_with_an_unknown_role(tmp_path):
    ctx = context(tmp_path, {"main.tf": """
variable "roles" {
  type = list(string)
}

resource "google_project_iam_member" "app" {
  count   = length(var.roles)
  project = "acme"
  role    = var.roles[count.index]
  member  = "group:app@acme.example"
}
"""})
    [binding] = gcp.bindings(ctx)
    assert isinstance(binding.role, Unknown) and binding.instance is None


def test_for_each_over_a_set_reads_each_key(tmp_path):
    ctx = context(tmp_path, {"main.tf": """
resource "google_project_iam_member" "app" {
  for_each = toset(["roles/aiplatform.user"])
  project  = "acme"
  role     = each.key
  member   = "group:app@acme.example"
}
"""})
    assert roles(ctx) == [('google_project_iam_member.app["roles/aiplatform.user"]', "roles/aiplatform.user")]


def test_for_each_over_a_map_of_objects_from_tfvars(tmp_path):
    ctx = context(tmp_path, {
        "main.tf": """
variable "grants" {
  type = map(object({ role = string, member = string }))
}

resource "google_project_iam_member" "grant" {
  for_each = var.grants
  project  = "acme"
  role     = var.grants[each.key].role
  member   = each.value.member
}
""",
        "terraform.tfvars": 'grants = {\n  ml = { role = "roles/aiplatform.admin", member = "allUsers" }\n}\n',
    })
    [binding] = gcp.bindings(ctx)
    assert (binding.role, binding.members, binding.instance) == ("roles/aiplatform.admin", ("allUsers",), "ml")


def test_binding_members_keep_their_paths(tmp_path):
    ctx = context(tmp_path, {"main.tf": """
resource "google_project_iam_binding" "predict" {
  project = "acme"
  role    = "roles/aiplatform.user"
  members = ["group:ml@acme.example", "allUsers"]
}
"""})
    [binding] = gcp.bindings(ctx)
    assert binding.public_members() == [("allUsers", ("members", 1))]


def test_conditional_member_is_marked(tmp_path):
    ctx = context(tmp_path, {"main.tf": """
resource "google_project_iam_member" "oncall" {
  project = "acme"
  role    = "roles/aiplatform.admin"
  member  = "group:oncall@acme.example"
  condition {
    title      = "break-glass"
    expression = "request.time < timestamp(\\"2025-01-01T00:00:00Z\\")"
  }
}
"""})
    assert [b.conditional for b in gcp.bindings(ctx)] == [True]


def test_dynamic_bindings_of_an_iam_policy_data_source(tmp_path):
    ctx = context(tmp_path, {"main.tf": """
locals {
  bindings = [
    { role = "roles/aiplatform.admin", members = ["group:ml@acme.example"] },
    { role = "roles/viewer", members = ["group:all@acme.example"] },
  ]
}

data "google_iam_policy" "folder" {
  dynamic "binding" {
    for_each = local.bindings
    content {
      role    = binding.value.role
      members = binding.value.members
    }
  }
}

resource "google_folder_iam_policy" "ml" {
  folder      = "folders/42"
  policy_data = data.google_iam_policy.folder.policy_data
}
"""})
    found = [(b.level, b.role, b.members, b.path) for b in gcp.bindings(ctx)]
    assert found == [
        ("folder", "roles/aiplatform.admin", ("group:ml@acme.example",), ("dynamic", 0, "content", 0)),
        ("folder", "roles/viewer", ("group:all@acme.example",), ("dynamic", 0, "content", 0)),
    ]


def test_unapplied_iam_policy_data_source_grants_nothing(tmp_path):
    ctx = context(tmp_path, {"main.tf": """
data "google_iam_policy" "draft" {
  binding {
    role    = "roles/aiplatform.admin"
    members = ["allUsers"]
  }
}
"""})
    assert gcp.bindings(ctx) == []


def test_inline_json_policy_data(tmp_path):
    ctx = context(tmp_path, {"main.tf": """
resource "google_project_iam_policy" "acme" {
  project = "acme"
  policy_data = jsonencode({
    bindings = [
      { role = "roles/aiplatform.admin", members = ["user:root@acme.example"] },
    ]
  })
}
"""})
    [binding] = gcp.bindings(ctx)
    assert (binding.level, binding.role, binding.path) == ("project", "roles/aiplatform.admin",
                                                           ("policy_data", "bindings", 0))
    assert binding.source.span_of(*binding.role_path).start_line == 6


def test_service_account_members_by_reference_and_by_literal_email(tmp_path):
    ctx = context(tmp_path, {"main.tf": """
resource "google_service_account" "chat" {
  account_id = "chat-api"
}

resource "google_service_account" "other" {
  account_id = "chatapi"
}
"""})
    near = ctx.of_type("google_service_account")[0]
    chat = near.address
    member_by_ref = parse_member('"serviceAccount:${google_service_account.chat.email}"')
    assert [a.address for a in gcp.service_accounts_of(ctx, near, member_by_ref)] == [chat]
    assert [a.address for a in gcp.service_accounts_of(
        ctx, near, "serviceAccount:chat-api@acme.iam.gserviceaccount.com")] == [chat]
    member_in_template = parse_member('"serviceAccount:chat-api@${var.project}.iam.gserviceaccount.com"')
    assert [a.address for a in gcp.service_accounts_of(ctx, near, member_in_template)] == [chat]
    member_named_by_local = parse_member('"serviceAccount:${local.chatapi}@acme.iam.gserviceaccount.com"')
    assert gcp.service_accounts_of(ctx, near, member_named_by_local) == []
    assert gcp.service_accounts_of(ctx, near, "serviceAccount:chat-api@acme.example") == []
    assert gcp.service_accounts_of(ctx, near, "user:chat-api@acme.example") == []


def parse_member(expression: str):
    [resource] = parse_terraform(f'resource "x" "y" {{\n  member = {expression}\n}}\n', "m.tf", ".")
    return resource.get("member")


def test_vertex_grants_by_account_follow_the_member_reference(tmp_path):
    ctx = context(tmp_path, {"main.tf": """
resource "google_service_account" "chat" {
  account_id = "chat-api"
}

resource "google_project_iam_member" "chat" {
  for_each = toset(["roles/aiplatform.user", "roles/logging.logWriter"])
  project  = "acme"
  role     = each.value
  member   = google_service_account.chat.member
}
"""})
    [account] = ctx.of_type("google_service_account")
    assert [b.role for b in gcp.vertex_grants_for(ctx, account)] == ["roles/aiplatform.user"]


def test_audit_configs_inside_an_applied_iam_policy_data_source(tmp_path):
    ctx = context(tmp_path, {"main.tf": """
data "google_iam_policy" "acme" {
  audit_config {
    service = "allServices"
    audit_log_configs {
      log_type = "DATA_READ"
    }
    audit_log_configs {
      log_type = "DATA_WRITE"
    }
  }
}

resource "google_project_iam_policy" "acme" {
  project     = "acme"
  policy_data = data.google_iam_policy.acme.policy_data
}
"""})
    assert gcp.vertex_data_access_logging(ctx) == (True, {"DATA_READ", "DATA_WRITE"})


def test_audit_log_config_with_an_unknown_log_type_is_uncertain(tmp_path):
    ctx = context(tmp_path, {"main.tf": """
variable "log_type" {
  type = string
}

resource "google_project_iam_audit_config" "vertex" {
  project = "acme"
  service = "aiplatform.googleapis.com"
  audit_log_config {
    log_type = "DATA_READ"
  }
  audit_log_config {
    log_type = var.log_type
  }
}
"""})
    assert gcp.vertex_data_access_logging(ctx) == (None, {"DATA_READ"})


def test_vertex_uses_are_in_file_and_line_order(tmp_path):
    ctx = context(tmp_path, {
        "b.tf": 'resource "google_vertex_ai_tensorboard" "t" {\n  display_name = "t"\n}\n',
        "a.tf": 'resource "google_project_service" "ai" {\n  service = "aiplatform.googleapis.com"\n}\n',
    })
    assert [u.reason for u in gcp.vertex_uses(ctx)] == [
        "google_project_service.ai enables aiplatform.googleapis.com", "google_vertex_ai_tensorboard.t"]


def test_grant_behind_a_count_flag_follows_the_flag_default(tmp_path):
    ctx = context(tmp_path, {"main.tf": """
variable "grant_pipeline_admin" {
  type    = bool
  default = false
}

resource "google_project_iam_member" "pipeline_admin" {
  count   = var.grant_pipeline_admin ? 1 : 0
  project = "acme"
  role    = "roles/aiplatform.admin"
  member  = "serviceAccount:pipeline@acme.iam.gserviceaccount.com"
}
"""})
    assert roles(ctx) == []


CONDITIONALS = """
variable "cmk" {
  default = null
}
variable "is_hsm_key" {
  default = false
}
variable "kind" {
  default = "OpenAI"
}
variable "regions" {
  default = ["us-central1", "europe-west4"]
}
variable "undecided" {
  type = bool
}

resource "terraform_data" "probe" {
  input = {
    cmk_blocks       = var.cmk != null && !var.is_hsm_key ? [var.cmk] : []
    accounts         = var.kind != "AIServices" ? 1 : 0
    per_region       = length(var.regions) > 1 ? 2 : 1
    either           = (var.is_hsm_key || var.kind == "OpenAI") ? "yes" : "no"
    nested           = var.is_hsm_key ? 1 : var.kind == "OpenAI" ? 2 : 3
    arithmetic       = 1 + 2 * 3 == 7
    short_circuit    = var.is_hsm_key && var.undecided ? 1 : 0
    unknown          = var.undecided ? 1 : 0
    unknown_or_false = var.undecided || var.is_hsm_key ? 1 : 0
  }
}
"""


def test_conditionals_over_variable_defaults_are_evaluated_with_terraform_precedence(tmp_path):
    ctx = context(tmp_path, {"main.tf": CONDITIONALS})
    probe = next(r for r in ctx.resources if r.type == "terraform_data")
    values = {name: evaluate(ctx, probe, value) for name, value in probe.get("input").items()}
    assert {k: v for k, v in values.items() if not isinstance(v, Unknown)} == {
        "cmk_blocks": [], "accounts": 1, "per_region": 2, "either": "yes", "nested": 2,
        "arithmetic": True, "short_circuit": 0,
    }
    assert isinstance(values["unknown"], Unknown) and isinstance(values["unknown_or_false"], Unknown)


def test_member_text_shows_resolved_parts_not_the_source():
    from aiaas_iac.iam.gcp import member_text
    from aiaas_iac.parsers.hcl_expressions import Template, Traversal
    hole = Traversal("var.sa", ("var.sa",), ("var", "sa"))
    member = Template('"serviceAccount:${var.sa}@${var.project}.iam.gserviceaccount.com"', ("var.sa", "var.project"),
                      ("serviceAccount:", hole, "@acme-ml.iam.gserviceaccount.com"))
    assert member_text(member) == "serviceAccount:${var.sa}@acme-ml.iam.gserviceaccount.com"
