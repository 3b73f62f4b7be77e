from aiaas_iac.check import Check
from aiaas_iac.iam.azure import ai_accounts, setting_finding
from aiaas_iac.model import Mappings, Severity


class AzureOpenAIOutboundUnrestricted(Check):
    """An Azure OpenAI / AI Services account may send data to any destination:
    `outbound_network_access_restricted` is absent or false (azapi:
    `properties.restrictOutboundNetworkAccess`). Restricting with an empty `fqdns` list
    (no destination allowed) passes."""

    code = "AIA307"
    slug = "azure-openai-outbound-unrestricted"
    severity = Severity.LOW
    title = "Azure OpenAI account outbound access unrestricted"
    formats = ("terraform", "bicep", "arm")
    mappings = Mappings("NHI6", "PR.IR-01", "CWE-200")
    why = """
        Features such as "on your data", web grounding and tool calls let the service fetch
        from and post to other endpoints. Without an outbound allow list, a prompt-injected or
        misconfigured request can move prompts and retrieved data to a host you do not control.
    """
    remediation = """
        Set `outbound_network_access_restricted = true` and list only the destinations the
        account needs in `fqdns` (an empty list blocks all outbound calls); azapi:
        `properties.restrictOutboundNetworkAccess = true` with `allowedFqdnList`.
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
          name                               = "oai-chat-prod"
          kind                               = "OpenAI"
          sku_name                           = "S0"
          outbound_network_access_restricted = true
          fqdns                              = []
        }
    """

    def run(self, ctx):
        for account in ai_accounts(ctx):
            setting = account.outbound_restricted
            if setting.value is False:
                yield setting_finding(
                    self, account, setting, when_written="",
                    when_unset=f"leaves {setting.source} unset (outbound access is unrestricted by default)",
                )
