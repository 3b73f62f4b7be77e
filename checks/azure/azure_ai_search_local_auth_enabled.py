from aiaas_iac.check import Check
from aiaas_iac.context import configuration_note
from aiaas_iac.iam.azure_foundry import ai_usage, search_services
from aiaas_iac.model import Mappings, Severity


class AzureAISearchLocalAuthEnabled(Check):
    """An Azure AI Search service in an AI configuration still accepts API keys:
    `local_authentication_enabled` absent (default `true`) or `true`; azapi
    `Microsoft.Search/searchServices` with `properties.disableLocalAuth` absent or `false`.
    Judged per configuration: it fires only where the configuration also declares an Azure
    OpenAI / AI Services account or an AI Foundry hub, i.e. where the index feeds a model (RAG)."""

    code = "AIA311"
    slug = "azure-ai-search-local-auth-enabled"
    severity = Severity.MEDIUM
    title = "Azure AI Search accepts API keys in an AI configuration"
    formats = ("terraform", "bicep", "arm")
    mappings = Mappings("NHI4", "PR.AA-03", "CWE-287")
    why = """
        Search admin and query keys are shared bearer secrets: whoever holds one reads (or,
        with an admin key, rewrites) the index your model retrieves from, no identity is
        recorded, and RBAC and Conditional Access do not apply. A poisoned RAG index is a
        prompt-injection path into every answer.
    """
    remediation = """
        Set `local_authentication_enabled = false` (azapi: `properties.disableLocalAuth = true`)
        and give the application and the AI account managed identities with `Search Index
        Data Reader` (or `Contributor`) on the service.
    """
    failing_example = """
        resource "azurerm_ai_services" "rag" {
          name                = "ais-rag-prod"
          location            = "swedencentral"
          resource_group_name = "rg-rag-prod"
          sku_name            = "S0"
        }

        resource "azurerm_search_service" "rag" {
          name                = "srch-rag-prod"
          location            = "swedencentral"
          resource_group_name = "rg-rag-prod"
          sku                 = "standard"
        }
    """
    passing_example = """
        resource "azurerm_search_service" "rag" {
          name                         = "srch-rag-prod"
          location                     = "swedencentral"
          resource_group_name          = "rg-rag-prod"
          sku                          = "standard"
          local_authentication_enabled = false
        }
    """

    def run(self, ctx):
        # Per configuration: a search service beside no AI resource is not a RAG index here.
        for name, configuration in ctx.configuration_contexts():
            yield from self.judge(configuration, name)

    def judge(self, ctx, name):
        services = [s for s in search_services(ctx) if s.local_auth_enabled.value is True]
        usage = ai_usage(ctx) if services else None
        if usage is None:
            return
        for service in services:
            setting = service.local_auth_enabled
            if setting.written:
                value = service.evaluated.get(*setting.path)
                shown = ("true" if value else "false") if isinstance(value, bool) else f'"{value}"'
                cause = f"sets {setting.source} = {shown}"
            else:
                cause = f"leaves {setting.source} unset"
            yield self.finding(
                service.resource,
                f"{service.resource.address} {cause}, so API keys work, in a configuration that uses AI "
                f"({usage.address})" + configuration_note(name),
                setting.path, detail=setting.source,
            )
