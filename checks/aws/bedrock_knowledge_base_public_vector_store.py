import posixpath

from aiaas_iac.check import Check
from aiaas_iac.iam.aws import as_list
from aiaas_iac.iam.aws_documents import json_structure
from aiaas_iac.model import Mappings, Severity

KNOWLEDGE_BASE_TYPES = (
    "aws_bedrockagent_knowledge_base",
    "awscc_bedrock_knowledge_base",
    "AWS::Bedrock::KnowledgeBase",
)
# OpenSearch Serverless security policy type -> (attribute with its type, attribute with its policy).
SECURITY_POLICY_FIELDS = {
    "aws_opensearchserverless_security_policy": ("type", "policy"),
    "awscc_opensearchserverless_security_policy": ("type", "policy"),
    "AWS::OpenSearchServerless::SecurityPolicy": ("Type", "Policy"),
}


def public_rules(policy) -> list[int]:
    """Indexes of the network policy's rules that set `AllowFromPublic: true`."""
    return [index for index, rule in enumerate(as_list(json_structure(policy)))
            if isinstance(rule, dict) and rule.get("AllowFromPublic") is True]


def _local_modules_called(resources) -> list[str]:
    """Directories (relative to the scan root) of the local modules a Terraform module calls."""
    called = []
    for call in resources:
        source = call.get("source") if call.kind == "module" else None
        if isinstance(source, str) and source.startswith(("./", "../")):
            called.append(posixpath.normpath(posixpath.join(call.module, source)))
    return called


def configurations(ctx):
    """The resources of each configuration: a template or manifest file, or a Terraform root
    together with the module instances it calls (see module_tree); without a module tree, each
    Terraform module with the local modules it calls (`source = "../.."`), transitively."""
    if ctx.has_configurations():
        yield from (resources for _, resources in ctx.configurations())
        return
    terraform = dict(ctx.modules(format="terraform"))
    for module, resources in ctx.modules():
        if resources[0].format != "terraform":
            yield resources
            continue
        members = [module]
        for member in members:
            members += [m for m in _local_modules_called(terraform[member]) if m in terraform and m not in members]
        yield [r for member in members for r in terraform[member]]


def _named(resource, near) -> str:
    return resource.address if resource.module == near.module else f"{resource.address} ({resource.file})"


class BedrockKnowledgeBasePublicVectorStore(Check):
    """A configuration that declares a Bedrock knowledge base also declares an OpenSearch
    Serverless network security policy with `AllowFromPublic: true`: the vector store that
    holds the knowledge base's documents is reachable from the internet."""

    code = "AIA110"
    slug = "bedrock-knowledge-base-public-vector-store"
    severity = Severity.MEDIUM
    title = "Knowledge base vector store is publicly reachable"
    formats = ("terraform", "cloudformation")
    mappings = Mappings("NHI6", "PR.IR-01", "CWE-668")
    why = """
        The vector collection holds embeddings and the source text of the documents the
        knowledge base answers from, often internal data. A public network policy leaves
        only IAM between the internet and that data, and exposes the endpoint to probing.
    """
    remediation = """
        Set `AllowFromPublic` to false and allow access through an OpenSearch Serverless VPC
        endpoint (`SourceVPCEs`) and, for Bedrock, `SourceServices = ["bedrock.amazonaws.com"]`.
    """
    failing_example = """
        resource "aws_bedrockagent_knowledge_base" "docs" {
          name     = "docs"
          role_arn = aws_iam_role.kb.arn
          # knowledge_base_configuration, storage_configuration -> collection/kb-docs
        }

        resource "aws_opensearchserverless_security_policy" "kb_network" {
          name = "kb-network"
          type = "network"
          policy = jsonencode([{
            Rules           = [{ ResourceType = "collection", Resource = ["collection/kb-docs"] }]
            AllowFromPublic = true
          }])
        }
    """
    passing_example = """
        resource "aws_bedrockagent_knowledge_base" "docs" {
          name     = "docs"
          role_arn = aws_iam_role.kb.arn
          # knowledge_base_configuration, storage_configuration -> collection/kb-docs
        }

        resource "aws_opensearchserverless_security_policy" "kb_network" {
          name = "kb-network"
          type = "network"
          policy = jsonencode([{
            Rules           = [{ ResourceType = "collection", Resource = ["collection/kb-docs"] }]
            AllowFromPublic = false
            SourceVPCEs     = [aws_opensearchserverless_vpc_endpoint.kb.id]
            SourceServices  = ["bedrock.amazonaws.com"]
          }])
        }
    """

    def run(self, ctx):
        # A module called from several configurations is reported once, naming every knowledge base.
        public: dict[tuple, tuple] = {}  # (file, address) -> (policy, rule path, knowledge bases)
        for resources in configurations(ctx):
            knowledge_bases = [r for r in resources if r.kind == "resource" and r.type in KNOWLEDGE_BASE_TYPES]
            for policy in resources if knowledge_bases else ():
                path = _public_network_policy_path(policy)
                if path is None:
                    continue
                _, _, named = public.setdefault((policy.file, policy.address), (policy, path, []))
                named += [kb for kb in knowledge_bases if kb not in named]
        for policy, path, knowledge_bases in public.values():
            yield self.finding(
                policy,
                f"{policy.address} sets AllowFromPublic: true in a configuration with Bedrock knowledge base"
                f" {', '.join(_named(kb, policy) for kb in knowledge_bases)}",
                path,
            )


def _public_network_policy_path(policy) -> tuple | None:
    """The attribute path of the first rule with `AllowFromPublic: true` of a network policy, or None."""
    fields = SECURITY_POLICY_FIELDS.get(policy.type)
    if fields is None or policy.kind != "resource":
        return None
    kind = policy.get(fields[0])
    if not isinstance(kind, str) or kind.strip().lower() != "network":
        return None
    rules = public_rules(policy.get(fields[1]))
    if not rules:
        return None
    return (fields[1], rules[0]) if isinstance(policy.get(fields[1]), list) else (fields[1],)
