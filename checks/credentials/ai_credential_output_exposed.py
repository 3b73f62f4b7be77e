import re
from typing import Any, Iterator

from aiaas_iac.check import Check
from aiaas_iac.context import ScanContext, address_of_ref
from aiaas_iac.iam.azure_keys import account_key_attributes, key_source
from aiaas_iac.model import Mappings, Resource, Severity, Unknown

# Resource type -> the attributes that hold the secret itself (the main one first). Azure AI
# account keys and azapi `listKeys` results come from `account_key_attributes`.
SECRET_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "aws_iam_access_key": ("secret", "ses_smtp_password_v4"),
    "aws_iam_service_specific_credential": ("service_password", "service_credential_secret"),
    "google_service_account_key": ("private_key",),
    "google_apikeys_key": ("key_string",),  # a Gemini / Vertex AI API key (CHECKS.md amendment 4)
    "AWS::IAM::AccessKey": ("SecretAccessKey",),
}
# Wrapping a secret in these outputs a digest or a size, not the secret.
_DIGEST_CALL = re.compile(r"\b(md5|sha1|sha256|sha512|base64sha256|base64sha512|bcrypt|length)\s*\(")


def secret_attributes(ctx: ScanContext, target: Resource) -> tuple[str, ...]:
    """The attributes of `target` that are secrets (empty when it holds none this check knows).

    An Azure account counts only when it is certainly an AI account (kind OpenAI or
    AIServices): an unresolved kind is not guessed into one.
    """
    return SECRET_ATTRIBUTES.get(target.type) or account_key_attributes(ctx, target)


def _mentions(text: str, address: str) -> Iterator[tuple[str | None, str]]:
    """For each mention of `address` in an expression: the attribute read from it (None: none)
    and the character that follows (blanks skipped; "" at the end). Splats and for-expressions
    reach the parser as opaque text, so `aws_iam_access_key.ci[*].secret` keeps its attribute
    only there.

    The expression is the scanned repository's: each mention costs a bounded amount of work
    (an index is at most 200 characters, and the text after it is never copied), so an output
    repeating a reference 30,000 times stays linear."""
    pattern = re.compile(
        r"(?<![\w.])" + re.escape(address)
        + r"(?:\[[^\]]{0,200}\])*+(?:\.\*)?(?:\.(?P<attribute>[A-Za-z_][\w-]*+))?[ \t]*+"
    )
    for match in pattern.finditer(text):
        yield match.group("attribute"), text[match.end():match.end() + 1]


def exposed_attributes(ctx: ScanContext, output: Resource, value: Unknown) -> list[tuple[str, str]]:
    """(resource address as referenced, secret attribute) pairs the output value reveals. A plan's
    reference to one instance (`x[1].secret`) finds its block at the first instance: the address
    is the referenced block's, like in the source."""
    found: list[tuple[str, str]] = []
    # Only what the output itself references: a module output it passes on (whose references
    # crossed the module boundary, `$module.`) is reported at that module's output.
    candidates = {address_of_ref(ref, output.format) for ref in value.refs if not ref.startswith("$")}
    candidates.update(m.group(0) for m in re.finditer(r"(?<![\w.])(?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][\w-]*", value.text))
    for address in sorted(candidates):
        target = ctx.lookup(output, address)
        secrets = secret_attributes(ctx, target) if target is not None else ()
        if not secrets:
            continue
        revealed = _revealed(value, address, secrets, output.format)
        found.extend((address, attribute) for attribute in revealed)
    return found


def _revealed(value: Unknown, address: str, secrets: tuple[str, ...], format: str) -> list[str]:
    """The secret attributes of `address` that `value` reads (the whole object counts as its main one)."""
    revealed: list[str] = []
    for ref in value.refs:
        if address_of_ref(ref, format) == address:
            parts = ref.replace("[", ".[").split(".")[len(address.split(".")):]
            revealed += [p for p in parts if p in secrets]
    if format == "terraform":
        mentions = list(_mentions(value.text, address))
        for attribute, following in mentions:
            # The object itself, not passed to a function (`length(x)` reveals nothing).
            if attribute is None and following in ("", ",", "}", "]", "\n"):
                revealed.append(secrets[0])
        if mentions:  # also `for k, v in x : v.secret` and `values(x)[0].secret`
            revealed += [s for s in secrets if re.search(r"\." + re.escape(s) + r"\b", value.text)]
    return list(dict.fromkeys(revealed))


