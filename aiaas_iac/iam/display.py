"""Values in messages: what the evaluator made of them, never the source text beside it.

A string template is shown with its resolved parts as their values and only what is still
unknown as `${reference}`: `arn:aws:bedrock:us-east-1:${var.account}:*`, not the source
`arn:aws:bedrock:${var.region}:${var.account}:*` when `var.region` is known.
"""

from __future__ import annotations

from typing import Any


def display_value(value: Any) -> str:
    """A Resource entry for messages: the value as evaluated. A string template shows its resolved
    parts as their values and only what is still unknown as `${reference}`, never the source text
    (`arn:aws:bedrock:${var.region}:...` when `var.region` is known to be `us-east-1`)."""
    from aiaas_iac.parsers.hcl_expressions import Template

    if isinstance(value, str):
        return value
    if isinstance(value, Template) and value.parts:
        return "".join(p if isinstance(p, str) else _hole_text(p) for p in value.parts)
    text = getattr(value, "text", None)
    return text.strip('"') if isinstance(text, str) else str(value)


def _hole_text(value: Any) -> str:
    text = getattr(value, "text", None)
    if not isinstance(text, str):
        return "${?}"
    text = text.strip()
    return text if text.startswith("${") and text.endswith("}") else "${" + text + "}"
