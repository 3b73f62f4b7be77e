from aiaas_iac.check import Check
from aiaas_iac.model import Mappings, Severity, Unknown
from aiaas_iac.iam.instances import created_instances

# AgentCore memory resource type -> attribute/property holding the customer managed KMS key.
MEMORY_KEY_ATTRIBUTES = {
    "aws_bedrockagentcore_memory": "encryption_key_arn",
    "awscc_bedrockagentcore_memory": "encryption_key_arn",
    "AWS::BedrockAgentCore::Memory": "EncryptionKeyArn",
}


class AgentcoreMemoryWithoutCmk(Check):
    """An AgentCore memory (`aws_bedrockagentcore_memory`, `awscc_bedrockagentcore_memory`,
    `AWS::BedrockAgentCore::Memory`) without `encryption_key_arn`: the conversations and facts
    the agent remembers are encrypted with an AWS-managed key instead of one you control."""

    code = "AIA118"
    slug = "agentcore-memory-without-cmk"
    severity = Severity.LOW
    title = "AgentCore memory not encrypted with a customer managed key"
    formats = ("terraform", "cloudformation")
    mappings = Mappings("NHI6", "PR.DS-01", "CWE-311")
    why = """
        Agent memory keeps users' conversations and the facts extracted from them. With an
        AWS-managed key, access to that data cannot be limited by a key policy, key use is not
        separated from other workloads, and the data cannot be made unreadable by disabling the key.
    """
    remediation = """
        Set `encryption_key_arn` (CloudFormation `EncryptionKeyArn`) to an `aws_kms_key` whose key
        policy allows AgentCore to use it for this memory.
    """
    failing_example = """
        resource "aws_bedrockagentcore_memory" "support" {
          name                  = "support_memory"
          event_expiry_duration = 30
        }
    """
    passing_example = """
        resource "aws_bedrockagentcore_memory" "support" {
          name                  = "support_memory"
          event_expiry_duration = 30
          encryption_key_arn    = aws_kms_key.memory.arn
        }
    """

    def run(self, ctx):
        for memory in ctx.of_type(*MEMORY_KEY_ATTRIBUTES):
            attribute = MEMORY_KEY_ATTRIBUTES[memory.type]
            for address, instance in created_instances(ctx, memory):
                key = instance.get(attribute)
                # Any value, even an unresolved reference, names a key of the user's choosing.
                if isinstance(key, Unknown) or (isinstance(key, str) and key.strip()):
                    continue
                yield self.finding(
                    memory,
                    f"{address} has no {attribute}: agent memory is encrypted with an AWS-managed key",
                    (attribute,) if memory.has(attribute) else (),
                )
                break  # one finding per block, naming the first instance without a key
