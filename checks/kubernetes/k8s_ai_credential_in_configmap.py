import re

from aiaas_iac.check import Check
from aiaas_iac.k8s_workloads import StoredValue, config_file_assignments, stored_values
from aiaas_iac.model import Mappings, Severity
from aiaas_iac.secrets import find_credential, is_ai_credential_name, is_placeholder


def _is_credential_value(value: str) -> bool:
    """A real value: not empty, a placeholder or a dummy value, and not in a known key format
    (AIA501 reports those)."""
    return not is_placeholder(value) and find_credential(value) is None


# In a dotenv file, `OPENAI_API_KEY=$OPENAI_API_KEY` expands another variable: it holds no value.
_DOTENV_EXPANSION = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]{0,200}")


def credential_names_in(stored: StoredValue) -> list[str]:
    """The AI credential names a ConfigMap key holds with a real value: the key itself, or
    `NAME=value` pairs inside the file it carries."""
    if stored.text is None:
        return []
    if is_ai_credential_name(stored.key):
        return [stored.key] if _is_credential_value(stored.text) else []
    names = [a.name for a in config_file_assignments(stored.text)
             if is_ai_credential_name(a.name) and _is_credential_value(a.value)
             and not _DOTENV_EXPANSION.fullmatch(a.value)]
    return list(dict.fromkeys(names))


class K8sAiCredentialInConfigMap(Check):
    """A `kind: ConfigMap` carries an AI credential: a `data` (or base64 `binaryData`) key named
    like `OPENAI_API_KEY` with a real value, or a `.env`, properties, YAML or JSON file in a
    value with such a `NAME=value` line. Empty values, template placeholders and dummy values
    are not credentials; values in a known key format are reported by AIA501 instead."""

    code = "AIA405"
    slug = "k8s-ai-credential-in-configmap"
    severity = Severity.HIGH
    title = "AI credential stored in a ConfigMap"
    formats = ("kubernetes",)
    mappings = Mappings("NHI2", "PR.DS-01", "CWE-312")
    why = """
        A ConfigMap offers no secrecy: it is stored unencrypted, readable by every role that
        may read configuration in the namespace, printed by `kubectl describe`, and committed
        in plain text with the manifest. A model API key kept there is readable by everyone
        with access to the repository or the namespace.
    """
    remediation = """
        Rotate the key, move it to a Secret created at deploy time from a secret store
        (External Secrets Operator, Sealed Secrets, the Secrets Store CSI driver) and reference
        it with `secretKeyRef`; keep only non-secret settings (endpoints, model names) in the
        ConfigMap.
    """
    failing_example = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: chat-config, namespace: ml}
        data:
          OPENAI_MODEL: gpt-4o
          app.env: |
            OPENAI_API_BASE=https://api.openai.com/v1
            OPENAI_API_KEY=prod-7f3a9c2e11d04b
    """
    passing_example = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: chat-config, namespace: ml}
        data:
          OPENAI_MODEL: gpt-4o
          app.env: |
            OPENAI_API_BASE=https://api.openai.com/v1
            OPENAI_API_KEY=${OPENAI_API_KEY}
    """

    def run(self, ctx):
        for config_map in ctx.of_type("ConfigMap", kind="manifest", format="kubernetes"):
            for stored in stored_values(config_map):
                names = credential_names_in(stored)
                if not names:
                    continue
                where = f"{stored.path[0]}.{stored.key}"
                what = names[0] if names == [stored.key] else f"{', '.join(names)} in {where}"
                yield self.finding(
                    config_map,
                    f"{config_map.address} holds {what} in plain text: a ConfigMap is not a secret store",
                    stored.path, detail=where,
                )
