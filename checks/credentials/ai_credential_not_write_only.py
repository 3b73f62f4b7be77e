import json
from typing import Any, Iterator

from aiaas_iac.check import Check
from aiaas_iac.iam.agentcore import UNJUDGEABLE, nested
from aiaas_iac.iam.ai_secrets import ai_secrets
from aiaas_iac.iam.aws_resources import display_value
from aiaas_iac.model import Mappings, Severity, Unknown
from aiaas_iac.parsers.hcl_expressions import Call
from aiaas_iac.secrets import find_credential, is_placeholder
from aiaas_iac.terraform_instances import declared_resources

# Resource type -> (where the credential sits, the attribute that keeps it out of state). A path
# step ending in "*" is any vendor block whose name ends with the rest (`github_oauth2_provider_config`).
CREDENTIAL_ATTRIBUTES: dict[str, tuple[tuple[str, ...], str]] = {
    "aws_bedrockagentcore_api_key_credential_provider": (("api_key",), "api_key_wo"),
    "aws_bedrockagentcore_oauth2_credential_provider": (
        ("oauth2_provider_config", "*_oauth2_provider_config", "client_secret"),
        "client_secret_wo or client_secret_config"),
    "awscc_bedrockagentcore_api_key_credential_provider": (
        ("api_key",), "api_key_secret_config (awscc copies write-only properties into state)"),
    "awscc_bedrockagentcore_o_auth_2_credential_provider": (
        ("oauth_2_provider_config_input", "*_oauth_2_provider_config", "client_secret"), "client_secret_config"),
    "AWS::BedrockAgentCore::ApiKeyCredentialProvider": (
        ("ApiKey",), "a NoEcho parameter or a {{resolve:secretsmanager:…}} dynamic reference"),
    "AWS::BedrockAgentCore::OAuth2CredentialProvider": (
        ("Oauth2ProviderConfigInput", "*Oauth2ProviderConfig", "ClientSecret"),
        "ClientSecretConfig, a NoEcho parameter or a {{resolve:secretsmanager:…}} dynamic reference"),
}


# AI secret store entry type -> (resource holding the value, its value attribute, the attribute that
# names the secret (None: the entry holds its own value), the write-only alternative).
SECRET_VALUE_ATTRIBUTES = {
    "aws_secretsmanager_secret": ("aws_secretsmanager_secret_version", "secret_string", "secret_id", "secret_string_wo"),
    "google_secret_manager_secret": ("google_secret_manager_secret_version", "secret_data", "secret", "secret_data_wo"),
    "azurerm_key_vault_secret": ("azurerm_key_vault_secret", "value", None, "value_wo"),
}
_MAX_DEPTH = 20


