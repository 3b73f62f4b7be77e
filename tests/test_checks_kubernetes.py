"""AIA401–AIA404 on Kubernetes manifests, and AIA501 where it takes precedence."""

import base64
import dataclasses
import textwrap

import pytest

from conftest import SAMPLES, scan_dir, triples
from test_secrets import FAKE_KEYS

K8S = SAMPLES / "kubernetes"
HF_TOKEN = FAKE_KEYS["a Hugging Face token"]


def codes(report, prefix="AIA4"):
    return {(f.code, f.location.span.start_line) for f in report.findings if f.code.startswith(prefix)}


def deployment(env: str, pod_extra: str = "", name: str = "chat") -> str:
    """A Deployment whose single container has the given `env:` items (YAML written at column 0).

    Line 8 is the pod spec; with one `pod_extra` line, env items start at line 14, else 13.
    """
    head = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
        f"  name: {name}\n  namespace: ml\nspec:\n  template:\n    spec:\n"
    )
    pod = textwrap.indent(textwrap.dedent(pod_extra), " " * 6)
    container = "      containers:\n        - name: api\n          image: ghcr.io/acme/chat:1.4.2\n          env:\n"
    return head + pod + container + textwrap.indent(textwrap.dedent(env), " " * 12)


# --- the samples ---------------------------------------------------------------------------

def test_failing_manifests_report_each_problem_at_its_line():
    report = scan_dir(K8S / "fail")
    assert triples(report, "AIA4") | triples(report, "AIA5") == {
        ("AIA404", "chat-deployment.yaml", 29),      # pod spec without serviceAccountName
        ("AIA401", "chat-deployment.yaml", 39),      # AZURE_OPENAI_API_KEY literal value
        ("AIA403", "chat-deployment.yaml", 52),      # AWS_SECRET_ACCESS_KEY from a Secret
        ("AIA404", "embeddings-cronjob.yaml", 12),   # serviceAccountName: default
        ("AIA501", "embeddings-cronjob.yaml", 19),   # HF token in an initContainer (not AIA401)
        ("AIA403", "embeddings-cronjob.yaml", 31),   # GOOGLE_APPLICATION_CREDENTIALS -> secret volume
        ("AIA403", "ingest-worker.yaml", 23),        # envFrom a Secret holding AWS_SECRET_ACCESS_KEY
        ("AIA402", "llm-secrets.yaml", 8),           # openai-api-key in stringData
        ("AIA501", "llm-secrets.yaml", 11),          # base64 Anthropic key (not AIA402)
        ("AIA501", "llm-secrets.yaml", 20),          # base64 AWS access key ID (not AIA402)
        # llm-secrets.yaml:21 (AWS_SECRET_ACCESS_KEY in data) is a cloud credential name: not AIA402
        ("AIA404", "bedrock-sync-job.yaml", 13),     # AWS keys from Secret bedrock-user: an AI workload
        ("AIA403", "bedrock-sync-job.yaml", 24),     # ... whose AWS_SECRET_ACCESS_KEY comes from it
        ("AIA403", "bedrock-sync-job.yaml", 44),     # key file set in an init container, VERTEX_ in main
        ("AIA405", "chat-configmap.yaml", 9),        # ANTHROPIC_API_KEY as a ConfigMap key
        ("AIA405", "chat-configmap.yaml", 10),       # LANGSMITH_API_KEY=... inside app.env
    }


def test_passing_manifests_sealed_and_external_secrets_and_workflows_are_clean():
    report = scan_dir(K8S / "pass")
    assert triples(report, "AIA4") | triples(report, "AIA5") == set()
    assert report.errors == []


def test_messages_name_workload_container_and_variable():
    report = scan_dir(K8S / "fail")
    messages = {f.code + " " + f.message for f in report.findings if f.code.startswith("AIA4")}
    assert ("AIA401 Deployment/ml/chat-api container api sets env AZURE_OPENAI_API_KEY "
            "to a literal value 93a6… (32 chars)") in messages
    assert ("AIA404 CronJob/ml/refresh-embeddings gets HF_TOKEN but its pod spec sets "
            "serviceAccountName: default") in messages


# --- AIA401 --------------------------------------------------------------------------------

def test_literal_in_a_known_format_is_aia501_not_aia401(tree):
    report = tree({"chat.yaml": deployment(f"""\
        - name: HF_TOKEN
          value: {HF_TOKEN}
        """, "serviceAccountName: chat\n")})
    assert codes(report, "AIA") == {("AIA501", 15)}


