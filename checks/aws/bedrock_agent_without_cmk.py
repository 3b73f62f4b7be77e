from aiaas_iac.check import Check
from aiaas_iac.model import Mappings, Severity, Unknown
from aiaas_iac.terraform_instances import declared_resources

# Agent resource type -> attribute/property holding the customer managed KMS key.
AGENT_KEY_ATTRIBUTES = {
    "aws_bedrockagent_agent": "customer_encryption_key_arn",
    "awscc_bedrock_agent": "customer_encryption_key_arn",
    "AWS::Bedrock::Agent": "CustomerEncryptionKeyArn",
}


class BedrockAgentWithoutCmk(Check):
    """A Bedrock agent (`aws_bedrockagent_agent`, `awscc_bedrock_agent`, `AWS::Bedrock::Agent`)
    without a customer managed KMS key: its instructions, session data and memory are
    encrypted with an AWS owned key you cannot audit or revoke."""

    code = "AIA106"
    slug = "bedrock-agent-without-cmk"
    severity = Severity.LOW
    title = "Bedrock agent not encrypted with a customer managed key"
    formats = ("terraform", "cloudformation")
    mappings = Mappings("NHI6", "PR.DS-01", "CWE-311")
    why = """
        With an AWS owned key, key use does not appear in your CloudTrail, access cannot be
        limited through a key policy, and the agent's stored data cannot be made unreadable
        by disabling the key during an incident.
    """
    remediation = """
        Set `customer_encryption_key_arn` (CloudFormation `CustomerEncryptionKeyArn`) to an
        `aws_kms_key` whose key policy allows Bedrock to use it for this agent.
    """
    failing_example = """
        resource "aws_bedrockagent_agent" "support" {
          agent_name              = "support"
          agent_resource_role_arn = aws_iam_role.agent.arn
          foundation_model        = "anthropic.claude-3-5-haiku-20241022-v1:0"
        }
    """
    passing_example = """
        resource "aws_bedrockagent_agent" "support" {
          agent_name                  = "support"
          agent_resource_role_arn     = aws_iam_role.agent.arn
          foundation_model            = "anthropic.claude-3-5-haiku-20241022-v1:0"
          customer_encryption_key_arn = aws_kms_key.agent.arn
        }
    """

    def run(self, ctx):
        for agent in declared_resources(ctx, ctx.of_type(*AGENT_KEY_ATTRIBUTES)):
            attribute = AGENT_KEY_ATTRIBUTES[agent.type]
            key = agent.get(attribute)
            if isinstance(key, Unknown) or (isinstance(key, str) and key.strip()):
                continue
            yield self.finding(
                agent,
                f"{agent.address} has no {attribute}: the agent is encrypted with an AWS owned key",
                (attribute,) if agent.has(attribute) else (),
            )
