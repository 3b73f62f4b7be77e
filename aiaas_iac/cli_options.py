"""What the command line's options mean once combined with a config file.

cli.py declares the commands; this module turns their options into
`ScanOptions`, decides which extra checks a command loads (the same trust rules
for `scan`, `baseline`, `rules` and `explain`), checks that every check a config
names exists, and writes reports.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

from aiaas_iac.engine import UsageError

FRAMEWORKS = ("terraform", "cloudformation", "kubernetes", "tfplan", "bicep", "arm")


def split_values(values: Optional[Iterable[str]]) -> list[str]:
    """`--select AIA1,AIA5 --select AIA9` -> ["AIA1", "AIA5", "AIA9"]."""
    return [item.strip() for value in values or [] for item in value.split(",") if item.strip()]


def scan_options(paths, config_path, no_config, *, select, ignore, exclude, framework, checks_dir, baseline,
                 changed_since, no_cache, jobs, fail_on=None):
    """(ScanOptions, the config's fail-on) from the config file, command-line flags taking precedence."""
    from aiaas_iac.config import Config, load_config
    from aiaas_iac.engine import ScanOptions, scan_root

    if no_config and config_path is not None:
        raise UsageError("--config and --no-config exclude each other")
    scanned = [Path(p) for p in paths] if paths else [Path(".")]
    root = scan_root(scanned)
    config = Config() if no_config else load_config(root, config_path, scanned)
    # Framework names are matched as the option values are: case does not matter.
    frameworks = tuple(f.lower() for f in split_values(framework))
    unknown = [f for f in frameworks if f not in FRAMEWORKS]
    if unknown:
        raise UsageError(f"unknown framework {unknown[0]!r} (expected terraform, cloudformation, kubernetes or tfplan)")
    checks_dirs = tuple(checks_dir or ()) + config.checks_dirs
    if config.path is not None:
        check_config_names(config, checks_dirs, use_cache=not no_cache and _cache_usable(scanned))
    # The config as applied: what a flag overrides is not the config's doing and is not reported as such.
    applied = dataclasses.replace(
        config,
        select=() if split_values(select) else config.select,
        ignore=() if split_values(ignore) else config.ignore,
        fail_on=None if fail_on else config.fail_on,
        baseline=None if baseline else config.baseline,
    )
    options = ScanOptions(
        select=tuple(split_values(select)) or config.select,
        ignore=tuple(split_values(ignore)) or config.ignore,
        excludes=tuple(split_values(exclude)),  # the config's own excludes are anchored at its directory: see `config`
        checks_dirs=checks_dirs,
        severity=config.severity,
        baseline=baseline or config.baseline,
        changed_since=changed_since,
        max_file_size=config.max_file_size,
        max_depth=config.max_depth,
        use_cache=not no_cache,
        jobs=jobs,
        frameworks=frameworks,
        config=applied if config.path is not None else None,
    )
    return options, config.fail_on


def _cache_usable(scanned: Sequence[Path]) -> bool:
    from aiaas_iac.cache import usable_for
    from aiaas_iac.engine import scanned_paths

    return usable_for(scanned_paths(scanned))


def check_config_names(config: Any, checks_dirs: Sequence[Path], use_cache: bool = False) -> None:
    """Every check a config file names must exist, and the error says where it is named
    (`./.aiaas-iac.toml: ignore: unknown check 'AIA1O1'`): a typo in `ignore` would otherwise
    turn nothing off, silently."""
    from aiaas_iac.catalog import check_catalog
    from aiaas_iac.config import display_path

    checks, _ = check_catalog(checks_dirs, use_cache)
    codes = {c.code for c in checks}
    slugs = {c.slug.lower() for c in checks}

    def known(token: str, prefixes: bool) -> bool:
        token = token.strip()
        if token.upper() in codes or token.lower() in slugs:
            return True
        return prefixes and bool(token) and any(code.startswith(token.upper()) for code in codes)

    named = [("select", t, True) for t in config.select] + [("ignore", t, True) for t in config.ignore]
    named += [("severity", t, False) for t in config.severity]
    named += [("per-path-ignores", t, True) for tokens in config.per_path_ignores.values() for t in tokens]
    for key, token, prefixes in named:
        if not known(token, prefixes):
            raise UsageError(f"{display_path(config.path)}: {key}: unknown check {token!r} (see `aiaas-iac rules`)")


def trusted_checks_dirs(checks_dir: Optional[Sequence[Path]], config_path: Optional[Path]) -> tuple[Path, ...]:
    """Extra check directories for commands that scan nothing (`rules`, `explain`): `--checks-dir`,
    and `checks-dir` of an explicit `--config` under the same trust rule as a scan of the working
    directory (a config inside it never names code to run)."""
    from aiaas_iac.config import load_config

    dirs = tuple(checks_dir or ())
    if config_path is not None:
        dirs += load_config(Path("."), config_path, [Path(".")]).checks_dirs
    return dirs


def parse_report_spec(spec: str) -> tuple[str, Path]:
    """`--report sarif:out.sarif` -> ("sarif", Path("out.sarif")); the format's case does not matter."""
    from aiaas_iac.report import FORMAT_NAMES

    format_name, sep, path = spec.partition(":")
    format_name = format_name.strip().lower()
    if not sep or not path or format_name not in FORMAT_NAMES:
        raise UsageError(f"--report {spec!r}: expected FORMAT:FILE with FORMAT one of {', '.join(FORMAT_NAMES)}")
    return format_name, Path(path)


def format_name_mistake(output: Optional[Path], format_name: str) -> Optional[str]:
    """checkov's `-o sarif` means "output format"; here `-o` names a file. When the file is
    named like a format other than the one written, say what happened and what was meant."""
    from aiaas_iac.report import FORMAT_NAMES

    if output is None:
        return None
    named = output.name.lower()
    if named not in FORMAT_NAMES or named == format_name or output.suffix:
        return None
    return f"wrote {format_name} to {_shown_path(output)}; did you mean --format {named}?"


def _shown_path(path: Path) -> str:
    return path.as_posix() if path.is_absolute() or path.as_posix().startswith(".") else f"./{path.as_posix()}"


def render_to(report: Any, format_name: str, output: Optional[Path], options: dict) -> None:
    """Render `report` to stdout, or to `output` (never through a symbolic link)."""
    from aiaas_iac.report import render

    color = output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    text = render(report, format_name, color=color, **options)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
        return
    write_text_file(output, text)


def write_text_file(path: Path, text: str) -> None:
    """Reports and baselines never follow a symlink at the target (see report/write.py);
    UsageError names the problem."""
    from aiaas_iac.report.write import UnsafeTarget, write_file

    try:
        write_file(path, text)
    except UnsafeTarget as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
