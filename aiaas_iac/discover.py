"""Walk the paths to scan, choose a parser per file, honour excludes, never loop or leave the root."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable

from aiaas_iac.model import ParseError
from aiaas_iac.path_glob import AnchoredGlobs, PathFilter

SKIPPED_DIRS = frozenset({
    ".git", ".hg", ".svn", ".terraform", ".terragrunt-cache", "node_modules", ".venv", "venv",
    "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    ".serverless", "cdk.out", ".aws-sam",
})
# `env/` is as often a Terraform layout (`env/dev`, `env/prod`: the roots) as a virtualenv, so
# it is skipped only when it is one: these are the files venv, virtualenv and conda leave.
VIRTUALENV_MARKERS = ("pyvenv.cfg", "bin/activate", "Scripts/activate", "conda-meta")


def is_virtualenv(path: Path) -> bool:
    return any(os.path.lexists(os.path.join(path, marker)) for marker in VIRTUALENV_MARKERS)


def skipped_dir(name: str, path: Path) -> bool:
    return name in SKIPPED_DIRS or (name == "env" and is_virtualenv(path))
STRUCTURED_SUFFIXES = (".yaml", ".yml", ".json", ".template")


@dataclass(frozen=True)
class SourceFile:
    path: Path  # absolute
    rel: str  # posix, relative to the scan root
    kind: str  # terraform | tfvars | tfjson | tfvarsjson | bicep | bicepparam | structured

    @property
    def module(self) -> str:
        parent = str(PurePosixPath(self.rel).parent)
        return parent


def file_kind(name: str) -> str | None:
    """Which parser reads a file, from its name; structured files are sniffed by content later."""
    lower = name.lower()
    if lower.endswith(".tf"):
        return "terraform"
    # Every variables file is read (`-var-file=prod.tfvars` can hold a key); only
    # terraform.tfvars and *.auto.tfvars set values, as Terraform loads only those.
    if lower.endswith(".tfvars"):
        return "tfvars"
    if lower.endswith(".tf.json"):
        return "tfjson"
    if lower.endswith(".tfvars.json"):
        return "tfvarsjson"
    if lower.endswith(".bicep"):
        return "bicep"
    if lower.endswith(".bicepparam"):
        return "bicepparam"
    if lower.endswith(STRUCTURED_SUFFIXES):
        return "structured"
    return None


def relative_to_root(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def discover(paths: Iterable[Path], root: Path, excludes: Iterable[str] | PathFilter = (),
             notes: list[str] | None = None) -> tuple[list[SourceFile], list[ParseError]]:
    """Every scannable file under `paths`, sorted by relative path, plus what was skipped and why.

    `excludes` is a PathFilter, or globs relative to `root` (see aiaas_iac.path_glob). Under a
    `.terraform/` directory only `modules/modules.json` and the Terraform files of the module
    directories it names are read (aiaas_iac.module_manifest); what cannot be is added to `notes`.
    """
    path_filter = excludes if isinstance(excludes, PathFilter) else PathFilter(root, [AnchoredGlobs(excludes, root)])
    excluded = path_filter.excludes if path_filter else (lambda rel: False)
    root_real = Path(os.path.realpath(root))
    found: dict[str, SourceFile] = {}
    errors: list[ParseError] = []

    def add_file(path: Path, rel: str) -> None:
        kind = file_kind(path.name)
        if kind is not None and not excluded(rel):
            found.setdefault(rel, SourceFile(path, rel, kind))

    def inside_root(real: str) -> bool:
        return real == str(root_real) or real.startswith(str(root_real) + os.sep)

    installed_files = [0]  # Terraform files read from installed module directories so far
    installed_dirs: set[str] = set()

    def add_installed_modules(init_dir: Path) -> None:
        """`<init_dir>/.terraform/modules/modules.json` and the directories it names under `.terraform/`."""
        from aiaas_iac import module_manifest as mm

        manifest = init_dir / mm.MANIFEST
        rel = relative_to_root(manifest, root)
        real = os.path.realpath(manifest)
        if not os.path.isfile(real) or excluded(rel):
            return
        if not inside_root(real):
            errors.append(ParseError(rel, "symbolic link leads outside the scan root; not followed"))
            return
        try:
            if os.path.getsize(real) > mm.MAX_MANIFEST_BYTES:
                _note(f"{rel}: over the {mm.MAX_MANIFEST_BYTES // 1048576} MiB limit for a module manifest;"
                      " the modules it lists are not evaluated")
                return
            with open(real, "rb") as handle:
                text = handle.read(mm.MAX_MANIFEST_BYTES + 1).decode("utf-8", "replace")
        except OSError as error:
            errors.append(ParseError(rel, f"cannot read: {error.strerror or error}"))
            return
        found.setdefault(rel, SourceFile(manifest, rel, "tfmodules"))
        modules, _ = mm.read_manifest(text, rel)  # the manifest's parse notes them
        for module in modules.values():
            if not mm.is_installed(module.directory) or module.directory in installed_dirs:
                continue  # a directory of the repository: the walk reads it if it is scanned
            installed_dirs.add(module.directory)
            if mm.directory_problem(root, module.directory) is not None:
                continue  # the module tree notes it where a call asks for it
            add_directory_files(root / module.directory)

    def add_directory_files(directory: Path) -> None:
        from aiaas_iac import module_manifest as mm

        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            return
        taken = 0
        for entry in entries:
            if file_kind(entry.name) not in ("terraform", "tfjson"):
                continue
            path = Path(entry.path)
            rel = relative_to_root(path, root)
            if not inside_root(os.path.realpath(path)) or not os.path.isfile(path) or excluded(rel):
                continue
            if taken >= mm.MAX_FILES_PER_DIRECTORY or installed_files[0] >= mm.MAX_INSTALLED_FILES:
                _note(f"{relative_to_root(directory, root)}: more than {mm.MAX_FILES_PER_DIRECTORY} Terraform files in"
                      f" an installed module, or {mm.MAX_INSTALLED_FILES} in all installed modules; the rest are"
                      " not read")
                return
            taken += 1
            installed_files[0] += 1
            found.setdefault(rel, SourceFile(path, rel, file_kind(entry.name) or "terraform"))

    def _note(text: str) -> None:
        if notes is not None and text not in notes:
            notes.append(text)

    def walk(directory: Path, ancestors: frozenset[str]) -> None:
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as error:
            errors.append(ParseError(relative_to_root(directory, root), f"cannot list directory: {error.strerror or error}"))
            return
        for entry in entries:
            path = Path(entry.path)
            rel = relative_to_root(path, root)
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir()
            except OSError as error:
                errors.append(ParseError(rel, f"cannot read: {error.strerror or error}"))
                continue
            if is_link:
                real = os.path.realpath(path)
                if not os.path.exists(real) and file_kind(entry.name) is None:
                    continue
                if not inside_root(real):
                    if is_dir or file_kind(entry.name):
                        errors.append(ParseError(rel, "symbolic link leads outside the scan root; not followed"))
                    continue
                if is_dir and real in ancestors:
                    errors.append(ParseError(rel, "symbolic link loop; not followed"))
                    continue
            if is_dir:
                if entry.name == ".terraform" and not excluded(rel):
                    add_installed_modules(directory)
                if skipped_dir(entry.name, path) or excluded(rel):
                    continue
                real = os.path.realpath(path)
                walk(path, ancestors | {real})
            elif entry.is_file():
                add_file(path, rel)

    for given in paths:
        path = Path(os.path.abspath(given))
        rel = relative_to_root(path, root)
        if path.is_dir():
            walk(path, frozenset({os.path.realpath(path)}))
        elif path.is_file():
            kind = file_kind(path.name)
            if kind is None:
                kind = "structured"  # named explicitly: try it whatever its extension
            found.setdefault(rel, SourceFile(path, rel, kind))
        elif path.is_symlink():
            errors.append(ParseError(rel, "broken symbolic link or link loop"))
        else:
            errors.append(ParseError(rel, "no such file or directory"))
    return [found[k] for k in sorted(found)], errors
