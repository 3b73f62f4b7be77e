"""The Bicep and ARM parsers: values, positions, the shared function library, and bad input."""

from __future__ import annotations

import json
import time

import pytest

from aiaas_iac.discover import SourceFile
from aiaas_iac.model import Unknown
from aiaas_iac.parsers import ParseLimits, parse_file
from aiaas_iac.parsers import arm_functions as fn
from aiaas_iac.parsers.arm_expressions import Scope, evaluate_string
from conftest import scan_dir, write_tree


def parse(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    kind = "bicep" if name.endswith(".bicep") else "bicepparam" if name.endswith(".bicepparam") else "structured"
    return parse_file(SourceFile(path, name, kind), ParseLimits())


def by_address(parsed):
    return {r.address: r for r in parsed.resources}


# --- Bicep -------------------------------------------------------------------------------------

BICEP = """param name string = 'oai-${toLower('CHAT')}'
@secure()
param key string
var settings = {
  acl: empty(name) ? 'Deny' : 'Allow'
  fallback: null ?? 'x'
  items: [for i in range(0, 3): 'n${i}']
}
resource openai 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: name
  kind: 'OpenAI'
  properties: {
    networkAcls: { defaultAction: settings.acl }
    endpoint: format('{0}-{1}', name, length(settings.items))
  }
  resource gpt 'deployments' = {
    name: 'gpt'
  }
}
output principal string = openai.identity.principalId
"""


def test_bicep_values_and_expressions(tmp_path):
    resources = by_address(parse(tmp_path, "main.bicep", BICEP))
    openai = resources["openai"]
    assert openai.type == "Microsoft.CognitiveServices/accounts"
    assert openai.attributes["name"] == "oai-chat"
    assert openai.attributes["properties"] == {"networkAcls": {"defaultAction": "Allow"}, "endpoint": "oai-chat-3"}
    assert resources["settings"].attributes["value"]["items"] == ["n0", "n1", "n2"]
    assert resources["settings"].attributes["value"]["fallback"] == "x"
    assert resources["key"].attributes["secure"] is True
    assert resources["principal"].attributes["value"] == Unknown("openai.identity.principalId",
                                                                 ("openai.identity.principalId",))


def test_bicep_nested_child_resource_and_positions(tmp_path):
    resources = by_address(parse(tmp_path, "main.bicep", BICEP))
    child = resources["openai::gpt"]
    assert child.type == "Microsoft.CognitiveServices/accounts/deployments"
    assert child.attributes["parent"].refs == ("openai",)
    openai = resources["openai"]
    assert (openai.span.start_line, openai.span.end_line) == (9, 19)
    assert openai.span_of("properties", "networkAcls", "defaultAction").start_line == 13


def test_bicep_registry_module_is_a_note(tmp_path):
    parsed = parse(tmp_path, "main.bicep", "module ai 'br/public:avm/res/cognitive-services/account:0.7.0' = {\n  name: 'ai'\n}\n")
    assert parsed.notes == ("main.bicep:1: module ai from br/public:avm/res/cognitive-services/account:0.7.0 not "
                            "evaluated: registry and template-spec modules are not downloaded",)


def test_bicepparam_values(tmp_path):
    parsed = parse(tmp_path, "dev.bicepparam", "using './main.bicep'\n\nparam on = false\nparam tags = { env: 'dev' }\n")
    (resource,) = parsed.resources
    assert resource.attributes == {"using": "./main.bicep", "params": {"on": False, "tags": {"env": "dev"}}}
    assert resource.spans[("params", "tags")].start_line == 4


def test_malformed_bicep_is_one_error_with_its_line(tmp_path):
    parsed = parse(tmp_path, "main.bicep", "param a string = 'x'\n\nresource r 'T@1' = {\n  name: 'n'\n  properties: { a: }\n}\n")
    assert [(e.file, e.line) for e in parsed.errors] == [("main.bicep", 5)]
    assert parsed.errors[0].message.startswith("invalid Bicep")


def test_deeply_nested_bicep_is_an_error_not_a_crash(tmp_path):
    text = "var x = " + "[" * 10_000 + "]" * 10_000 + "\n"
    started = time.perf_counter()
    parsed = parse(tmp_path, "main.bicep", text)
    assert time.perf_counter() - started < 5
    assert len(parsed.errors) == 1 and "nesting deeper than" in parsed.errors[0].message
    assert parsed.errors[0].line == 1


def test_huge_bicep_loop_is_capped_with_a_note(tmp_path):
    text = ("resource r 'Microsoft.Storage/storageAccounts@2023-01-01' = [for i in range(0, 1000000000): {\n"
            "  name: 'st${i}'\n}]\n")
    parsed = parse(tmp_path, "main.bicep", text)
    # range() over more than 10,000 items is unknown: one declaration whose loop variable is unknown
    assert [r.attributes["name"] for r in parsed.resources if r.kind == "resource"] == [Unknown("'st${i}'")]
    text = text.replace("1000000000", "5000")
    parsed = parse(tmp_path, "main.bicep", text)
    assert len([r for r in parsed.resources if r.kind == "resource"]) == 100
    assert parsed.notes == ("main.bicep:1: loop over more than 100 items; only the first 100 are judged",)


def test_huge_string_concatenation_stays_bounded(tmp_path):
    text = "var a = '" + "x" * 4000 + "'\n" + "".join(
        f"var v{i} = '${{v{i - 1 if i else 'a'}}}${{v{i - 1 if i else 'a'}}}'\n".replace("${va}", "${a}")
        for i in range(40))
    text = text.replace("${v-1}", "${a}")
    started = time.perf_counter()
    parsed = parse(tmp_path, "main.bicep", text)
    assert time.perf_counter() - started < 5
    values = {r.address: r.attributes["value"] for r in parsed.resources if r.kind == "var"}
    assert isinstance(values["v39"], Unknown)


def test_module_cycle_and_path_outside_the_root_are_notes(tmp_path):
    report = scan_dir(write_tree(tmp_path, {
        "main.bicep": "module a './a.bicep' = { name: 'a' }\nmodule out '../../outside.bicep' = { name: 'o' }\n",
        "a.bicep": "module b './b.bicep' = { name: 'b' }\n",
        "b.bicep": "module a './a.bicep' = { name: 'a' }\n",
        "x.bicepparam": "using '../../etc/main.bicep'\nparam p = 1\n",
    }))
    assert report.errors == [] and report.tool_errors == []
    assert "b.bicep:1: module a: module cycle a.bicep -> b.bicep -> a.bicep; not instantiated again" in report.notes
    assert "main.bicep:2: module out: ../../outside.bicep is outside the scanned root; not followed" in report.notes
    assert ("x.bicepparam:1: using ../../etc/main.bicep is outside the scanned root or not a local file; "
            "not followed") in report.notes


# --- the function library and ARM expressions -------------------------------------------------

def scope(parameters=None):
    parameters = parameters or {}
    return Scope(lambda n: parameters.get(n, Unknown(n)), lambda n: Unknown(n), fn.ResourceLink())


@pytest.mark.parametrize("expression, expected", [
    ("[concat('a', 'b', string(1))]", "ab1"),
    ("[format('{0}-{1}', 'x', 2)]", "x-2"),
    ("[toUpper(replace('a-b', '-', '_'))]", "A_B"),
    ("[if(equals(parameters('env'), 'prod'), 'Deny', 'Allow')]", "Deny"),
    ("[union(createObject('a', 1), createObject('b', 2))]", {"a": 1, "b": 2}),
    ("[contains(createArray('x', 'y'), 'y')]", True),
    ("[empty('')]", True),
    ("[coalesce(null(), 'z')]", "z"),
    ("[split('a/b', '/')[1]]", "b"),
    ("[length(guid('a', 'b'))]", 36),
    ("[[not an expression]", "[not an expression]"),
    ("[first(createArray('it''s'))]", "it's"),
])
def test_arm_expressions(expression, expected):
    assert evaluate_string(expression, scope({"env": "prod"})) == expected


def test_arm_unknowns_keep_their_references():
    value = evaluate_string("[listKeys(resourceId('Microsoft.CognitiveServices/accounts', 'oai'), '2024-10-01').key1]",
                            scope())
    assert isinstance(value, Unknown)
    assert value.refs == ("Microsoft.CognitiveServices/accounts/oai.listKeys().key1",)
    assert isinstance(evaluate_string("[uniqueString(resourceGroup().id)]", scope()), Unknown)


@pytest.mark.parametrize("expression", ["[concat(]", "[a(b(c(d(" + "x(" * 100 + "]", "[%%%]", "['unterminated]"])
def test_malformed_arm_expressions_are_unknown(expression):
    assert isinstance(evaluate_string(expression, scope()), Unknown)


TEMPLATE = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "resources": [],
}


