"""Bicep syntax newer than tree-sitter-bicep 1.1, read through same-length rewrites."""

from __future__ import annotations

import time

import pytest

from aiaas_iac.parsers import SourceError, bicep
from aiaas_iac.parsers.bicep_compat import compatible
from conftest import scan_dir, triples, write_tree

NEWER = """extension 'br:mcr.microsoft.com/bicep/extensions/microsoftgraph/v1.0:0.1.9-preview'
param tags resourceInput<'Microsoft.CognitiveServices/accounts@2024-10-01'>.tags?
param acls networkAclsType?
param endpointId string?
var accountName string = 'oai-${uniqueString('x')}'
var note = 'keep this! and this!'
resource openai 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: accountName
  kind: 'OpenAI'
  tags: tags
  properties: {
    disableLocalAuth: false
    customSubDomainName: last(split(endpointId!, '/'))
  }
}
type networkAclsType = {
  defaultAction: 'Allow' | 'Deny'
}
"""


def test_rewrites_keep_length_lines_and_strings():
    rewritten = compatible(NEWER)
    assert len(rewritten) == len(NEWER)
    assert [len(line) for line in rewritten.split("\n")] == [len(line) for line in NEWER.split("\n")]
    assert "'keep this! and this!'" in rewritten
    assert "split(endpointId , '/')" in rewritten
    assert "var accountName        = 'oai-" in rewritten
    assert rewritten.split("\n")[1].startswith("param tags object")


def test_newer_syntax_parses_with_exact_positions(tmp_path):
    report = scan_dir(write_tree(tmp_path, {"main.bicep": NEWER}))
    assert report.errors == []
    assert ("AIA301", "main.bicep", 12) in triples(report)
    account = next(f for f in report.findings if f.code == "AIA301")
    assert account.resource == "openai"


def test_accepted_source_is_not_rewritten():
    text = "var x = 'a!'\nvar y = !true\n"
    root = bicep.syntax_tree(text)
    assert root.text.decode() == text


def test_still_broken_text_reports_the_first_construct_left_unread():
    with pytest.raises(SourceError) as raised:
        bicep.syntax_tree("var x string = 'a'\nvar y = {\n  ...x\n}\n")  # object spread: not rewritten
    assert raised.value.line == 3


def test_rewriting_is_linear_on_hostile_input():
    hostile = "var x = '" + "a!" * 200_000 + "\n" + "x!," * 100_000 + "'''" + "!" * 100_000
    started = time.perf_counter()
    assert len(compatible(hostile)) == len(hostile)
    assert time.perf_counter() - started < 2.0
