import re

from aiaas_iac.check import Check
from aiaas_iac.iam.aws_agents import AI_SERVICE_ROLE_ATTRIBUTES, KNOWLEDGE_BASE_TYPES, knowledge_base_sources, \
    resolve_role, s3_bucket_of
from aiaas_iac.iam.aws_resources import ARN_HOLE, arn_text, display_value
from aiaas_iac.iam.aws_write import role_policy_set
from aiaas_iac.model import Mappings, Severity

READ_ACTIONS = ("s3:GetObject", "s3:ListBucket")
ALL_BUCKETS = re.compile(r"^(\*|arn:[^:]*:s3:::\*(/\*)?)$", re.IGNORECASE)


def _unapproved(entry, approved: frozenset | None) -> str | None:
    """Why a Resource entry reads beyond the approved buckets; None when it does not (or is unknown)."""
    text = arn_text(entry)
    if text is None:
        return None
    text = text.strip()
    if ARN_HOLE not in text and ALL_BUCKETS.match(text):
        return "every bucket"
    if approved is None:
        return None
    bucket = s3_bucket_of(text)
    if bucket is None or ARN_HOLE in bucket or "*" in bucket or "?" in bucket:
        return None
    return None if bucket in approved else f"bucket {bucket}, which no data source of it reads"


class BedrockKnowledgeBaseRoleUnscopedRead(Check):
    """A statement in the policy set of a knowledge base's role grants `s3:GetObject` or
    `s3:ListBucket` on every bucket (`*`, `arn:aws:s3:::*`, `arn:aws:s3:::*/*`), or on a named
    bucket that none of the knowledge base's data sources (or its own storage settings) uses."""

    code = "AIA113"
    slug = "bedrock-knowledge-base-role-unscoped-read"
    severity = Severity.MEDIUM
    title = "Knowledge-base role can read buckets beyond its data sources"
    formats = ("terraform", "cloudformation")
    mappings = Mappings("NHI5", "PR.AA-05", "CWE-272")
    why = """
        Whatever the knowledge-base role can read can end up in the vector index and, through
        retrieval, in answers to anyone who can query the agent. A role that reads every bucket
        (or buckets no data source uses) lets one misconfigured data source, or one changed
        `bucket_arn`, pull unrelated company data into model answers.
    """
    remediation = """
        Scope `s3:GetObject` and `s3:ListBucket` to the data-source buckets (`arn:aws:s3:::docs`
        and `arn:aws:s3:::docs/*`), e.g. from `aws_s3_bucket.docs.arn`.
    """
    failing_example = """
        resource "aws_bedrockagent_knowledge_base" "docs" {
          name     = "docs"
          role_arn = aws_iam_role.kb.arn
        }

        resource "aws_iam_role" "kb" {
          name               = "docs-kb"
          assume_role_policy = data.aws_iam_policy_document.bedrock_trust.json
        }

        resource "aws_iam_role_policy" "kb" {
          role   = aws_iam_role.kb.id
          policy = jsonencode({
            Statement = [{ Effect = "Allow", Action = ["s3:GetObject", "s3:ListBucket"], Resource = "*" }]
          })
        }
    """
    passing_example = """
        resource "aws_bedrockagent_knowledge_base" "docs" {
          name     = "docs"
          role_arn = aws_iam_role.kb.arn
        }

        resource "aws_iam_role" "kb" {
          name               = "docs-kb"
          assume_role_policy = data.aws_iam_policy_document.bedrock_trust.json
        }

        resource "aws_iam_role_policy" "kb" {
          role   = aws_iam_role.kb.id
          policy = jsonencode({
            Statement = [{
              Effect   = "Allow"
              Action   = ["s3:GetObject", "s3:ListBucket"]
              Resource = [aws_s3_bucket.docs.arn, "${aws_s3_bucket.docs.arn}/*"]
            }]
          })
        }
    """

    def run(self, ctx):
        sources = knowledge_base_sources(ctx)
        roles: dict = {}  # role key -> (role, [knowledge bases])
        for kb in ctx.of_type(*KNOWLEDGE_BASE_TYPES):
            role = resolve_role(ctx, kb, kb.get(AI_SERVICE_ROLE_ATTRIBUTES[kb.type]))
            if role is not None:
                roles.setdefault((role.file, role.address), (role, []))[1].append(kb)
        for role, bases in roles.values():
            policy_set = role_policy_set(ctx, role)
            if not policy_set.known:
                continue
            kb_sources = [sources[(kb.format, kb.module, kb.address)] for kb in bases]
            approved = None
            if all(s.data_sources and s.complete for s in kb_sources):
                approved = frozenset(b for s in kb_sources for b in s.buckets)
            names = ", ".join(kb.address for kb in bases)
            for statement in policy_set.statements:
                granted = [a for a in READ_ACTIONS if statement.grants(a)]
                if not granted or statement.resources is None or not policy_set.boundary_allows(granted):
                    continue
                causes = [(display_value(r), why) for r in statement.resources
                          if (why := _unapproved(r, approved)) is not None]
                if not causes:
                    continue
                shown = "; ".join(f"{entry} ({why})" for entry, why in causes)
                yield self.finding(
                    statement.resource,
                    f"{statement.resource.address} lets knowledge-base role {role.address} ({names})"
                    f" {' and '.join(granted)} on {shown}",
                    statement.path,
                )
