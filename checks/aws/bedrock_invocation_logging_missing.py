from aiaas_iac.check import Check
from aiaas_iac.context import configuration_identity, configuration_note
from aiaas_iac.iam.actions import BEDROCK_FULL_ACCESS, INVOKE_ACTIONS
from aiaas_iac.iam.aws_documents import identity_documents, is_managed_policy, policy_attachments
from aiaas_iac.iam.aws_logging import LOGGING_TYPE, logging_defect
from aiaas_iac.model import Mappings, Severity

BEDROCK_RESOURCE_TYPES = ("aws_bedrock*", "awscc_bedrock*")  # aws_bedrock* covers aws_bedrockagent*


def first_bedrock_use(ctx):
    """(resource, attribute path, description) of the first block that uses Bedrock, by file and line."""
    from aiaas_iac.terraform_instances import declared

    # A block whose `count`/`for_each` certainly creates nothing (`create_bda = false`) uses nothing.
    uses = [(r, (), f"{r.address} uses Bedrock") for r in ctx.of_type(*BEDROCK_RESOURCE_TYPES, format="terraform")
            if declared(ctx, r) is not None]
    for document in identity_documents(ctx):
        for statement in document.statements:
            if statement.resource.format == "terraform" and statement.grants_any(INVOKE_ACTIONS):
                uses.append((statement.resource, statement.path, f"{statement.resource.address} grants Bedrock invoke"))
    for attachment in policy_attachments(ctx):
        holder = attachment.resource
        if holder.format == "terraform" and is_managed_policy(ctx, holder, attachment.arn, BEDROCK_FULL_ACCESS):
            uses.append((holder, attachment.path, f"{holder.address} attaches {BEDROCK_FULL_ACCESS}"))
    if not uses:
        return None
    return min(uses, key=lambda use: (use[0].file, use[0].span_of(*use[1]).start_line))


class BedrockInvocationLoggingMissing(Check):
    """Terraform that uses Bedrock (a Bedrock resource, or a policy granting model invocation)
    but declares no `aws_bedrock_model_invocation_logging_configuration`, or one that sends logs
    nowhere or leaves out text data. Judged per configuration (a root with the modules it calls):
    reported once for each that misses it."""

    code = "AIA104"
    slug = "bedrock-invocation-logging-missing"
    severity = Severity.MEDIUM
    title = "Bedrock model invocation logging is not enabled"
    formats = ("terraform",)
    mappings = Mappings("NHI6", "PR.PS-04", "CWE-778")
    why = """
        Bedrock records nothing about who invoked which model with which prompt unless model
        invocation logging is configured per region. Without it, abuse of a leaked key, prompt
        injection against an agent or data leaving through a model cannot be investigated.
    """
    remediation = """
        Declare `aws_bedrock_model_invocation_logging_configuration` with a `cloudwatch_config`
        or `s3_config` destination and keep `text_data_delivery_enabled` at its default `true`.
    """
    failing_example = """
        resource "aws_bedrockagent_agent" "support" {
          agent_name              = "support"
          agent_resource_role_arn = aws_iam_role.agent.arn
          foundation_model        = "anthropic.claude-3-5-haiku-20241022-v1:0"
        }
    """
    passing_example = """
        resource "aws_bedrock_model_invocation_logging_configuration" "this" {
          logging_config {
            cloudwatch_config {
              log_group_name = aws_cloudwatch_log_group.bedrock.name
              role_arn       = aws_iam_role.bedrock_logging.arn
            }
          }
        }
    """

    def run(self, ctx):
        # Per configuration (a root with the modules it calls): logging in envs/prod does not cover envs/dev.
        for name, configuration in ctx.configuration_contexts():
            yield from self.judge(configuration, name)

    def judge(self, ctx, name):
        from aiaas_iac.terraform_instances import declared_resources

        # A logging block whose count/for_each creates nothing in this configuration
        # (`count = var.enable_logging ? 1 : 0`, the caller passing false) records nothing.
        configs = list(declared_resources(ctx, ctx.of_type(LOGGING_TYPE, format="terraform")))
        defective = [(config, defect) for config in configs if (defect := logging_defect(config)) is not None]
        if defective:
            config, (cause, path) = defective[0]
            message = f"{config.address} {cause}: Bedrock prompts and responses are not recorded"
            yield self.finding(config, message, path)
            return
        if configs:
            return
        use = first_bedrock_use(ctx)
        if use is not None:
            resource, path, description = use
            # The finding belongs to the whole scan, not to the block it is shown at: its identity
            # keeps its fingerprint (and baseline entry) when that block moves or files are renamed.
            yield self.finding(
                resource,
                f"{description} but no {LOGGING_TYPE} is declared: model invocations are not recorded"
                + configuration_note(name),
                path, detail="missing", identity=configuration_identity("bedrock-invocation-logging-missing", name),
            )
