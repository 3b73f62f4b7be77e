from aiaas_iac.check import Check
from aiaas_iac.iam.aws_agents import agent_source_arn_scope, invokes_lambda, is_bedrock_principal
from aiaas_iac.iam.aws_documents import resource_instances
from aiaas_iac.model import Mappings, Severity

# Lambda permission type -> (principal, action, source ARN, source account) attribute names.
PERMISSION_FIELDS = {
    "aws_lambda_permission": ("principal", "action", "source_arn", "source_account"),
    "AWS::Lambda::Permission": ("Principal", "Action", "SourceArn", "SourceAccount"),
}


class BedrockAgentToolInvokeUnscoped(Check):
    """A Lambda permission that lets `bedrock.amazonaws.com` invoke a function without naming
    the agent: `source_arn` absent, `*`, any account, or `agent/*` (any agent ID pattern)."""

    code = "AIA114"
    slug = "bedrock-agent-tool-invoke-unscoped"
    severity = Severity.HIGH
    title = "Agent tool Lambda can be invoked by any Bedrock agent"
    formats = ("terraform", "cloudformation")
    mappings = Mappings("NHI5", "PR.AA-05", "CWE-441")
    why = """
        The resource policy is the only thing that decides which agent may call a tool Lambda.
        Without a source ARN naming one agent, every agent in the account (and, without a source
        account, in any AWS account: a confused deputy) can make the function act with its
        execution role.
    """
    remediation = """
        Set `source_arn` to the agent's ARN (`aws_bedrockagent_agent.x.agent_arn`, CloudFormation
        `!GetAtt Agent.AgentArn`) and set `source_account` to your account ID.
    """
    failing_example = """
        resource "aws_lambda_permission" "agent_tool" {
          action        = "lambda:InvokeFunction"
          function_name = aws_lambda_function.tool.function_name
          principal     = "bedrock.amazonaws.com"
        }
    """
    passing_example = """
        resource "aws_lambda_permission" "agent_tool" {
          action         = "lambda:InvokeFunction"
          function_name  = aws_lambda_function.tool.function_name
          principal      = "bedrock.amazonaws.com"
          source_arn     = aws_bedrockagent_agent.support.agent_arn
          source_account = data.aws_caller_identity.current.account_id
        }
    """

    def run(self, ctx):
        for permission in ctx.of_type(*PERMISSION_FIELDS):
            principal_key, action_key, source_key, account_key = PERMISSION_FIELDS[permission.type]
            for instance in resource_instances(ctx, permission):
                if not is_bedrock_principal(instance.get(principal_key)) or \
                        not invokes_lambda(instance.get(action_key)):
                    continue
                scope = agent_source_arn_scope(instance.get(source_key))
                if scope is None:
                    continue
                if instance.get(account_key) is not None:
                    reach = "any agent of the account can call it"
                elif "any account" in scope or scope == "no source_arn" or '"*"' in scope:
                    reach = "agents in any AWS account can call it (no source_account either: confused deputy)"
                else:
                    reach = "any agent of the ARN's account can call it, and no source_account is set"
                path = (source_key,) if instance.get(source_key) is not None else ()
                yield self.finding(permission, f"{permission.address} lets bedrock.amazonaws.com invoke"
                                               f" the function with {scope}: {reach}", path)
                break
