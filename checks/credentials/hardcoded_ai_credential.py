import dataclasses
import re
from collections.abc import Mapping
from typing import Any, Iterator

from aiaas_iac.check import Check
from aiaas_iac.model import Finding, Location, Mappings, Resource, Severity, Span, Unknown
from aiaas_iac.parsers.hcl_expressions import Call, Template, Traversal
from aiaas_iac.secrets import MIN_CREDENTIAL_CHARS, CredentialMatch, decode_base64_text, find_credentials


def _step(container: Any, key: Any) -> str:
    """How one path step reads in a message: `.key`, `[name]` for named list items, `[2]`."""
    if not isinstance(key, int):
        return f".{key}"
    item = container[key] if isinstance(container, list) and 0 <= key < len(container) else None
    if isinstance(item, Mapping) and isinstance(item.get("name"), str):
        return f"[{item['name']}]"
    if isinstance(container, list) and len(container) == 1 and isinstance(item, Mapping):
        return ""  # a Terraform nested block written once: `environment.variables`, not `environment[0]`
    return f"[{key}]"


_NOT_TEXT = frozenset({int, float, bool, type(None)})


def literal_strings(value: Any, path: tuple = (), shown: str = "", min_length: int = 0) -> list[tuple[tuple, str, str]]:
    """(path, path as text, string) for every string written literally inside `value`, depth first,
    leaving out strings of a mapping or list shorter than `min_length`.

    References (`var.x`) are not literals; function arguments and the literal parts of
    a string template are. An expression kept only as text is searched as text.
    """
    # Every value of every resource passes through here: one loop over an explicit stack, exact
    # types tested first (isinstance against an ABC is slower, and a chain of generators slower still).
    found: list[tuple[tuple, str, str]] = []
    stack = [(value, path, shown)]
    while stack:
        value, path, shown = stack.pop()
        kind = type(value)
        if kind is str:
            found.append((path, shown, value))
            continue
        if kind in _NOT_TEXT:
            continue
        if kind is dict or (kind is not list and isinstance(value, Mapping)):
            children = [(item, path + (key,), f"{shown}.{key}" if type(key) is str else shown + _step(value, key))
                        for key, item in value.items() if key != "__labels__" and type(item) not in _NOT_TEXT
                        and (type(item) is not str or len(item) >= min_length)]
        elif isinstance(value, list):
            children = [(item, path + (index,), shown + _step(value, index))
                        for index, item in enumerate(value) if type(item) not in _NOT_TEXT
                        and (type(item) is not str or len(item) >= min_length)]
        elif isinstance(value, Call):
            children = [(argument, path, shown) for argument in value.args]
        elif isinstance(value, Template):
            children = [(part, path, shown) for part in value.parts]
        elif isinstance(value, str):
            found.append((path, shown, value))
            continue
        elif isinstance(value, Unknown) and not isinstance(value, Traversal):
            found.append((path, shown, value.text))
            continue
        else:
            continue
        stack.extend(reversed(children))
    return found


def line_inside(finding: Finding, text: str, offset: int) -> Finding:
    """Point into a multi-line value (a heredoc, a YAML block scalar) at the line holding the key.

    Such a value starts on the line after its attribute; anything else keeps the attribute's line.
    """
    span = finding.location.span
    newlines = text.count("\n")
    if not newlines or span.end_line - span.start_line < newlines:
        return finding
    line = min(span.start_line + 1 + text.count("\n", 0, offset), span.end_line)
    return dataclasses.replace(finding, location=Location(finding.location.file, Span(line, line)))


_MIN_ENCODED_LENGTH = 28  # base64 of the shortest key format (20 characters)


def with_base64_decoded(values: Iterator[tuple[tuple, str, str]]) -> Iterator[tuple[tuple, str, str, bool]]:
    """Each value, then its base64 decoding when it is base64 of text: Secret `data`, EC2
    `user_data_base64`, CloudFormation `Fn::Base64`. The flag says the text was decoded."""
    for path, shown, text in values:
        yield path, shown, text, False
        if len(text) >= _MIN_ENCODED_LENGTH and " " not in text.strip():
            decoded = decode_base64_text(text)
            if decoded is not None:
                yield path, f"{shown} (base64-decoded)", decoded, True


def parameter_default_tokens(ctx) -> dict[tuple[str, str], set[str]]:
    """Credentials that reach a template through a parameter, by template (module instance):
    CloudFormation parameter defaults, and Bicep/ARM parameter values (defaults, a caller's
    module `params`, a parameter file). They are reported where they are written."""
    tokens: dict[tuple[str, str], set[str]] = {}
    parameters = [(p, p.get("Default")) for p in ctx.of_kind("parameter", format="cloudformation")]
    parameters += [(p, p.get("value")) for fmt in ("bicep", "arm") for p in ctx.of_kind("param", format=fmt)]
    for parameter, value in parameters:
        for _, _, text in literal_strings(value, min_length=MIN_CREDENTIAL_CHARS):
            tokens.setdefault((parameter.format, parameter.module), set()).update(c.token for c in find_credentials(text))
    return tokens


