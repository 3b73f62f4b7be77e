from aiaas_iac.check import Check, code_of
from aiaas_iac.model import Mappings, Severity


class UnusedSuppression(Check):
    """An inline `aiaas-iac:ignore=` comment (with a reason) suppresses no finding: the
    problem was fixed, the comment is in the wrong place, or it names an unknown check."""

    code = "AIA902"
    slug = "unused-suppression"
    severity = Severity.LOW
    title = "Inline suppression suppresses nothing"
    formats = ("terraform", "cloudformation", "kubernetes")
    mappings = Mappings("n/a", "GV.PO-01", "CWE-1068")
    after_suppressions = True
    why = """
        A stale suppression hides the next real finding that lands on its line, and a
        misplaced one gives the false impression that a risk was reviewed.
    """
    remediation = """
        Delete the comment if the finding is gone; otherwise put it on the line the finding
        points to, or on the line directly above the block that contains it, and use a known
        code or slug (`aiaas-iac rules`).
    """
    failing_example = """
        # aiaas-iac:ignore=AIA302 private endpoint only (NET-7)
        resource "azurerm_cognitive_account" "openai" {
          kind                          = "OpenAI"
          public_network_access_enabled = false
          local_auth_enabled            = false
        }
    """
    passing_example = """
        resource "azurerm_cognitive_account" "openai" {
          kind                          = "OpenAI"
          public_network_access_enabled = false
          local_auth_enabled            = false
        }
    """

    def run(self, ctx):
        for suppression in ctx.suppressions:
            if not suppression.reason or suppression in ctx.used_suppressions:
                continue
            unknown = [t for t in suppression.tokens if code_of(ctx.check_names, t) is None]
            codes = ",".join(suppression.tokens)
            cause = f"names unknown check {', '.join(unknown)}" if unknown else "matches no finding"
            yield self.finding_at(
                suppression.file, suppression.line, f"suppression of {codes} {cause}",
                detail=f"suppression:{codes}",
            )