def holds_credential(value: Any, depth: int = 0) -> bool:
    """True when a secret value written in Terraform is a credential: a reference (it lands in
    state), or a literal that is not empty, a placeholder or a dummy value, and that AIA501 does
    not already report. `jsonencode({...})` and JSON strings are judged by their values."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(value, Call) and value.name == "jsonencode" and len(value.args) == 1:
        return holds_credential(value.args[0], depth + 1)
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(holds_credential(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(holds_credential(v, depth + 1) for v in value)
    if not isinstance(value, str) or is_placeholder(value):
        return False
    if value.lstrip()[:1] == "{":
        try:
            return holds_credential(json.loads(value), depth + 1)
        except (ValueError, RecursionError):
            pass
    return find_credential(value) is None


def ai_secret_values(ctx) -> Iterator[tuple[Any, str, Any, str, str]]:
    """(resource, value attribute, value, write-only alternative, why the secret is an AI secret)
    for each value written into an AI secret."""
    for secret in ai_secrets(ctx):
        holder_type, attribute, link, alternative = SECRET_VALUE_ATTRIBUTES[secret.resource.type]
        if link is None:
            holders = [secret.evaluated]
        else:
            holders = [h for h in declared_resources(ctx, ctx.of_type(holder_type, format="terraform"))
                       if h.module == secret.resource.module
                       and any(r.address == secret.resource.address for r in ctx.referenced(h, h.get(link)))]
        for holder in holders:
            if attribute in holder.attributes:
                yield holder, attribute, holder.get(attribute), alternative, secret.reason


def credential_values(container: Any, steps: tuple[str, ...], path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """(attribute path, value) of each credential at `steps` inside `container` (blocks or objects)."""
    if not isinstance(container, dict):
        return
    step, rest = steps[0], steps[1:]
    if not rest:
        if step in container:
            yield path + (step,), container[step]
        return
    keys = [k for k in container if isinstance(k, str) and k.endswith(step[1:])] if step.startswith("*") else [step]
    for key in keys:
        for block_path, block in nested(container, key, path):
            if block is not UNJUDGEABLE:
                yield from credential_values(block, rest, block_path)


def no_echo_parameters(ctx) -> set[tuple[str, str]]:
    """(template, parameter) of each CloudFormation parameter declared with `NoEcho: true`."""
    return {(p.module, p.address) for p in ctx.of_kind("parameter", format="cloudformation")
            if str(p.get("NoEcho")).strip().lower() == "true"}


def kept_in_state(ctx, resource, value, hidden_parameters) -> bool:
    """True when `value` is a credential Terraform (or the CloudFormation template) keeps readable."""
    if isinstance(value, Unknown):
        if resource.format != "cloudformation":
            return True  # a variable or another resource's output lands in state all the same
        parameters = {p.address for p in ctx.of_kind("parameter", format="cloudformation")
                      if p.module == resource.module}
        # Only a Ref to a parameter is judged: GetAtt, ImportValue and the like stay unknown.
        return bool(value.refs) and all(r in parameters and (resource.module, r) not in hidden_parameters
                                        for r in value.refs)
    if not isinstance(value, str) or is_placeholder(value):
        return False  # empty, a template placeholder, a dynamic reference or a dummy value
    return find_credential(value) is None  # AIA501 already reports a key of a known format


class AiCredentialNotWriteOnly(Check):
    """A credential set in an attribute that Terraform keeps in state and plan, although a
    write-only alternative exists: AgentCore API-key and OAuth2 credential providers (`api_key`,
    `client_secret`), the value of an AI secret (`secret_string`, `secret_data`, Key Vault `value`),
    or the CloudFormation equivalents given as a literal or a parameter without `NoEcho`. Anyone
    who can read the state file or the plan can read the key."""

    code = "AIA504"
    slug = "ai-credential-not-write-only"
    severity = Severity.MEDIUM
    title = "AI credential stored where Terraform keeps it in state"
    formats = ("terraform", "cloudformation")
    mappings = Mappings("NHI2", "PR.DS-01", "CWE-312")
    why = """
        Terraform writes every ordinary attribute, marked sensitive or not, into its state file
        and plans in plain text; state is copied to backends, CI artifacts and laptops. Write-only
        attributes (`*_wo`) and secret-store references keep the key out of both. A literal or a
        visible CloudFormation parameter shows the key in the template and the console.
    """
    remediation = """
        Use the write-only attribute (`api_key_wo`, `client_secret_wo`) or a Secrets Manager
        reference (`api_key_secret_config`, `client_secret_config`); in CloudFormation use a
        `NoEcho` parameter or a `{{resolve:secretsmanager:…}}` dynamic reference.
    """
    failing_example = """
        resource "aws_bedrockagentcore_api_key_credential_provider" "openai" {
          name    = "openai"
          api_key = var.openai_api_key
        }
    """
    passing_example = """
        resource "aws_bedrockagentcore_api_key_credential_provider" "openai" {
          name               = "openai"
          api_key_wo         = var.openai_api_key
          api_key_wo_version = 1
        }
    """

    def run(self, ctx):
        hidden = no_echo_parameters(ctx)
        for resource in declared_resources(ctx, ctx.of_type(*CREDENTIAL_ATTRIBUTES)):
            steps, alternative = CREDENTIAL_ATTRIBUTES[resource.type]
            for path, value in credential_values(resource.attributes, steps):
                if not kept_in_state(ctx, resource, value, hidden):
                    continue
                exposure = ("the template or the stack's parameters show it" if resource.format == "cloudformation"
                            else "Terraform keeps it in state and plan")
                shown = f" ({display_value(value)})" if isinstance(value, Unknown) else ""
                yield self.finding(
                    resource,
                    f"{resource.address} sets {'.'.join(str(p) for p in path if not isinstance(p, int))}{shown}:"
                    f" {exposure}; use {alternative}",
                    path,
                )
        for holder, attribute, value, alternative, reason in ai_secret_values(ctx):
            if holds_credential(value):
                yield self.finding(
                    holder,
                    f"{holder.address} sets {attribute} of an AI secret ({reason}): Terraform keeps it in"
                    f" state and plan; use {alternative}",
                    (attribute,),
                )
