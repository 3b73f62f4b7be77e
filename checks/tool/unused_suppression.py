from aiaas_iac.check import Check
from aiaas_iac.model import Mappings, Severity
from aiaas_iac.suppress import codes_named


class UnusedSuppression(Check):
    """An inline `aiaas-iac:ignore=` comment (with a reason) suppresses no finding: the
    problem was fixed, the comment is in the wrong place, or it names an unknown check. Each
    code of a multi-code comment is judged on its own."""

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
            if not suppression.reason:
                continue  # AIA901's finding: it suppresses nothing anyway
            for token in dict.fromkeys(suppression.tokens):
                if (suppression, token) in ctx.used_suppressions:
                    continue
                known = codes_named(ctx.check_names, token)
                message = f"suppression of {token} matches no finding" if known \
                    else f"suppression names unknown check {token}"
                # One finding per code; `detail` keeps them apart (and a one-code comment's
                # fingerprint what it was).
                yield self.finding_at(suppression.file, suppression.line, message, detail=f"suppression:{token}")
