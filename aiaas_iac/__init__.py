"""aiaas-iac: an IaC policy linter for AI-as-a-Service identities, keys, logging and network paths."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from aiaas_iac.engine import Report


def scan(paths: Any = ".", **options: Any) -> "Report":
    """Scan files or directories; see `aiaas_iac.engine.scan` for the options."""
    from aiaas_iac.engine import scan as _scan

    return _scan(paths, **options)


def inventory(paths: Any = ".", **options: Any) -> Any:
    """The AI access inventory of files or directories; see `aiaas_iac.inventory.inventory`."""
    from aiaas_iac.inventory import inventory as _inventory

    return _inventory(paths, **options)
