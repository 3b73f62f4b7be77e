"""AWS IAM policy semantics shared by the Bedrock checks.

A `Statement` is normalised from any place a policy can be written (JSON
documents, `jsonencode`, `aws_iam_policy_document` blocks, CloudFormation
`PolicyDocument`s). The predicates answer CHECKS.md's definitions: *grants*,
*all Bedrock actions*, *unscoped resource*. Unknown values never count
toward a finding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable

from aiaas_iac.iam.actions import (
    INVOKE_ACTIONS, bedrock_actions, bedrock_services, bedrock_services_matched, glob_match, service_actions,
)
from aiaas_iac.iam.aws_resources import ARN_HOLE, arn_text, display_value, resources_can_name
from aiaas_iac.model import Resource, Unknown


def as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _key(mapping: dict, name: str) -> Any:
    """IAM JSON keys are case-sensitive in AWS, but we read them leniently."""
    if name in mapping:
        return mapping[name]
    lower = name.lower()
    for key, value in mapping.items():
        if isinstance(key, str) and key.lower() == lower:
            return value
    return None


@dataclass(frozen=True)
class Statement:
    resource: Resource  # the resource the statement is written in
    path: tuple  # attribute path of the statement inside that resource
    effect: str | None  # "allow" / "deny"; None when unknown
    actions: tuple | None  # None: no Action element
    not_actions: tuple | None
    resources: tuple | None
    not_resources: tuple | None
    principals: Any = None
    condition: Any = None
    sid: str = ""

    @property
    def allows(self) -> bool:
        return self.effect == "allow"

    def known_actions(self) -> list[str]:
        return [a for a in self.actions or () if isinstance(a, str)]

    def names_service(self, service: str) -> bool:
        """The statement's Resource can name a resource of `service` (CHECKS.md **Grants**):
        `Action: "*"` on an S3 bucket ARN grants no Bedrock action."""
        return resources_can_name(self.resources, self.not_resources, service)

    def _action_matches(self, action: str) -> bool:
        """The Action / NotAction element covers `action`, whatever the Resource says."""
        if self.actions is not None:
            return any(glob_match(p, action) for p in self.known_actions())
        if self.not_actions is not None:
            if any(isinstance(p, Unknown) for p in self.not_actions):
                return False
            return not any(glob_match(p, action) for p in self.not_actions)
        return False

    def grants(self, action: str) -> bool:
        """True only when the statement certainly allows `action` on some resource of its service."""
        return self.allows and self._action_matches(action) and self.names_service(action.partition(":")[0])

    def grants_any(self, actions: Iterable[str]) -> bool:
        return any(self.grants(a) for a in actions)

    def bedrock_services_granted(self) -> tuple[str, ...]:
        """The `bedrock*` services of which the statement certainly allows at least one action."""
        if not self.allows:
            return ()
        if self.actions is not None:
            matched = {s for p in self.known_actions() for s in bedrock_services_matched(p)}
            return tuple(s for s in bedrock_services() if s in matched and self.names_service(s))
        # NotAction: the Resource test once per service, not once per action (hundreds each).
        return tuple(s for s in bedrock_services() if self.names_service(s) and any(
            self._action_matches(a) for a in service_actions(s) + (INVOKE_ACTIONS if s == "bedrock" else ())))

    def grants_any_bedrock_action(self) -> bool:
        """True when the statement certainly allows at least one action of a `bedrock*` service."""
        return bool(self.bedrock_services_granted())

    def denies(self, action: str) -> bool:
        """True when an unconditional `Deny` statement certainly blocks `action`."""
        if self.effect != "deny" or self.condition:
            return False
        return self._action_matches(action) and self.names_service(action.partition(":")[0])

    def action_patterns_granting(self, actions: Iterable[str]) -> list[str]:
        """The Action patterns that grant any of `actions` (for messages); a NotAction is described."""
        actions = tuple(a for a in actions if self.grants(a))
        if not actions:
            return []
        if self.actions is not None:
            return [p for p in self.known_actions() if any(glob_match(p, a) for a in actions)]
        return ["every action except " + ", ".join(str(p) for p in self.not_actions or ()) + " (NotAction)"]

    def wildcard_bedrock_actions(self) -> list[str]:
        """The action patterns (or a NotAction description) that grant every action of a
        `bedrock*` service the statement's Resource can name; empty when it is not all-Bedrock."""
        if not self.allows:
            return []
        named = [s for s in bedrock_services() if self.names_service(s)]
        if not named:
            return []
        if self.actions is not None:
            hits = []
            for pattern in self.known_actions():
                service, _, action = pattern.partition(":")
                if pattern.strip() == "*" or (action == "*" and any(glob_match(service, s) for s in named)):
                    hits.append(pattern)
            return hits
        if self.not_actions is not None and not any(isinstance(p, Unknown) for p in self.not_actions):
            if any(self._not_action_leaves_open(s) for s in named):
                excluded = ", ".join(str(p) for p in self.not_actions)
                return [f"every action except {excluded} (NotAction)"]
        return []

    def _not_action_leaves_open(self, service: str) -> bool:
        patterns = [p for p in self.not_actions or () if isinstance(p, str)]
        actions = service_actions(service)
        if actions:
            return not any(glob_match(p, a) for p in patterns for a in actions)
        return not any(glob_match(p.partition(":")[0], service) for p in patterns if ":" in p or p == "*")

    def resource_text(self) -> str:
        if self.resources is not None:
            shown = [display_value(r) for r in self.resources]
        elif self.not_resources is not None:
            shown = ["NotResource " + ", ".join(display_value(r) for r in self.not_resources)]
        else:
            shown = []
        return ", ".join(shown) or "(no resource)"

    def unscoped_resources(self) -> list[str]:
        """Resource entries that are unscoped for Bedrock (`*`, `arn:...:bedrock:...:<type>/*`)."""
        if self.resources is not None:
            return [display_value(r) for r in self.resources
                    if (text := arn_text(r)) is not None and is_unscoped_bedrock_resource(text)]
        if self.not_resources is not None and not any(isinstance(r, Unknown) for r in self.not_resources):
            # Allow + NotResource covers every Bedrock resource unless it names one.
            if not any(_arn_service_matches_bedrock(r) for r in self.not_resources):
                return ["NotResource " + ", ".join(self.not_resources)]
        return []


