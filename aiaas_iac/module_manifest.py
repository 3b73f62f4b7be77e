"""`.terraform/modules/modules.json`: where `terraform init` installed the modules a root calls.

    {"Modules": [{"Key": "", "Source": "", "Dir": "."},
                 {"Key": "chat", "Source": "./modules/chat", "Dir": "modules/chat"},
                 {"Key": "chat.role", "Source": "registry.terraform.io/ns/role/aws", "Version": "1.2.0",
                  "Dir": ".terraform/modules/chat.role"}]}

`Key` is the dotted path of module call names from the root (`""` is the root itself), `Dir`
is relative to the directory that ran `terraform init`. A local submodule of an installed
module has its own entry whose `Dir` lies inside the installed module's.

Nothing is ever downloaded: a registry or git module call is evaluated only from a directory
the manifest names, inside the scan root with no symbolic link leaving it. Discovery reads the
Terraform files of those directories (they sit under `.terraform/`, which the walk skips
otherwise); the module tree instantiates them only where a call of a root asks for them, so an
installed module nobody calls is never judged on its own. A manifest that is malformed, too
large or lists too many modules, and an entry naming a directory outside the root, each leave
one note; the rest of the scan is judged.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

MANIFEST = ".terraform/modules/modules.json"
MANIFEST_KIND = "modules_manifest"  # the Resource kind the parser gives a manifest
MAX_MANIFEST_BYTES = 2 * 1024 * 1024
MAX_ENTRIES = 2000  # modules listed in one manifest (real configurations install tens, a few hundred)
MAX_FILES_PER_DIRECTORY = 200  # Terraform files read from one installed module directory
MAX_INSTALLED_FILES = 5000  # Terraform files read from installed module directories in one scan
_SHOWN_PROBLEMS = 3  # entries a note names one by one before counting the rest
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Installed:
    key: str  # `chat.role`
    source: str  # as installed: `registry.terraform.io/ns/role/aws`, `git::https://...`
    version: str  # empty for git and local sources
    directory: str  # posix, relative to the scan root

    def describe(self) -> str:
        return f"{self.source} {self.version}".strip()


def is_installed(directory: str) -> bool:
    """A directory under some root's `.terraform/` (installed by init, not written in the repository)."""
    return ".terraform" in directory.split("/")


def init_dir_of(manifest_rel: str) -> str:
    """`envs/dev/.terraform/modules/modules.json` -> `envs/dev`; `.`  for the scan root."""
    parent = posixpath.dirname(posixpath.dirname(posixpath.dirname(manifest_rel)))
    return parent or "."


def _shown(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def read_manifest(text: str, manifest_rel: str) -> tuple[dict[str, Installed], list[str]]:
    """The installed modules a manifest lists, by key, and one note per problem found in it.

    Only the text is judged here (it is cached with the file's parse); whether a directory
    exists or leaves the root through a symbolic link is `directory_problem`'s."""
    unread = "; the modules it lists are not evaluated"
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return {}, [f"{manifest_rel}:{error.lineno}: not valid JSON ({error.msg}){unread}"]
    except RecursionError:
        return {}, [f"{manifest_rel}: nested too deeply{unread}"]
    entries = document.get("Modules") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        return {}, [f"{manifest_rel}: not a Terraform module manifest (no \"Modules\" list){unread}"]
    notes = []
    if len(entries) > MAX_ENTRIES:
        notes.append(f"{manifest_rel}: lists {len(entries)} modules, over the limit of {MAX_ENTRIES};"
                     f" only the first {MAX_ENTRIES} are read")
        entries = entries[:MAX_ENTRIES]
    init_dir = init_dir_of(manifest_rel)
    found: dict[str, Installed] = {}
    invalid = 0
    outside: list[str] = []
    for entry in entries:
        key, source, version, directory = (entry.get(name) if isinstance(entry, dict) else None
                                           for name in ("Key", "Source", "Version", "Dir"))
        if key == "" and isinstance(entry, dict):
            continue  # the root module itself
        if not (isinstance(key, str) and isinstance(directory, str) and directory
                and all(_NAME.fullmatch(part) for part in key.split("."))):
            invalid += 1
            continue
        source = source if isinstance(source, str) else ""
        version = version if isinstance(version, str) else ""
        # Terraform on Windows writes `\`; a drive letter or a leading `/` is an absolute path.
        path = directory.replace("\\", "/")
        target = posixpath.normpath(posixpath.join(init_dir, path))
        if path.startswith("/") or re.match(r"[A-Za-z]:", path) or target == ".." or target.startswith("../"):
            outside.append(f"{_shown(key)}: {_shown(directory)}")
            continue
        found.setdefault(key, Installed(key, source, version, target))
    if invalid:
        notes.append(f"{manifest_rel}: {invalid} entr{'y is' if invalid == 1 else 'ies are'} not a module entry"
                     " (Key, Dir); ignored")
    if outside:
        named = ", ".join(outside[:_SHOWN_PROBLEMS])
        more = f" and {len(outside) - _SHOWN_PROBLEMS} more" if len(outside) > _SHOWN_PROBLEMS else ""
        notes.append(f"{manifest_rel}: module directory outside the scan root ({named}{more}); not read")
    return found, notes


def directory_problem(root: Path, directory: str) -> str | None:
    """Why an installed module's directory cannot be read, or None: it must be a directory
    inside the scan root, reached through no symbolic link that leaves it."""
    root_real = os.path.realpath(root)
    real = os.path.realpath(root / directory)
    if real != root_real and not real.startswith(root_real + os.sep):
        return "leads outside the scan root (symbolic link)"
    if not os.path.isdir(real):
        return "does not exist"
    return None


def manifest_resource(text: str, rel: str):
    """A parsed manifest as one Resource (kind MANIFEST_KIND) for the module tree, and its notes."""
    from aiaas_iac.model import Resource, Span

    modules, notes = read_manifest(text, rel)
    attributes = {"modules": {key: {"source": m.source, "version": m.version, "dir": m.directory}
                              for key, m in modules.items()}}
    return Resource("terraform", MANIFEST_KIND, "modules.json", rel, rel, attributes, rel, init_dir_of(rel),
                    Span(1, 1)), notes


def installed_modules(resource) -> dict[str, Installed]:
    """The modules of a manifest Resource (see manifest_resource), by key."""
    modules = resource.attributes.get("modules")
    out = {}
    for key, entry in (modules.items() if isinstance(modules, dict) else ()):
        if isinstance(entry, dict) and all(isinstance(entry.get(k), str) for k in ("source", "version", "dir")):
            out[key] = Installed(key, entry["source"], entry["version"], entry["dir"])
    return out
