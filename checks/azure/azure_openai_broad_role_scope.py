from aiaas_iac.check import Check
from aiaas_iac.iam.azure_roles import BROAD_SCOPES, is_ai_role, role_assignments
from aiaas_iac.model import Mappings, Severity


class AzureOpenAIBroadRoleScope(Check):
    """A role assignment gives a `Cognitive Services *` or `Azure AI *` role (by name, or by
    its built-in role definition ID) on a whole subscription, resource group or management
    group instead of on the AI account. Scopes are read from literal IDs, references
    (`azurerm_resource_group.x.id`, `data.azurerm_subscription.current.id`) and templates
    such as `"/subscriptions/${var.subscription_id}"`."""

    code = "AIA304"
    slug = "azure-openai-broad-role-scope"
    severity = Severity.HIGH
    title = "Azure AI role assigned on a subscription or resource group"
    formats = ("terraform", "bicep", "arm")
    mappings = Mappings("NHI5", "PR.AA-05", "CWE-250")
    why = """
        A role granted at subscription or resource-group scope applies to every AI account
        there, including ones created later: the identity can call (or, with Contributor
        roles, list keys of and reconfigure) models it was never meant to reach.
    """
    remediation = """
        Assign the role on the account itself: `scope = azurerm_cognitive_account.openai.id`
        (or the azapi account's `id`), one assignment per account the workload uses.
    """
    failing_example = """
        resource "azurerm_role_assignment" "chat_openai_user" {
          scope                = azurerm_resource_group.ai.id
          role_definition_name = "Cognitive Services OpenAI User"
          principal_id         = azurerm_linux_web_app.chat.identity[0].principal_id
        }
    """
    passing_example = """
        resource "azurerm_role_assignment" "chat_openai_user" {
          scope                = azurerm_cognitive_account.openai.id
          role_definition_name = "Cognitive Services OpenAI User"
          principal_id         = azurerm_linux_web_app.chat.identity[0].principal_id
        }
    """

    def run(self, ctx):
        for assignment in role_assignments(ctx):
            if is_ai_role(assignment.role) and assignment.scope in BROAD_SCOPES:
                yield self.finding(
                    assignment.resource,
                    f"{assignment.address} grants {assignment.role} on a whole {assignment.scope}"
                    " instead of the AI account",
                    assignment.scope_path,
                    detail=None if assignment.instance is None else f"{assignment.scope_path[0]}[{assignment.instance}]",
                )
