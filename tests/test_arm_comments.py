"""ARM templates and parameter files with `//` and `/* */` comments, which Azure accepts."""

from __future__ import annotations

import time

import pytest

from aiaas_iac.parsers.comments import UnterminatedComment, blank_json_comments, json_comments
from conftest import scan_dir, triples, write_tree

TEMPLATE = """{
  // a deployment template with comments, as the portal exports it
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  /* parameters
     span several lines */
  "parameters": {
    "allowKeys": { "type": "bool", "defaultValue": false } // overridden per environment
  },
  "resources": [
    {
      "type": "Microsoft.CognitiveServices/accounts",
      "apiVersion": "2024-10-01",
      "name": "oai-chat // not a comment /* nor this */",
      "kind": "OpenAI",
      "properties": {
        "disableLocalAuth": "[not(parameters('allowKeys'))]", /* inline */
        "publicNetworkAccess": "Disabled",
        "restrictOutboundNetworkAccess": true,
        "encryption": { "keySource": "Microsoft.KeyVault" }
      }
    }
  ]
}
"""
PARAMETERS = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  // the sandbox needs keys for the load test
  "parameters": { "allowKeys": { "value": true } }
}
"""


def test_blanking_keeps_every_line_and_column():
    text = 'a // x\n"s // t" /* b\n c */ d\n"e\\" /* f */"'
    assert blank_json_comments(text) == 'a     \n"s // t"     \n      d\n"e\\" /* f */"'
    assert list(json_comments(text)) == [(2, 6), (16, 26)]


def test_unterminated_block_comment_names_its_line():
    with pytest.raises(UnterminatedComment) as raised:
        blank_json_comments('{\n  "a": 1\n  /* open\n}')
    assert raised.value.line == 3


def test_commented_template_is_read_with_exact_lines(tmp_path):
    report = scan_dir(write_tree(tmp_path, {"azuredeploy.json": TEMPLATE}))
    assert report.errors == []
    assert triples(report) == {("AIA303", "azuredeploy.json", 11)}
    assert report.findings[0].resource == "Microsoft.CognitiveServices/accounts/oai-chat // not a comment /* nor this */"


def test_commented_parameters_file_supplies_values(tmp_path):
    report = scan_dir(write_tree(tmp_path, {"azuredeploy.json": TEMPLATE, "azuredeploy.parameters.json": PARAMETERS}))
    assert report.errors == []
    assert triples(report) == {("AIA303", "azuredeploy.json", 11), ("AIA301", "azuredeploy.json", 17)}


def test_broken_commented_template_is_one_error_at_its_line(tmp_path):
    broken = TEMPLATE.replace('"kind": "OpenAI",', '"kind": "OpenAI"')
    report = scan_dir(write_tree(tmp_path, {"azuredeploy.json": broken}))
    assert [(e.file, e.line) for e in report.errors] == [("azuredeploy.json", 16)]
    assert report.errors[0].message.startswith("invalid JSON: Expecting ',' delimiter")


def test_unterminated_comment_in_a_template_is_one_error(tmp_path):
    report = scan_dir(write_tree(tmp_path, {"azuredeploy.json": TEMPLATE.replace("/* inline */", "/* inline")}))
    assert [(e.file, e.line, e.message) for e in report.errors] == [
        ("azuredeploy.json", 17, "invalid JSON: unterminated /* comment starting on line 17")]


def test_json_that_is_no_template_keeps_its_comments_unread(tmp_path):
    # Only ARM files are read with comments: a commented tsconfig-like file stays none of ours.
    report = scan_dir(write_tree(tmp_path, {"settings.json": '{\n  // editor settings\n  "a": 1\n}\n'}))
    assert report.errors == [] and report.findings == []


def test_comment_lexer_is_linear_on_hostile_input():
    hostile = '"' + "\\\\" * 200_000 + '"' + " /*" * 100_000 + "*/" + "//" * 100_000
    started = time.perf_counter()
    blanked = blank_json_comments(hostile)
    assert len(blanked) == len(hostile)
    assert time.perf_counter() - started < 2.0
