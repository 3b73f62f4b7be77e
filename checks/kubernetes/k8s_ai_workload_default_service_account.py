from aiaas_iac.check import Check
from aiaas_iac.k8s_workloads import ai_workload_reasons, pod_specs
from aiaas_iac.model import Mappings, Severity


class K8sAiWorkloadDefaultServiceAccount(Check):
    """An AI workload (an AI credential such as `OPENAI_API_KEY`, an env var named for an AI
    service, or a Secret/ConfigMap named for one such as `bedrock-user`; cloud keys alone such
    as `AWS_SECRET_ACCESS_KEY` do not make one) runs as its namespace's `default` service
    account: no `serviceAccountName`, or `serviceAccountName: default`."""

    code = "AIA404"
    slug = "k8s-ai-workload-default-service-account"
    severity = Severity.LOW
    title = "AI workload runs as the default service account"
    formats = ("kubernetes",)
    mappings = Mappings("NHI9", "PR.AA-01", "CWE-272")
    why = """
        Every pod in a namespace that names no service account shares `default`: whatever
        RBAC or cloud role is bound to it, all of them get, and the workload that holds model
        keys cannot be told apart from the rest in audit logs or given its own workload
        identity.
    """
    remediation = """
        Create a service account for the workload, set `serviceAccountName` to it, grant it
        only what it needs, and bind the cloud identity (IRSA role, Azure federated
        credential, GKE Workload Identity) to that account instead of using keys.
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
                    - name: ANTHROPIC_API_KEY
                      valueFrom:
                        secretKeyRef: {name: llm-keys, key: anthropic-api-key}
    """
    passing_example = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: chat}
        spec:
          template:
            spec:
              serviceAccountName: chat
              containers:
                - name: api
                  image: ghcr.io/acme/chat:1.4.2
                  env:
                    - name: ANTHROPIC_API_KEY
                      valueFrom:
                        secretKeyRef: {name: llm-keys, key: anthropic-api-key}
    """

    def run(self, ctx):
        for pod in pod_specs(ctx):
            account = pod.service_account()
            if account is not None and account != "default":
                continue  # a named account, or one we cannot read: never guess toward a finding
            names = ai_workload_reasons(ctx, pod)
            if not names:
                continue
            how = "sets no serviceAccountName" if account is None else "sets serviceAccountName: default"
            yield self.finding(
                pod.workload,
                f"{pod.workload.address} gets {', '.join(names)} but its pod spec {how}",
                pod.path + (("serviceAccountName",) if account is not None else ()),
                detail="serviceAccountName",
            )
