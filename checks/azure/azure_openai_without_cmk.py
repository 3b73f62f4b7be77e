from aiaas_iac.check import Check
from aiaas_iac.iam.azure import ai_accounts, separate_customer_key, setting_finding
from aiaas_iac.model import Mappings, Severity


class AzureOpenAIWithoutCMK(Check):
    """An Azure OpenAI / AI Services account encrypts its data (fine-tuning files, stored
    completions, agent state) only with Microsoft-managed keys: no `customer_managed_key`
    block, no `azurerm_cognitive_account_customer_managed_key` for it, and no azapi
    `encryption.keySource = "Microsoft.KeyVault"`."""

    code = "AIA306"
    slug = "azure-openai-without-cmk"
    severity = Severity.LOW
    title = "Azure OpenAI account without customer-managed key"
    formats = ("terraform", "bicep", "arm")
    mappings = Mappings("NHI6", "PR.DS-01", "CWE-311")
    why = """
        With Microsoft-managed keys you cannot revoke access to stored training data and
        prompts by disabling a key, cannot prove key custody to auditors, and share the key
        lifecycle with every other tenant default.
    """
    remediation = """
        Give the account a managed identity with access to a Key Vault key and add a
        `customer_managed_key` block (or an `azurerm_cognitive_account_customer_managed_key`
        resource; azapi: `properties.encryption = { keySource = "Microsoft.KeyVault", keyVaultProperties = {...} }`).
    """
    failing_example = """
        resource "azurerm_cognitive_account" "openai" {
          name     = "oai-chat-prod"
          kind     = "OpenAI"
          sku_name = "S0"
        }
    """
    passing_example = """
        resource "azurerm_cognitive_account" "openai" {
          name     = "oai-chat-prod"
          kind     = "OpenAI"
          sku_name = "S0"
        }

        resource "azurerm_cognitive_account_customer_managed_key" "openai" {
          cognitive_account_id = azurerm_cognitive_account.openai.id
          key_vault_key_id     = azurerm_key_vault_key.openai.id
          identity_client_id   = azurerm_user_assigned_identity.openai.client_id
        }
    """

    def run(self, ctx):
        for account in ai_accounts(ctx):
            inline = account.inline_customer_key
            if inline.value is False and separate_customer_key(ctx, account) is False:
                yield setting_finding(
                    self, account, inline, when_written=", which uses Microsoft-managed keys",
                    when_unset="has no customer-managed key (data is encrypted with Microsoft-managed keys)",
                )
