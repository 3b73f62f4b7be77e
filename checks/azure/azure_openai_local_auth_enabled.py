from aiaas_iac.check import Check
from aiaas_iac.iam.azure import ai_accounts, setting_finding
from aiaas_iac.model import Mappings, Severity


class AzureOpenAILocalAuthEnabled(Check):
    """An Azure OpenAI / AI Services account still accepts its API keys: `local_auth_enabled`
    is absent or true (azapi: `properties.disableLocalAuth` absent or false). A value that
    is not known statically (a variable without a default) is left alone."""

    code = "AIA301"
    slug = "azure-openai-local-auth-enabled"
    severity = Severity.HIGH
    title = "Azure OpenAI account accepts API keys"
    formats = ("terraform", "bicep", "arm")
    mappings = Mappings("NHI4", "PR.AA-03", "CWE-287")
    why = """
        Account keys are shared bearer secrets: anyone holding one can call every model
        deployment on the account, the call is not attributable to an identity, Entra ID
        Conditional Access and RBAC do not apply, and the keys never expire on their own.
        Keys copied into app settings, pipelines and laptops are how AI accounts get abused.
    """
    remediation = """
        Set `local_auth_enabled = false` (azapi: `properties.disableLocalAuth = true`) and
        have workloads authenticate with a managed identity that holds the `Cognitive
        Services OpenAI User` role on the account.
    """
    failing_example = """
        resource "azurerm_cognitive_account" "openai" {
          name                  = "oai-chat-prod"
          kind                  = "OpenAI"
          sku_name              = "S0"
          custom_subdomain_name = "oai-chat-prod"
        }
    """
    passing_example = """
        resource "azurerm_cognitive_account" "openai" {
          name                  = "oai-chat-prod"
          kind                  = "OpenAI"
          sku_name              = "S0"
          custom_subdomain_name = "oai-chat-prod"
          local_auth_enabled    = false
        }
    """

    def run(self, ctx):
        for account in ai_accounts(ctx):
            setting = account.local_auth_enabled
            if setting.value is True:
                yield setting_finding(
                    self, account, setting, when_written=", so API keys work",
                    when_unset=f"leaves {setting.source} unset, so API keys work (provider default)",
                )