def unknowns_in(value: Any, path: tuple) -> Iterator[tuple[tuple, Unknown]]:
    """(path, expression) for every expression inside an output value: `{ id = x.id, key = x.secret }` holds two."""
    if isinstance(value, Unknown):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from unknowns_in(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unknowns_in(item, path + (index,))


class AiCredentialOutputExposed(Check):
    """A Terraform output without `sensitive = true`, or a CloudFormation output, returns a secret:
    an IAM access key's secret, a Bedrock API key (service-specific credential), a GCP service
    account private key, a Google API key's `key_string`, or an Azure OpenAI / AI Services
    account key."""

    code = "AIA502"
    slug = "ai-credential-output-exposed"
    severity = Severity.HIGH
    title = "Secret key returned as a plain output"
    formats = ("terraform", "cloudformation", "bicep", "arm")
    mappings = Mappings("NHI2", "PR.DS-01", "CWE-200")
    why = """
        Outputs are printed after every `terraform apply` and shown in CI logs, returned by
        `terraform output` to anyone who can read the state, and CloudFormation outputs are
        visible to anyone allowed `cloudformation:DescribeStacks`. A key placed there is
        effectively published to everyone who can see a pipeline run.
    """
    remediation = """
        Do not output secrets. Write the key to a secret store (Secrets Manager, Key Vault,
        Secret Manager) inside the configuration and output only its ARN or ID. If a module
        must return it, mark the output `sensitive = true` and never wrap it in `nonsensitive()`.
    """
    failing_example = """
        resource "aws_iam_access_key" "ci" {
          user = aws_iam_user.ci.name
        }

        output "ci_secret_access_key" {
          value = nonsensitive(aws_iam_access_key.ci.secret)
        }
    """
    passing_example = """
        resource "aws_secretsmanager_secret_version" "ci" {
          secret_id     = aws_secretsmanager_secret.ci.id
          secret_string = aws_iam_access_key.ci.secret
        }

        output "ci_secret_arn" {
          value = aws_secretsmanager_secret.ci.arn
        }
    """

    def _arm_output(self, ctx, output: Resource):
        """A Bicep/ARM output that is not `@secure()` (ARM: `secureString`/`secureObject`) whose
        value reads an AI account's `listKeys()` or a search service's admin keys."""
        if output.get("secure") is not False:
            return
        for path, expression in unknowns_in(output.get("value"), ("value",)):
            source = key_source(ctx, output, expression)
            if source is not None:
                owner, key = source
                marker = "@secure()" if output.format == "bicep" else "type secureString"
                yield self.finding(output, f"{output.address} returns {owner.address}'s {key} without {marker}",
                                   path, detail=f"{owner.address}.{key}")
                return

    def run(self, ctx):
        for output in ctx.of_kind("output"):
            if output.format in ("bicep", "arm"):
                yield from self._arm_output(ctx, output)
                continue
            if output.format == "terraform" and output.get("sensitive", default=False) is not False:
                continue  # true, or unknown: never guess toward a finding
            key = "value" if output.format == "terraform" else "Value"
            exposed: dict[tuple[str, str], tuple] = {}
            for path, expression in unknowns_in(output.get(key), (key,)):
                if _DIGEST_CALL.search(expression.text):
                    continue
                for address, attribute in exposed_attributes(ctx, output, expression):
                    exposed.setdefault((address, attribute), path)
            for (address, attribute), path in exposed.items():
                yield self.finding(output, self._message(output, address, attribute), path,
                                   detail=f"{address}.{attribute}")

    @staticmethod
    def _message(output: Resource, address: str, attribute: str) -> str:
        if output.format == "terraform":
            return f"{output.address} returns {address}.{attribute} without sensitive = true"
        return f"{output.address} returns the secret access key of {address} ({address}.{attribute})"
