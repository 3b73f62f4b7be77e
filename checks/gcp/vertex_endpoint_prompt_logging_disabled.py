from aiaas_iac.check import Check
from aiaas_iac.iam.instances import created_instances
from aiaas_iac.model import Mappings, Severity
from aiaas_iac.terraform_instances import expanded_blocks

LOGGING_BLOCK = "predict_request_response_logging_config"


def logging_gaps(ctx, endpoint) -> list[tuple[tuple, str]]:
    """(path, cause) when an (evaluated) endpoint does not log every request and response;
    empty when it does or when an unknown value could make it do so."""
    blocks = list(expanded_blocks(ctx, endpoint, LOGGING_BLOCK))
    if not blocks:
        return [((), f"has no {LOGGING_BLOCK} block")]
    gaps = []
    for path, block, certain in blocks:
        if not certain:
            return []
        enabled = block.get("enabled")
        if isinstance(enabled, str) and enabled.strip().lower() in ("true", "false"):
            enabled = enabled.strip().lower() == "true"  # Terraform converts the string
        if enabled is None or enabled is False:
            cause = "leaves enabled unset (false)" if enabled is None else "sets enabled = false"
            gaps.append((path + (("enabled",) if enabled is False else ()), f"{LOGGING_BLOCK} {cause}"))
            continue
        rate = block.get("sampling_rate")
        if isinstance(rate, str):
            try:
                rate = float(rate)
            except ValueError:
                pass  # not a number Terraform could convert: left unjudged
        if enabled is True and isinstance(rate, (int, float)) and not isinstance(rate, bool) and rate < 1:
            gaps.append((path + ("sampling_rate",), f"logs only a sampling_rate of {rate:g} of the requests"))
    return gaps


class VertexEndpointPromptLoggingDisabled(Check):
    """A `google_vertex_ai_endpoint` without `predict_request_response_logging_config`, with its
    `enabled` absent or false, or with a literal `sampling_rate` below 1: the prompts and
    responses sent to the endpoint are not all recorded. `enabled = true` with `sampling_rate`
    absent, 1 or unresolved is fine."""

    code = "AIA210"
    slug = "vertex-endpoint-prompt-logging-disabled"
    severity = Severity.MEDIUM
    title = "Vertex AI endpoint does not log all prompts and responses"
    formats = ("terraform",)
    mappings = Mappings("NHI6", "PR.PS-04", "CWE-778")
    why = """
        Audit logs record that a prediction was made, not what was asked or answered. Without
        request-response logging to BigQuery there is no record of the prompts a leaked
        credential or a prompt-injection attempt sent, nor of the data the model returned;
        a sampling rate below 1 drops most of that evidence.
    """
    remediation = """
        Add `predict_request_response_logging_config { enabled = true, sampling_rate = 1 }`
        with a `bigquery_destination { output_uri = "bq://project.dataset.table" }`, and
        restrict and retain that table like any other audit record.
    """
    failing_example = """
        resource "google_vertex_ai_endpoint" "chat" {
          name         = "chat"
          display_name = "chat"
          location     = "us-central1"

          predict_request_response_logging_config {
            enabled       = true
            sampling_rate = 0.1
            bigquery_destination {
              output_uri = "bq://acme-ml/llm_logs/chat"
            }
          }
        }
    """
    passing_example = """
        resource "google_vertex_ai_endpoint" "chat" {
          name         = "chat"
          display_name = "chat"
          location     = "us-central1"

          predict_request_response_logging_config {
            enabled       = true
            sampling_rate = 1
            bigquery_destination {
              output_uri = "bq://acme-ml/llm_logs/chat"
            }
          }
        }
    """

    def run(self, ctx):
        for endpoint in ctx.of_type("google_vertex_ai_endpoint", format="terraform"):
            seen: set[tuple] = set()
            for address, instance in created_instances(ctx, endpoint):
                for path, cause in logging_gaps(ctx, instance):
                    if path in seen:
                        continue
                    seen.add(path)  # one finding per block, naming the first instance
                    yield self.finding(
                        endpoint,
                        f"{address} {cause}: prompts and responses sent to it are not all recorded",
                        path,
                    )
