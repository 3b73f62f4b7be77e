from aiaas_iac.check import Check
from aiaas_iac.model import Mappings, Severity


class SuppressionWithoutReason(Check):
    """An inline `aiaas-iac:ignore=` comment gives no reason. It suppresses nothing until it
    says why the finding is acceptable."""

    code = "AIA901"
    slug = "suppression-without-reason"
    severity = Severity.LOW
    title = "Inline suppression has no reason"
    formats = ("terraform", "cloudformation", "kubernetes")
    mappings = Mappings("n/a", "GV.PO-01", "CWE-1068")
    after_suppressions = True
    why = """
        A suppression is an accepted risk. Without a written reason, reviewers cannot tell a
        deliberate exception from a silenced alarm, and nobody can revisit it when the
        circumstances change.
    """
    remediation = """
        Add the reason after the codes: `# aiaas-iac:ignore=AIA301 keys needed by the legacy
        batch job until Q3, tracked in SEC-123`.
    """
    failing_example = """
        # aiaas-iac:ignore=AIA301
        resource "azurerm_cognitive_account" "openai" {
          kind = "OpenAI"
        }
    """
    passing_example = """
        # aiaas-iac:ignore=AIA301 legacy batch job needs keys until it moves to Entra ID (SEC-123)
        resource "azurerm_cognitive_account" "openai" {
          kind = "OpenAI"
        }
    """

    def run(self, ctx):
        for suppression in ctx.suppressions:
            if not suppression.reason:
                codes = ",".join(suppression.tokens)
                yield self.finding_at(
                    suppression.file, suppression.line,
                    f"suppression of {codes} has no reason, so it suppresses nothing",
                    detail=f"suppression:{codes}",
                )
