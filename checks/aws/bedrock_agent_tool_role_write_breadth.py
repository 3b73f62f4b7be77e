from aiaas_iac.check import Check
from aiaas_iac.context import address_from
from aiaas_iac.iam.aws_agents import tool_calls
from aiaas_iac.iam.aws_write import role_policy_set
from aiaas_iac.model import Mappings, Severity


class BedrockAgentToolRoleWriteBreadth(Check):
    """The execution role of a Lambda that a Bedrock agent action group or an AgentCore gateway
    target calls as a tool has write breadth: `*` or an Allow with `NotAction`, a service-wide
    wildcard on every resource, IAM permission management, or an attached administrator,
    power-user or `*FullAccess` AWS managed policy."""

    code = "AIA111"
    slug = "bedrock-agent-tool-role-write-breadth"
    severity = Severity.HIGH
    title = "Agent tool Lambda runs with a role that can change far more than the tool needs"
    formats = ("terraform", "cloudformation")
    mappings = Mappings("NHI5", "PR.AA-05", "CWE-250")
    why = """
        The model chooses the tool's arguments, and anything the agent reads (a document, an
        email, a web page) can steer that choice. A tool Lambda whose role may write across a
        whole service, manage IAM or act as an administrator turns one prompt injection into a
        change anywhere in the account.
    """
    remediation = """
        Give each tool Lambda its own role with the specific actions it needs on the specific
        resources it touches (for example `dynamodb:PutItem` on one table ARN); never attach
        AdministratorAccess, PowerUserAccess or `*FullAccess` policies, and keep `iam:*`
        permission management and `iam:PassRole` on `*` out of tool roles.
    """
    failing_example = """
        resource "aws_bedrockagent_agent_action_group" "orders" {
          action_group_name = "orders"
          agent_id          = aws_bedrockagent_agent.support.agent_id
          agent_version     = "DRAFT"
          action_group_executor {
            lambda = aws_lambda_function.orders.arn
          }
        }

        resource "aws_lambda_function" "orders" {
          function_name = "orders"
          role          = aws_iam_role.orders.arn
        }

        resource "aws_iam_role" "orders" {
          name               = "orders-tool"
          assume_role_policy = data.aws_iam_policy_document.lambda_trust.json
        }

        resource "aws_iam_role_policy" "orders" {
          role   = aws_iam_role.orders.id
          policy = jsonencode({
            Statement = [{ Effect = "Allow", Action = "dynamodb:*", Resource = "*" }]
          })
        }
    """
    passing_example = """
        resource "aws_bedrockagent_agent_action_group" "orders" {
          action_group_name = "orders"
          agent_id          = aws_bedrockagent_agent.support.agent_id
          agent_version     = "DRAFT"
          action_group_executor {
            lambda = aws_lambda_function.orders.arn
          }
        }

        resource "aws_lambda_function" "orders" {
          function_name = "orders"
          role          = aws_iam_role.orders.arn
        }

        resource "aws_iam_role" "orders" {
          name               = "orders-tool"
          assume_role_policy = data.aws_iam_policy_document.lambda_trust.json
        }

        resource "aws_iam_role_policy" "orders" {
          role   = aws_iam_role.orders.id
          policy = jsonencode({
            Statement = [{ Effect = "Allow", Action = ["dynamodb:GetItem", "dynamodb:PutItem"], Resource = aws_dynamodb_table.orders.arn }]
          })
        }
    """

    def run(self, ctx):
        roles: dict = {}  # role key -> the role
        callers: dict = {}  # role key -> function address -> the action groups and gateway targets calling it
        for call in tool_calls(ctx):
            if call.role is not None:
                # Two instances of a module have a role at the same address: they are two roles.
                key = (call.role.file, call.role.module, call.role.address)
                roles[key] = call.role
                function = address_from(call.role, call.function)
                name = address_from(call.role, call.holder) + call.name[len(call.holder.address):]
                names = callers.setdefault(key, {}).setdefault(function, [])
                if name not in names:
                    names.append(name)
        for key, functions in callers.items():
            role = roles[key]
            called_by = "; ".join(f"{function} (called by {', '.join(names)})"
                                  for function, names in functions.items())
            for grant, why in role_policy_set(ctx, role).write_breadth_grants():
                yield self.finding(
                    grant.holder,
                    f"{grant.describe()} gives tool role {role.address} {why}; the role runs agent tool"
                    f" Lambda {called_by}",
                    grant.path,
                )
