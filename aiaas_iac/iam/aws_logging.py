"""Bedrock model invocation logging: whether a configuration records prompts (AIA104, inventory)."""

from __future__ import annotations

from aiaas_iac.model import Unknown
from aiaas_iac.terraform_instances import has_dynamic_block

LOGGING_TYPE = "aws_bedrock_model_invocation_logging_configuration"
DESTINATIONS = ("cloudwatch_config", "s3_config")


def logging_defect(resource) -> tuple[str, tuple] | None:
    """(what is wrong, attribute path) for a logging configuration that records no prompts."""
    value = resource.get("logging_config")
    if isinstance(value, Unknown) or has_dynamic_block(resource.attributes, "logging_config"):
        return None
    blocks = list(resource.blocks("logging_config"))
    if not blocks:
        return "has no logging_config", ()
    index, config = blocks[0]
    destinations = [d for d in DESTINATIONS if config.get(d) or has_dynamic_block(config, d)]
    if not destinations:
        return "sends logs nowhere (neither cloudwatch_config nor s3_config)", ("logging_config", index)
    # The provider's default is true: only an explicit false turns prompt logging off.
    text_delivery = config.get("text_data_delivery_enabled")
    if text_delivery is False or text_delivery == "false":
        return "sets text_data_delivery_enabled = false", ("logging_config", index, "text_data_delivery_enabled")
    return None


def _certainly_records(resource) -> bool:
    """The logging block is declared and its logging_config is fully known and sends text data somewhere."""
    value = resource.get("logging_config")
    if isinstance(value, Unknown) or has_dynamic_block(resource.attributes, "logging_config"):
        return False
    return logging_defect(resource) is None


def bedrock_logging_state(ctx) -> bool | None:
    """Does this (Terraform) configuration log Bedrock invocations? True: a logging configuration
    records text data; False: none is declared, or one is defective; None: its settings are unknown."""
    configs = ctx.of_type(LOGGING_TYPE, format="terraform")
    if not configs:
        return False
    if any(logging_defect(c) is not None for c in configs):
        return False
    return True if all(_certainly_records(c) for c in configs) else None
