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
        for module, resources in ctx.modules():
            knowledge_bases = [r.address for r in resources if r.kind == "resource" and r.type in KNOWLEDGE_BASE_TYPES]
            if not knowledge_bases:
                continue
            for policy in resources:
                fields = SECURITY_POLICY_FIELDS.get(policy.type)
                if fields is None or policy.kind != "resource":
                    continue
                kind = policy.get(fields[0])
                if not isinstance(kind, str) or kind.strip().lower() != "network":
                    continue
                rules = public_rules(policy.get(fields[1]))
                if rules:
                    path = (fields[1], rules[0]) if isinstance(policy.get(fields[1]), list) else (fields[1],)
                    yield self.finding(
                        policy,
                        f"{policy.address} sets AllowFromPublic: true in a configuration with Bedrock knowledge base"
                        f" {', '.join(knowledge_bases)}",
                        path,
                    )
