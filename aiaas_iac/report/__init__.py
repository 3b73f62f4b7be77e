"""Output formats: one short module per format, each turning a `Report` into a string.

Every format module exposes `render(report, **options) -> str`. Reporters read
only the fields of `Finding`, `CheckMeta` and `ParseError`; they know nothing
about how a check decided. Modules are imported on first use so that
`aiaas-iac scan` printing text never pays for the SARIF code.
"""

from __future__ import annotations

import importlib
import inspect
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from aiaas_iac.engine import Report

FORMAT_MODULES = {
    "text": "aiaas_iac.report.text",
    "json": "aiaas_iac.report.json",
    "sarif": "aiaas_iac.report.sarif",
    "junit": "aiaas_iac.report.junit",
    "github": "aiaas_iac.report.github",
}
FORMAT_NAMES = tuple(FORMAT_MODULES)

TOOL_NAME = "aiaas-iac"
PROJECT_URI = "https://github.com/aiaas-iac/aiaas-iac"


class Reporter(Protocol):
    """What each format module's `render` function looks like."""

    def __call__(self, report: "Report", **options: Any) -> str: ...


def reporter(format_name: str) -> Reporter:
    """The `render` function of a format; ValueError names the formats on offer."""
    module_name = FORMAT_MODULES.get(format_name)
    if module_name is None:
        raise ValueError(f"unknown output format {format_name!r} (expected one of: {', '.join(FORMAT_NAMES)})")
    return importlib.import_module(module_name).render


def render(report: "Report", format_name: str, **options: Any) -> str:
    """Render `report` in `format_name`.

    The CLI passes the same options whatever the format (`color`, `category`,
    `verbose`); each format takes the ones it knows and ignores the others.
    """
    render_format = reporter(format_name)
    accepted = inspect.signature(render_format).parameters
    return render_format(report, **{name: value for name, value in options.items() if name in accepted})
