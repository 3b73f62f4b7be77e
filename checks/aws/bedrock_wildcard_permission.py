from aiaas_iac.check import Check
from aiaas_iac.iam.actions import BEDROCK_FULL_ACCESS, bedrock_services
from aiaas_iac.iam.aws_documents import identity_documents, is_managed_policy, policy_attachments
from aiaas_iac.model import Mappings, Severity


class BedrockWildcardPermission(Check):
    """An IAM policy grants every Bedrock action: `*`, `bedrock:*`, `bedrock-agentcore:*`, or a
    `NotAction` that leaves a Bedrock service wide open, on a `Resource` that can be Bedrock's
    (`*`, a `bedrock*` ARN, an unresolved value; `*` on an S3 bucket grants nothing in Bedrock),
    or the `AmazonBedrockFullAccess` managed policy. One finding per statement or attachment."""

    code = "AIA101"
    slug = "bedrock-wildcard-permission"
    severity = Severity.HIGH
    title = "IAM policy grants all Bedrock actions"
    formats = ("terraform", "cloudformation")
    mappings = Mappings("NHI5", "PR.AA-05", "CWE-250")
    why = """
        Whoever holds this identity can invoke any model on your bill (LLMjacking), read
        prompts and agent data, create provisioned throughput, and switch off invocation
        logging. A leaked key or a compromised workload becomes full control of Bedrock.
    """
    remediation = """
        Grant only the actions the workload calls (usually `bedrock:InvokeModel` and
        `bedrock:InvokeModelWithResponseStream`) on the specific model or inference-profile
        ARNs it uses, and replace `AmazonBedrockFullAccess` with such a customer policy.
    """
    failing_example = """
        resource "aws_iam_policy" "app" {
          policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Action = "bedrock:*", Resource = "*" }]
          })
        }
    """
    passing_example = """
        resource "aws_iam_policy" "app" {
          policy = jsonencode({
            Version = "2012-10-17"
            Statement = [{
              Effect   = "Allow"
              Action   = ["bedrock:InvokeModel"]
              Resource = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0"
            }]
          })
        }
    """

    def run(self, ctx):
        for document in identity_documents(ctx):
            for statement in document.statements:
                patterns = statement.wildcard_bedrock_actions()
                if patterns:
                    # `*` or a NotAction says nothing about Bedrock by itself: name the service.
                    generic = any(p.partition(":")[0].lower() not in bedrock_services() for p in patterns)
                    service = " (all Bedrock actions)" if generic else ""
                    yield self.finding(
                        statement.resource,
                        f"{statement.resource.address} grants {', '.join(patterns)} on {statement.resource_text()}{service}",
                        statement.path,
                    )
        for attachment in policy_attachments(ctx):
            if is_managed_policy(ctx, attachment.resource, attachment.arn, BEDROCK_FULL_ACCESS):
                yield self.finding(
                    attachment.resource,
                    f"{attachment.resource.address} attaches the AWS managed policy {BEDROCK_FULL_ACCESS}",
                    attachment.path,
                )
