from aiaas_iac.check import Check
from aiaas_iac.k8s_workloads import stored_values
from aiaas_iac.model import Mappings, Severity
from aiaas_iac.secrets import find_credential, is_ai_credential_name, is_base64, is_placeholder, redact


class K8sAiCredentialInSecretManifest(Check):
    """A committed `kind: Secret` manifest holds an AI credential (a key named like
    `OPENAI_API_KEY` or `openai-api-key`) in `data` or `stringData` with a real value.
    SealedSecrets and ExternalSecrets are other kinds and are fine; values in a known key
    format are reported by AIA501 instead."""

    code = "AIA402"
    slug = "k8s-ai-credential-in-secret-manifest"
    severity = Severity.HIGH
    title = "AI credential committed in a plaintext Secret manifest"
    formats = ("kubernetes",)
    mappings = Mappings("NHI2", "PR.DS-01", "CWE-312")
    why = """
        A Secret's `data` is base64, not encryption: anyone who can read the repository can
        decode the key. It stays in Git history after the file is changed, and every clone,
        fork and CI cache carries it.
    """
    remediation = """
        Rotate the key, delete the Secret manifest from the repository, and create the Secret
        at deploy time from a secret store: External Secrets Operator, Sealed Secrets, the
        Secrets Store CSI driver, or SOPS-encrypted files.
    """
    failing_example = """
        apiVersion: v1
        kind: Secret
        metadata: {name: llm-keys, namespace: ml}
        type: Opaque
        stringData:
          openai-api-key: a-literal-key-value
    """
    passing_example = """
        apiVersion: external-secrets.io/v1beta1
        kind: ExternalSecret
        metadata: {name: llm-keys, namespace: ml}
        spec:
          secretStoreRef: {name: aws-secrets-manager, kind: ClusterSecretStore}
          target: {name: llm-keys}
          data:
            - secretKey: openai-api-key
              remoteRef: {key: prod/llm/openai}
    """

    def run(self, ctx):
        for secret in ctx.of_type("Secret", kind="manifest", format="kubernetes"):
            for stored in stored_values(secret):
                if not is_ai_credential_name(stored.key) or self._not_a_credential(stored):
                    continue
                shown = redact(stored.text) if stored.text is not None else "(binary)"
                yield self.finding(
                    secret,
                    f"{secret.address} holds {stored.key} in {stored.path[0]} as a committed plaintext value {shown}",
                    stored.path, detail=".".join(stored.path),
                )

    @staticmethod
    def _not_a_credential(stored) -> bool:
        if stored.text is None:
            # Not base64 at all: the API server would reject it, so it is a template
            # or a placeholder for a later step. Base64 of binary is a real value.
            return not (stored.encoded and is_base64(stored.raw))
        raw = stored.raw if isinstance(stored.raw, str) else stored.text  # an unquoted YAML number
        return (is_placeholder(stored.text) or is_placeholder(raw)
                or find_credential(stored.text) is not None or find_credential(raw) is not None)
