"""Diagnostic settings for AIA303: does one send an AI account's Audit and RequestResponse logs?

Read from `azurerm_monitor_diagnostic_setting` (`enabled_log`, and the legacy
`log` block), azapi `Microsoft.Insights/diagnosticSettings` children, and the
same type in Bicep/ARM (the account is its `scope`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from aiaas_iac.iam.azure import (AIAccount, arm_body, arm_lookup, arm_type, as_bool, declared_instances, expand_blocks,
                                 is_arm, refers_to_account, same_deployment)
from aiaas_iac.model import Resource, Unknown

REQUIRED_LOG_CATEGORIES = ("Audit", "RequestResponse")


@dataclass(frozen=True)
class DiagnosticCoverage:
    covered: bool | None  # None: a setting may cover the account, but it cannot be told
    partial: tuple[tuple[Resource, tuple[str, ...]], ...] = ()  # (setting, categories it misses)


def _log_categories(category: Any, group: Any, enabled: Any) -> set[str] | None:
    """Which required categories one log entry enables; None when that is unknown."""
    enabled = as_bool(enabled)
    if enabled is None or isinstance(group, Unknown) or (group is None and isinstance(category, Unknown)):
        return None
    if not enabled:
        return set()
    if isinstance(group, str):
        return {"alllogs": set(REQUIRED_LOG_CATEGORIES), "audit": {"Audit"}}.get(group.lower(), set())
    if isinstance(category, str):
        return {c for c in REQUIRED_LOG_CATEGORIES if c.lower() == category.lower()}
    return set()


def _enabled_categories(per_entry: Iterable[set[str] | None]) -> set[str] | None:
    """The required categories a setting's log entries enable together; None when an unknown
    entry might supply one that the known entries miss."""
    found: set[str] = set()
    unknown = False
    for categories in per_entry:
        unknown |= categories is None
        found |= categories or set()
    return None if unknown and not set(REQUIRED_LOG_CATEGORIES) <= found else found


def _azurerm_entries(setting: Resource) -> Iterable[set[str] | None]:
    """Per `enabled_log` / legacy `log` block (whose `enabled` defaults to true) the required
    categories it enables; None for a `dynamic` block over unknown items."""
    for label in ("enabled_log", "log"):
        blocks, dynamic_unknown = expand_blocks(setting.attributes, label)
        if dynamic_unknown:
            yield None
        for _, block in blocks:
            enabled = block.get("enabled", True) if label == "log" else True
            yield _log_categories(block.get("category"), block.get("category_group"), enabled)


def _azapi_entries(logs: list) -> Iterable[set[str] | None]:
    for entry in logs:
        if not isinstance(entry, dict):
            yield None
            continue
        category, group, enabled = (arm_lookup(entry, key)[1] for key in ("category", "categoryGroup", "enabled"))
        yield _log_categories(category, group, True if enabled is None else enabled)


def _azapi_log_categories(setting: Resource) -> set[str] | None:
    _, properties = arm_lookup(arm_body(setting)[0], "properties")
    _, logs = arm_lookup(properties, "logs")
    if not isinstance(logs, list):
        return None if isinstance(logs, Unknown) or not isinstance(properties, dict) else set()
    return _enabled_categories(_azapi_entries(logs))


def _target_and_categories(setting: Resource) -> tuple[Any, set[str] | None] | None:
    """(what the setting targets, the required categories it enables) for a diagnostic setting."""
    if setting.kind != "resource":
        return None
    if setting.type == "azurerm_monitor_diagnostic_setting":
        return setting.attributes.get("target_resource_id"), _enabled_categories(_azurerm_entries(setting))
    if setting.type == "azapi_resource" and arm_type(setting) == "microsoft.insights/diagnosticsettings":
        return setting.attributes.get("parent_id"), _azapi_log_categories(setting)
    if is_arm(setting) and arm_type(setting) == "microsoft.insights/diagnosticsettings":
        # Bicep `scope: account`; ARM `scope`, or a `<account type>/providers/diagnosticSettings` entry.
        return arm_lookup(setting.attributes, "scope")[1], _azapi_log_categories(setting)
    return None


def diagnostic_coverage(ctx, account: AIAccount) -> DiagnosticCoverage:
    """Whether a diagnostic setting in the account's module (Bicep/ARM: deployment) enables its Audit
    and RequestResponse logs."""
    covered: bool | None = False
    partial = []
    for setting, found in _settings_in_module(ctx, account):
        target, categories = found
        points = refers_to_account(ctx, setting, target, account)
        complete = None if categories is None else set(REQUIRED_LOG_CATEGORIES) <= categories
        if points and complete:
            return DiagnosticCoverage(True)
        if points is not False and complete is not False:
            covered = None
        elif points and categories is not None:
            partial.append((setting, tuple(c for c in REQUIRED_LOG_CATEGORIES if c not in categories)))
    return DiagnosticCoverage(covered, tuple(partial))


def _settings_in_module(ctx, account: AIAccount) -> Iterable[tuple[Resource, tuple[Any, set[str] | None]]]:
    """(setting, its target and categories) per instance Terraform creates, in the account's
    module (Bicep/ARM: anywhere in its deployment, module instances included): a setting behind
    `count = var.enabled ? 1 : 0` or `for_each = var.diagnostic_settings` whose defaults
    create none sends nothing."""
    for setting in same_deployment(ctx, account.resource):
        if _target_and_categories(setting) is None:
            continue
        for _, instance in declared_instances(ctx, setting):
            yield setting, _target_and_categories(instance)
