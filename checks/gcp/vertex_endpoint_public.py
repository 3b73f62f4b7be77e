from aiaas_iac.check import Check
from aiaas_iac.model import Mappings, Severity, Unknown
from aiaas_iac.terraform_instances import declared, some_block_may


class VertexEndpointPublic(Check):
    """A `google_vertex_ai_endpoint` with neither `network` (private services access) nor
    `private_service_connect_config` with `enable_private_service_connect = true`, or a
    `google_vertex_ai_index_endpoint` with `public_endpoint_enabled = true`. Unknown values
    count as private."""

    code = "AIA205"
    slug = "vertex-endpoint-public"
    severity = Severity.MEDIUM
    title = "Vertex AI endpoint reachable from the internet"
    formats = ("terraform",)
    mappings = Mappings("NHI6", "PR.IR-01", "CWE-668")
    why = """
        A public endpoint accepts prediction and vector-search requests from any network, so
        IAM is the only control left: a leaked token or key works from anywhere, and VPC
        Service Controls cannot keep the traffic inside your perimeter.
    """
    remediation = """
        Serve the endpoint privately: set `network` to a VPC peered through private services
        access, or enable Private Service Connect with a project allowlist. For index
        endpoints, leave `public_endpoint_enabled` unset (false) and use `network` or PSC.
    """
    failing_example = """
        resource "google_vertex_ai_endpoint" "chat" {
          name         = "chat"
          display_name = "chat"
          location     = "us-central1"
        }
    """
    passing_example = """
        resource "google_vertex_ai_endpoint" "chat" {
          name         = "chat"
          display_name = "chat"
          location     = "us-central1"

          private_service_connect_config {
            enable_private_service_connect = true
            project_allowlist              = ["acme-ml-prod"]
          }
        }
    """

    def run(self, ctx):
        for endpoint in ctx.of_type("google_vertex_ai_endpoint", format="terraform"):
            evaluated = declared(ctx, endpoint)
            if evaluated is not None and not _is_private(ctx, evaluated):
                yield self.finding(
                    endpoint,
                    f"{endpoint.address} sets neither network nor Private Service Connect: "
                    "its prediction API is reachable from the internet",
                    ("private_service_connect_config",),
                )
        for index_endpoint in ctx.of_type("google_vertex_ai_index_endpoint", format="terraform"):
            evaluated = declared(ctx, index_endpoint)
            if evaluated is not None and evaluated.get("public_endpoint_enabled") is True:
                yield self.finding(
                    index_endpoint,
                    f"{index_endpoint.address} sets public_endpoint_enabled = true: "
                    "its vector search API is reachable from the internet",
                    ("public_endpoint_enabled",),
                )


def _is_private(ctx, endpoint) -> bool:
    network = endpoint.get("network")
    if isinstance(network, Unknown) or (isinstance(network, str) and network.strip()):
        return True
    return some_block_may(ctx, endpoint, "private_service_connect_config", _enables_private_service_connect)


def _enables_private_service_connect(config) -> bool:
    enabled = config.get("enable_private_service_connect")
    return enabled is True or isinstance(enabled, Unknown)
