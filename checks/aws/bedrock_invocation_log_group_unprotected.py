from aiaas_iac.check import Check
from aiaas_iac.context import address_from
from aiaas_iac.iam.agentcore import UNJUDGEABLE, nested
from aiaas_iac.model import Mappings, Severity, Unknown
from aiaas_iac.terraform_instances import declared_resources

LOGGING_TYPE = "aws_bedrock_model_invocation_logging_configuration"
LOG_GROUP_TYPE = "aws_cloudwatch_log_group"


def invocation_log_group_names(config) -> list:
    """The `log_group_name` values of a logging configuration's CloudWatch destinations."""
    names = []
    for _, logging in nested(config.attributes, "logging_config"):
        if logging is UNJUDGEABLE:
            continue
        for _, cloudwatch in nested(logging, "cloudwatch_config"):
            if cloudwatch is not UNJUDGEABLE and "log_group_name" in cloudwatch:
                names.append(cloudwatch["log_group_name"])
    return names


def invocation_log_groups(ctx, config) -> list:
    """The log groups declared in this configuration that `config` sends invocation logs to: by
    reference (`aws_cloudwatch_log_group.X.name`) or by equal resolved name."""
    groups = list(declared_resources(ctx, ctx.of_type(LOG_GROUP_TYPE, format="terraform")))
    found = []
    for name in invocation_log_group_names(config):
        if isinstance(name, Unknown):
            # By reference, also to a log group of another module instance (module_tree.crossed).
            referenced = {(r.file, r.module, r.address) for r in ctx.referenced(config, name) if r.type == LOG_GROUP_TYPE}
            matches = [g for g in groups if (g.file, g.module, g.address) in referenced]
        elif isinstance(name, str) and name:
            matches = [g for g in groups if g.get("name") == name]
        else:
            matches = []
        found.extend(g for g in matches if g not in found)
    return found


def unprotected_causes(group) -> list[tuple[str, tuple]]:
    """(cause, attribute path) for each protection the log group lacks; unresolved values are not causes."""
    causes = []
    retention = group.get("retention_in_days")
    if retention is None or (isinstance(retention, (int, float, str)) and str(retention).strip() in ("0", "0.0")):
        shown = "absent" if retention is None else "0"
        causes.append((f"its retention_in_days is {shown} (the prompts it records never expire)", ("retention_in_days",)))
    key = group.get("kms_key_id")
    if key is None or (isinstance(key, str) and not key.strip()):
        causes.append(("it has no kms_key_id", ("kms_key_id",)))
    return causes


class BedrockInvocationLogGroupUnprotected(Check):
    """The CloudWatch log group that Bedrock model invocation logging writes to
    (`aws_bedrock_model_invocation_logging_configuration` → `cloudwatch_config.log_group_name`)
    keeps its logs forever (`retention_in_days` absent or `0`) or is not encrypted with a customer
    managed key (no `kms_key_id`). Those logs hold every prompt and response."""

    code = "AIA119"
    slug = "bedrock-invocation-log-group-unprotected"
    severity = Severity.LOW
    title = "Bedrock invocation log group without retention or KMS key"
    formats = ("terraform",)
    mappings = Mappings("NHI6", "PR.DS-01", "CWE-532")
    why = """
        Invocation logs copy every prompt and response, including the personal data, documents
        and secrets users paste into them. Kept forever and readable by anyone with log access,
        they become the largest store of sensitive text in the account.
    """
    remediation = """
        Give the log group a `retention_in_days` that matches your data-retention policy and a
        `kms_key_id` naming a customer managed key whose policy allows CloudWatch Logs to use it.
    """
    failing_example = """
        resource "aws_cloudwatch_log_group" "bedrock" {
          name = "/aws/bedrock/invocations"
        }

        resource "aws_bedrock_model_invocation_logging_configuration" "this" {
          logging_config {
            cloudwatch_config {
              log_group_name = aws_cloudwatch_log_group.bedrock.name
              role_arn       = aws_iam_role.bedrock_logging.arn
            }
          }
        }
    """
    passing_example = """
        resource "aws_cloudwatch_log_group" "bedrock" {
          name              = "/aws/bedrock/invocations"
          retention_in_days = 90
          kms_key_id        = aws_kms_key.logs.arn
        }
    """

    def run(self, ctx):
        reported = set()
        # Per configuration: the logging configuration names a log group of its own root or modules.
        for _, configuration in ctx.configuration_contexts():
            for config in configuration.of_type(LOGGING_TYPE, format="terraform"):
                for group in invocation_log_groups(configuration, config):
                    key = (group.file, group.module, group.address, group.span.start_line)
                    causes = unprotected_causes(group)
                    if not causes or key in reported:
                        continue
                    reported.add(key)
                    yield self.finding(
                        group,
                        f"{group.address} receives Bedrock invocation logs from {address_from(group, config)}, but "
                        + " and ".join(cause for cause, _ in causes),
                        causes[0][1] if group.has(*causes[0][1]) else (),
                    )
