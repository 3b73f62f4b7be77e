"""Kubernetes workload semantics the checks share: pod specs, containers, env, Secrets, mounts.

A Kubernetes resource's attributes are its whole document, so every path here
starts at the document root (`("spec", "template", "spec", "containers", 0,
"env", 2, "value")`) and points straight at the line a finding belongs on.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Iterator

from aiaas_iac.model import Resource, scalar_text
from aiaas_iac.secrets import decode_base64_text

if TYPE_CHECKING:
    from aiaas_iac.context import ScanContext

_TEMPLATE_POD_SPEC = ("spec", "template", "spec")
POD_SPEC_PATHS: dict[str, tuple] = {
    "Pod": ("spec",),
    "Deployment": _TEMPLATE_POD_SPEC,
    "StatefulSet": _TEMPLATE_POD_SPEC,
    "DaemonSet": _TEMPLATE_POD_SPEC,
    "ReplicaSet": _TEMPLATE_POD_SPEC,
    "ReplicationController": _TEMPLATE_POD_SPEC,
    "Job": _TEMPLATE_POD_SPEC,
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
WORKLOAD_KINDS = tuple(POD_SPEC_PATHS)
CONTAINER_LISTS = ("initContainers", "containers")


def _is_manifest(resource: Resource) -> bool:
    return resource.format == "kubernetes" and resource.kind == "manifest"


def namespace_of(resource: Resource) -> str | None:
    namespace = resource.get("metadata", "namespace")
    return namespace if isinstance(namespace, str) and namespace else None


def same_namespace(a: Resource, b: Resource) -> bool:
    """Objects in one namespace; a manifest without one is applied to whatever namespace is current."""
    first, second = namespace_of(a), namespace_of(b)
    return first is None or second is None or first == second


@dataclass(frozen=True)
class PodSpec:
    workload: Resource
    path: tuple
    spec: Mapping

    def service_account(self) -> Any:
        """`serviceAccountName`, or the deprecated `serviceAccount` alias; None when absent."""
        name = self.spec.get("serviceAccountName")
        return name if name is not None else self.spec.get("serviceAccount")

    def volume(self, name: Any) -> Mapping | None:
        for volume in self.spec.get("volumes") or []:
            if isinstance(volume, Mapping) and volume.get("name") == name:
                return volume
        return None


@dataclass(frozen=True)
class Container:
    pod: PodSpec
    path: tuple
    fields: Mapping

    @property
    def name(self) -> str:
        name = self.fields.get("name")
        return name if isinstance(name, str) else str(self.path[-1])

    def mount_for(self, file_path: str) -> Mapping | None:
        """The volumeMount whose mountPath holds `file_path` (the deepest one)."""
        best: Mapping | None = None
        for mount in self.fields.get("volumeMounts") or []:
            if not isinstance(mount, Mapping) or not isinstance(mount.get("mountPath"), str):
                continue
            mount_path = posixpath.normpath(mount["mountPath"])
            inside = file_path == mount_path or file_path.startswith(mount_path.rstrip("/") + "/")
            if inside and (best is None or len(mount_path) > len(posixpath.normpath(best["mountPath"]))):
                best = mount
        return best


def secret_backed(volume: Mapping | None) -> str | None:
    """The Secret a volume is made from (a `secret` volume or a projected one), or None."""
    if not isinstance(volume, Mapping):
        return None
    secret = volume.get("secret")
    if isinstance(secret, Mapping):
        return str(secret.get("secretName", volume.get("name")))
    for source in (volume.get("projected") or {}).get("sources") or []:
        if isinstance(source, Mapping) and isinstance(source.get("secret"), Mapping):
            return str(source["secret"].get("name", volume.get("name")))
    return None


def key_file_secret(container: Container, file_path: str) -> str | None:
    """The Secret that the file at `file_path` (an absolute path, e.g. a
    GOOGLE_APPLICATION_CREDENTIALS key file) is mounted from in `container`'s pod, or None. The
    whole pod counts: an init container may mount the same pod volume. A ConfigMap-backed file is
    usually a workload identity federation config (`external_account`): not a key."""
    if not file_path.startswith("/"):
        return None
    file_path = posixpath.normpath(file_path)
    mounts = [container.mount_for(file_path)] + [c.mount_for(file_path) for c in containers(container.pod)]
    mount = next((m for m in mounts if m is not None), None)
    return secret_backed(container.pod.volume(mount.get("name"))) if mount else None


@dataclass(frozen=True)
class EnvVar:
    """One `env` entry: `value` is a literal, `value_from` the `valueFrom` mapping (or None)."""

    container: Container
    path: tuple
    name: str
    entry: Mapping

    @property
    def workload(self) -> Resource:
        return self.container.pod.workload

    @property
    def has_literal(self) -> bool:
        return "value" in self.entry and "valueFrom" not in self.entry

    @property
    def value(self) -> Any:
        return self.entry.get("value")

    @property
    def value_from(self) -> Mapping | None:
        source = self.entry.get("valueFrom")
        return source if isinstance(source, Mapping) else None


@dataclass(frozen=True)
class EnvFrom:
    """One `envFrom` entry: every key of a Secret or ConfigMap becomes a variable (with `prefix`)."""

    container: Container
    path: tuple
    source_kind: str  # "Secret" or "ConfigMap"
    source_name: Any
    prefix: str


def pod_spec(resource: Resource) -> PodSpec | None:
    """The pod template of a workload manifest, or None for other kinds."""
    if not _is_manifest(resource) or resource.type not in POD_SPEC_PATHS:
        return None
    path = POD_SPEC_PATHS[resource.type]
    spec = resource.get(*path)
    return PodSpec(resource, path, spec) if isinstance(spec, Mapping) else None


def pod_specs(ctx: "ScanContext") -> Iterator[PodSpec]:
    for resource in ctx.of_type(*WORKLOAD_KINDS, kind="manifest", format="kubernetes"):
        found = pod_spec(resource)
        if found is not None:
            yield found


def containers(pod: PodSpec) -> Iterator[Container]:
    for list_name in CONTAINER_LISTS:
        items = pod.spec.get(list_name)
        if not isinstance(items, list):
            continue
        for index, fields in enumerate(items):
            if isinstance(fields, Mapping):
                yield Container(pod, pod.path + (list_name, index), fields)


def env_vars(container: Container) -> Iterator[EnvVar]:
    entries = container.fields.get("env")
    if not isinstance(entries, list):
        return
    for index, entry in enumerate(entries):
        if isinstance(entry, Mapping) and isinstance(entry.get("name"), str):
            yield EnvVar(container, container.path + ("env", index), entry["name"], entry)


def env_from(container: Container) -> Iterator[EnvFrom]:
    entries = container.fields.get("envFrom")
    if not isinstance(entries, list):
        return
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            continue
        prefix = entry.get("prefix") if isinstance(entry.get("prefix"), str) else ""
        for key, kind in (("secretRef", "Secret"), ("configMapRef", "ConfigMap")):
            reference = entry.get(key)
            if isinstance(reference, Mapping):
                yield EnvFrom(container, container.path + ("envFrom", index), kind, reference.get("name"), prefix)


def config_objects(ctx: "ScanContext", near: Resource, kind: str, name: Any) -> list[Resource]:
    """Secrets or ConfigMaps in the scan called `name` that `near` can see (same namespace)."""
    if not isinstance(name, str):
        return []

    def by_name() -> dict[str, list[Resource]]:  # every workload asks: index the objects once per scan
        named: dict[str, list[Resource]] = {}
        for resource in ctx.of_type(kind, kind="manifest", format="kubernetes"):
            named.setdefault(resource.name, []).append(resource)
        return named

    return [r for r in ctx.memo(("k8s-config-objects", kind), by_name).get(name, ()) if same_namespace(near, r)]


@dataclass(frozen=True)
class StoredValue:
    """One key of a Secret/ConfigMap: its text (base64 already decoded where possible)."""

    key: str
    path: tuple
    text: str | None  # None: `data` that is not base64 of UTF-8 text
    raw: Any
    encoded: bool


def stored_values(resource: Resource) -> Iterator[StoredValue]:
    """The keys of a Secret (`data` base64, `stringData` plain) or ConfigMap (`data` plain)."""
    sections = (("data", resource.type == "Secret"), ("stringData", False)) if resource.type == "Secret" \
        else (("data", False), ("binaryData", True))
    for section, encoded in sections:
        values = resource.get(section)
        if not isinstance(values, Mapping):
            continue
        for key, raw in values.items():
            if not isinstance(key, str):
                continue
            text = decode_base64_text(raw) if encoded else scalar_text(raw)
            yield StoredValue(key, (section, key), text, raw, encoded)


def env_from_names(ctx: "ScanContext", source: EnvFrom) -> list[str]:
    """The variable names an `envFrom` entry defines, as far as the referenced objects are in the scan."""
    names: list[str] = []
    for resource in config_objects(ctx, source.container.pod.workload, source.source_kind, source.source_name):
        names.extend(source.prefix + value.key for value in stored_values(resource))
    return names


# CHECKS.md "AI workload": what makes a pod an AI workload, checked over the whole pod (init
# containers included). Cloud credential names (AWS_SECRET_ACCESS_KEY, ...) alone do not: a
# backup job with AWS keys is not one.
AI_ENV_PREFIXES = ("OPENAI_", "AZURE_OPENAI_", "ANTHROPIC_", "GEMINI_", "VERTEX_", "BEDROCK_", "AWS_BEDROCK_",
                   "COHERE_", "MISTRAL_", "HF_", "HUGGINGFACE_")
AI_OBJECT_NAME_WORDS = frozenset({"openai", "bedrock", "vertex", "gemini", "anthropic", "huggingface", "cohere",
                                  "mistral", "llm"})
_NAME_SEPARATORS = re.compile(r"[-_.]")


def is_ai_object_name(name: Any) -> bool:
    """A Secret/ConfigMap name with an AI service as one of its `-`/`_`/`.`-separated words
    (`bedrock-user`, `llm.keys`; not `backup-aws`, not `myopenai`)."""
    if not isinstance(name, str) or len(name) > 253:  # longer is no Kubernetes name
        return False
    return any(word in AI_OBJECT_NAME_WORDS for word in _NAME_SEPARATORS.split(name.lower()))


def _config_sources(pod: PodSpec) -> Iterator[tuple[str, Any]]:
    """(kind, name) of every Secret/ConfigMap the pod takes env, envFrom or a volume from."""
    for container in containers(pod):
        for env in env_vars(container):
            source = env.value_from or {}
            for reference, kind in (("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")):
                if isinstance(source.get(reference), Mapping):
                    yield kind, source[reference].get("name")
        for source in env_from(container):
            yield source.source_kind, source.source_name
    for volume in pod.spec.get("volumes") or []:
        if not isinstance(volume, Mapping):
            continue
        if isinstance(volume.get("secret"), Mapping):
            yield "Secret", volume["secret"].get("secretName")
        if isinstance(volume.get("configMap"), Mapping):
            yield "ConfigMap", volume["configMap"].get("name")
        projected = volume.get("projected")
        for item in (projected.get("sources") or []) if isinstance(projected, Mapping) else []:
            for key, kind in (("secret", "Secret"), ("configMap", "ConfigMap")):
                if isinstance(item, Mapping) and isinstance(item.get(key), Mapping):
                    yield kind, item[key].get("name")


def pod_env_names(ctx: "ScanContext", pod: PodSpec) -> list[str]:
    """Every env var name the pod's containers get: `env`, and `envFrom` objects in the scan."""
    names: list[str] = []
    for container in containers(pod):
        names += [env.name for env in env_vars(container)]
        for source in env_from(container):
            names += env_from_names(ctx, source)
    return list(dict.fromkeys(names))


