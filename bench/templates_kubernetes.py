"""Kubernetes manifests as Python data: workloads, Services, ConfigMaps, Secrets, CronJobs."""

from __future__ import annotations

from random import Random
from typing import Any

IMAGES = ["ghcr.io/acme/api", "ghcr.io/acme/worker", "registry.example.com/platform/gateway",
          "ghcr.io/acme/rag-indexer", "ghcr.io/acme/chat-backend"]
AI_ENV = ["OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "ANTHROPIC_API_KEY", "HF_TOKEN", "COHERE_API_KEY"]


def _metadata(name: str, namespace: str) -> dict:
    return {"name": name, "namespace": namespace,
            "labels": {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": namespace}}


def _env(rng: Random, name: str, uses_ai: bool) -> list:
    env: list[dict[str, Any]] = [
        {"name": "LOG_LEVEL", "value": rng.choice(["info", "debug", "warn"])},
        {"name": "PORT", "value": "8080"},
        {"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": f"{name}-db", "key": "url"}}},
    ]
    if uses_ai:
        key = rng.choice(AI_ENV)
        if rng.random() < 0.25:
            # a literal that is not a credential format: a stand-in teams commit by mistake
            env.append({"name": key, "value": "replace-before-deploy"})
        else:
            env.append({"name": key, "valueFrom": {"secretKeyRef": {"name": f"{name}-llm", "key": "api-key"}}})
        env.append({"name": "MODEL_NAME", "value": rng.choice(["gpt-4o", "claude-3-5-sonnet", "mistral-large"])})
    return env


def _container(rng: Random, name: str, uses_ai: bool) -> dict:
    return {
        "name": name,
        "image": f"{rng.choice(IMAGES)}:{rng.randrange(1, 5)}.{rng.randrange(0, 20)}.{rng.randrange(0, 9)}",
        "ports": [{"name": "http", "containerPort": 8080}],
        "env": _env(rng, name, uses_ai),
        "envFrom": [{"configMapRef": {"name": f"{name}-config"}}],
        "resources": {"requests": {"cpu": rng.choice(["100m", "250m", "500m"]), "memory": rng.choice(["128Mi", "512Mi"])},
                      "limits": {"memory": rng.choice(["256Mi", "1Gi"])}},
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10},
        "livenessProbe": {"httpGet": {"path": "/livez", "port": "http"}, "initialDelaySeconds": 15},
        "securityContext": {"runAsNonRoot": True, "allowPrivilegeEscalation": False,
                            "readOnlyRootFilesystem": rng.random() < 0.6, "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }


def _pod_spec(rng: Random, name: str, uses_ai: bool) -> dict:
    spec: dict[str, Any] = {
        "containers": [_container(rng, name, uses_ai)],
        "volumes": [{"name": "tmp", "emptyDir": {}}],
        "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
    }
    if rng.random() < 0.6:
        spec["serviceAccountName"] = name
    return spec


def deployment(rng: Random, name: str, namespace: str, uses_ai: bool) -> list:
    labels = {"app.kubernetes.io/name": name}
    return [{
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": _metadata(name, namespace),
        "spec": {"replicas": rng.choice([1, 2, 3]), "selector": {"matchLabels": labels},
                 "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0}},
                 "template": {"metadata": {"labels": labels}, "spec": _pod_spec(rng, name, uses_ai)}},
    }, {
        "apiVersion": "v1", "kind": "Service", "metadata": _metadata(name, namespace),
        "spec": {"selector": labels, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]},
    }]


def cronjob(rng: Random, name: str, namespace: str, uses_ai: bool) -> list:
    pod = _pod_spec(rng, name, uses_ai)
    pod["restartPolicy"] = "OnFailure"
    return [{
        "apiVersion": "batch/v1", "kind": "CronJob", "metadata": _metadata(name, namespace),
        "spec": {"schedule": f"{rng.randrange(0, 60)} {rng.randrange(0, 24)} * * *", "concurrencyPolicy": "Forbid",
                 "jobTemplate": {"spec": {"backoffLimit": 2, "template": {"spec": pod}}}},
    }]


def config_map(rng: Random, name: str, namespace: str, uses_ai: bool) -> list:
    data = {f"FEATURE_{i}": rng.choice(["true", "false"]) for i in range(rng.randrange(3, 12))}
    data["app.yaml"] = "server:\n  port: 8080\n  timeout: 30s\ncache:\n  ttl: 300\n"
    return [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": _metadata(f"{name}-config", namespace), "data": data}]


def secret(rng: Random, name: str, namespace: str, uses_ai: bool) -> list:
    data = {"url": "postgres://app:${DB_PASSWORD}@db:5432/app"}
    if uses_ai:
        data["api-key"] = rng.choice(["${LLM_API_KEY}", "{{ .Values.llm.apiKey }}"])
    return [{"apiVersion": "v1", "kind": "Secret", "metadata": _metadata(f"{name}-db", namespace),
             "type": "Opaque", "stringData": data}]


def service_account(rng: Random, name: str, namespace: str, uses_ai: bool) -> list:
    annotation = rng.choice([
        {"eks.amazonaws.com/role-arn": f"arn:aws:iam::123456789012:role/{name}"},
        {"iam.gke.io/gcp-service-account": f"{name}@acme-prod.iam.gserviceaccount.com"},
        {"azure.workload.identity/client-id": "00000000-0000-0000-0000-000000000000"},
    ])
    return [{"apiVersion": "v1", "kind": "ServiceAccount",
             "metadata": _metadata(name, namespace) | {"annotations": annotation}}]


def autoscaler(rng: Random, name: str, namespace: str, uses_ai: bool) -> list:
    return [{
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": _metadata(name, namespace),
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                 "minReplicas": 2, "maxReplicas": rng.choice([5, 10, 20]),
                 "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                                                               "target": {"type": "Utilization", "averageUtilization": 70}}}]},
    }]


MANIFESTS = [deployment, cronjob, config_map, secret, service_account, autoscaler]
