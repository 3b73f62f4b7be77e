from aiaas_iac.check import Check
from aiaas_iac.iam.agentcore import UNJUDGEABLE, enum_text, is_set, nested
from aiaas_iac.model import Mappings, Severity
from aiaas_iac.iam.instances import created_instances

TERRAFORM_FIELDS = {
    "authorizer_type": "authorizer_type",
    "configuration": "authorizer_configuration",
    "jwt": "custom_jwt_authorizer",
    "restrictions": ("allowed_audience", "allowed_clients", "allowed_scopes"),
}
CLOUDFORMATION_FIELDS = {
    "authorizer_type": "AuthorizerType",
    "configuration": "AuthorizerConfiguration",
    "jwt": "CustomJWTAuthorizer",
    "restrictions": ("AllowedAudience", "AllowedClients", "AllowedScopes"),
}
# Resource type -> (field names, custom claim block, is a gateway).
INBOUND_AUTH_TYPES = {
    "aws_bedrockagentcore_agent_runtime": (TERRAFORM_FIELDS, "custom_claim", False),
    "aws_bedrockagentcore_gateway": (TERRAFORM_FIELDS, "custom_claim", True),
    "awscc_bedrockagentcore_runtime": (TERRAFORM_FIELDS, "custom_claims", False),
    "awscc_bedrockagentcore_gateway": (TERRAFORM_FIELDS, "custom_claims", True),
    "AWS::BedrockAgentCore::Runtime": (CLOUDFORMATION_FIELDS, "CustomClaims", False),
    "AWS::BedrockAgentCore::Gateway": (CLOUDFORMATION_FIELDS, "CustomClaims", True),
}


class AgentcoreInboundAuthUnrestricted(Check):
    """An AgentCore runtime or gateway whose inbound JWT authorizer checks no audience, client,
    scope or custom claim, or a gateway with `authorizer_type = "NONE"`. Such an authorizer accepts
    any token its issuer signs (for `accounts.google.com`, any Google account), so anyone can
    call the agent or its tools."""

    code = "AIA116"
    slug = "agentcore-inbound-auth-unrestricted"
    severity = Severity.HIGH
    title = "AgentCore inbound authorizer accepts any token of its issuer"
    formats = ("terraform", "cloudformation")
    mappings = Mappings("NHI4", "PR.AA-04", "CWE-287")
    why = """
        A JWT authorizer with only a discovery URL validates the signature and nothing else: no
        audience validation is done, so a token issued for any other application of the same
        identity provider, or to any user of a public provider, is accepted. A gateway with no
        authorizer at all lets every caller use its tools with the gateway role's permissions.
    """
    remediation = """
        Set `allowed_audience` (and/or `allowed_clients`, `allowed_scopes`, a `custom_claim`) on
        `custom_jwt_authorizer`, or use `AWS_IAM` authorization. Never use `authorizer_type = "NONE"`.
    """
    failing_example = """
        resource "aws_bedrockagentcore_gateway" "tools" {
          name            = "tools"
          role_arn        = aws_iam_role.gateway.arn
          authorizer_type = "CUSTOM_JWT"
          authorizer_configuration {
            custom_jwt_authorizer {
              discovery_url = "https://accounts.google.com/.well-known/openid-configuration"
            }
          }
        }
    """
    passing_example = """
        resource "aws_bedrockagentcore_gateway" "tools" {
          name            = "tools"
          role_arn        = aws_iam_role.gateway.arn
          authorizer_type = "CUSTOM_JWT"
          authorizer_configuration {
            custom_jwt_authorizer {
              discovery_url    = "https://auth.example.com/.well-known/openid-configuration"
              allowed_audience = ["tools-gateway"]
            }
          }
        }
    """

    def run(self, ctx):
        for resource in ctx.of_type(*INBOUND_AUTH_TYPES):
            seen: set[tuple] = set()
            for address, instance in created_instances(ctx, resource):
                for path, message in self.causes(ctx, instance, address):
                    if path not in seen:  # one finding per block, naming the first instance
                        seen.add(path)
                        yield self.finding(resource, message, path)

    def causes(self, ctx, resource, address):
        fields, claim_key, is_gateway = INBOUND_AUTH_TYPES[resource.type]
        if is_gateway:
            authorizer_type = enum_text(resource.get(fields["authorizer_type"]))
            if authorizer_type == "NONE":
                yield ((fields["authorizer_type"],),
                       f"{address} has {fields['authorizer_type']} = NONE: anyone can call the gateway and its tools")
                return
            if authorizer_type != "CUSTOM_JWT":
                return
        for config_path, config in nested(resource.attributes, fields["configuration"], (), ctx, resource):
            if config is UNJUDGEABLE:
                continue
            for path, jwt in nested(config, fields["jwt"], config_path):
                if jwt is UNJUDGEABLE:
                    continue
                restricted = any(is_set(jwt.get(key)) for key in fields["restrictions"])
                claims = any(c is UNJUDGEABLE or bool(c) for _, c in nested(jwt, claim_key))
                if restricted or claims:
                    continue
                discovery = jwt.get("discovery_url" if fields is TERRAFORM_FIELDS else "DiscoveryUrl")
                issuer = f" of {discovery}" if isinstance(discovery, str) and discovery.strip() else ""
                yield (path, f"{address} has a {fields['jwt']} with no {', '.join(fields['restrictions'])}"
                             f" or {claim_key}: it accepts any token{issuer}")
