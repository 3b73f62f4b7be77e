from aiaas_iac.check import Check
from aiaas_iac.iam.azure_rai import deployments, policy_of
from aiaas_iac.model import Mappings, Severity


class AzureDeploymentPromptShieldDisabled(Check):
    """An Azure OpenAI model deployment uses a content-filter (RAI) policy whose prompt
    shields are off or annotate-only: the policy's `Jailbreak` or `Indirect Attack` filter
    has `filter_enabled = false` or `block_enabled = false` (azapi `enabled` / `blocking`
    false). Deployments without `rai_policy_name` keep the platform default, which blocks
    jailbreaks; policies that leave these filters out are not judged."""

    code = "AIA308"
    slug = "azure-deployment-prompt-shield-disabled"
    severity = Severity.MEDIUM
    title = "Azure OpenAI deployment with prompt shields off"
    formats = ("terraform", "bicep", "arm")
    mappings = Mappings("NHI6", "PR.PS-01", "CWE-1427")
    why = """
        Prompt shields stop direct jailbreaks and instructions hidden in documents, e-mails or
        tool results (indirect prompt injection) before they reach the model. Turned off or set
        to annotate only, every prompt, including retrieved content, reaches the model, and an
        agent built on the deployment can be steered into misusing its identity and tools.
    """
    remediation = """
        In the policy, set `filter_enabled = true` and `block_enabled = true` for the
        `Jailbreak` and `Indirect Attack` filters with `source = "Prompt"` (azapi:
        `enabled = true`, `blocking = true`), or remove `rai_policy_name` to use the default policy.
    """
    failing_example = """
        resource "azurerm_cognitive_account_rai_policy" "lenient" {
          name                 = "lenient"
          cognitive_account_id = azurerm_cognitive_account.openai.id
          base_policy_name     = "Microsoft.Default"
          content_filter {
            name               = "Jailbreak"
            filter_enabled     = true
            block_enabled      = false
            severity_threshold = "High"
            source             = "Prompt"
          }
        }

        resource "azurerm_cognitive_deployment" "chat" {
          name                 = "gpt-4o"
          cognitive_account_id = azurerm_cognitive_account.openai.id
          rai_policy_name      = azurerm_cognitive_account_rai_policy.lenient.name
          model {
            format = "OpenAI"
            name   = "gpt-4o"
          }
          sku {
            name = "Standard"
          }
        }
    """
    passing_example = """
        resource "azurerm_cognitive_account_rai_policy" "strict" {
          name                 = "strict"
          cognitive_account_id = azurerm_cognitive_account.openai.id
          base_policy_name     = "Microsoft.Default"
          content_filter {
            name               = "Jailbreak"
            filter_enabled     = true
            block_enabled      = true
            severity_threshold = "High"
            source             = "Prompt"
          }
        }

        resource "azurerm_cognitive_deployment" "chat" {
          name                 = "gpt-4o"
          cognitive_account_id = azurerm_cognitive_account.openai.id
          rai_policy_name      = azurerm_cognitive_account_rai_policy.strict.name
          model {
            format = "OpenAI"
            name   = "gpt-4o"
          }
          sku {
            name = "Standard"
          }
        }
    """

    def run(self, ctx):
        for deployment in deployments(ctx):
            policy = policy_of(ctx, deployment)
            if policy is None or not policy.weak_shields:
                continue
            causes = ", ".join(f"{shield.name} {'off' if shield.off else 'annotate-only'}"
                               for shield in policy.weak_shields)
            yield self.finding(
                deployment.resource,
                f"{deployment.resource.address} uses RAI policy {policy.resource.address}, "
                f"whose prompt shields are weakened: {causes}",
                deployment.policy_path, detail="rai_policy",
            )
