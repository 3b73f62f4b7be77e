"""The inventory's Mermaid flowcharts parsed by the real `mermaid` package (in node, with jsdom
for the DOM that its parser's sanitizer needs), beside test_inventory's strict grammar check.

Runs when `node` is on PATH and the npm packages `mermaid` and `jsdom` are installed in the
directory `AIAAS_MERMAID_NODE_MODULES` names (default: `~/.cache/aiaas-iac-mermaid/node_modules`);
`.ci/run` installs them. Skipped otherwise, with the reason; with `AIAAS_REQUIRE_TOOLS=1` and the
variable set, a missing package is a failure."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import aiaas_iac
from aiaas_iac.inventory.model import AccessPath, Identity
from aiaas_iac.inventory.render import mermaid, render_markdown

HERE = Path(__file__).parent
SCRIPT = HERE / "mermaid" / "parse.mjs"
DEFAULT_MODULES = Path.home() / ".cache" / "aiaas-iac-mermaid" / "node_modules"


def _modules() -> Path:
    configured = os.environ.get("AIAAS_MERMAID_NODE_MODULES")
    return Path(configured) if configured else DEFAULT_MODULES


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not on PATH"
    modules = _modules()
    for package in ("mermaid", "jsdom"):
        if not (modules / package / "package.json").is_file():
            return (f"npm package {package} is not in {modules} (npm install --prefix DIR mermaid jsdom, "
                    f"then AIAAS_MERMAID_NODE_MODULES=DIR/node_modules)")
    return None


def parse_all(diagrams: list[str]) -> list[dict]:
    """One node process for every diagram: {ok, type} or {ok: False, error} each."""
    missing = _missing()
    if missing:
        if os.environ.get("AIAAS_REQUIRE_TOOLS") == "1" and os.environ.get("AIAAS_MERMAID_NODE_MODULES"):
            pytest.fail(f"Mermaid parser required: {missing}")
        pytest.skip(f"Mermaid parser not available: {missing}")
    result = subprocess.run(["node", str(SCRIPT), str(_modules())], input=json.dumps(diagrams),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def _path(address, service="bedrock", capability="invoke", scope_all=False, value="arn:x",
          credential="role (workload identity)", logged=None):
    return AccessPath(Identity("aws-role", address, "main.tf", 1), service, capability, (capability,),
                      f"scope {value}", (value,), scope_all, credential, logged)


HOSTILE = ['a"]; click n0 call alert(1) %%', "x --> s0", "`rm -rf`", "line\nbreak", "<img src=x onerror=1>",
           "::add-mask::x", "[[evil]]", "a|b", "#quot;", "@octocat", "end", "subgraph", "%%{init: {}}%%",
           "{{x}}", "((o))", "a;b", "\\", "&amp;", "é ü 中文", "\x1b[31mred", "o--o", "A-.->B", "A==>B",
           "style n0 fill:#f00", "classDef x", ":::cls", "n0@{ shape: rect }"]


def test_the_real_parser_rejects_what_our_grammar_check_rejects():
    """The harness itself can fail: a broken label is a parse error, not a pass."""
    results = parse_all(['flowchart LR\n  n0["a"b"] --> s0', "flowchart LR\n  n0 -->|x| ", "flowchart LR\n  n0 --> s0"])
    assert [r["ok"] for r in results] == [False, False, True]
    assert results[2]["type"] == "flowchart-v2"


def test_inventory_flowcharts_parse_with_mermaid():
    sample = aiaas_iac.inventory(str(HERE.parent / "sample_infra"), use_cache=False)
    hundred = [_path(f"aws_iam_role.r{i}", scope_all=i % 3 == 0, value=f"arn:aws:bedrock:::m{i % 7}",
                     logged=(i % 2 == 0)) for i in range(60)]
    hundred += [_path(f"google_service_account.s{i}", service="vertex-ai", capability="admin", scope_all=True,
                      credential="service account key") for i in range(25)]
    hundred += [_path(f"Deployment/ml/w{i}", service=service, credential="Kubernetes Secret", scope_all=True)
                for i, service in enumerate(["openai", "anthropic", "azure-openai"] * 5)]
    assert len(hundred) == 100
    hostile = [_path(name, value=name, service=name if i % 4 == 0 else "bedrock", credential=name)
               for i, name in enumerate(HOSTILE)]
    markdown = render_markdown(sample)
    from_markdown = markdown.split("```mermaid\n", 1)[1].split("\n```", 1)[0]
    distinct = [_path(f"aws_iam_role.r{i}", value=f"arn:aws:bedrock:::foundation-model/m{i}", logged=i % 5 == 0)
                for i in range(100)]  # past 8 nodes a service folds the rest
    diagrams = [mermaid(sample.paths), mermaid(hundred), mermaid(hostile), from_markdown, mermaid(distinct)]
    assert "different scopes" in diagrams[-1]
    results = parse_all(diagrams)
    assert [(r["ok"], r.get("type"), r.get("error")) for r in results] == [(True, "flowchart-v2", None)] * 5