# A workload's own path prefix adds nothing to a message: `containers[api].env[X].value` says it.
_POD_SPEC_PREFIX = re.compile(r"^spec\.(?:jobTemplate\.spec\.)?(?:template\.spec\.)?(?=(?:initContainers|containers)\[)")


class HardcodedAiCredential(Check):
    """A string written in the infrastructure code is a live-format AI or cloud credential: an
    OpenAI, Anthropic, Google, Hugging Face, Groq, Replicate, xAI or Bedrock API key, or an AWS
    access key ID. Variable defaults, locals, tfvars, CloudFormation parameter defaults,
    manifest values and base64 Secret data are all searched; one finding per value."""

    code = "AIA501"
    slug = "hardcoded-ai-credential"
    severity = Severity.CRITICAL
    title = "AI or cloud credential hardcoded in infrastructure code"
    formats = ("terraform", "cloudformation", "kubernetes", "bicep", "arm")
    mappings = Mappings("NHI2", "PR.DS-01", "CWE-798")
    why = """
        A key committed to a repository is readable by everyone with access to it, its forks,
        its CI logs and its history, and stays valid until someone rotates it. Leaked model
        API keys are harvested within minutes and used to run up bills (LLMjacking) or to read
        the data the key can reach. Terraform also copies such values into its state file.
    """
    remediation = """
        Revoke and rotate the key now: removing it from the code does not remove it from
        history. Then keep it in a secret store (AWS Secrets Manager, Azure Key Vault, GCP
        Secret Manager, an External Secret) and reference it at deploy or run time, or better,
        replace the key with workload identity (IAM roles, managed identities, service
        account impersonation).
    """
    failing_example = """
        resource "aws_lambda_function" "chat" {
          function_name = "chat"
          role          = aws_iam_role.chat.arn
          environment {
            variables = {
              OPENAI_API_KEY = "sk-proj-…"   # a real project key, 164 characters
            }
          }
        }
    """
    passing_example = """
        resource "aws_lambda_function" "chat" {
          function_name = "chat"
          role          = aws_iam_role.chat.arn
          environment {
            variables = {
              OPENAI_API_KEY_SECRET_ARN = aws_secretsmanager_secret.openai.arn
            }
          }
        }
    """

    def run(self, ctx):
        declared = parameter_default_tokens(ctx)
        for resource in ctx.resources:
            # CloudFormation resolves `!Ref Param` to the parameter's default: that key was
            # reported at the parameter, where it is written.
            reported = set(declared.get((resource.format, resource.module), ())) \
                if resource.kind not in ("parameter", "param") else set()
            for path, shown, text, decoded in with_base64_decoded(self._values(resource)):
                credentials = [c for c in find_credentials(text) if c.token not in reported]
                if credentials:
                    reported.update(c.token for c in credentials)
                    finding = self.finding(resource, self._message(resource, shown, credentials), path,
                                           detail=shown.lstrip("."))
                    yield finding if decoded else line_inside(finding, text, credentials[0].start)

    @staticmethod
    def _values(resource: Resource) -> Iterator[tuple[tuple, str, str]]:
        if resource.format == "terraform" and resource.source_attributes is not None:
            # Report a key where it is written: a variable default resolved into this
            # block was already reported at the variable.
            yield from literal_strings(resource.source_attributes, min_length=MIN_CREDENTIAL_CHARS)
        elif resource.format in ("bicep", "arm") and resource.kind == "param":
            # A Bicep/ARM parameter: its written default (a value from a caller or a parameter
            # file is reported there).
            yield from literal_strings({"default": resource.get("default")}, min_length=MIN_CREDENTIAL_CHARS)
        else:
            yield from literal_strings(resource.attributes, min_length=MIN_CREDENTIAL_CHARS)

    @staticmethod
    def _message(resource: Resource, shown: str, credentials: list[CredentialMatch]) -> str:
        shown = shown.lstrip(".")
        if resource.format == "terraform" and resource.kind == "local" and shown.startswith("value"):
            shown = shown[len("value"):].lstrip(".")
        if resource.format == "kubernetes":
            shown = _POD_SPEC_PREFIX.sub("", shown)
        what = credentials[0].describe()
        if len(credentials) > 1:
            what += f" and {len(credentials) - 1} more credential{'s' if len(credentials) > 2 else ''}"
        if not shown:
            return f"{resource.address} is {what}"
        return f"{resource.address} sets {shown} to {what}"