def test_value_from_secret_and_placeholders_are_not_literals(tree):
    report = tree({"chat.yaml": deployment("""\
        - name: OPENAI_API_KEY
          valueFrom:
            secretKeyRef: {name: llm-keys, key: openai-api-key}
        - name: ANTHROPIC_API_KEY
          value: $(GATEWAY_TOKEN)
        - name: GEMINI_API_KEY
          value: "{{ .Values.gemini.apiKey }}"
        - name: GROQ_API_KEY
          value: ""
        - name: DATABASE_PASSWORD
          value: hunter2-prod
        """, "serviceAccountName: chat\n")})
    assert codes(report) == set()



def test_unquoted_helm_action_outside_a_chart_is_not_a_literal(tree):
    # `value: {{ .Values.openai.apiKey }}` is valid YAML: a flow mapping, not a committed string.
    report = tree({"deploy/chat.yaml": deployment("""\
        - name: OPENAI_API_KEY
          value: {{ .Values.openai.apiKey }}
        """, "serviceAccountName: chat\n")})
    assert codes(report, "AIA") == set()

def test_literal_in_a_pod_init_container(tree):
    report = tree({"pod.yaml": textwrap.dedent("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: warmup}
        spec:
          serviceAccountName: warmup
          initContainers:
            - name: fetch
              image: busybox:1.36
              env:
                - name: HUGGINGFACEHUB_API_TOKEN
                  value: q8Jd2mLsPq0wZr4tXa91
          containers:
            - name: app
              image: ghcr.io/acme/app:1.0.0
        """)})
    assert codes(report) == {("AIA401", 11)}


# --- AIA402 --------------------------------------------------------------------------------

def secret(body: str, kind: str = "Secret") -> str:
    return f"apiVersion: v1\nkind: {kind}\nmetadata:\n  name: llm-keys\n  namespace: ml\n" + textwrap.dedent(body)


def test_secret_data_is_decoded_before_judging_it(tree):
    placeholder = base64.b64encode(b"sk-...").decode()
    real = base64.b64encode(b"prod-7f3a9c2e11d04b").decode()
    report = tree({"secret.yaml": secret(f"""\
        data:
          OPENAI_API_KEY: {placeholder}
          ANTHROPIC_API_KEY: {real}
          COHERE_API_KEY: "not base64!"
        """)})
    assert codes(report) == {("AIA402", 8)}



def test_unquoted_helm_action_in_string_data_is_not_committed(tree):
    report = tree({"secret.yaml": secret("""\
        stringData:
          OPENAI_API_KEY: {{ .Values.openai.apiKey }}
          ANTHROPIC_API_KEY: 73905521648830172265
        """)})
    assert codes(report, "AIA") == {("AIA402", 8)}  # an unquoted number is still a committed value

def test_binary_secret_value_counts_as_committed(tree):
    binary = base64.b64encode(bytes(range(200, 240))).decode()
    report = tree({"secret.yaml": secret(f"data:\n  hf-token: {binary}\n")})
    assert codes(report) == {("AIA402", 7)}


def test_secret_key_in_a_known_format_is_aia501_not_aia402(tree):
    report = tree({"secret.yaml": secret(f"stringData:\n  HF_TOKEN: {HF_TOKEN}\n")})
    assert codes(report, "AIA") == {("AIA501", 7)}


def test_sealed_secret_and_non_ai_keys_are_fine(tree):
    report = tree({
        "sealed.yaml": secret("spec:\n  encryptedData:\n    openai-api-key: AgBy3i4OJSWK+PiTySYZZA9rO4\n",
                              kind="SealedSecret"),
        "db.yaml": secret("stringData:\n  DATABASE_PASSWORD: hunter2-prod\n"),
    })
    assert codes(report) == set()


# --- AIA403 --------------------------------------------------------------------------------

def test_azure_client_secret_from_a_secret(tree):
    report = tree({"app.yaml": deployment("""\
        - name: AZURE_CLIENT_ID
          value: 8f0d5c1e-3a2b-4c6d-9e8f-1a2b3c4d5e6f
        - name: AZURE_CLIENT_SECRET
          valueFrom:
            secretKeyRef: {name: aoai-sp, key: client-secret}
        - name: AZURE_OPENAI_ENDPOINT
          value: https://acme-chat.openai.azure.com/
        """, "serviceAccountName: chat\n")})
    assert codes(report) == {("AIA403", 18)}


def test_env_from_counts_only_secrets_in_the_scan_and_namespace(tree):
    report = tree({
        "secrets.yaml": textwrap.dedent("""\
            apiVersion: v1
            kind: Secret
            metadata: {name: aws-creds, namespace: ml}
            stringData:
              SECRET_ACCESS_KEY: "{{ .Values.aws.secret }}"
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: shared-aws, namespace: other}
            stringData:
              AWS_SECRET_ACCESS_KEY: "${AWS_SECRET_ACCESS_KEY}"
            """),
        "worker.yaml": textwrap.dedent("""\
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: worker, namespace: ml}
            spec:
              template:
                spec:
                  serviceAccountName: worker
                  containers:
                    - name: worker
                      image: ghcr.io/acme/worker:1.0.0
                      envFrom:
                        - secretRef: {name: aws-creds}
                          prefix: AWS_
                        - secretRef: {name: shared-aws}
                        - secretRef: {name: not-in-this-repo}
                      env:
                        - {name: BEDROCK_MODEL_ID, value: anthropic.claude-3-5-haiku-20241022-v1:0}
            """),
    })
    assert codes(report) == {("AIA403", 12)}


def test_literal_cloud_secret_is_neither_aia401_nor_aia403(tree):
    # AWS_SECRET_ACCESS_KEY is a cloud credential name, not an AI one (AIA401), and a literal is
    # not a Secret, a ConfigMap or a mounted file (AIA403).
    report = tree({"app.yaml": deployment("""\
        - name: AWS_SECRET_ACCESS_KEY
          value: LyvH1D0SZaozaNv4AH17KzcnNjeh1MVLymYZwH6Q
        - name: OPENAI_API_KEY
          valueFrom: {secretKeyRef: {name: llm-keys, key: openai}}
        """, "serviceAccountName: chat\n")})
    assert codes(report) == set()


# --- AIA404 --------------------------------------------------------------------------------

def test_one_finding_per_workload_even_with_many_credential_variables(tree):
    report = tree({"app.yaml": deployment("""\
        - name: OPENAI_API_KEY
          valueFrom: {secretKeyRef: {name: llm-keys, key: openai}}
        - name: ANTHROPIC_API_KEY
          valueFrom: {secretKeyRef: {name: llm-keys, key: anthropic}}
        """)})
    assert codes(report) == {("AIA404", 8)}


def test_named_service_account_or_no_ai_credentials_is_fine(tree):
    report = tree({
        "named.yaml": deployment("""\
            - name: OPENAI_API_KEY
              valueFrom: {secretKeyRef: {name: llm-keys, key: openai}}
            """, "serviceAccountName: chat\n"),
        "plain.yaml": deployment("- name: LOG_LEVEL\n  value: info\n", name="plain"),
    })
    assert codes(report) == set()


def test_ai_credentials_loaded_with_env_from_count(tree):
    report = tree({
        "keys.yaml": secret("stringData:\n  OPENAI_API_KEY: \"${OPENAI_API_KEY}\"\n"),
        "app.yaml": textwrap.dedent("""\
            apiVersion: batch/v1
            kind: Job
            metadata: {name: evals, namespace: ml}
            spec:
              template:
                spec:
                  serviceAccountName: default
                  containers:
                    - name: evals
                      image: ghcr.io/acme/evals:0.9.0
                      envFrom:
                        - secretRef: {name: llm-keys}
            """),
    })
    assert codes(report) == {("AIA404", 7)}


# --- no key is ever printed whole ----------------------------------------------------------

def test_no_finding_field_contains_a_whole_key(tree):
    env = "".join(f"- name: KEY_{i}\n  value: \"{key}\"\n" for i, key in enumerate(FAKE_KEYS.values()))
    data = "".join(f"  key-{i}: {base64.b64encode(key.encode()).decode()}\n" for i, key in enumerate(FAKE_KEYS.values()))
    report = tree({"app.yaml": deployment(env), "secret.yaml": secret("data:\n" + data)})
    findings = [f for f in report.findings if f.code == "AIA501"]
    assert len(findings) == 2 * len(FAKE_KEYS)
    for finding in findings:
        text = " ".join(str(value) for value in dataclasses.asdict(finding).values())
        for key in FAKE_KEYS.values():
            assert not any(key[i:i + 8] in text for i in range(1, len(key) - 7))


# --- AI workloads (CHECKS.md "AI workload") ------------------------------------------------

def _aws_keys_job(secret: str, extra_env: str = "") -> str:
    return textwrap.dedent(f"""\
        apiVersion: batch/v1
        kind: CronJob
        metadata: {{name: nightly, namespace: ops}}
        spec:
          jobTemplate:
            spec:
              template:
                spec:
                  containers:
                    - name: job
                      image: ghcr.io/acme/job:1.0.0
                      env:
                        - name: AWS_ACCESS_KEY_ID
                          valueFrom: {{secretKeyRef: {{name: {secret}, key: id}}}}
                        - name: AWS_SECRET_ACCESS_KEY
                          valueFrom: {{secretKeyRef: {{name: {secret}, key: secret}}}}
        """) + extra_env


def test_backup_job_with_aws_keys_is_not_an_ai_workload(tree):
    assert codes(tree({"backup.yaml": _aws_keys_job("backup-aws")})) == set()


def test_the_same_job_with_keys_from_a_bedrock_secret_is_one(tree):
    report = tree({"sync.yaml": _aws_keys_job("bedrock-user")})
    assert codes(report) == {("AIA404", 8), ("AIA403", 16)}
    assert [f.message for f in report.findings if f.code == "AIA404"] == [
        "CronJob/ops/nightly gets Secret bedrock-user but its pod spec sets no serviceAccountName"]


@pytest.mark.parametrize("secret, is_ai", [
    ("bedrock-user", True), ("Bedrock_User", True), ("keys.openai", True), ("llm", True), ("team-llm-keys", True),
    ("huggingface-token", True), ("backup-aws", False), ("myopenai-keys", False), ("llmx", False),
    ("aws-bedrockish", False), ("vertexai-sa", False),
])
def test_secret_names_count_as_a_separated_word(tree, secret, is_ai):
    report = tree({"job.yaml": _aws_keys_job(secret)})
    assert bool(codes(report)) is is_ai


def test_ai_env_var_prefix_or_envfrom_ai_secret_makes_an_ai_workload(tree):
    prefixed = tree({"a.yaml": _aws_keys_job("backup-aws", "                - {name: BEDROCK_MODEL_ID, value: x}\n")})
    assert codes(prefixed) == {("AIA404", 8), ("AIA403", 16)}
    env_from = tree({"b.yaml": _aws_keys_job("backup-aws").replace("ops", "batch").replace(
        "                  env:\n", "                  envFrom:\n                    - configMapRef: {name: llm-settings}\n"
        "                  env:\n")})
    assert ("AIA404", 8) in codes(env_from)


def test_key_file_set_in_an_init_container_and_mounted_in_the_main_one_counts(tree):
    report = tree({"job.yaml": textwrap.dedent("""\
        apiVersion: batch/v1
        kind: Job
        metadata: {name: tune, namespace: ml}
        spec:
          template:
            spec:
              serviceAccountName: tune
              initContainers:
                - name: prepare
                  image: ghcr.io/acme/prepare:1.0.0
                  env:
                    - name: GOOGLE_APPLICATION_CREDENTIALS
                      value: /var/secrets/google/key.json
              containers:
                - name: tune
                  image: ghcr.io/acme/tune:1.0.0
                  env:
                    - {name: GEMINI_MODEL, value: gemini-2.5-pro}
                  volumeMounts:
                    - {name: gcp-key, mountPath: /var/secrets/google}
              volumes:
                - name: gcp-key
                  secret: {secretName: tune-sa-key}
        """)})
    assert codes(report) == {("AIA403", 13)}


def test_placeholders_with_a_key_prefix_are_not_committed_secrets(tree):
    report = tree({"secret.yaml": textwrap.dedent("""\
        apiVersion: v1
        kind: Secret
        metadata: {name: llm-keys, namespace: ml}
        stringData:
          HF_TOKEN: hf_REPLACE_WITH_YOUR_TOKEN
          OPENAI_API_KEY: REPLACE_WITH_KEY
          OPENAI_ORG_KEY: sk-proj-your-key-here
          ANTHROPIC_API_KEY: sk-ant-xxxxxxxx
          XAI_API_KEY: xai-<token>
          GEMINI_API_KEY: AIzaTODO
          REPLICATE_API_TOKEN: r8_changeme
          COHERE_API_KEY: q8Jd-2mLs-Pq0w-Zr4t
        """)})
    assert codes(report) == {("AIA402", 12)}


def test_literal_instruction_in_an_ai_credential_env_is_still_aia401(tree):
    # AIA401 judges the manifest's shape: only empty values and whole-value substitutions pass.
    report = tree({"app.yaml": deployment("""\
        - name: OPENAI_API_KEY
          value: replace-me-before-deploying
        - name: HF_TOKEN
          value: hf_REPLACE_WITH_YOUR_TOKEN
        - name: ANTHROPIC_API_KEY
          value: "${ANTHROPIC_API_KEY}"
        - name: GEMINI_API_KEY
          value: "{{ .Values.gemini.key }}"
        - name: COHERE_API_KEY
          value: "$(COHERE_KEY)"
        - name: MISTRAL_API_KEY
          value: ""
        """, "serviceAccountName: chat\n")})
    assert codes(report) == {("AIA401", 15), ("AIA401", 17)}


# --- AIA405 --------------------------------------------------------------------------------

def config_map(body: str) -> str:
    return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: chat-config\n  namespace: ml\n" + textwrap.dedent(body)


def test_configmap_key_named_like_an_ai_credential_is_reported(tree):
    report = tree({"cm.yaml": config_map("""\
        data:
          OPENAI_MODEL: gpt-4o
          OPENAI_API_BASE: https://api.openai.com/v1
          AZURE_OPENAI_ENDPOINT: https://acme.openai.azure.com/
          openai-api-key: prod-7f3a9c2e11d04b
        """)})
    assert codes(report, "AIA") == {("AIA405", 10)}


def test_configmap_files_are_read_line_by_line(tree):
    report = tree({"cm.yaml": config_map("""\
        data:
          app.env: |
            OPENAI_API_BASE=https://api.openai.com/v1
            export HF_TOKEN="prod-7f3a9c2e11d04b"
          app.properties: |
            openai.api.key = live-abc-123-xyz
          settings.json: '{"MISTRAL_API_KEY": "abc123def456", "model": "large"}'
          pretty.json: |
            {
              "GEMINI_API_KEY": "prod-gem-0c9a7d",
              "model": "gemini-2.0-flash"
            }
          config.yaml: |
            llm:
              pinecone_api_key: pc-12345-abc
          notes.txt: |
            the OPENAI_API_KEY lives in Vault
        """)})
    assert codes(report, "AIA") == {("AIA405", 7), ("AIA405", 10), ("AIA405", 12), ("AIA405", 13), ("AIA405", 18)}


def test_binary_data_is_decoded(tree):
    encoded = base64.b64encode(b"COHERE_API_KEY=prod-7f3a9c2e11d04b\n").decode()
    report = tree({"cm.yaml": config_map(f"binaryData:\n  app.env: {encoded}\n")})
    assert codes(report, "AIA") == {("AIA405", 7)}


def test_placeholders_dummies_and_empty_values_in_configmaps_are_not_credentials(tree):
    report = tree({"cm.yaml": config_map("""\
        data:
          OPENAI_API_KEY: ""
          ANTHROPIC_API_KEY: "{{ .Values.anthropic.key }}"
          GEMINI_API_KEY: changeme
          HF_TOKEN: <token>
          COHERE_API_KEY: xxxx
          app.env: |
            OPENAI_API_KEY=${OPENAI_API_KEY}
            MISTRAL_API_KEY=$(MISTRAL_KEY)
            DEEPSEEK_API_KEY=$DEEPSEEK_KEY
            GROQ_API_KEY=your-groq-key-here
            PINECONE_API_KEY=
            VOYAGE_API_KEY=TODO
            AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIK7MDENGbPxRfiCY
        """)})
    assert codes(report, "AIA") == set()


def test_configmap_value_in_a_known_key_format_is_aia501_not_aia405(tree):
    report = tree({"cm.yaml": config_map(f"""\
        data:
          HF_TOKEN: {HF_TOKEN}
          app.env: |
            HF_TOKEN={HF_TOKEN}
            OPENAI_API_KEY=prod-7f3a9c2e11d04b
        """)})
    # AIA501 reports the token once per manifest; the other pair in app.env is AIA405's.
    assert codes(report, "AIA") == {("AIA501", 7), ("AIA405", 8)}


def test_secrets_are_not_configmaps(tree):
    report = tree({"secret.yaml": secret("stringData:\n  app.env: |\n    OPENAI_API_KEY=prod-7f3a9c2e11d04b\n")})
    assert codes(report, "AIA405") == set()


def test_huge_configmap_values_stay_fast_and_silent(tree):
    import time

    lines = "A" * 200_000 + "\n" + "x " * 100_000 + "\n" + ("OPENAI_MODEL=" + " " * 50_000 + "#\n") * 20
    started = time.monotonic()
    report = tree({"cm.yaml": config_map("data:\n  app.env: |\n" + textwrap.indent(lines, "    "))})
    assert time.monotonic() - started < 10
    assert codes(report, "AIA") == set()


def test_aia405_documented_examples(tmp_path):
    from aiaas_iac.engine import load_checks
    from conftest import write_tree

    meta = next(c for c in load_checks() if c.code == "AIA405").meta()
    for kind, example, expected in (("failing", meta.failing_example, True), ("passing", meta.passing_example, False)):
        root = write_tree(tmp_path / kind, {"cm.yaml": example + "\n"})
        assert bool(triples(scan_dir(root, select=["AIA405"]), "AIA405")) is expected, kind
