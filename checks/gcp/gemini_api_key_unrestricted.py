from aiaas_iac.check import Check
from aiaas_iac.iam.gcp_api_keys import api_key_restrictions, enabled_ai_apis, same_project
from aiaas_iac.model import Mappings, Severity
from aiaas_iac.terraform_instances import instance_address, instances


class GeminiApiKeyUnrestricted(Check):
    """A `google_apikeys_key` that can call the Gemini API (`generativelanguage.googleapis.com`)
    or Vertex AI (`aiplatform.googleapis.com`) and is not narrowed: (a) it has no
    `restrictions.api_targets` while the configuration enables an AI API in the key's project;
    (b) its targets mix an AI API with other services; or (c) it targets an AI API with no
    caller restriction (IP addresses, HTTP referrers, Android apps or iOS bundles)."""

    code = "AIA208"
    slug = "gemini-api-key-unrestricted"
    severity = Severity.HIGH
    title = "Gemini / Vertex AI API key not restricted"
    formats = ("terraform",)
    mappings = Mappings("NHI5", "PR.AA-05", "CWE-284")
    why = """
        An API key is a bearer credential: whoever holds it can call every API it allows from
        anywhere, billed to your project. Keys end up in apps, browsers and repositories; a key
        with no API restriction also calls Gemini the moment the API is enabled, and a key with
        no caller restriction works from any machine that copied it (LLMjacking). A key bound
        to a service account is still a bearer key.
    """
    remediation = """
        Give each key `restrictions.api_targets` that list only the AI API it needs, keep AI
        APIs on keys of their own, and add a caller restriction: `server_key_restrictions`
        with the callers' IP ranges, or `browser_key_restrictions`, `android_key_restrictions`
        or `ios_key_restrictions` for client apps. Better still, call Vertex AI with a service
        account identity instead of a key.
    """
    failing_example = """
        resource "google_project_service" "gemini" {
          service = "generativelanguage.googleapis.com"
        }

        resource "google_apikeys_key" "chat" {
          name         = "chat-frontend"
          display_name = "Chat frontend"
        }
    """
    passing_example = """
        resource "google_project_service" "gemini" {
          service = "generativelanguage.googleapis.com"
        }

        resource "google_apikeys_key" "chat" {
          name         = "chat-backend"
          display_name = "Chat backend"

          restrictions {
            api_targets {
              service = "generativelanguage.googleapis.com"
            }
            server_key_restrictions {
              allowed_ips = ["203.0.113.0/28"]
            }
          }
        }
    """

    def run(self, ctx):
        seen: set[tuple] = set()
        # Per configuration: an API enabled in one root says nothing about a key of another.
        for _, configuration in ctx.configuration_contexts():
            for key in configuration.of_type("google_apikeys_key", format="terraform"):
                for instance_key, instance in instances(configuration, key):
                    causes = self._causes(configuration, instance)
                    where = (key.file, key.span_of().start_line, key.module, key.address, instance_key)
                    if not causes or where in seen:
                        continue
                    seen.add(where)
                    address = instance_address(key.address, instance_key)
                    yield self.finding(key, f"{address} can call an AI API and is not narrowed: " + "; ".join(causes),
                                       detail="" if instance_key is None else str(instance_key))

    @staticmethod
    def _causes(ctx, key) -> list[str]:
        restrictions = api_key_restrictions(ctx, key)
        if not restrictions.certain:
            return []
        if restrictions.targets is None:
            enabled = [api for api in enabled_ai_apis(ctx) if same_project(api.project, key.get("project"))]
            if not enabled:
                return []
            services = ", ".join(dict.fromkeys(api.service for api in enabled))
            return [f"no restrictions.api_targets, so it can call every enabled API, including {services} "
                    f"({enabled[0].where})"]
        ai = restrictions.ai_targets()
        if not ai:
            return []
        causes = []
        others = restrictions.other_targets()
        if others:
            causes.append(f"its api_targets mix {', '.join(ai)} with {', '.join(dict.fromkeys(others))}")
        if not restrictions.caller_restricted:
            causes.append("it has no caller restriction (allowed IPs, referrers, Android or iOS apps)")
        return causes

