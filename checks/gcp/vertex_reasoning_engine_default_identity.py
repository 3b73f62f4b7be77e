from aiaas_iac.check import Check
from aiaas_iac.iam.gcp import REASONING_ENGINE, engine_identities
from aiaas_iac.model import Mappings, Severity
from aiaas_iac.iam.instances import created_instances


class VertexReasoningEngineDefaultIdentity(Check):
    """A Vertex AI Agent Engine (`google_vertex_ai_reasoning_engine`) with no `spec` block, or
    whose `spec` sets no `service_account` and no `identity_type = "AGENT_IDENTITY"`. It then runs
    as the project's Reasoning Engine Service Agent, the one identity every such engine shares.
    Any `service_account` value, resolved or not, is fine."""

    code = "AIA209"
    slug = "vertex-reasoning-engine-default-identity"
    severity = Severity.MEDIUM
    title = "Vertex AI agent runs as the shared Reasoning Engine Service Agent"
    formats = ("terraform",)
    mappings = Mappings("NHI9", "PR.AA-01", "CWE-653")
    why = """
        Without its own identity, an agent runs as the project's Reasoning Engine Service Agent,
        which every agent in the project shares. Each agent can then reach whatever any other
        agent needs (a prompt-injected agent inherits all of it), and Cloud Audit Logs cannot
        tell which agent made a call.
    """
    remediation = """
        Give each agent its own least-privilege service account in `spec.service_account`
        (granted only the roles that agent needs), or, with google-beta, set
        `spec.identity_type = "AGENT_IDENTITY"` so the agent gets a per-agent identity.
    """
    failing_example = """
        resource "google_vertex_ai_reasoning_engine" "support_agent" {
          display_name = "support-agent"
          region       = "us-central1"

          spec {
            agent_framework = "google-adk"
            package_spec {
              pickle_object_gcs_uri    = "gs://acme-agents/support/agent.pkl"
              dependency_files_gcs_uri = "gs://acme-agents/support/dependencies.tar.gz"
              python_version           = "3.12"
            }
          }
        }
    """
    passing_example = """
        resource "google_service_account" "support_agent" {
          account_id = "support-agent"
        }

        resource "google_vertex_ai_reasoning_engine" "support_agent" {
          display_name = "support-agent"
          region       = "us-central1"

          spec {
            agent_framework = "google-adk"
            service_account = google_service_account.support_agent.email
            package_spec {
              pickle_object_gcs_uri    = "gs://acme-agents/support/agent.pkl"
              dependency_files_gcs_uri = "gs://acme-agents/support/dependencies.tar.gz"
              python_version           = "3.12"
            }
          }
        }
    """

    def run(self, ctx):
        for engine in ctx.of_type(REASONING_ENGINE, format="terraform"):
            seen: set[tuple] = set()
            for address, instance in created_instances(ctx, engine):
                for identity in engine_identities(ctx, instance):
                    if not identity.shared_default or identity.path in seen:
                        continue
                    seen.add(identity.path)  # one finding per spec block, naming the first instance
                    cause = "has no spec block" if not identity.path else (
                        "sets no spec.service_account" if identity.identity_type is None
                        else f"sets spec.identity_type = \"{identity.identity_type}\" and no spec.service_account")
                    yield self.finding(
                        engine,
                        f"{address} {cause}: it runs as the project's shared Reasoning Engine Service Agent",
                        identity.path,
                    )
