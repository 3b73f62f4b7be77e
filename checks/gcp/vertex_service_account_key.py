from aiaas_iac.check import Check
from aiaas_iac.iam.gcp import service_accounts_of, vertex_grants_for
from aiaas_iac.model import Mappings, Severity
from aiaas_iac.terraform_instances import declared


class VertexServiceAccountKey(Check):
    """A `google_service_account_key` is created for a service account that is granted any
    `roles/aiplatform.*` role in the scanned Terraform. The account is matched by reference
    (`google_service_account.x.name`, `.id`, `.email`) or by its literal e-mail."""

    code = "AIA204"
    slug = "vertex-service-account-key"
    severity = Severity.HIGH
    title = "Long-lived key for a service account with Vertex AI access"
    formats = ("terraform",)
    mappings = Mappings("NHI7", "PR.AA-01", "CWE-798")
    why = """
        A service-account key is a long-lived bearer credential: it never expires by default,
        ends up in Terraform state, CI variables and laptops, and works from anywhere. For an
        account that can call Vertex AI, a leaked key is paid model access (LLMjacking) and
        access to the prompts and data behind it until someone notices and deletes the key.
    """
    remediation = """
        Delete the key and let the workload use its attached service account (Cloud Run, GKE
        Workload Identity, Vertex AI custom service account) or Workload Identity Federation
        from outside Google Cloud. Enforce `iam.disableServiceAccountKeyCreation` by
        organization policy.
    """
    failing_example = """
        resource "google_service_account" "inference" {
          account_id = "inference"
        }

        resource "google_project_iam_member" "inference_vertex" {
          project = "acme-ml-prod"
          role    = "roles/aiplatform.user"
          member  = google_service_account.inference.member
        }

        resource "google_service_account_key" "inference" {
          service_account_id = google_service_account.inference.name
        }
    """
    passing_example = """
        resource "google_service_account" "inference" {
          account_id = "inference"
        }

        resource "google_project_iam_member" "inference_vertex" {
          project = "acme-ml-prod"
          role    = "roles/aiplatform.user"
          member  = google_service_account.inference.member
        }

        # No key: Cloud Run runs as the account through its attached identity.
    """

    def run(self, ctx):
        for key in ctx.of_type("google_service_account_key", format="terraform"):
            if declared(ctx, key) is None:
                continue  # `count`/`for_each` with the module's defaults creates no key
            for account in service_accounts_of(ctx, key, key.get("service_account_id")):
                grants = vertex_grants_for(ctx, account)
                if not grants:
                    continue
                roles = ", ".join(dict.fromkeys(f"{g.role} ({g.where})" for g in grants))
                yield self.finding(
                    key,
                    f"{key.address} creates a long-lived key for {account.address}, which is granted {roles}",
                    ("service_account_id",),
                    detail=f"service_account_id:{account.address}",
                )
