import re

from aiaas_iac.check import Check
from aiaas_iac.iam.ai_secrets import ai_secrets
from aiaas_iac.iam.azure import block_list
from aiaas_iac.model import Mappings, Severity, Unknown
from aiaas_iac.terraform_instances import declared

MAX_ROTATION_DAYS = 90
MAX_ROTATION_SECONDS = 90 * 24 * 3600  # "7776000s"
_RATE_DAYS = re.compile(r"^\s*rate\(\s*(\d{1,9})\s+days?\s*\)\s*$", re.IGNORECASE)
_SECONDS = re.compile(r"^\s*(\d{1,15})(?:\.\d+)?s\s*$")


class AISecretWithoutRotation(Check):
    """A secret-store entry that holds an AI service key (an AI secret: named like one, storing
    one under an AI credential name, or read by an AI consumer) has no rotation or lifetime
    bound: a Secrets Manager secret without a rotation, or rotated less often than every 90
    days; a Secret Manager secret without `rotation` or with a `rotation_period` over 90 days;
    a Key Vault secret without `expiration_date`. Unresolved values are not judged."""

    code = "AIA503"
    slug = "ai-secret-without-rotation"
    severity = Severity.LOW
    title = "AI secret without rotation or expiry"
    formats = ("terraform",)
    mappings = Mappings("NHI7", "PR.AA-01", "CWE-262")
    why = """
        AI provider keys are bearer credentials that work from anywhere and bill to you. A key
        that is never rotated and never expires stays valid in every copy that ever leaked
        (logs, laptops, old deployments), so an old leak keeps paying off. Low severity:
        third-party AI keys are often rotated outside Terraform.
    """
    remediation = """
        Add an `aws_secretsmanager_secret_rotation` with `automatically_after_days` of 90 or
        less; a `rotation { rotation_period = "7776000s" }` (or shorter) with a Pub/Sub topic
        on the Google secret; an `expiration_date` on the Key Vault secret, and rotate the
        key at the provider before it expires.
    """
    failing_example = """
        resource "aws_secretsmanager_secret" "openai" {
          name = "prod/openai-api-key"
        }
    """
    passing_example = """
        resource "aws_secretsmanager_secret" "openai" {
          name = "prod/openai-api-key"
        }

        resource "aws_secretsmanager_secret_rotation" "openai" {
          secret_id           = aws_secretsmanager_secret.openai.id
          rotation_lambda_arn = aws_lambda_function.rotate_openai.arn
          rotation_rules {
            automatically_after_days = 30
          }
        }
    """

    def run(self, ctx):
        for secret in ai_secrets(ctx):
            judge = {"aws_secretsmanager_secret": self._aws, "google_secret_manager_secret": self._google,
                     "azurerm_key_vault_secret": self._azure}[secret.resource.type]
            result = judge(ctx, secret)
            if result is not None:
                cause, resource, path = result
                yield self.finding(resource, f"{secret.resource.address} holds an AI key ({secret.reason}) "
                                             f"and {cause}", path, detail="rotation")

    @staticmethod
    def _aws(ctx, secret):
        rotations, unknown = [], False
        for resource in ctx.in_module(secret.resource):
            if resource.kind != "resource" or resource.type != "aws_secretsmanager_secret_rotation":
                continue
            target = resource.attributes.get("secret_id")
            referenced = [r for r in (ctx.referenced(resource, target) if isinstance(target, Unknown) else [])
                          if r.type == "aws_secretsmanager_secret"]
            if any(r is secret.resource for r in referenced):
                rotations.append(resource)
            elif not referenced:
                unknown = True  # a literal or unresolved secret_id may name this secret
        if not rotations:
            return None if unknown else ("has no aws_secretsmanager_secret_rotation", secret.resource, ())
        for rotation in rotations:
            evaluated = declared(ctx, rotation) or rotation
            for index, rules in enumerate(block_list(evaluated.attributes.get("rotation_rules"))):
                days, schedule = rules.get("automatically_after_days"), rules.get("schedule_expression")
                rate = _RATE_DAYS.match(schedule) if isinstance(schedule, str) else None
                interval = days if isinstance(days, int) and not isinstance(days, bool) else (
                    int(rate.group(1)) if rate else None)
                if interval is not None and interval <= MAX_ROTATION_DAYS:
                    return None
                if interval is None:
                    return None  # unresolved, or a cron schedule
                attribute = "automatically_after_days" if rate is None else "schedule_expression"
                return (f"{rotation.address} rotates it only every {interval} days (more than {MAX_ROTATION_DAYS})",
                        rotation, ("rotation_rules", index, attribute))
        return None  # a rotation without rules is not judged

    @staticmethod
    def _google(ctx, secret):
        blocks = block_list(secret.evaluated.attributes.get("rotation"))
        if not blocks:
            if "dynamic" in secret.evaluated.attributes:
                return None
            return "has no rotation block", secret.resource, ()
        period = blocks[0].get("rotation_period")
        match = _SECONDS.match(period) if isinstance(period, str) else None
        if match and int(match.group(1)) > MAX_ROTATION_SECONDS:
            return (f'sets rotation.rotation_period = "{period}" (more than 90 days, "7776000s")',
                    secret.resource, ("rotation", 0, "rotation_period"))
        return None

    @staticmethod
    def _azure(ctx, secret):
        if secret.evaluated.attributes.get("expiration_date") is None:
            return "has no expiration_date", secret.resource, ()
        return None