def _arn_service_matches_bedrock(arn: str) -> bool:
    if arn.strip() == "*":
        return True
    parts = arn.split(":", 5)
    return len(parts) >= 3 and any(glob_match(parts[2], s) for s in bedrock_services())


def is_unscoped_bedrock_resource(arn: str) -> bool:
    """`*`, or a Bedrock ARN whose resource part is `*` or `<type>/*`, or that ends early in a
    `*` (IAM extends it across the remaining segments). A specific model in a wildcard region
    is scoped. Unresolved parts (ARN_HOLE) may only stand for the partition,
    region or account: an unknown service or resource part counts as scoped."""
    arn = arn.strip()
    if arn == "*":
        return True
    parts = arn.split(":", 5)
    if len(parts) < 4 or not parts[0].lower() == "arn":
        return False
    if ARN_HOLE in parts[2] or ARN_HOLE in parts[-1]:
        return False
    if not any(glob_match(parts[2], s) for s in bedrock_services()):
        return False
    if len(parts) < 6:
        # A `*` that ends a segment matches across the colons after it: `arn:aws:bedrock:*`.
        return parts[-1] == "*"
    resource = parts[5]
    if set(resource.split(":")) == {"*"}:  # `*`, `*:*`
        return True
    resource_type, slash, rest = resource.partition("/")
    return bool(slash) and rest == "*" and "*" not in resource_type or resource in ("*/*",)


def _effect(value: Any) -> str | None:
    return value.strip().lower() if isinstance(value, str) else None


def _list_or_none(value: Any, present: bool) -> tuple | None:
    if not present or value is None:  # `null` (a plan's unset argument) is no element at all
        return None
    if isinstance(value, Unknown):
        return (value,)
    return tuple(as_list(value))


def statements_from_json(resource: Resource, document: Any, path: tuple, precise: bool = True) -> list[Statement]:
    """Statements of an IAM JSON document (a dict, or a JSON string)."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except (ValueError, RecursionError):  # not JSON, or nested past Python's stack
            return []
        # No positions inside a JSON string: the statement path still tells statements apart,
        # and Resource.span_of falls back to the attribute's lines.
    if not isinstance(document, dict):
        return []
    raw = _key(document, "Statement")
    single = isinstance(raw, dict)
    out = []
    for index, item in enumerate(as_list(raw)):
        if not isinstance(item, dict):
            continue
        statement_path = path + (("Statement",) if single else ("Statement", index)) if precise else path
        out.append(Statement(
            resource=resource, path=statement_path, effect=_effect(_key(item, "Effect")),
            actions=_list_or_none(_key(item, "Action"), _key(item, "Action") is not None),
            not_actions=_list_or_none(_key(item, "NotAction"), _key(item, "NotAction") is not None),
            resources=_list_or_none(_key(item, "Resource"), _key(item, "Resource") is not None),
            not_resources=_list_or_none(_key(item, "NotResource"), _key(item, "NotResource") is not None),
            principals=_key(item, "Principal"), condition=_key(item, "Condition"),
            sid=str(_key(item, "Sid") or ""),
        ))
    return out


def statements_from_policy_document_data(resource: Resource) -> list[Statement]:
    """Statements of a Terraform `data "aws_iam_policy_document"` (its `statement` blocks)."""
    return [statement_from_block(resource, ("statement", index), block) for index, block in resource.blocks("statement")]


def statement_from_block(resource: Resource, path: tuple, block: dict) -> Statement:
    """One `statement` block of a policy-document data source (written, or made by `dynamic`)."""
    effect = block.get("effect")
    if effect is None:  # absent, or null in a plan: the provider's default
        effect = "Allow"
    return Statement(
        resource=resource, path=path, effect=_effect(effect),
        actions=_list_or_none(block.get("actions"), "actions" in block),
        not_actions=_list_or_none(block.get("not_actions"), "not_actions" in block),
        resources=_list_or_none(block.get("resources"), "resources" in block),
        not_resources=_list_or_none(block.get("not_resources"), "not_resources" in block),
        principals=block.get("principals"), condition=block.get("condition"),
        sid=str(block.get("sid") or ""),
    )
