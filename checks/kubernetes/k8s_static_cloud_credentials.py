from collections.abc import Mapping
from typing import Iterator

from aiaas_iac.check import Check
from aiaas_iac.k8s_workloads import (
    Container, EnvVar, ai_workload_reasons, config_objects, containers, env_from, env_vars, key_file_secret, pod_specs,
    stored_values,
)
from aiaas_iac.model import Finding, Mappings, Severity

STATIC_CLOUD_CREDENTIALS = ("AWS_SECRET_ACCESS_KEY", "AZURE_CLIENT_SECRET", "GOOGLE_APPLICATION_CREDENTIALS")
_STORED_REFERENCES = {"secretKeyRef": "Secret", "configMapKeyRef": "ConfigMap"}
# GOOGLE_APPLICATION_CREDENTIALS holds a path: a ConfigMap giving it says nothing about a key.
_PATH_VARIABLE = "GOOGLE_APPLICATION_CREDENTIALS"


def _static_source(name: str, kind: str) -> bool:
    return kind == "Secret" or name != _PATH_VARIABLE


class K8sStaticCloudCredentials(Check):
    """An AI workload (see AIA404) gets a static cloud credential — `AWS_SECRET_ACCESS_KEY`,
    `AZURE_CLIENT_SECRET` or a `GOOGLE_APPLICATION_CREDENTIALS` key file — from a Secret
    (`secretKeyRef`, `envFrom`, a mounted secret volume) or ConfigMap instead of using workload
    identity, in any of its containers or init containers. A backup job with AWS keys is not an
    AI workload. Literal values are AIA501's findings."""

    code = "AIA403"
    slug = "k8s-static-cloud-credentials"
    severity = Severity.MEDIUM
    title = "Workload uses static cloud credentials instead of workload identity"
    formats = ("kubernetes",)
    mappings = Mappings("NHI7", "PR.AA-01", "CWE-522")
    why = """
        A long-lived access key or service-account key file never expires, works from
        anywhere, and is copied into every node and namespace that can read the Secret. If the
        pod or the Secret leaks, so does the cloud identity that calls Bedrock, Vertex AI or
        Azure OpenAI, until someone remembers to rotate it.
    """
    remediation = """
        Use workload identity: IRSA or EKS Pod Identity on AWS, Azure Workload Identity on AKS,
        GKE Workload Identity (or workload identity federation elsewhere). The pod then gets
        short-lived tokens bound to its service account, and no key exists to leak.
    """
    failing_example = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: rag-indexer}
        spec:
          template:
            spec:
              containers:
                - name: indexer
                  image: ghcr.io/acme/indexer:2.0.1
                  env:
                    - name: AWS_SECRET_ACCESS_KEY
                      valueFrom:
                        secretKeyRef: {name: aws-creds, key: secret-access-key}
    """
    passing_example = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: rag-indexer}
        spec:
          template:
            spec:
              serviceAccountName: rag-indexer   # annotated with eks.amazonaws.com/role-arn
              containers:
                - name: indexer
                  image: ghcr.io/acme/indexer:2.0.1
    """

    def run(self, ctx):
        for pod in pod_specs(ctx):
            if not ai_workload_reasons(ctx, pod):
                continue  # CHECKS.md "AI workload": cloud keys alone do not make one
            for container in containers(pod):
                for env in env_vars(container):
                    if env.name in STATIC_CLOUD_CREDENTIALS:
                        yield from self._from_env(env)
                yield from self._from_env_from(ctx, container)

    def _from_env(self, env: EnvVar) -> Iterator[Finding]:
        workload, container = env.workload, env.container
        source = env.value_from or {}
        for reference, kind in _STORED_REFERENCES.items():
            if isinstance(source.get(reference), Mapping) and _static_source(env.name, kind):
                yield self.finding(
                    workload,
                    f"{workload.address} container {container.name} reads {env.name} from "
                    f"{kind} {source[reference].get('name')}: a static cloud credential",
                    env.path + ("valueFrom", reference), detail=f"{container.name}.env.{env.name}",
                )
        if env.name == _PATH_VARIABLE and env.has_literal and isinstance(env.value, str):
            yield from self._key_file(env, env.value)

    def _key_file(self, env: EnvVar, file_path: str) -> Iterator[Finding]:
        """A key file path inside a Secret-backed mount (k8s_workloads.key_file_secret)."""
        container = env.container
        secret = key_file_secret(container, file_path)
        if secret is not None:
            yield self.finding(
                env.workload,
                f"{env.workload.address} container {container.name} points GOOGLE_APPLICATION_CREDENTIALS "
                f"at a key file from Secret {secret}: a static service account key",
                env.path + ("value",), detail=f"{container.name}.env.{env.name}",
            )

    def _from_env_from(self, ctx, container: Container) -> Iterator[Finding]:
        workload = container.pod.workload
        for source in env_from(container):
            for stored_object in config_objects(ctx, workload, source.source_kind, source.source_name):
                names = [source.prefix + value.key for value in stored_values(stored_object)]
                for name in (n for n in STATIC_CLOUD_CREDENTIALS if n in names and _static_source(n, source.source_kind)):
                    yield self.finding(
                        workload,
                        f"{workload.address} container {container.name} loads {name} from "
                        f"{source.source_kind} {source.source_name} (envFrom): a static cloud credential",
                        source.path, detail=f"{container.name}.envFrom.{source.source_name}.{name}",
                    )
