from aiaas_iac.check import Check
from aiaas_iac.iam.gcp import FOLDER, ORGANIZATION, PROJECT, VERTEX_ADMIN_ROLE, bindings, describe_members
from aiaas_iac.model import Mappings, Severity


class VertexAdminRole(Check):
    """`roles/aiplatform.admin` is granted at project, folder or organization level
    (`google_{project,folder,organization}_iam_{member,binding,policy}`, including roles set
    through `count`/`for_each` over a literal list and `data "google_iam_policy"` bindings).
    One finding per binding."""

    code = "AIA201"
    slug = "vertex-admin-role"
    severity = Severity.HIGH
    title = "Vertex AI Administrator granted on a whole project, folder or organization"
    formats = ("terraform",)
    mappings = Mappings("NHI5", "PR.AA-05", "CWE-250")
    why = """
        Vertex AI Administrator can deploy and undeploy models, read every dataset, feature
        store and agent, change endpoint access and call any model in every project below
        the grant. A workload identity holding it turns one leaked credential into full
        control of the organisation's AI estate and its bill.
    """
    remediation = """
        Grant the narrowest predefined role the identity needs (`roles/aiplatform.user` to call
        models, `roles/aiplatform.viewer` to read) and, where possible, on the Vertex AI
        resource itself (`google_vertex_ai_endpoint_iam_member`) instead of the project.
        Keep `roles/aiplatform.admin` for a break-glass group, with a time-bound IAM condition.
    """
    failing_example = """
        resource "google_project_iam_member" "ml_pipeline" {
          project = "acme-ml-prod"
          role    = "roles/aiplatform.admin"
          member  = "serviceAccount:ml-pipeline@acme-ml-prod.iam.gserviceaccount.com"
        }
    """
    passing_example = """
        resource "google_project_iam_member" "ml_pipeline" {
          project = "acme-ml-prod"
          role    = "roles/aiplatform.user"
          member  = "serviceAccount:ml-pipeline@acme-ml-prod.iam.gserviceaccount.com"
        }
    """

    def run(self, ctx):
        for binding in bindings(ctx):
            if binding.level not in (PROJECT, FOLDER, ORGANIZATION):
                continue
            if not isinstance(binding.role, str) or binding.role.strip() != VERTEX_ADMIN_ROLE:
                continue
            condition = " (with an IAM condition)" if binding.conditional else ""
            yield self.finding(
                binding.source,
                f"{binding.where} grants {VERTEX_ADMIN_ROLE} at {binding.level} level to "
                f"{describe_members(binding.members)}{condition}",
                binding.role_path,
                detail=binding.detail,
            )
