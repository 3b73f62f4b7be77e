from aiaas_iac.check import Check
from aiaas_iac.iam.actions import INVOKE_ACTIONS, LOGGING_CONFIG_ACTIONS
from aiaas_iac.iam.aws_documents import identity_documents
from aiaas_iac.model import Mappings, Severity

_LOGGING_NAMES = {a.lower() for a in LOGGING_CONFIG_ACTIONS}


def _granted_by_document(statements, action: str) -> bool:
    """Some Allow statement grants `action` and no unconditional Deny in the document blocks it."""
    return any(s.grants(action) for s in statements) and not any(s.denies(action) for s in statements)


class BedrockLoggingTamper(Check):
    """One policy document lets the same identity invoke Bedrock models and change or delete
    the model invocation logging configuration (explicitly, or through a partial wildcard such
    as `bedrock:Put*` or `bedrock:*Logging*`). All-Bedrock documents are reported by AIA101."""

    code = "AIA103"
    slug = "bedrock-logging-tamper"
    severity = Severity.HIGH
    title = "Bedrock caller can switch off invocation logging"
    formats = ("terraform", "cloudformation")
    mappings = Mappings("NHI5", "PR.PS-04", "CWE-778")
    why = """
        Invocation logs are the record of who sent which prompt to which model. An identity
        that can both call models and rewrite or delete the logging configuration can abuse
        the models and erase the evidence first, which is the usual LLMjacking playbook.
    """
    remediation = """
        Keep `bedrock:PutModelInvocationLoggingConfiguration` and
        `bedrock:DeleteModelInvocationLoggingConfiguration` out of workload policies: grant
        them only to the platform or security role that owns logging, and replace wildcards
        such as `bedrock:Put*` with the exact actions the workload needs.
    """
    failing_example = """
        resource "aws_iam_role_policy" "chat" {
          role = aws_iam_role.chat.id
          policy = jsonencode({
            Version = "2012-10-17"
            Statement = [
              { Effect = "Allow", Action = ["bedrock:InvokeModel"], Resource = var.model_arn },
              { Effect = "Allow", Action = ["bedrock:*Logging*"], Resource = "*" },
            ]
          })
        }
    """
    passing_example = """
        resource "aws_iam_role_policy" "chat" {
          role = aws_iam_role.chat.id
          policy = jsonencode({
            Version = "2012-10-17"
            Statement = [
              { Effect = "Allow", Action = ["bedrock:InvokeModel"], Resource = var.model_arn },
              { Effect = "Allow", Action = ["bedrock:GetModelInvocationLoggingConfiguration"], Resource = "*" },
            ]
          })
        }
    """

    def run(self, ctx):
        for document in identity_documents(ctx):
            statements = document.statements
            if any(s.wildcard_bedrock_actions() for s in statements):
                continue  # AIA101 reports it
            invoke = [a for a in INVOKE_ACTIONS if _granted_by_document(statements, a)]
            logging = [a for a in LOGGING_CONFIG_ACTIONS if _granted_by_document(statements, a)]
            if not invoke or not logging:
                continue
            tamper = next(s for s in statements if s.grants_any(logging))
            wildcards = [p for p in tamper.action_patterns_granting(logging) if p.lower() not in _LOGGING_NAMES]
            via = f" (via {', '.join(wildcards)})" if wildcards else ""
            yield self.finding(
                tamper.resource,
                f"{tamper.resource.address} grants {invoke[0]} and {', '.join(logging)}{via} in one policy",
                tamper.path,
            )
