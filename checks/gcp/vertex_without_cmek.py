from aiaas_iac.check import Check
from aiaas_iac.model import Mappings, Severity, Unknown
from aiaas_iac.terraform_instances import declared, some_block_may

CMEK_RESOURCE_TYPES = (
    "google_vertex_ai_endpoint", "google_vertex_ai_dataset", "google_vertex_ai_featurestore",
    "google_vertex_ai_metadata_store", "google_vertex_ai_tensorboard", "google_vertex_ai_index",
)


class VertexWithoutCmek(Check):
    """A Vertex AI endpoint, dataset, featurestore, metadata store, tensorboard or index without
    `encryption_spec.kms_key_name`. A key given by reference or variable counts as set."""

    code = "AIA206"
    slug = "vertex-without-cmek"
    severity = Severity.LOW
    title = "Vertex AI resource not encrypted with a customer-managed key"
    formats = ("terraform",)
    mappings = Mappings("NHI6", "PR.DS-01", "CWE-311")
    why = """
        Without a customer-managed key, training data, features, embeddings and model
        artifacts are encrypted with a Google-managed key you cannot disable, rotate on your
        schedule, or audit separately; revoking access to the data in an incident means
        deleting it.
    """
    remediation = """
        Add `encryption_spec { kms_key_name = google_kms_crypto_key.vertex.id }` with a Cloud
        KMS key in the same region, and grant the Vertex AI service agent
        `roles/cloudkms.cryptoKeyEncrypterDecrypter` on it. CMEK is set at creation: the
        resource is replaced.
    """
    failing_example = """
        resource "google_vertex_ai_dataset" "support_tickets" {
          display_name        = "support-tickets"
          region              = "us-central1"
          metadata_schema_uri = "gs://google-cloud-aiplatform/schema/dataset/metadata/text_1.0.0.yaml"
        }
    """
    passing_example = """
        resource "google_vertex_ai_dataset" "support_tickets" {
          display_name        = "support-tickets"
          region              = "us-central1"
          metadata_schema_uri = "gs://google-cloud-aiplatform/schema/dataset/metadata/text_1.0.0.yaml"

          encryption_spec {
            kms_key_name = google_kms_crypto_key.vertex.id
          }
        }
    """

    def run(self, ctx):
        for resource in ctx.of_type(*CMEK_RESOURCE_TYPES, format="terraform"):
            evaluated = declared(ctx, resource)
            if evaluated is None or _has_kms_key(ctx, evaluated):
                continue
            yield self.finding(
                resource,
                f"{resource.address} has no encryption_spec.kms_key_name: "
                "its data is encrypted with a Google-managed key",
                ("encryption_spec",),
            )


def _has_kms_key(ctx, resource) -> bool:
    """A key in an `encryption_spec` block; a `dynamic` one over an unknown collection may add one."""
    return some_block_may(ctx, resource, "encryption_spec", _names_kms_key)


def _names_kms_key(spec) -> bool:
    key = spec.get("kms_key_name")
    return isinstance(key, Unknown) or (isinstance(key, str) and key.strip() != "")
