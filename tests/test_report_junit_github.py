"""JUnit XML for CI test tabs and GitHub workflow annotations."""

import xml.etree.ElementTree as ET

from aiaas_iac.report import render

WIDE = '''\
resource "aws_iam_policy" "wide" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "bedrock:*", Resource = "*" }]
  })
}
'''


def test_junit_has_a_failing_case_per_finding_and_a_passing_case_per_clean_check(tree):
    report = tree({"main.tf": WIDE, "bad.tf": "resource {"}, select=["AIA101", "AIA102"])
    root = ET.fromstring(render(report, "junit"))
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    failing = suites["AIA101 bedrock-wildcard-permission"]
    assert failing.get("failures") == "1"
    assert failing.find("testcase").get("name") == "main.tf:3 aws_iam_policy.wide"
    assert failing.find("testcase/failure").get("type") == "high"
    assert suites["AIA102 bedrock-invoke-unscoped"].find("testcase").get("name") == "no findings"
    assert suites["parse errors"].find("testcase/error") is not None
    assert (root.get("failures"), root.get("errors")) == ("1", "1")


def test_junit_marks_suppressed_findings_skipped(tree):
    report = tree({"main.tf": "# aiaas-iac:ignore=AIA101 reviewed in SEC-1\n" + WIDE}, select=["AIA101"])
    root = ET.fromstring(render(report, "junit"))
    assert root.find("testsuite/testcase/skipped").get("message") == "suppressed: reviewed in SEC-1"


def test_github_annotations_escape_and_map_severity(tree):
    report = tree({"dir, with: comma/main.tf": WIDE, "bad.tf": "resource {"}, select=["AIA101"])
    lines = render(report, "github").splitlines()
    assert lines[0].startswith("::error file=bad.tf,line=1,title=aiaas-iac could not parse this file::") or \
        lines[-1].startswith("::error file=bad.tf")
    (annotation,) = [l for l in lines if "AIA101" in l]
    assert annotation.startswith("::error file=dir%2C with%3A comma/main.tf,line=3,endLine=3,col=")
    assert annotation.endswith("::aws_iam_policy.wide grants bedrock:* on *")
