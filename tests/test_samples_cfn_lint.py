"""Every CloudFormation sample is a real template: `cfn-lint` (a test dependency) finds no error.

Which files are templates is what the scanner itself decides (a structured file whose
resources are CloudFormation), so a new sample is covered without listing it here.
Warnings are allowed: cfn-lint's own action list lags AWS's (it does not know
`bedrock:Converse`), and a sample may keep an unused parameter on purpose.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from aiaas_iac.discover import discover
from aiaas_iac.parsers import parse_file
from conftest import REPO, SAMPLES


def cloudformation_samples() -> list[str]:
    sources, _ = discover([SAMPLES], REPO)
    found = []
    for source in sources:
        if source.kind != "structured":
            continue
        if any(r.format == "cloudformation" for r in parse_file(source).resources):
            found.append(source.rel)
    return found


def test_the_samples_include_cloudformation_templates():
    templates = cloudformation_samples()
    assert "sample_infra/cloudformation/aws/bedrock_agent_insecure.yaml" in templates
    assert "sample_infra/cloudformation/aws/bedrock_partner_access.json" in templates
    assert not any(t.startswith("sample_infra/kubernetes/") for t in templates)


def test_every_cloudformation_sample_passes_cfn_lint():
    pytest.importorskip("cfnlint", reason="cfn-lint is in the test extra: pip install -e '.[test]'")
    templates = cloudformation_samples()
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())",
         "--format", "json", "--", *templates],
        cwd=REPO, capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert result.returncode in (0, 2, 4, 6, 8, 10, 12, 14), result.stderr  # bit 2 = errors, 4 = warnings
    matches = json.loads(result.stdout or "[]")
    errors = [f"{m['Filename']}:{m['Location']['Start']['LineNumber']} {m['Rule']['Id']} {m['Message'][:200]}"
              for m in matches if m.get("Level") == "Error"]
    assert errors == []
