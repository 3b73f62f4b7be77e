from aiaas_iac.check import Check
from aiaas_iac.iam.aws_identities import USER, bedrock_granting_policies
from aiaas_iac.iam.aws_resources import display_value
from aiaas_iac.model import Mappings, Severity, Unknown

BEDROCK_SERVICE = "bedrock.amazonaws.com"
# AWS's sample SCP denies Bedrock API keys that live longer than this (S7c): shorter ones are not findings.
SHORT_LIVED_DAYS = 30
NEVER_EXPIRES = "never expires"
# Access key resource type -> attribute naming its IAM user.
ACCESS_KEY_USER_ATTRIBUTES = {"aws_iam_access_key": "user", "AWS::IAM::AccessKey": "UserName"}


def _user_text(ctx, near, value) -> str:
    """The user a credential belongs to, for messages: the user resource it refers to, or its name."""
    referenced = ctx.referenced(near, value)
    if referenced:
        return referenced[0].address
    return display_value(value) if isinstance(value, Unknown) else str(value)


def api_key_lifetime(credential) -> str | None:
    """What a message says of a Bedrock API key's lifetime ("never expires", "expires after 90 days"),
    or None when it is at most SHORT_LIVED_DAYS days or cannot be known (unknown never makes a
    finding: `credential_age_days = var.days` may well be 30)."""
    if not credential.has("credential_age_days"):
        return NEVER_EXPIRES  # the IAM API: "When not specified, the credential will not expire"
    age = credential.get("credential_age_days")
    if isinstance(age, str) and age.strip().isdigit():
        age = int(age.strip())
    if age is None:
        return NEVER_EXPIRES
    if isinstance(age, float) and age.is_integer():
        age = int(age)
    if isinstance(age, int) and not isinstance(age, bool):
        return None if age <= SHORT_LIVED_DAYS else f"expires after {age} days"
    return None


class BedrockLongLivedCredential(Check):
    """A long-lived credential that can call Bedrock: a Bedrock API key
    (`aws_iam_service_specific_credential` for `bedrock.amazonaws.com`) that never expires or lives
    longer than 30 days (`credential_age_days`), or an IAM access key for a user whom a policy in
    the same module or template grants any Bedrock action, directly or through a group the user is
    put in there."""

    code = "AIA107"
    slug = "bedrock-long-lived-credential"
    severity = Severity.HIGH
    title = "Long-lived credential with Bedrock access"
    formats = ("terraform", "cloudformation")
    mappings = Mappings("NHI7", "PR.AA-01", "CWE-798")
    why = """
        Static keys do not expire, end up in CI variables, laptops and application config, and
        are the credentials attackers search for to run models on someone else's account.
        Creating them in IaC also writes the secret into Terraform state.
    """
    remediation = """
        Give workloads an IAM role (instance profile, IRSA/EKS Pod Identity, Lambda or ECS task
        role, IAM Roles Anywhere) and call Bedrock with temporary credentials; use short-term
        Bedrock API keys generated at runtime instead of service-specific credentials. If a
        Bedrock API key must be declared, set `credential_age_days` to 30 or less.
    """
    failing_example = """
        resource "aws_iam_service_specific_credential" "chatbot" {
          service_name = "bedrock.amazonaws.com"
          user_name    = aws_iam_user.chatbot.name
        }
    """
    passing_example = """
        resource "aws_iam_role" "chatbot" {
          name               = "chatbot"
          assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
        }
    """

    def run(self, ctx):
        for credential in ctx.of_type("aws_iam_service_specific_credential", format="terraform"):
            service = credential.get("service_name")
            if not (isinstance(service, str) and service.strip().lower() == BEDROCK_SERVICE):
                continue
            lifetime = api_key_lifetime(credential)
            if lifetime is None:
                continue
            yield self.finding(
                credential,
                f"{credential.address} creates a long-lived Bedrock API key for user"
                f" {_user_text(ctx, credential, credential.get('user_name'))}; it {lifetime}",
                ("service_name",),
            )
        for key in ctx.of_type(*ACCESS_KEY_USER_ATTRIBUTES):
            attribute = ACCESS_KEY_USER_ATTRIBUTES[key.type]
            user = key.get(attribute)
            granting = bedrock_granting_policies(ctx, key, USER, user)
            if granting:
                yield self.finding(
                    key,
                    f"{key.address} is a long-lived access key for user {_user_text(ctx, key, user)}, who is granted"
                    f" Bedrock actions by {', '.join(p.describe() for p in granting)}; it {NEVER_EXPIRES}",
                    (attribute,),
                )
