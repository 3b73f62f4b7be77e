"""Kubernetes manifests -> one `manifest` Resource per object, with spans from the object root."""

from __future__ import annotations

import textwrap
from pathlib import Path

from aiaas_iac.discover import SourceFile
from aiaas_iac.model import Span
from aiaas_iac.parsers import ParsedFile, parse_file


def parse(tmp_path: Path, text: str, name: str = "manifests.yaml"):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return parse_file(SourceFile(path, name, "structured"))


DEPLOYMENT_AND_SERVICE = """\
# chat API
apiVersion: apps/v1
kind: Deployment
metadata:
  name: chat-api
  namespace: ai
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/chat-api:1.4.2
          env:
            - name: OPENAI_API_KEY
              value: sk-proj-abc

---
apiVersion: v1
kind: Service
metadata:
  name: chat-api
spec:
  ports:
    - port: 80
"""


def test_each_document_is_a_manifest_resource(tmp_path):
    parsed = parse(tmp_path, DEPLOYMENT_AND_SERVICE)
    assert parsed.errors == ()
    assert [(r.format, r.kind, r.type, r.name, r.address) for r in parsed.resources] == [
        ("kubernetes", "manifest", "Deployment", "chat-api", "Deployment/ai/chat-api"),
        ("kubernetes", "manifest", "Service", "chat-api", "Service/chat-api"),
    ]
    assert {(r.file, r.module) for r in parsed.resources} == {("manifests.yaml", "manifests.yaml")}


def test_attributes_are_the_whole_document(tmp_path):
    deployment = parse(tmp_path, DEPLOYMENT_AND_SERVICE).resources[0]
    assert deployment.get("apiVersion") == "apps/v1"
    assert deployment.get("spec", "replicas") == 2
    assert deployment.get("spec", "template", "spec", "containers", 0, "env", 0) == {
        "name": "OPENAI_API_KEY", "value": "sk-proj-abc"}


def test_document_span_ends_on_its_last_content_line(tmp_path):
    deployment, service = parse(tmp_path, DEPLOYMENT_AND_SERVICE).resources
    assert (deployment.span.start_line, deployment.span.end_line) == (2, 16)
    assert (service.span.start_line, service.span.end_line) == (19, 25)


def test_spans_are_keyed_from_the_document_root(tmp_path):
    deployment, service = parse(tmp_path, DEPLOYMENT_AND_SERVICE).resources
    env = ("spec", "template", "spec", "containers", 0, "env", 0)
    assert deployment.spans[env] == Span(15, 16, 15, None)
    assert deployment.spans[env + ("value",)] == Span(16, 16, 15, 33)
    assert service.span_of("spec", "ports", 0, "port").start_line == 25


def test_kind_list_gives_one_resource_per_item_with_rebased_spans(tmp_path):
    parsed = parse(tmp_path, """\
        apiVersion: v1
        kind: List
        items:
          - apiVersion: v1
            kind: Secret
            metadata:
              name: llm-keys
              namespace: ai
            stringData:
              ANTHROPIC_API_KEY: sk-ant-api03-xyz
          - apiVersion: batch/v1
            kind: CronJob
            metadata:
              name: nightly-eval
            spec:
              schedule: "0 3 * * *"
        """)
    secret, cron = parsed.resources
    assert (secret.type, secret.address) == ("Secret", "Secret/ai/llm-keys")
    assert (cron.type, cron.address) == ("CronJob", "CronJob/nightly-eval")
    assert secret.get("stringData", "ANTHROPIC_API_KEY") == "sk-ant-api03-xyz"
    assert (secret.span.start_line, secret.span.end_line) == (4, 10)
    assert secret.spans[("stringData", "ANTHROPIC_API_KEY")].start_line == 10
    assert cron.span_of("spec", "schedule").start_line == 16


def test_typed_list_from_kubectl_json(tmp_path):
    parsed = parse(tmp_path, """\
        {
          "apiVersion": "v1",
          "kind": "SecretList",
          "items": [
            {
              "apiVersion": "v1",
              "kind": "Secret",
              "metadata": {"name": "hf", "namespace": "ml"},
              "data": {"HF_TOKEN": "aGZfeHl6"}
            }
          ]
        }
        """, name="secrets.json")
    (secret,) = parsed.resources
    assert secret.address == "Secret/ml/hf"
    assert secret.span_of("data", "HF_TOKEN").start_line == 9


