from aiaas_iac.check import Check
from aiaas_iac.iam.azure_foundry import foundry_hubs
from aiaas_iac.model import Mappings, Severity


class AzureAIFoundryHubPublic(Check):
    """An Azure AI Foundry hub (`azurerm_ai_foundry`) is reachable from public networks:
    `public_network_access` is absent (the provider default is `Enabled`) or `"Enabled"`.
    Every project under the hub inherits this, so its connections, data and compute are
    exposed. The message also says when outbound traffic is not isolated
    (`managed_network.isolation_mode` absent or `Disabled`)."""

    code = "AIA310"
    slug = "azure-ai-foundry-hub-public"
    severity = Severity.MEDIUM
    title = "Azure AI Foundry hub open to public networks"
    formats = ("terraform", "bicep", "arm")
    mappings = Mappings("NHI6", "PR.IR-01", "CWE-668")
    why = """
        The hub holds the connections (with their keys), datastores and compute of every
        Foundry project under it. With public network access on, its workspace endpoints
        answer from the internet, and a leaked token or a mis-scoped role is all that
        separates an attacker from the projects' data and agents.
    """
    remediation = """
        Set `public_network_access = "Disabled"` and reach the hub through a private
        endpoint; also set `managed_network { isolation_mode = "AllowOnlyApprovedOutbound" }`
        so that projects' compute can only reach approved destinations.
    """
    failing_example = """
        resource "azurerm_ai_foundry" "hub" {
          name                = "aif-hub-prod"
          location            = "swedencentral"
          resource_group_name = "rg-ai-prod"
          storage_account_id  = azurerm_storage_account.hub.id
          key_vault_id        = azurerm_key_vault.hub.id
          identity {
            type = "SystemAssigned"
          }
        }
    """
    passing_example = """
        resource "azurerm_ai_foundry" "hub" {
          name                  = "aif-hub-prod"
          location              = "swedencentral"
          resource_group_name   = "rg-ai-prod"
          storage_account_id    = azurerm_storage_account.hub.id
          key_vault_id          = azurerm_key_vault.hub.id
          public_network_access = "Disabled"
          managed_network {
            isolation_mode = "AllowOnlyApprovedOutbound"
          }
          identity {
            type = "SystemAssigned"
          }
        }
    """

    def run(self, ctx):
        for hub in foundry_hubs(ctx):
            public = hub.public_network_access
            if public.value is not True:
                continue
            cause = (f'sets {public.source} = "Enabled"' if public.written
                     else f"leaves {public.source} unset (Enabled by default)")
            if hub.outbound_isolated.value is False:
                cause += f", and outbound traffic is not isolated ({hub.outbound_isolated.source} " + (
                    '"Disabled")' if hub.outbound_isolated.written else "unset)")
            yield self.finding(hub.resource, f"{hub.resource.address} {cause}", public.path,
                               detail="public_network_access")
