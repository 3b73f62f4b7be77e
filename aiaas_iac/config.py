"""Configuration: `.aiaas-iac.toml` or `[tool.aiaas-iac]` in `pyproject.toml`, validated by schema.

The file is found by walking up from the scan root (stopping at the repository
root, the directory holding `.git`). Command-line options override it.

A config file inside the scanned tree (every auto-discovered one, and a
`--config` that lies under the scan root or a scanned path) was written by
whoever opened the pull request. It may narrow or tune checks, and what it
turns off is reported (aiaas_iac.config_effects), but it never names code to
run (`checks-dir`) and its `baseline` must stay inside its own directory.
"""

from __future__ import annotations

import json
import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from aiaas_iac.engine import UsageError
from aiaas_iac.path_glob import PathGlob, PatternError

CONFIG_FILE = ".aiaas-iac.toml"
MAX_GLOBS = 1000


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
    in_scanned_tree: bool = False  # written by whoever wrote the scanned files: never trusted with code
    anchor: Path | None = None  # the directory `exclude` and `per-path-ignores` globs are relative to


def display_path(path: Path) -> str:
    """`./.aiaas-iac.toml` under the working directory, else the absolute path."""
    absolute = Path(os.path.realpath(path))
    try:
        relative = absolute.relative_to(Path(os.path.realpath(Path.cwd()))).as_posix()
        return "." if relative == "." else "./" + relative
    except ValueError:
        return absolute.as_posix()


def _is_within(path: Path, directory: Path) -> bool:
    return path == directory or directory in path.parents


def scanned_tree(root: Path, paths: Iterable[Path]) -> tuple[Path, ...]:
    """The directories whose contents came with the scanned files: the scan root and each path."""
    directories = []
    for path in (root, *paths):
        for spelling in (Path(os.path.abspath(path)), Path(os.path.realpath(path))):
            directories.append(spelling if spelling.is_dir() else spelling.parent)
    return tuple(dict.fromkeys(directories))


def _in_tree(path: Path, tree: tuple[Path, ...]) -> bool:
    """Inside the scanned tree as named, or once symbolic links are followed: a link committed
    in the tree is the tree's content wherever it points."""
    named, real = Path(os.path.abspath(path)), Path(os.path.realpath(path))
    return any(_is_within(named, directory) or _is_within(real, directory) for directory in tree)


def find_config(start: Path) -> tuple[Path, dict] | None:
    """The nearest config file at or above `start`: (path, its aiaas-iac table)."""
    directory = start.resolve()
    if directory.is_file():
        directory = directory.parent
    for candidate in (directory, *directory.parents):
        dedicated = candidate / CONFIG_FILE
        if _discovered(dedicated):
            return dedicated, _read_toml(dedicated)
        pyproject = candidate / "pyproject.toml"
        if _discovered(pyproject):
            table = _read_toml(pyproject).get("tool", {}).get("aiaas-iac")
            if table is not None:
                return pyproject, table
        if (candidate / ".git").exists():
            break
    return None


# A configuration found by walking up is written by whoever wrote the tree: it is read only as the
# regular file it is, never through a link to somewhere else (`/proc/self/environ`, a file in the
# home directory) and never past a size no real configuration reaches.
MAX_DISCOVERED_CONFIG_BYTES = 1 << 20


def _discovered(path: Path) -> bool:
    """True when `path` is a configuration file to read; a link or an oversized file is refused."""
    try:
        status = os.lstat(path)
    except OSError:
        return False
    if stat.S_ISLNK(status.st_mode):
        raise UsageError(f"{path}: a configuration found in the scanned tree must be a regular file, not a "
                         "symbolic link (pass --config FILE to use another file, or --no-config)")
    if not stat.S_ISREG(status.st_mode):
        return False
    if status.st_size > MAX_DISCOVERED_CONFIG_BYTES:
        raise UsageError(f"{path}: {status.st_size} bytes is too large for a configuration file")
    return True


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


def load_config(start: Path, explicit: Path | None = None, scanned_paths: Iterable[Path] = ()) -> Config:
    """The configuration that applies to a scan rooted at `start` (empty Config if none).

    `scanned_paths` are the paths given to scan; with `start` they make the
    scanned tree, which decides whether the file is trusted with `checks-dir`.
    """
    tree = scanned_tree(start, scanned_paths)
    if explicit is not None:
        if not explicit.is_file():
            raise UsageError(f"{explicit}: configuration file not found")
        table = _read_toml(explicit)
        if explicit.name == "pyproject.toml":
            table = table.get("tool", {}).get("aiaas-iac", {})
        found: tuple[Path, dict] | None = (explicit, table)
        in_tree = _in_tree(explicit, tree)
    else:
        found = find_config(start)
        in_tree = True  # found from the scan root upwards: part of the repository being scanned
    if found is None:
        return Config()
    path, table = found
    validate(path, table)
    base = Path(os.path.abspath(path)).parent
    shown = display_path(path)
    if in_tree and table.get("checks-dir"):
        raise UsageError(f"{shown}: checks-dir is only honoured from --checks-dir or a --config file outside "
                         "the scanned paths; code from the scanned repository never runs")
    checks_dirs = tuple(base / d for d in table.get("checks-dir", ()))
    for directory in checks_dirs:
        if _in_tree(directory, tree):
            raise UsageError(f"{shown}: checks-dir {directory} is inside the scanned paths; code from the scanned "
                             "repository never runs (pass it with --checks-dir if you trust it)")
    baseline = (base / table["baseline"]) if "baseline" in table else None
    if baseline is not None and in_tree:
        _confine_baseline(shown, baseline, base)
    for key, patterns in (("exclude", table.get("exclude", ())), ("per-path-ignores", table.get("per-path-ignores", {}))):
        if len(patterns) > MAX_GLOBS:  # each file is matched against each glob: keep that bounded
            raise UsageError(f"{shown}: {key}: more than {MAX_GLOBS} globs")
        for pattern in patterns:
            try:
                PathGlob(pattern)
            except PatternError as error:
                raise UsageError(f"{shown}: {key}: {error}") from None
    return Config(
        path=path,
        select=tuple(table.get("select", ())),
        ignore=tuple(table.get("ignore", ())),
        exclude=tuple(table.get("exclude", ())),
        fail_on=table.get("fail-on"),
        severity=dict(table.get("severity", {})),
        per_path_ignores={k: tuple(v) for k, v in table.get("per-path-ignores", {}).items()},
        baseline=baseline,
        checks_dirs=checks_dirs,
        max_file_size=table.get("max-file-size"),
        max_depth=table.get("max-depth"),
        in_scanned_tree=in_tree,
        # A file kept outside the scanned tree (the action's copy of the base branch's config
        # in $RUNNER_TEMP) describes the repository it is used with: its globs read from the root.
        anchor=Path(os.path.realpath(base)) if in_tree else Path(os.path.realpath(start)),
    )


def _confine_baseline(shown: str, baseline: Path, base: Path) -> None:
    """A baseline named by an in-tree config must be a regular file inside that config's directory:
    it decides which findings are hidden, so it must not be read from anywhere else."""
    real = Path(os.path.realpath(baseline))
    if not _is_within(real, Path(os.path.realpath(base))):
        raise UsageError(f"{shown}: baseline {baseline} leads outside {display_path(base)}; a config file in the "
                         "scanned tree may only name a baseline inside its own directory")
    if real.exists() and not real.is_file():
        raise UsageError(f"{shown}: baseline {baseline} is not a regular file")
