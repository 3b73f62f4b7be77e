from aiaas_iac.check import Check
from aiaas_iac.iam.actions import INVOKE_ACTIONS
from aiaas_iac.iam.aws_documents import identity_documents
from aiaas_iac.model import Mappings, Severity


class BedrockInvokeUnscoped(Check):
    """A policy statement lets an identity invoke Bedrock models (`bedrock:InvokeModel`,
    `Converse`, ...) on every model: `Resource` is `*` or a Bedrock ARN ending in `*` or
    `<type>/*`. Statements already reported as all-Bedrock (AIA101) are not repeated."""

    code = "AIA102"
    slug = "bedrock-invoke-unscoped"
    severity = Severity.MEDIUM
    title = "Bedrock invoke permission on every model"
    formats = ("terraform", "cloudformation")
    mappings = Mappings("NHI5", "PR.AA-05", "CWE-732")
    why = """
        An identity that may invoke any model can be used to run the most expensive models
        in the account and every model enabled later, including ones never approved for the
        workload's data. A leaked credential turns into an open LLM endpoint on your bill.
    """
    remediation = """
        List the foundation-model, inference-profile or provisioned-model ARNs the workload
        uses in `Resource` (a specific model in a wildcard region is fine), instead of `*`
        or `foundation-model/*`.
    """
    failing_example = """
        data "aws_iam_policy_document" "chat" {
          statement {
            actions   = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
            resources = ["arn:aws:bedrock:*::foundation-model/*"]
          }
        }
    """
    passing_example = """
        data "aws_iam_policy_document" "chat" {
          statement {
            actions   = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
            resources = ["arn:aws:bedrock:*::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"]
          }
        }
    """

    def run(self, ctx):
        for document in identity_documents(ctx):
            for statement in document.statements:
                if statement.wildcard_bedrock_actions():
                    continue  # AIA101 reports it
                invoke = statement.action_patterns_granting(INVOKE_ACTIONS)
                unscoped = statement.unscoped_resources()
                if invoke and unscoped:
                    yield self.finding(
                        statement.resource,
                        f"{statement.resource.address} grants {', '.join(invoke)} on {', '.join(unscoped)}",
                        statement.path,
                    )
