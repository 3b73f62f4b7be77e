from aiaas_iac.check import Check
from aiaas_iac.iam.azure import ai_accounts, setting_finding
from aiaas_iac.model import Mappings, Severity


class AzureOpenAIPublicNetwork(Check):
    """An Azure OpenAI / AI Services account is reachable from the internet: public network
    access is absent or enabled, and no network ACL has default action `Deny`. A `dynamic
    "network_acls"` block over unknown items is not judged."""

    code = "AIA302"
    slug = "azure-openai-public-network"
    severity = Severity.MEDIUM
    title = "Azure OpenAI account open to public networks"
    formats = ("terraform", "bicep", "arm")
    mappings = Mappings("NHI6", "PR.IR-01", "CWE-668")
    why = """
        With a public endpoint and no firewall, a leaked key or token works from anywhere,
        and nothing but authentication stands between the internet and your models, their
        fine-tuning files and your quota.
    """
    remediation = """
        Set `public_network_access_enabled = false` and reach the account through a private
        endpoint, or keep it public but add `network_acls { default_action = "Deny" }` with
        the `ip_rules` / `virtual_network_rules` that need access (azapi:
        `properties.publicNetworkAccess = "Disabled"` or `properties.networkAcls.defaultAction = "Deny"`).
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
          name                          = "oai-chat-prod"
          kind                          = "OpenAI"
          sku_name                      = "S0"
          public_network_access_enabled = false
          network_acls {
            default_action = "Deny"
          }
        }
    """

    def run(self, ctx):
        for account in ai_accounts(ctx):
            public, deny = account.public_network_access, account.network_acls_deny
            if public.value is True and deny.value is False:
                acl = "a network ACL that allows by default" if deny.written else "no network ACL denying by default"
                yield setting_finding(
                    self, account, public, when_written=f" with {acl}",
                    when_unset=f"leaves {public.source} unset (public by default) with {acl}",
                )
