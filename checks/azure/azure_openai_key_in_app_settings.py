from aiaas_iac.check import Check
from aiaas_iac.iam.azure_keys import key_placements
from aiaas_iac.model import Mappings, Severity


class AzureOpenAIKeyInAppSettings(Check):
    """An Azure OpenAI / AI Services account key (`primary_access_key` /
    `secondary_access_key` of `azurerm_cognitive_account` or `azurerm_ai_services`, or the
    output of an azapi `listKeys` action), or an Azure AI Search admin key
    (`azurerm_search_service` `primary_key` / `secondary_key`), is placed in plain
    compute settings: web app / function app `app_settings` (slots included), a container
    app `env` `value`, or a container group's `environment_variables`. References through a
    local are followed; Key Vault references and container app secrets pass."""

    code = "AIA305"
    slug = "azure-openai-key-in-app-settings"
    severity = Severity.HIGH
    title = "Azure OpenAI key in plain app settings"
    formats = ("terraform", "bicep", "arm")
    mappings = Mappings("NHI2", "PR.DS-01", "CWE-522")
    why = """
        Plain app settings and environment variables are readable by anyone with Reader-plus
        access to the app (portal, `az webapp config appsettings list`, deployment logs,
        Kudu, crash dumps) and are written in clear text to the Terraform state: the key
        escapes the account's RBAC and lives until someone remembers to rotate it.
    """
    remediation = """
        Give the app a managed identity and grant it `Cognitive Services OpenAI User` on the
        account (then set `local_auth_enabled = false`); for AI Search, grant `Search Index
        Data Reader` and set `local_authentication_enabled = false`. If a key is unavoidable,
        store it in Key Vault and use a `@Microsoft.KeyVault(SecretUri=...)` reference, a container
        app `secret` with `secret_name`, or `secure_environment_variables`.
    """
    failing_example = """
        resource "azurerm_cognitive_account" "openai" {
          name     = "oai-chat-prod"
          kind     = "OpenAI"
          sku_name = "S0"
        }

        resource "azurerm_linux_web_app" "chat" {
          app_settings = {
            AZURE_OPENAI_API_KEY = azurerm_cognitive_account.openai.primary_access_key
          }
        }
    """
    passing_example = """
        resource "azurerm_cognitive_account" "openai" {
          name     = "oai-chat-prod"
          kind     = "OpenAI"
          sku_name = "S0"
        }

        resource "azurerm_linux_web_app" "chat" {
          identity {
            type = "SystemAssigned"
          }
          app_settings = {
            AZURE_OPENAI_ENDPOINT = azurerm_cognitive_account.openai.endpoint
          }
        }
    """

    def run(self, ctx):
        for placement in key_placements(ctx):
            arm_app_setting = placement.resource.type.lower().startswith("microsoft.web/")
            where = placement.path[0] if placement.path[0] == "app_settings" else \
                "app setting" if arm_app_setting else "environment variable"
            yield self.finding(
                placement.resource,
                f"{placement.resource.address} puts {placement.account.address}'s {placement.key} "
                f"in plain {where} {placement.setting}",
                placement.path,
                detail=".".join(str(p) for p in placement.path) + f"#{placement.setting}",
            )
