from aiaas_iac.check import Check
from aiaas_iac.context import address_from
from aiaas_iac.iam.azure import is_arm
from aiaas_iac.iam.azure_foundry import is_hub
from aiaas_iac.iam.azure_identities import ai_identity_sources
from aiaas_iac.iam.azure_roles import privileged_role, role_assignments
from aiaas_iac.model import Mappings, Severity


class AzureAIIdentityPrivilegedRole(Check):
    """The managed identity of an AI resource (an Azure OpenAI / AI Services account, an AI
    Foundry hub or project, or a user-assigned identity one of them lists) is assigned
    `Owner`, `Contributor`, `User Access Administrator`, `Role Based Access Control
    Administrator` or a `... Data Owner` role, by name or built-in role ID, at any scope.
    Whatever the model or agent is talked into doing, it can then do with those rights.
    `Contributor` is not counted for a hub's own identity, which Foundry setups may need."""

    code = "AIA309"
    slug = "azure-ai-identity-privileged-role"
    severity = Severity.HIGH
    title = "AI identity holds a privileged Azure role"
    formats = ("terraform", "bicep", "arm")
    mappings = Mappings("NHI5", "PR.AA-05", "CWE-250")
    why = """
        AI accounts, hubs and projects run agents, tools and connections on behalf of whoever
        writes the prompt. An identity with Owner, Contributor or an access-administration role
        turns one prompt injection or leaked project token into control of every resource in
        the scope, including granting itself more; a Data Owner role hands over all the data
        and its access control.
    """
    remediation = """
        Grant the identity only the data-plane roles it uses, on the resources it uses them on
        (e.g. `Storage Blob Data Reader` on one account, `Search Index Data Reader` on one
        search service, `Cognitive Services OpenAI User` on one AI account).
    """
    failing_example = """
        resource "azurerm_ai_foundry_project" "chat" {
          name               = "chat"
          location           = "swedencentral"
          ai_services_hub_id = var.hub_id
          identity {
            type = "SystemAssigned"
          }
        }

        resource "azurerm_role_assignment" "chat" {
          scope                = var.resource_group_id
          role_definition_name = "Owner"
          principal_id         = azurerm_ai_foundry_project.chat.identity[0].principal_id
        }
    """
    passing_example = """
        resource "azurerm_ai_foundry_project" "chat" {
          name               = "chat"
          location           = "swedencentral"
          ai_services_hub_id = var.hub_id
          identity {
            type = "SystemAssigned"
          }
        }

        resource "azurerm_role_assignment" "chat" {
          scope                = var.storage_account_id
          role_definition_name = "Storage Blob Data Reader"
          principal_id         = azurerm_ai_foundry_project.chat.identity[0].principal_id
        }
    """

    def run(self, ctx):
        for assignment in role_assignments(ctx):
            role = privileged_role(assignment.role)
            arm = is_arm(assignment.resource)
            if (assignment.resource.type != "azurerm_role_assignment" and not arm) or role is None:
                continue
            owners = ai_identity_sources(ctx, assignment.evaluated or assignment.resource, assignment.principal)
            if role == "Contributor":  # a hub's own identity may need it (CHECKS.md, Unverified 6)
                owners = [(owner, via) for owner, via in owners if not is_hub(owner)]
            if not owners:
                continue
            via = owners[0][1]
            near = assignment.resource
            names = ("" if via is None else f"{address_from(near, via)}, ") + "the identity of " + ", ".join(
                address_from(near, owner) for owner, _ in owners)
            path = ("properties", "roleDefinitionId") if arm else ("role_definition_name",) \
                if "role_definition_name" in assignment.resource.attributes else ("role_definition_id",)
            yield self.finding(
                assignment.resource,
                f"{assignment.address} grants {role} to {names}",
                path, detail=f"{role}#{assignment.instance}" if assignment.instance is not None else role,
            )