def ai_workload_reasons(ctx: "ScanContext", pod: PodSpec) -> list[str]:
    """Why the pod is an AI workload, for messages; empty if it is not one. The strongest kind of
    evidence only: AI credential names (`OPENAI_API_KEY`), else env vars named for an AI service
    (`VERTEX_LOCATION`), else the Secrets/ConfigMaps named for one (`Secret bedrock-user`)."""
    from aiaas_iac.secrets import is_ai_credential_name

    names = pod_env_names(ctx, pod)
    credentials = [n for n in names if is_ai_credential_name(n)]
    if credentials:
        return credentials
    services = [n for n in names if n.upper().startswith(AI_ENV_PREFIXES)]
    if services:
        return services
    sources = dict.fromkeys((k, n) for k, n in _config_sources(pod) if isinstance(n, str))
    return [f"{kind} {name}" for kind, name in sources if is_ai_object_name(name)]


# CHECKS.md AIA405 (b): `NAME=value` (dotenv, `export NAME=value`), `NAME: value` / `NAME = value`
# (YAML, properties) and `"NAME": "value"` (JSON) lines inside a ConfigMap value. A name is at most
# 200 characters and the whole line is read once, so a huge value stays linear.
_ASSIGNMENT_LINE = re.compile(
    r"""^[ \t]*(?:export[ \t]+)?(?P<quote>["']?)(?P<name>[A-Za-z_][A-Za-z0-9_.\-]{0,199})(?P=quote)"""
    r"""[ \t]*(?:=|:(?=[ \t]|$))(?P<value>[^\n]*)""",
    re.MULTILINE,
)
_COMMENT_START = re.compile(r"[ \t]#")


@dataclass(frozen=True)
class Assignment:
    """One `NAME=value` pair written inside a config file's text; `offset` is where its line starts."""

    name: str
    value: str
    offset: int


def _unquoted(value: str) -> str:
    value = value.strip().rstrip(",").rstrip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    comment = _COMMENT_START.search(value)
    return value[:comment.start()].rstrip() if comment else value


def config_file_assignments(text: str) -> Iterator[Assignment]:
    """The `NAME=value`, `NAME: value` and `"NAME": "value"` pairs of a dotenv, properties, YAML
    or JSON text, one per line (a JSON object written on one line is read as JSON)."""
    stripped = text.strip()
    if stripped.startswith("{") and "\n" not in stripped:
        try:
            document = json.loads(stripped)
        except (ValueError, RecursionError):
            document = None
        if isinstance(document, dict):
            for name, value in document.items():
                if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                    yield Assignment(str(name), str(value), 0)
            return
    for match in _ASSIGNMENT_LINE.finditer(text):
        yield Assignment(match.group("name"), _unquoted(match.group("value")), match.start())
