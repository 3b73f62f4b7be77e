from aiaas_iac.check import Check
from aiaas_iac.model import Mappings, Severity, Unknown
from aiaas_iac.terraform_instances import declared_resources, expanded_blocks

# Agent resource type -> (guardrail configuration block/property, identifier inside it).
AGENT_GUARDRAIL_FIELDS = {
    "aws_bedrockagent_agent": ("guardrail_configuration", "guardrail_identifier"),
    "awscc_bedrock_agent": ("guardrail_configuration", "guardrail_identifier"),
    "AWS::Bedrock::Agent": ("GuardrailConfiguration", "GuardrailIdentifier"),
}


def guardrail_state(ctx, resource) -> tuple[str, tuple]:
    """("set" | "unknown" | "missing", path to point at) for an agent's guardrail identifier.
    A `dynamic` guardrail block counts as the blocks its known collection makes (none for
    `for_each = var.id != null ? [1] : []` with a null id), and as unknown otherwise."""
    block_key, identifier_key = AGENT_GUARDRAIL_FIELDS[resource.type]
    if isinstance(resource.get(block_key), Unknown):
        return "unknown", ()
    if resource.format == "terraform":
        expanded = list(expanded_blocks(ctx, resource, block_key))
        if not all(certain for _, _, certain in expanded):
            return "unknown", ()
        blocks = [(path, block) for path, block, _ in expanded]
    else:
        blocks = [((block_key, index), block) for index, block in resource.blocks(block_key)]
    identifiers = [block.get(identifier_key) for _, block in blocks]
    if any(isinstance(i, Unknown) or (isinstance(i, str) and i.strip()) for i in identifiers):
        return "set", ()
    return "missing", blocks[0][0] if blocks else ()


class BedrockAgentWithoutGuardrail(Check):
    """A Bedrock agent (`aws_bedrockagent_agent`, `awscc_bedrock_agent`, `AWS::Bedrock::Agent`)
    with no guardrail attached: no guardrail configuration, or one without a guardrail
    identifier."""

    code = "AIA105"
    slug = "bedrock-agent-without-guardrail"
    severity = Severity.MEDIUM
    title = "Bedrock agent has no guardrail"
    formats = ("terraform", "cloudformation")
    mappings = Mappings("NHI6", "GV.SC, AI RMF MANAGE", "CWE-1426")
    why = """
        An agent acts on user input with its own IAM role and tools. Without a guardrail,
        nothing filters prompt attacks, harmful content or sensitive data on the way in or
        out, so a single crafted message can steer the agent's actions or leak its context.
    """
    remediation = """
        Create an `aws_bedrock_guardrail` (with a PROMPT_ATTACK content filter) and reference
        it from the agent's `guardrail_configuration` with `guardrail_identifier` and
        `guardrail_version`.
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
          agent_name              = "support"
          agent_resource_role_arn = aws_iam_role.agent.arn
          foundation_model        = "anthropic.claude-3-5-haiku-20241022-v1:0"
          guardrail_configuration {
            guardrail_identifier = aws_bedrock_guardrail.support.guardrail_id
            guardrail_version    = aws_bedrock_guardrail_version.support.version
          }
        }
    """

    def run(self, ctx):
        for agent in declared_resources(ctx, ctx.of_type(*AGENT_GUARDRAIL_FIELDS)):
            state, path = guardrail_state(ctx, agent)
            if state == "missing":
                cause = "a guardrail configuration without identifier" if path else "no guardrail configuration"
                yield self.finding(agent, f"{agent.address} is a Bedrock agent with {cause}", path)
