"""Messages keep their words: only credential-shaped parts are redacted, all in one format."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aiaas_iac.model import ParseError
from aiaas_iac.redaction import safe_text, sanitised_error
from aiaas_iac.secrets import find_credential
from conftest import write_tree

CLI = str(Path(sys.executable).parent / "aiaas-iac")
PROJECT_KEY = "sk-proj-" + "Xy9Kq2Lm8Np4Rt6Vw3Bz5Cd7Fg1Hj0KaQ2wX7zR4Lm9Pz3Vb6T"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY7Q2kL9mZ3xV8"


def test_a_yaml_parse_error_reads_as_the_parsers_message(tmp_path):
    write_tree(tmp_path, {"cm.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "x: y: z"\n'})
    env = {**os.environ, "NO_COLOR": "1"}

    result = subprocess.run([CLI, "scan", ".", "--no-cache"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, env=env)

    assert result.returncode == 3
    assert "cm.yaml:4: error: invalid YAML: did not find expected ',' or '}'" in result.stdout


def test_a_key_in_a_parse_error_is_redacted_and_the_rest_kept():
    error = ParseError("cm.yaml", f"invalid YAML: found undefined alias '{PROJECT_KEY}'", 4)

    assert sanitised_error(error).message == "invalid YAML: found undefined alias 'sk-p… (58 chars)'"


def test_an_opaque_secret_in_a_message_is_redacted():
    assert safe_text(f"secret {AWS_SECRET} in error") == "secret wJal… (42 chars) in error"


@pytest.mark.parametrize("note", [
    "charts/aiGw2/templates/Dep3loyX9/k8sQ2wX7zR4.yaml: Helm template, skipped",
    "modules/app: file() outside the scanned paths not read: ../shared/x9Kq2/Lm8Np4Rt6/policy.json",
])
def test_paths_in_notes_are_not_taken_for_secrets(note):
    assert safe_text(note) == note


def test_a_random_file_name_in_a_path_is_still_redacted():
    name = "wJalrXUtnFEMIK7MDENGbPxRfiCY7Q2kL9mZ3x"

    shown = safe_text(f"file() not read: ../keys/{name}.pem")

    assert shown == "file() not read: ../keys/wJal… (38 chars).pem"


def test_one_redaction_format_in_check_messages():
    assert find_credential(PROJECT_KEY).describe() == "an OpenAI project key sk-p… (58 chars)"
