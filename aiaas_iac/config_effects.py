"""What a configuration file did to the gate, in words every report format can carry.

A config file in a pull request can turn checks off, exclude paths, lower
severities or raise the gate. None of that may happen silently: the scan lists
each such effect (and warns when the config left nothing to scan or check), and
every reporter shows the list next to the findings.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from aiaas_iac.check import Check, check_names, code_of
from aiaas_iac.model import Severity

if TYPE_CHECKING:
    from aiaas_iac.config import Config

MAX_SHOWN_PATTERN = 120  # globs come from the scanned repository: never echoed at any length
MAX_SHOWN_PATTERNS = 20
MAX_EFFECTS = 50  # one notification each in SARIF: a config of thousands of entries is summarised
DEFAULT_FAIL_ON = "low"


@dataclass
class ConfigEffects:
    path: str | None = None  # the config file, relative to the scan root when inside it
    effects: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _visible(text: str) -> str:
    """Control characters as escapes: an effect is always one line, in every sink."""
    return "".join(repr(c)[1:-1] if unicodedata.category(c) == "Cc" else c for c in text)


def shown_path(path: Path, root: Path) -> str:
    try:
        shown = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        shown = path.resolve().as_posix()
    return _visible(shown)


def _pattern(text: str) -> str:
    return _visible(text if len(text) <= MAX_SHOWN_PATTERN else text[:MAX_SHOWN_PATTERN] + "…")


def _codes(codes: Iterable[str], every: Sequence[str]) -> str:
    chosen = sorted(set(codes))
    if len(every) > 1 and set(chosen) >= set(every):
        return f"every check ({len(every)})"
    return ", ".join(chosen) if chosen else "no check"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def static_effects(config: "Config", all_checks: Sequence[type[Check]]) -> list[str]:
    """The effects known before the scan runs, in the order of the config file's keys."""
    from aiaas_iac.engine import select_checks

    every = [c.code for c in all_checks]
    effects: list[str] = []
    if config.select:
        kept = {c.code for c in select_checks(all_checks, config.select)}
        dropped = [code for code in every if code not in kept]
        if dropped:
            effects.append(f"select turns off {_codes(dropped, every)}")
    if config.ignore:
        dropped = [code for code in every if code not in {c.code for c in select_checks(all_checks, (), config.ignore)}]
        effects.append(f"ignore turns off {_codes(dropped, every)}")
    if config.exclude:
        shown = ", ".join(_pattern(p) for p in config.exclude[:MAX_SHOWN_PATTERNS])
        more = len(config.exclude) - MAX_SHOWN_PATTERNS
        effects.append(f"exclude skips paths matching {shown}" + (f" and {_plural(more, 'more glob')}" if more > 0 else ""))
    for glob, tokens in config.per_path_ignores.items():
        codes = [c.code for c in select_checks(all_checks, tokens)]
        effects.append(f"per-path-ignores turns off {_codes(codes, every)} in {_pattern(glob)}")
    effects += _lowered_severities(config.severity, all_checks)
    if len(effects) > MAX_EFFECTS:
        effects[MAX_EFFECTS - 1:] = [f"and {len(effects) - MAX_EFFECTS + 1} more per-path-ignores or severity entries"]
    if config.fail_on and config.fail_on != DEFAULT_FAIL_ON:
        effects.append("fail-on = none: no finding fails the run" if config.fail_on == "none" else
                       f"fail-on = {config.fail_on}: only findings of {config.fail_on} severity or above fail the run")
    for key, value, what in (("max-file-size", config.max_file_size, "larger files are not scanned"),
                             ("max-depth", config.max_depth, "more deeply nested documents are not scanned")):
        if value is not None and value < _default_limit(key):
            effects.append(f"{key} = {value}: {what}")
    return effects


def _default_limit(key: str) -> int:
    from aiaas_iac.parsers import ParseLimits

    return ParseLimits().max_file_bytes if key == "max-file-size" else ParseLimits().max_depth


def _lowered_severities(overrides: dict[str, str], all_checks: Sequence[type[Check]]) -> list[str]:
    names = check_names(all_checks)
    defaults = {c.code: c.severity for c in all_checks}
    lowered = []
    for name, value in overrides.items():
        code = code_of(names, name)
        new = Severity.parse(value)
        if code in defaults and new.rank < defaults[code].rank:
            lowered.append(f"severity lowers {code} from {defaults[code].value} to {new.value}")
    return lowered


def nothing_left_warnings(config: "Config", checks_run: int, files_scanned: int, files_without_config: int | None,
                          hidden_by_path: int, findings_left: int) -> list[str]:
    """Loud lines for a config that leaves the gate with nothing to do."""
    warnings = []
    if (config.select or config.ignore) and checks_run == 0:
        warnings.append("select/ignore leave no check to run")
    if config.exclude and files_scanned == 0 and files_without_config:
        warnings.append(f"exclude leaves no file to scan ({_plural(files_without_config, 'file')} excluded)")
    if hidden_by_path and findings_left == 0:
        warnings.append(f"per-path-ignores hide every finding ({hidden_by_path})")
    return warnings
