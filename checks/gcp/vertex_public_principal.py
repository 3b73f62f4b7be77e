from aiaas_iac.check import Check
from aiaas_iac.iam.gcp import RESOURCE, bindings, grant_scope, member_text
from aiaas_iac.model import Mappings, Severity


class VertexPublicPrincipal(Check):
    """A `roles/aiplatform.*` role at any level, or any role on a Vertex AI resource's own IAM
    (`google_vertex_ai_*_iam_{member,binding,policy}`), is granted to `allUsers` or
    `allAuthenticatedUsers`. One finding per public member of a binding."""

    code = "AIA202"
    slug = "vertex-public-principal"
    severity = Severity.CRITICAL
    title = "Vertex AI role granted to allUsers or allAuthenticatedUsers"
    formats = ("terraform",)
    mappings = Mappings("NHI5", "PR.AA-05", "CWE-284")
    why = """
        `allUsers` is anyone on the internet and `allAuthenticatedUsers` is anyone with any
        Google account. Either can then call your models and endpoints on your bill, read
        datasets and features, or administer Vertex AI, depending on the role: there is no
        identity to revoke afterwards.
    """
    remediation = """
        Grant Vertex AI roles to specific service accounts or groups. Expose a model to the
        public through your own authenticated API (Cloud Run, API Gateway) that calls Vertex AI
        with its own service account, never by granting the role to `allUsers`.
    """
    failing_example = """
        resource "google_vertex_ai_endpoint_iam_member" "public_predict" {
          project  = "acme-ml-prod"
          location = "us-central1"
          endpoint = google_vertex_ai_endpoint.chat.name
          role     = "roles/aiplatform.user"
          member   = "allUsers"
        }
    """
    passing_example = """
        resource "google_vertex_ai_endpoint_iam_member" "chat_api" {
          project  = "acme-ml-prod"
          location = "us-central1"
          endpoint = google_vertex_ai_endpoint.chat.name
          role     = "roles/aiplatform.user"
          member   = "serviceAccount:chat-api@acme-ml-prod.iam.gserviceaccount.com"
        }
    """

    def run(self, ctx):
        for binding in bindings(ctx):
            if not (binding.is_vertex_role() or binding.level == RESOURCE):
                continue
            scope = grant_scope(ctx, binding)
            for member, path in binding.public_members():
                yield self.finding(
                    binding.source,
                    f"{binding.where} grants {member_text(binding.role)} {scope} to {member}",
                    path,
                    detail=f"{binding.detail}:{member}",
                )