def test_arm_copy_count_over_the_cap_is_a_note(tmp_path):
    template = dict(TEMPLATE, resources=[{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01",
                                          "name": "[concat('st', copyIndex())]",
                                          "copy": {"name": "c", "count": 1000000000}}])
    started = time.perf_counter()
    parsed = parse(tmp_path, "azuredeploy.json", json.dumps(template, indent=2))
    assert time.perf_counter() - started < 5
    assert len([r for r in parsed.resources if r.kind == "resource"]) == 100
    assert parsed.notes == ("azuredeploy.json:5: copy count 1000000000 is over 100; only the first 100 are judged",)


def test_malformed_arm_json_is_one_error(tmp_path):
    text = json.dumps(TEMPLATE, indent=2).replace('"resources": []', '"resources": [,]')
    parsed = parse(tmp_path, "azuredeploy.json", text)
    assert len(parsed.errors) == 1 and parsed.errors[0].line == 4


def test_deeply_nested_arm_json_is_one_error(tmp_path):
    text = json.dumps(TEMPLATE)[:-1] + ', "variables": {"v": ' + "[" * 10_000 + "]" * 10_000 + "}}"
    parsed = parse(tmp_path, "azuredeploy.json", text)
    assert len(parsed.errors) == 1 and parsed.resources == ()


def test_arm_nested_deployments_are_bounded(tmp_path):
    inner: dict = dict(TEMPLATE)
    for _ in range(20):
        inner = dict(TEMPLATE, resources=[{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01",
                                           "name": "d", "properties": {"template": inner}}])
    parsed = parse(tmp_path, "azuredeploy.json", json.dumps(inner))
    assert parsed.errors == ()
    assert any("nested deployments deeper than 8 levels" in n for n in parsed.notes)
