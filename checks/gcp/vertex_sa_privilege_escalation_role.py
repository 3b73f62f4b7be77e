from aiaas_iac.check import Check
from aiaas_iac.iam.gcp import (
    FOLDER, ORGANIZATION, PROJECT, SERVICE_ACCOUNT_IAM_TYPES, TOKEN_CREATOR_ROLE, VERTEX_SERVICE_AGENT_ROLE,
    account_ids, all_bindings, member_text, user_managed_member, vertex_workload_accounts,
)
from aiaas_iac.model import Mappings, Severity


class VertexSaPrivilegeEscalationRole(Check):
    """A user-managed service account is granted (a) `roles/aiplatform.serviceAgent`, the role
    meant for Google's own Vertex AI service agent, anywhere; or (b), when it is a Vertex
    workload SA (an agent engine's `spec.service_account`, or holder of a `roles/aiplatform.*`
    role), `roles/iam.serviceAccountTokenCreator` at project, folder or organization level or on
    another service account. Service agents as members, conditional bindings and token
    creation on the account itself are fine."""

    code = "AIA211"
    slug = "vertex-sa-privilege-escalation-role"
    severity = Severity.HIGH
    title = "Vertex AI workload identity can escalate privileges"
    formats = ("terraform",)
    mappings = Mappings("NHI5", "PR.AA-05", "CWE-269")
    why = """
        `roles/aiplatform.serviceAgent` is built for the platform's own agent: it reaches
        storage, artifact registries and other projects' resources far beyond what a workload
        needs. Token Creator lets its holder mint access tokens for other service accounts;
        on a model or agent identity, a prompt injection or a compromised container can then
        act as any of them.
    """
    remediation = """
        Remove the grant. Give the workload's account only the predefined roles it needs
        (`roles/aiplatform.user`, a bucket's `roles/storage.objectViewer`), leave
        `roles/aiplatform.serviceAgent` to `service-<n>@gcp-sa-aiplatform.iam.gserviceaccount.com`,
        and grant Token Creator, if at all, on the one account it must impersonate, with an
        IAM condition.
    """
    failing_example = """
        resource "google_service_account" "agent" {
          account_id = "support-agent"
        }

        resource "google_project_iam_member" "agent_service_agent" {
          project = "acme-agents"
          role    = "roles/aiplatform.serviceAgent"
          member  = google_service_account.agent.member
        }
    """
    passing_example = """
        resource "google_service_account" "agent" {
          account_id = "support-agent"
        }

        resource "google_project_iam_member" "agent_vertex_user" {
          project = "acme-agents"
          role    = "roles/aiplatform.user"
          member  = google_service_account.agent.member
        }
    """

    def run(self, ctx):
        workloads = None
        for binding in all_bindings(ctx):
            role = binding.role.strip() if isinstance(binding.role, str) else None
            if binding.conditional or role not in (VERTEX_SERVICE_AGENT_ROLE, TOKEN_CREATOR_ROLE):
                continue
            near = binding.applied_by
            accounts = [(m, user_managed_member(ctx, near, m)) for m in binding.members]
            accounts = [(m, ids) for m, ids in accounts if ids]
            if role == TOKEN_CREATOR_ROLE:
                workloads = vertex_workload_accounts(ctx) if workloads is None else workloads
                scope = self._token_creator_scope(ctx, binding)
                accounts = [(m, ids) for m, ids in accounts if ids & workloads and scope and self._other(ctx, binding, ids)]
            if not accounts:
                continue
            members = ", ".join(member_text(m) for m, _ in accounts)
            if role == VERTEX_SERVICE_AGENT_ROLE:
                cause = "a Google service-agent role, to the user-managed service account"
            else:
                cause = f"{self._token_creator_scope(ctx, binding)}, to the Vertex AI workload service account"
            yield self.finding(binding.source, f"{binding.where} grants {role}, {cause} {members}",
                               binding.role_path, detail=binding.detail)

    @staticmethod
    def _token_creator_scope(ctx, binding) -> str | None:
        if binding.level in (PROJECT, FOLDER, ORGANIZATION):
            return f"at {binding.level} level"
        if binding.applied_by.type in SERVICE_ACCOUNT_IAM_TYPES:
            return "on another service account"
        return None

    @staticmethod
    def _other(ctx, binding, member_ids: set) -> bool:
        """The grant is not on the member's own account; an unknown target is never 'other'."""
        if binding.level in (PROJECT, FOLDER, ORGANIZATION):
            return True
        target = account_ids(ctx, binding.applied_by, binding.applied_by.get("service_account_id"))
        return bool(target) and not (target & member_ids)
