from aiaas_iac.check import Check
from aiaas_iac.iam.agentcore import UNJUDGEABLE, enum_text, is_set, nested
from aiaas_iac.model import Mappings, Severity
from aiaas_iac.iam.instances import created_instances

# Code interpreter type -> (network configuration block, network mode, execution role attribute).
INTERPRETER_FIELDS = {
    "aws_bedrockagentcore_code_interpreter": ("network_configuration", "network_mode", "execution_role_arn"),
    "awscc_bedrockagentcore_code_interpreter_custom": ("network_configuration", "network_mode", "execution_role_arn"),
    "AWS::BedrockAgentCore::CodeInterpreterCustom": ("NetworkConfiguration", "NetworkMode", "ExecutionRoleArn"),
}


class AgentcoreCodeInterpreterInternetWithRole(Check):
    """An AgentCore code interpreter in `PUBLIC` network mode that also has an execution role
    (`aws_bedrockagentcore_code_interpreter`, `awscc_bedrockagentcore_code_interpreter_custom`,
    `AWS::BedrockAgentCore::CodeInterpreterCustom`). Code the model writes then runs with AWS
    credentials and open internet egress: a prompt injection can send data or credentials anywhere."""

    code = "AIA117"
    slug = "agentcore-code-interpreter-internet-with-role"
    severity = Severity.MEDIUM
    title = "AgentCore code interpreter with internet access and an execution role"
    formats = ("terraform", "cloudformation")
    mappings = Mappings("NHI8", "PR.IR-01", "CWE-668")
    why = """
        A code interpreter runs whatever code the model produces, and the model follows text it
        reads. With an execution role the code can read AWS data; with PUBLIC networking it can
        post that data to any host. Either alone is contained; together they are an exfiltration path.
    """
    remediation = """
        Use `network_mode = "SANDBOX"` (the CloudFormation default) or `"VPC"` with egress you
        control, or drop `execution_role_arn` when the code needs no AWS access.
    """
    failing_example = """
        resource "aws_bedrockagentcore_code_interpreter" "analyst" {
          name               = "analyst_interpreter"
          execution_role_arn = aws_iam_role.interpreter.arn
          network_configuration {
            network_mode = "PUBLIC"
          }
        }
    """
    passing_example = """
        resource "aws_bedrockagentcore_code_interpreter" "analyst" {
          name               = "analyst_interpreter"
          execution_role_arn = aws_iam_role.interpreter.arn
          network_configuration {
            network_mode = "SANDBOX"
          }
        }
    """

    def run(self, ctx):
        for resource in ctx.of_type(*INTERPRETER_FIELDS):
            block_key, mode_key, role_key = INTERPRETER_FIELDS[resource.type]
            for address, interpreter in created_instances(ctx, resource):
                if not is_set(interpreter.get(role_key)):
                    continue
                found = next((path for path, network in nested(interpreter.attributes, block_key, (), ctx, interpreter)
                              if network is not UNJUDGEABLE and enum_text(network.get(mode_key)) == "PUBLIC"), None)
                if found is None:
                    continue
                yield self.finding(
                    resource,
                    f"{address} runs model-written code with internet access ({mode_key} = PUBLIC)"
                    f" and an execution role ({role_key})",
                    found + (mode_key,),
                )
                break  # one finding per block, naming the first instance
