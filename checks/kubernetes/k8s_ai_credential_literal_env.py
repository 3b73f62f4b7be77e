from aiaas_iac.check import Check
from aiaas_iac.k8s_workloads import containers, env_vars, pod_specs
from aiaas_iac.model import Mappings, Severity, scalar_text
from aiaas_iac.secrets import find_credential, is_ai_credential_name, is_substitution_or_empty, redact


class K8sAiCredentialLiteralEnv(Check):
    """A container `env` entry named like an AI credential (`OPENAI_API_KEY`, `HF_TOKEN`,
    `AWS_SECRET_ACCESS_KEY`...) sets a literal `value` instead of reading it with `valueFrom`.
    Values in a known key format are reported by AIA501 instead."""

    code = "AIA401"
    slug = "k8s-ai-credential-literal-env"
    severity = Severity.HIGH
    title = "AI credential set as a literal container env value"
    formats = ("kubernetes",)
    mappings = Mappings("NHI2", "PR.DS-01", "CWE-798")
    why = """
        A literal env value is stored in the manifest, in Git, in the Deployment object that
        anyone with `get` on workloads can read, and in every ReplicaSet revision. Kubernetes
        RBAC usually guards Secrets more tightly than workloads; a literal bypasses that.
    """
    remediation = """
        Put the key in a Secret that is not committed in plain text (External Secrets, Sealed
        Secrets, a CSI secret store) and read it with `valueFrom.secretKeyRef`; better still,
        use workload identity (IRSA / EKS Pod Identity, Azure Workload Identity, GKE Workload
        Identity) so the pod needs no key at all.
    """
    failing_example = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: chat}
        spec:
          template:
            spec:
              containers:
                - name: api
                  image: ghcr.io/acme/chat:1.4.2
                  env:
                    - name: OPENAI_API_KEY
                      value: "a-literal-key-value"
    """
    passing_example = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: chat}
        spec:
          template:
            spec:
              containers:
                - name: api
                  image: ghcr.io/acme/chat:1.4.2
                  env:
                    - name: OPENAI_API_KEY
                      valueFrom:
                        secretKeyRef: {name: llm-keys, key: openai-api-key}
    """

    def run(self, ctx):
        for pod in pod_specs(ctx):
            for container in containers(pod):
                for env in env_vars(container):
                    if not env.has_literal or not is_ai_credential_name(env.name):
                        continue
                    text = scalar_text(env.value)
                    # The manifest's shape is the finding: only an empty value or a whole-value
                    # substitution (`${X}`, `{{ .Values.x }}`, `$(X)`) is exempt, not "replace-me".
                    if text is None or is_substitution_or_empty(text) or find_credential(text) is not None:
                        continue  # no literal string (null, an unrendered template), or AIA501's finding
                    yield self.finding(
                        pod.workload,
                        f"{pod.workload.address} container {container.name} sets env {env.name} "
                        f"to a literal value {redact(text)}",
                        env.path + ("value",),
                        detail=f"{container.name}.env.{env.name}",
                    )
