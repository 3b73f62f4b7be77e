"""JUnit XML for CI test tabs: a test suite per check, a failing test case per finding.

Checks with no finding get one passing case, so the tab shows what was
verified; suppressed findings are skipped cases carrying their reason; files
that could not be parsed are errors in their own suite.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from aiaas_iac.model import Finding
# Names, messages and reasons come from the scanned tree (escape.py says why they are escaped).
from aiaas_iac.report.escape import xml_attribute, xml_document, xml_text

if TYPE_CHECKING:
    from aiaas_iac.engine import Report


def _lines(text: str) -> str:
    """Multi-line text: each line escaped, the line breaks kept."""
    return "\n".join(xml_text(line) for line in text.strip().splitlines())


def _case(suite: ET.Element, finding: Finding) -> None:
    where = f"{finding.location.file}:{finding.location.span.start_line}"
    case = ET.SubElement(suite, "testcase", name=xml_attribute(f"{where} {finding.resource}"),
                         classname=xml_attribute(finding.code), file=xml_attribute(finding.location.file),
                         line=str(finding.location.span.start_line))
    if finding.suppressed:
        ET.SubElement(case, "skipped", message=xml_attribute(f"suppressed: {finding.suppression_reason}"))
        return
    failure = ET.SubElement(case, "failure", type=finding.severity.value, message=xml_attribute(finding.message))
    failure.text = (xml_text(f"{where} {finding.code} [{finding.severity.value}] {finding.message}")
                    + f"\n\nRemediation: {_lines(finding.remediation)}")


def _config_suite(root: ET.Element, report: "Report") -> None:
    """An empty suite whose properties and system-out name the config file and all it turned off."""
    suite = ET.SubElement(root, "testsuite", name="aiaas-iac configuration", tests="0", failures="0",
                          errors="0", skipped="0")
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="config.path", value=xml_attribute(report.config_path or ""))
    for effect in report.config_effects:
        ET.SubElement(properties, "property", name="config.effect", value=xml_attribute(effect))
    for warning in report.config_warnings:
        ET.SubElement(properties, "property", name="config.warning", value=xml_attribute(warning))
    lines = [f"Config {report.config_path} " + ("narrows this scan:" if report.config_effects or report.config_warnings
                                                 else "applied; it turns nothing off.")]
    lines += [f"  {effect}" for effect in report.config_effects]
    lines += [f"  warning: {warning}" for warning in report.config_warnings]
    ET.SubElement(suite, "system-out").text = "\n".join(xml_text(line) for line in lines)


def render(report: "Report") -> str:
    root = ET.Element("testsuites", name="aiaas-iac")
    by_code: dict[str, list[Finding]] = {}
    for finding in sorted(report.findings, key=lambda f: f.sort_key):
        by_code.setdefault(finding.code, []).append(finding)
    codes = sorted({m.code for m in report.checks} | set(by_code))
    titles = {m.code: f"{m.code} {m.slug}" for m in report.checks}
    total = failures = skipped = 0
    for code in codes:
        findings = by_code.get(code, [])
        suite = ET.SubElement(root, "testsuite", name=xml_attribute(titles.get(code, code)))
        for finding in findings:
            _case(suite, finding)
        if not findings:
            ET.SubElement(suite, "testcase", name="no findings", classname=code)
        suite_failures = sum(1 for f in findings if not f.suppressed)
        suite_skipped = len(findings) - suite_failures
        suite.set("tests", str(max(len(findings), 1)))
        suite.set("failures", str(suite_failures))
        suite.set("skipped", str(suite_skipped))
        suite.set("errors", "0")
        total += max(len(findings), 1)
        failures += suite_failures
        skipped += suite_skipped
    if report.errors:
        suite = ET.SubElement(root, "testsuite", name="parse errors", tests=str(len(report.errors)),
                              failures="0", errors=str(len(report.errors)), skipped="0")
        for error in report.errors:
            case = ET.SubElement(suite, "testcase", name=xml_attribute(error.file), classname="parse",
                                 file=xml_attribute(error.file))
            ET.SubElement(case, "error", message=xml_attribute(str(error)))
        total += len(report.errors)
    if report.config_path is not None:
        _config_suite(root, report)
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(len(report.errors)))
    root.set("skipped", str(skipped))
    root.set("time", f"{report.duration_seconds:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml_document(ET.tostring(root, encoding="unicode")) + "\n"
