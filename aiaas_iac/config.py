"""Configuration: `.aiaas-iac.toml` or `[tool.aiaas-iac]` in `pyproject.toml`, validated by schema.

The file is found by walking up from the scan root (stopping at the repository
root, the directory holding `.git`). Command-line options override it.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiaas_iac.engine import UsageError

CONFIG_FILE = ".aiaas-iac.toml"


def package_data_dir(name: str) -> Path:
    """`aiaas_iac/<name>` in an installed wheel, `<name>/` beside the package in a source tree."""
    package_dir = Path(__file__).resolve().parent
    installed = package_dir / name
    return installed if installed.is_dir() else package_dir.parent / name


def load_schema(name: str) -> dict:
    with open(package_data_dir("schemas") / name, encoding="utf-8") as handle:
        return json.load(handle)


@dataclass(frozen=True)
class Config:
    path: Path | None = None  # the file it came from
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: str | None = None
    severity: dict[str, str] = field(default_factory=dict)
    per_path_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    baseline: Path | None = None
    checks_dirs: tuple[Path, ...] = ()
    max_file_size: int | None = None
    max_depth: int | None = None


def find_config(start: Path) -> tuple[Path, dict] | None:
    """The nearest config file at or above `start`: (path, its aiaas-iac table)."""
    directory = start.resolve()
    if directory.is_file():
        directory = directory.parent
    for candidate in (directory, *directory.parents):
        dedicated = candidate / CONFIG_FILE
        if dedicated.is_file():
            return dedicated, _read_toml(dedicated)
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            table = _read_toml(pyproject).get("tool", {}).get("aiaas-iac")
            if table is not None:
                return pyproject, table
        if (candidate / ".git").exists():
            break
    return None


def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{path}: invalid TOML: {error}") from None
    except OSError as error:
        raise UsageError(f"{path}: cannot read: {error.strerror or error}") from None


def validate(path: Path, table: Any) -> None:
    """Raise a one-line UsageError naming the file, the key and what is wrong."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(load_schema("config.schema.json"))
    errors = sorted(validator.iter_errors(table), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    error = errors[0]
    key = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "additionalProperties" and not key:
        allowed = ", ".join(sorted(load_schema("config.schema.json")["properties"]))
        unknown = sorted(set(table) - set(load_schema("config.schema.json")["properties"]))
        raise UsageError(f"{path}: unknown key {unknown[0]!r} (allowed: {allowed})")
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        raise UsageError(f"{path}: {key}: {error.instance!r} is not one of {allowed}")
    raise UsageError(f"{path}: {key or '(top level)'}: {error.message}")


def load_config(start: Path, explicit: Path | None = None) -> Config:
    """The configuration that applies to a scan rooted at `start` (empty Config if none)."""
    if explicit is not None:
        if not explicit.is_file():
            raise UsageError(f"{explicit}: configuration file not found")
        table = _read_toml(explicit)
        if explicit.name == "pyproject.toml":
            table = table.get("tool", {}).get("aiaas-iac", {})
        found: tuple[Path, dict] | None = (explicit, table)
    else:
        found = find_config(start)
    if found is None:
        return Config()
    path, table = found
    validate(path, table)
    base = path.parent
    return Config(
        path=path,
        select=tuple(table.get("select", ())),
        ignore=tuple(table.get("ignore", ())),
        exclude=tuple(table.get("exclude", ())),
        fail_on=table.get("fail-on"),
        severity=dict(table.get("severity", {})),
        per_path_ignores={k: tuple(v) for k, v in table.get("per-path-ignores", {}).items()},
        baseline=(base / table["baseline"]) if "baseline" in table else None,
        checks_dirs=tuple(base / d for d in table.get("checks-dir", ())),
        max_file_size=table.get("max-file-size"),
        max_depth=table.get("max-depth"),
    )
