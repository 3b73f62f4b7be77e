import dataclasses

from aiaas_iac.check import Check
from aiaas_iac.model import Mappings, Severity
from aiaas_iac.secrets import is_ai_credential_name, is_substitution_or_empty, redact
from aiaas_iac.terraform_instances import expanded_blocks

# Resource type -> the nested blocks, outermost first, whose innermost holds `env` blocks.
ENV_CONTAINERS = {
    "google_vertex_ai_reasoning_engine": ("spec", "deployment_spec"),
    "google_cloud_run_v2_service": ("template", "containers"),
    "google_cloud_run_service": ("template", "spec", "containers"),
}
SECRET_NAME_SUFFIXES = ("KEY", "TOKEN", "SECRET", "PASSWORD")


class VertexPlaintextSecretEnv(Check):
    """An `env` entry of a Vertex AI Agent Engine (`google_vertex_ai_reasoning_engine`
    `spec.deployment_spec.env`) or a Cloud Run service (`google_cloud_run_v2_service`,
    `google_cloud_run_service`) whose name is an AI credential name or ends in
    KEY/TOKEN/SECRET/PASSWORD, with a literal value instead of a Secret Manager reference."""

    code = "AIA207"
    slug = "vertex-plaintext-secret-env"
    severity = Severity.HIGH
    title = "AI agent or Cloud Run service with a plaintext secret in its environment"
    formats = ("terraform",)
    mappings = Mappings("NHI2", "PR.DS-01", "CWE-312")
    why = """
        A literal environment value is stored in the repository, in Terraform state and in
        the service's revision config, where anyone with viewer access to the project can
        read it. Model-provider keys found this way are used for LLMjacking within hours.
    """
    remediation = """
        Store the value in Secret Manager and reference it: `secret_env { secret_ref { ... } }`
        for an Agent Engine, `value_source { secret_key_ref { ... } }` for Cloud Run v2,
        `value_from { secret_key_ref { ... } }` for Cloud Run v1. Prefer calling Vertex AI
        with the service's own identity over a provider API key at all.
    """
    failing_example = """
        resource "google_cloud_run_v2_service" "chat_api" {
          name     = "chat-api"
          location = "us-central1"
          template {
            containers {
              image = "us-docker.pkg.dev/acme/chat/api:1.4.2"
              env {
                name  = "OPENAI_API_KEY"
                value = "sk-proj-8fK2mQ9xLr4TzV7c"  # committed with the module
              }
            }
          }
        }
    """
    passing_example = """
        resource "google_cloud_run_v2_service" "chat_api" {
          name     = "chat-api"
          location = "us-central1"
          template {
            containers {
              image = "us-docker.pkg.dev/acme/chat/api:1.4.2"
              env {
                name = "OPENAI_API_KEY"
                value_source {
                  secret_key_ref {
                    secret  = google_secret_manager_secret.openai.secret_id
                    version = "latest"
                  }
                }
              }
            }
          }
        }
    """

    def run(self, ctx):
        for resource in ctx.of_type(*ENV_CONTAINERS, format="terraform"):
            for container_path, container in _nested_blocks(resource.attributes, ENV_CONTAINERS[resource.type], ()):
                holder = dataclasses.replace(resource, attributes=container)
                for env_path, env, _ in expanded_blocks(ctx, holder, "env"):
                    name, value = env.get("name"), env.get("value")
                    if not _is_secret_name(name) or not isinstance(value, str) or is_substitution_or_empty(value):
                        continue
                    path = container_path + env_path + ("value",)
                    yield self.finding(
                        resource,
                        f"{resource.address} sets {name} to a literal value {redact(value)} in "
                        f"{'.'.join(ENV_CONTAINERS[resource.type])}.env instead of a Secret Manager reference",
                        path,
                    )


def _nested_blocks(attributes, block_types, prefix):
    """(path, block) for each innermost block of the chain `block_types`."""
    if not block_types:
        yield prefix, attributes
        return
    first, rest = block_types[0], block_types[1:]
    value = attributes.get(first)
    for index, block in enumerate(value if isinstance(value, list) else [value]):
        if isinstance(block, dict):
            yield from _nested_blocks(block, rest, prefix + (first, index))


def _is_secret_name(name) -> bool:
    return isinstance(name, str) and (is_ai_credential_name(name) or name.strip().upper().endswith(SECRET_NAME_SUFFIXES))
