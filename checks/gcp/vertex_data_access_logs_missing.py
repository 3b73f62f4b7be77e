from aiaas_iac.check import Check
from aiaas_iac.context import configuration_identity, configuration_note
from aiaas_iac.iam.gcp import (
    DATA_ACCESS_LOG_TYPES, VERTEX_SERVICE, audit_configs, covers_vertex, vertex_data_access_logging, vertex_uses,
)
from aiaas_iac.model import Mappings, Severity


class VertexDataAccessLogsMissing(Check):
    """A Terraform configuration (a root with the modules it calls) uses Vertex AI (a `google_vertex_ai_*` resource, the
    `aiplatform.googleapis.com` service, or a `roles/aiplatform.*` grant), and no
    `google_{project,folder,organization}_iam_audit_config` for `aiplatform.googleapis.com`
    or `allServices` in it enables both `DATA_READ` and `DATA_WRITE`. Reported once per
    configuration, at its first Vertex-using block."""

    code = "AIA203"
    slug = "vertex-data-access-logs-missing"
    severity = Severity.MEDIUM
    title = "Vertex AI used without Data Access audit logs"
    formats = ("terraform",)
    mappings = Mappings("NHI6", "PR.PS-04", "CWE-778")
    why = """
        Data Access audit logs are off by default in Google Cloud. Without DATA_READ and
        DATA_WRITE, nothing records who called `predict`, `generateContent` or read a dataset,
        so a stolen service-account key used for LLMjacking or data theft leaves no trace to
        investigate or alert on.
    """
    remediation = """
        Add a `google_project_iam_audit_config` (or folder/organization) for
        `aiplatform.googleapis.com` (or `allServices`) with `audit_log_config` blocks for
        `DATA_READ` and `DATA_WRITE`, and route the logs to a retained sink.
    """
    failing_example = """
        resource "google_vertex_ai_endpoint" "chat" {
          name         = "chat"
          display_name = "chat"
          location     = "us-central1"
        }
    """
    passing_example = """
        resource "google_project_iam_audit_config" "vertex" {
          project = "acme-ml-prod"
          service = "aiplatform.googleapis.com"
          audit_log_config {
            log_type = "DATA_READ"
          }
          audit_log_config {
            log_type = "DATA_WRITE"
          }
        }
    """

    def run(self, ctx):
        # Per configuration (a root with the modules it calls): audit logs of one root cover no other.
        for name, configuration in ctx.configuration_contexts():
            yield from self.judge(configuration, name)

    def judge(self, ctx, name):
        uses = vertex_uses(ctx)
        if not uses:
            return
        logged, enabled = vertex_data_access_logging(ctx)
        if logged is not False:
            return
        first = uses[0]
        covering = [c.resource.address for c in audit_configs(ctx) if covers_vertex(c)]
        missing = " and ".join(t for t in DATA_ACCESS_LOG_TYPES if t not in enabled)
        if covering:
            cause = f"the audit configs for it ({', '.join(dict.fromkeys(covering))}) do not enable {missing}"
        else:
            cause = f"no audit config for {VERTEX_SERVICE} or allServices enables {missing}"
        yield self.finding(
            first.resource,
            f"Vertex AI is used ({first.reason}) but {cause}" + configuration_note(name),
            first.path,
            detail="vertex-data-access-logs",
            identity=configuration_identity("vertex-data-access-logs", name),
        )
