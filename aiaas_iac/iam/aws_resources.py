"""Can a statement's `Resource` name a resource of a given AWS service? (CHECKS.md **Grants**)

`Action: "*"` on `arn:aws:s3:::logs/*` grants nothing in Bedrock: an action
applies only to resources of its own service, so the statement's `Resource`
must be able to name one: `*`, an ARN whose service segment glob-matches the
service (`arn:aws:bedrock:…`, `arn:*:bedrock*:…`, `arn:aws:*:…`), or a value we
cannot resolve. Which ARN service segments a service's actions act on comes
from AWS's IAM reference (`iamdata.arn_services`).

ARN segments are matched one by one with the linear glob matcher; a pattern
that ends before the service segment (`arn:*`, `a*`) is matched as a whole,
since its last `*` runs across the colons after it. Resource values are hostile
input: every test here is a bounded number of linear glob matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from aiaas_iac.iam.display import display_value  # noqa: F401  (re-exported)
from aiaas_iac.iam.glob import glob_match
from aiaas_iac.iam.iamdata import arn_services
from aiaas_iac.model import Unknown

# Stands for an unresolved part inside an ARN template; it cannot occur in a real ARN.
ARN_HOLE = "\x00"
PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")


def arn_text(value: Any) -> str | None:
    """A Resource entry as text: a literal, or a string template (`arn:aws:bedrock:${var.region}::...`)
    with ARN_HOLE where a part is unresolved; None for any other unknown value."""
    from aiaas_iac.parsers.hcl_expressions import Template

    if isinstance(value, str):
        return value
    parts = value.parts if isinstance(value, Template) else None  # a traversal's parts are names, not text
    if isinstance(parts, tuple) and any(isinstance(p, str) for p in parts):
        if all(isinstance(p, (str, Unknown)) for p in parts):
            return "".join(p if isinstance(p, str) else ARN_HOLE for p in parts)
    return None


def _pattern_names(pattern: str, segments: tuple[str, ...]) -> bool:
    """True when the Resource pattern can match an ARN whose service segment is one of `segments`."""
    pattern = pattern.strip()
    if not pattern:
        return False
    parts = pattern.split(":", 3)
    if len(parts) < 3:
        # `*`, `arn:*`, `a*`, `${var.arn}`, `${aws_s3_bucket.b.arn}/*`: nothing fixes the service.
        if ARN_HOLE in pattern:
            return True
        return any(glob_match(pattern, f"arn:{p}:{s}:") or glob_match(pattern, f"arn:{p}:{s}:x:y:z/w")
                   for p in PARTITIONS for s in segments)
    if ARN_HOLE not in parts[0] and not glob_match(parts[0], "arn"):
        return False  # not an ARN at all (IAM rejects it; it names nothing)
    service = parts[2]
    if ARN_HOLE in service:
        return True
    return any(glob_match(service, s) for s in segments)


@dataclass(frozen=True)
class TypedArn(Unknown):
    """An unresolved ARN whose service its source fixes (a CloudFormation `!GetAtt Bucket.Arn`)."""

    bedrock: bool = False


# Terraform types whose `arn` attribute is not the ARN of their own kind of resource.
_ARN_ECHO_TYPES = frozenset({"aws_arn"})


def _referenced_is_bedrock(value: Any) -> bool | None:
    """For `aws_s3_bucket.logs.arn` (or a template starting with it): whether the ARN it stands
    for is a Bedrock one, which its resource type makes certain; None when nothing is certain
    (`var.x`, `module.m.arn`, another attribute)."""
    from aiaas_iac.parsers.hcl_expressions import Template, Traversal

    if isinstance(value, TypedArn):
        return value.bedrock
    if isinstance(value, Template) and value.parts and isinstance(value.parts[0], Traversal):
        value = value.parts[0]  # "${aws_s3_bucket.logs.arn}/*": the ARN fixes the service
    if not isinstance(value, Traversal):
        return None
    parts = [p for p in value.parts if isinstance(p, str)]
    if parts[:1] == ["data"]:
        parts = parts[1:]
    if len(parts) < 3 or parts[-1] != "arn" or parts[0] in _ARN_ECHO_TYPES:
        return None
    resource_type = parts[0]
    if not resource_type.startswith(("aws_", "awscc_")):
        return None
    return resource_type.startswith(("aws_bedrock", "awscc_bedrock"))


def resource_can_name(value: Any, service: str) -> bool:
    """One Resource entry can name a resource of `service` (an IAM service prefix)."""
    text = arn_text(value)
    if text is None or (ARN_HOLE in text and text.startswith(ARN_HOLE)):
        if service.startswith("bedrock"):
            known = _referenced_is_bedrock(value)
            if known is not None:
                return known
        if text is None:
            return True  # unresolved: never rule out what we cannot read
    return _pattern_names(text, arn_services(service))


def _covers_service(value: Any, segments: tuple[str, ...]) -> bool:
    """A NotResource entry certainly excludes every resource of the service: `*`, or
    `arn:<any>:<service>:*` with nothing but wildcards after the service segment."""
    text = arn_text(value)
    if text is None or ARN_HOLE in text:
        return False
    text = text.strip()
    if text and set(text) == {"*"}:
        return True
    parts = text.split(":")
    if len(parts) < 3 or not glob_match(parts[0], "arn"):
        return False
    if not all(glob_match(parts[2], s) for s in segments):
        return False
    rest = parts[3:]
    return bool(rest) and rest[-1] == "*" and all(p in ("", "*") for p in rest)


def resources_can_name(resources: tuple | None, not_resources: tuple | None, service: str) -> bool:
    """A statement's Resource / NotResource can name a resource of `service`. A statement with
    neither element (not valid in an identity policy) is read as before: it names everything."""
    if resources is not None:
        return any(resource_can_name(r, service) for r in resources)
    if not_resources is not None:
        segments = arn_services(service)
        return not any(_covers_service(r, segments) for r in not_resources)
    return True


def services_named(resources: tuple | None, not_resources: tuple | None, services: Iterable[str]) -> tuple[str, ...]:
    return tuple(s for s in services if resources_can_name(resources, not_resources, s))