def test_empty_documents_comments_and_scalars_are_fine(tmp_path):
    parsed = parse(tmp_path, """\
        # leading comment
        ---
        ---
        just a string
        ---
        - a
        - b
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings}
        data: {MODEL: gpt-4o}
        ...
        """)
    assert parsed.errors == ()
    assert [r.address for r in parsed.resources] == ["ConfigMap/settings"]


def test_yaml_that_is_not_kubernetes_is_ignored(tmp_path):
    compose = parse(tmp_path, """\
        services:
          api:
            image: chat-api
            environment:
              OPENAI_API_KEY: ${OPENAI_API_KEY}
        """, name="docker-compose.yml")
    workflow = parse(tmp_path, """\
        on: [push]
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - run: make test
        """, name=".github/workflows/ci.yml")
    assert compose == ParsedFile() and workflow == ParsedFile()


def test_helm_chart_template_is_skipped_with_a_note(tmp_path):
    (tmp_path / "chart").mkdir()
    (tmp_path / "chart" / "Chart.yaml").write_text("apiVersion: v2\nname: chat\nversion: 0.1.0\n")
    parsed = parse(tmp_path, """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ include "chat.fullname" . }}
        spec:
          replicas: {{ .Values.replicas }}
        """, name="chart/templates/deployment.yaml")
    assert parsed.resources == () and parsed.errors == ()
    assert parsed.notes == ("chart/templates/deployment.yaml: Helm template, skipped "
                            "(scan the output of `helm template` to check it)",)


def test_go_template_outside_a_chart_is_a_note_not_an_error(tmp_path):
    parsed = parse(tmp_path, """\
        {{- if .Values.enabled }}
        apiVersion: v1
        kind: Secret
        metadata:
          name: {{ .Release.Name }}
        {{- end }}
        """, name="deploy/secret.yaml")
    assert parsed.errors == () and parsed.resources == ()
    assert len(parsed.notes) == 1


def test_double_braces_in_valid_yaml_are_read(tmp_path):
    parsed = parse(tmp_path, """\
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          generateName: eval-
        spec:
          entrypoint: main
          templates:
            - name: main
              container:
                image: eval:1.0
                args: ["{{inputs.parameters.model}}"]
        """, name="workflow.yaml")
    (workflow,) = parsed.resources
    assert (workflow.name, workflow.address) == ("eval-", "Workflow/eval-")
    assert workflow.get("spec", "templates", 0, "container", "args") == ["{{inputs.parameters.model}}"]


def test_broken_manifest_is_an_error_with_its_line(tmp_path):
    parsed = parse(tmp_path, """\
        apiVersion: v1
        kind: Pod
        metadata:
          name: runner
         spec: {}
        """)
    assert parsed.resources == ()
    assert [(e.file, e.line, e.message) for e in parsed.errors] == [
        ("manifests.yaml", 5, "invalid YAML: did not find expected key")]


def test_broken_yaml_that_is_not_kubernetes_is_ignored(tmp_path):
    parsed = parse(tmp_path, "steps:\n  - run: [make\n", name="pipeline.yml")
    assert parsed == ParsedFile()


def test_yaml_anchors_and_merge_keys_are_expanded(tmp_path):
    parsed = parse(tmp_path, """\
        apiVersion: v1
        kind: Pod
        metadata:
          name: worker
          labels: &labels {app: worker, team: ml}
          annotations:
            <<: *labels
            team: platform
        spec:
          containers: [{name: w, image: worker:2}]
        """)
    (pod,) = parsed.resources
    assert pod.get("metadata", "annotations") == {"app": "worker", "team": "platform"}
    assert pod.spans[("metadata", "annotations", "team")].start_line == 8


def test_manifests_that_embed_a_template_are_read_as_manifests(tmp_path):
    parsed = parse(tmp_path, """\
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: stack-template
        data:
          template.yaml: |
            Resources:
              Bucket:
                Type: AWS::S3::Bucket
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: deployer
        """)
    assert parsed.errors == ()
    assert [r.address for r in parsed.resources] == ["ConfigMap/stack-template", "ServiceAccount/deployer"]
    assert parsed.resources[0].span == Span(1, 9, 1, None)


def test_unrendered_template_names_get_a_readable_address(tmp_path):
    from aiaas_iac.discover import SourceFile
    from aiaas_iac.parsers import parse_file

    path = tmp_path / "deploy.yaml"
    path.write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec: {}\n")
    (resource,) = parse_file(SourceFile(path, "deploy.yaml", "structured")).resources
    assert resource.address == "Deployment/(templated)"
