from aiaas_iac.check import Check
from aiaas_iac.iam.aws import Statement, as_list
from aiaas_iac.iam.aws_documents import document_from_value
from aiaas_iac.iam.aws_identities import ROLE, bedrock_granting_policies
from aiaas_iac.model import Mappings, Severity

# Role resource type -> attribute/property holding its trust policy.
TRUST_POLICY_ATTRIBUTES = {
    "aws_iam_role": "assume_role_policy",
    "awscc_iam_role": "assume_role_policy_document",
    "AWS::IAM::Role": "AssumeRolePolicyDocument",
}


def _is_star(value) -> bool:
    return any(isinstance(v, str) and v.strip() == "*" for v in as_list(value))


def open_principal(statement: Statement) -> str | None:
    """How an Allow statement without Condition lets anyone assume the role, or None."""
    if not statement.allows or statement.condition:
        return None
    principals = statement.principals
    if isinstance(principals, str) and principals.strip() == "*":
        return 'Principal "*"'
    if isinstance(principals, dict):
        if any(isinstance(k, str) and k.lower() == "aws" and _is_star(v) for k, v in principals.items()):
            return 'Principal {"AWS": "*"}'
    if isinstance(principals, list):  # principals blocks of an aws_iam_policy_document
        for block in principals:
            if isinstance(block, dict) and str(block.get("type")).lower() in ("aws", "*") \
                    and _is_star(block.get("identifiers")):
                return f'principals {{ type = "{block.get("type")}", identifiers = ["*"] }}'
    return None


class BedrockRoleOpenTrust(Check):
    """An IAM role whose trust policy lets any AWS principal assume it (`Principal: "*"` or
    `{"AWS": "*"}` in an Allow statement without `Condition`), while a policy in the same
    module or template grants the role Bedrock actions."""

    code = "AIA108"
    slug = "bedrock-role-open-trust"
    severity = Severity.HIGH
    title = "Role with Bedrock access can be assumed by anyone"
    formats = ("terraform", "cloudformation")
    mappings = Mappings("NHI5", "PR.AA-05", "CWE-284")
    why = """
        A wildcard principal without conditions means any AWS account in the world can call
        sts:AssumeRole on this role and receive its permissions. Attackers scan for such roles
        to get Bedrock access they do not pay for.
    """
    remediation = """
        Name the exact principals allowed to assume the role (a service such as
        `bedrock.amazonaws.com`, or specific account or role ARNs), and add conditions such as
        `aws:SourceAccount`, `aws:SourceArn` or `sts:ExternalId`.
    """
    failing_example = """
        resource "aws_iam_role" "agent" {
          name = "support-agent"
          assume_role_policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "sts:AssumeRole" }]
          })
        }

        resource "aws_iam_role_policy_attachment" "agent_bedrock" {
          role       = aws_iam_role.agent.name
          policy_arn = aws_iam_policy.agent_invoke.arn
        }

        resource "aws_iam_policy" "agent_invoke" {
          policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Action = "bedrock:InvokeModel", Resource = var.model_arn }]
          })
        }
    """
    passing_example = """
        resource "aws_iam_role" "agent" {
          name = "support-agent"
          assume_role_policy = jsonencode({
            Version = "2012-10-17"
            Statement = [{
              Effect    = "Allow"
              Principal = { Service = "bedrock.amazonaws.com" }
              Action    = "sts:AssumeRole"
              Condition = { StringEquals = { "aws:SourceAccount" = var.account_id } }
            }]
          })
        }

        resource "aws_iam_role_policy_attachment" "agent_bedrock" {
          role       = aws_iam_role.agent.name
          policy_arn = aws_iam_policy.agent_invoke.arn
        }

        resource "aws_iam_policy" "agent_invoke" {
          policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Action = "bedrock:InvokeModel", Resource = var.model_arn }]
          })
        }
    """

    def run(self, ctx):
        for role in ctx.of_type(*TRUST_POLICY_ATTRIBUTES):
            attribute = TRUST_POLICY_ATTRIBUTES[role.type]
            trust = document_from_value(ctx, role, role.get(attribute), (attribute,))
            if trust is None:
                continue
            opening = [(s, how) for s in trust.statements if (how := open_principal(s)) is not None]
            if not opening:
                continue
            granting = bedrock_granting_policies(ctx, role, ROLE, role)
            if not granting:
                continue
            statement, how = opening[0]
            path = statement.path if statement.resource is role else (attribute,)
            yield self.finding(
                role,
                f"{role.address} trust policy allows {how} with no Condition, and the role is granted"
                f" Bedrock actions by {', '.join(p.describe() for p in granting)}",
                path,
            )
