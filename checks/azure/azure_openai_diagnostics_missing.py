from aiaas_iac.check import Check
from aiaas_iac.iam.azure import ai_accounts
from aiaas_iac.iam.azure_diagnostics import diagnostic_coverage
from aiaas_iac.model import Mappings, Severity


class AzureOpenAIDiagnosticsMissing(Check):
    """An Azure OpenAI / AI Services account has no diagnostic setting that sends both its
    `Audit` and `RequestResponse` logs somewhere (by `category`, or `category_group =
    "allLogs"`; the `audit` group covers only Audit). Settings are matched to the account
    through `target_resource_id` (azapi: a `Microsoft.Insights/diagnosticSettings` child)."""

    code = "AIA303"
    slug = "azure-openai-diagnostics-missing"
    severity = Severity.MEDIUM
    title = "Azure OpenAI account without audit and request logs"
    formats = ("terraform", "bicep", "arm")
    mappings = Mappings("NHI6", "PR.PS-04", "CWE-778")
    why = """
        Without Audit logs nobody can tell who listed or regenerated keys or changed the
        account; without RequestResponse logs there is no record of which caller used which
        deployment, so stolen keys or tokens burning your quota go unnoticed and cannot be
        investigated.
    """
    remediation = """
        Add an `azurerm_monitor_diagnostic_setting` with `target_resource_id` set to the
        account's ID, a Log Analytics workspace (or storage / Event Hub) destination, and
        `enabled_log { category_group = "allLogs" }` (or `Audit` and `RequestResponse`
        categories).
    """
    failing_example = """
        resource "azurerm_cognitive_account" "openai" {
          name     = "oai-chat-prod"
          kind     = "OpenAI"
          sku_name = "S0"
        }

        resource "azurerm_monitor_diagnostic_setting" "openai" {
          name                       = "to-law"
          target_resource_id         = azurerm_cognitive_account.openai.id
          log_analytics_workspace_id = azurerm_log_analytics_workspace.main.id
          enabled_log {
            category_group = "audit"
          }
        }
    """
    passing_example = """
        resource "azurerm_cognitive_account" "openai" {
          name     = "oai-chat-prod"
          kind     = "OpenAI"
          sku_name = "S0"
        }

        resource "azurerm_monitor_diagnostic_setting" "openai" {
          name                       = "to-law"
          target_resource_id         = azurerm_cognitive_account.openai.id
          log_analytics_workspace_id = azurerm_log_analytics_workspace.main.id
          enabled_log {
            category_group = "allLogs"
          }
        }
    """

    def run(self, ctx):
        for account in ai_accounts(ctx):
            coverage = diagnostic_coverage(ctx, account)
            if coverage.covered is not False:
                continue
            if coverage.partial:
                setting, missing = coverage.partial[0]
                cause = f"has only {setting.address}, which does not enable {' and '.join(missing)} logs"
            else:
                cause = "has no diagnostic setting sending its Audit and RequestResponse logs"
            yield self.finding(account.resource, f"{account.address} {cause}", (), detail="diagnostics")
