from aiaas_iac.check import Check
from aiaas_iac.iam.aws_agents import service_identities
from aiaas_iac.model import Mappings, Severity


class BedrockAgentRoleShared(Check):
    """One IAM role used by two or more AI service identities: Bedrock agents, AgentCore
    runtimes and gateways, knowledge bases (a `count`/`for_each` block counts once per
    instance). Roles are the same when they resolve to the same ARN, reference the same
    resource attribute, or are the same `var.`/`local.`/`!Ref` expression in one module
    instance or template."""

    code = "AIA112"
    slug = "bedrock-agent-role-shared"
    severity = Severity.MEDIUM
    title = "One role is shared by several agents, runtimes, gateways or knowledge bases"
    formats = ("terraform", "cloudformation")
    mappings = Mappings("NHI9", "PR.AA-01", "CWE-653")
    why = """
        Each agent needs the union of every sharer's permissions, so a prompt injection against
        the least trusted one reaches the data and tools of all of them, and the audit trail
        cannot tell them apart.
    """
    remediation = """
        Give every agent, runtime, gateway and knowledge base its own role, with a trust policy
        that names its service and `aws:SourceArn`, and only the permissions it needs.
    """
    failing_example = """
        resource "aws_bedrockagent_agent" "support" {
          agent_name              = "support"
          agent_resource_role_arn = aws_iam_role.bedrock.arn
          foundation_model        = "anthropic.claude-3-5-haiku-20241022-v1:0"
        }

        resource "aws_bedrockagent_knowledge_base" "docs" {
          name     = "docs"
          role_arn = aws_iam_role.bedrock.arn
        }
    """
    passing_example = """
        resource "aws_bedrockagent_agent" "support" {
          agent_name              = "support"
          agent_resource_role_arn = aws_iam_role.support_agent.arn
          foundation_model        = "anthropic.claude-3-5-haiku-20241022-v1:0"
        }

        resource "aws_bedrockagent_knowledge_base" "docs" {
          name     = "docs"
          role_arn = aws_iam_role.docs_kb.arn
        }
    """

    def run(self, ctx):
        by_role: dict = {}
        for identity in service_identities(ctx):
            if identity.same_role_key is not None:
                by_role.setdefault(identity.same_role_key, []).append(identity)
        for users in by_role.values():
            if sum(u.instances for u in users) < 2:
                continue
            users.sort(key=lambda u: (u.resource.file, u.resource.span.start_line))
            first = users[0]
            names = ", ".join((u.resource.full_address or u.resource.address)
                              + (f" ({u.instances} instances)" if u.instances > 1 else "") for u in users)
            role = getattr(first.role_value, "text", first.role_value)
            yield self.finding(first.resource, f"role {role} is used by {names}", (first.attribute,),
                               identity=f"{first.role_key}")
