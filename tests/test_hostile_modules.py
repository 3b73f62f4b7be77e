"""Hostile module trees: each leaves one clear note, never a hang, and the rest is judged.

Each test builds the attacker's tree in a temporary directory and runs the installed CLI as a
CI job would (`aiaas-iac scan . --format json`).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from conftest import write_tree

CLI = str(Path(sys.executable).parent / "aiaas-iac")
PATIENCE = 60  # seconds before the test gives up on the process
QUICK = 20  # what "well within" means here, on a loaded 2-core machine

# A root policy whose finding must survive whatever the module calls beside it do.
HONEST = '''\
resource "aws_iam_policy" "wide" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "bedrock:*", Resource = "*" }]
  })
}
'''
HONEST_FINDING = ("AIA101", "main.tf", 3)
# A module whose every instance is reported: AIA102 at its line 4.
UNSCOPED = '''\
variable "name" {}
resource "aws_iam_policy" "p" {
  name   = var.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "bedrock:InvokeModel", Resource = "*" }] })
}
'''


def scan(root: Path) -> tuple[dict, float]:
    started = time.monotonic()
    result = subprocess.run([CLI, "scan", ".", "--format", "json", "--no-cache", "--select", "AIA1"], cwd=root,
                            capture_output=True, text=True, timeout=PATIENCE)
    elapsed = time.monotonic() - started
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout), elapsed


def findings(report: dict) -> set[tuple[str, str, int]]:
    return {(f["code"], f["file"], f["start_line"]) for f in report["findings"] if f["code"] in ("AIA101", "AIA102")}


def test_a_module_cycle_is_noted_once(tmp_path):
    write_tree(tmp_path, {
        "main.tf": HONEST + 'module "a" {\n  source = "./a"\n}\n',
        "a/main.tf": 'module "b" {\n  source = "../b"\n}\n',
        "b/main.tf": 'module "a" {\n  source = "../a"\n}\nmodule "self" {\n  source = "./"\n}\n',
    })
    report, elapsed = scan(tmp_path)
    assert elapsed < QUICK
    assert HONEST_FINDING in findings(report)
    assert report["notes"] == [
        "b/main.tf:1: module a in module.a.module.b: module cycle a -> b -> a; not instantiated again",
        "b/main.tf:4: module self in module.a.module.b: module cycle b -> b; not instantiated again",
    ]


def test_a_cycle_no_root_reaches_is_judged_with_its_defaults(tmp_path):
    write_tree(tmp_path, {
        "a/main.tf": 'module "b" {\n  source = "../b"\n  name = "from-a"\n}\n' + UNSCOPED,
        "b/main.tf": 'module "a" {\n  source = "../a"\n  name = "from-b"\n}\n' + UNSCOPED,
    })
    report, elapsed = scan(tmp_path)
    assert elapsed < QUICK
    assert {(c, f) for c, f, _ in findings(report)} == {("AIA102", "a/main.tf"), ("AIA102", "b/main.tf")}
    assert len(report["notes"]) == 1 and "module cycle" in report["notes"][0]


def test_a_source_outside_the_scan_root_is_not_followed(tmp_path):
    root = tmp_path / "repo"
    write_tree(tmp_path, {
        "repo/main.tf": HONEST + 'module "etc" {\n  source = "../../../../etc"\n}\n'
                        'module "sibling" {\n  source = "../outside"\n}\n',
        "outside/main.tf": UNSCOPED,
    })
    report, elapsed = scan(root)
    assert elapsed < QUICK
    assert findings(report) == {HONEST_FINDING}
    assert report["notes"] == [
        "main.tf:6: module etc: source ../../../../etc is outside the scanned root; not followed",
        "main.tf:9: module sibling: source ../outside is outside the scanned root; not followed",
    ]


def test_nesting_deeper_than_the_limit_is_noted(tmp_path):
    from aiaas_iac.module_tree import MAX_DEPTH

    depth = MAX_DEPTH + 5
    files = {"main.tf": HONEST + 'module "m0" {\n  source = "./m0"\n}\n'}
    for level in range(depth):
        files[f"m{level}/main.tf"] = f'module "m{level + 1}" {{\n  source = "../m{level + 1}"\n}}\n'
    files[f"m{depth}/main.tf"] = UNSCOPED
    write_tree(tmp_path, files)
    report, elapsed = scan(tmp_path)
    assert elapsed < QUICK
    assert findings(report) == {HONEST_FINDING}  # the deep module is never instantiated
    assert len(report["notes"]) == 1 and f"nested deeper than {MAX_DEPTH}" in report["notes"][0]


def test_a_huge_known_count_on_a_module_is_capped(tmp_path):
    from aiaas_iac.terraform_instances import MAX_INSTANCES

    write_tree(tmp_path, {
        "main.tf": HONEST + 'module "many" {\n  source = "./m"\n  count = 100000000\n  name = "n${count.index}"\n}\n',
        "m/main.tf": UNSCOPED,
    })
    report, elapsed = scan(tmp_path)
    assert elapsed < QUICK
    assert findings(report) == {HONEST_FINDING, ("AIA102", "m/main.tf", 4)}
    assert report["notes"] == [f"main.tf:6: module many: more than {MAX_INSTANCES} instances; only the first"
                               f" {MAX_INSTANCES} are judged"]


def test_a_module_tree_that_doubles_at_every_level_is_capped(tmp_path):
    from aiaas_iac.module_tree import MAX_TOTAL_INSTANCES

    levels = 14  # 2**14 instances if nothing stopped it
    files = {"main.tf": HONEST + 'module "l0" {\n  source = "./l0"\n  count = 2\n}\n'}
    for level in range(levels):
        files[f"l{level}/main.tf"] = f'module "l{level + 1}" {{\n  source = "../l{level + 1}"\n  count = 2\n}}\n'
    files[f"l{levels}/main.tf"] = 'variable "name" {\n  default = "x"\n}\n' + UNSCOPED.split("\n", 1)[1]
    write_tree(tmp_path, files)
    report, elapsed = scan(tmp_path)
    assert elapsed < QUICK
    assert HONEST_FINDING in findings(report)
    assert any(n.startswith(f"more than {MAX_TOTAL_INSTANCES} module instances") for n in report["notes"])


def test_a_missing_module_directory_is_noted(tmp_path):
    write_tree(tmp_path, {"main.tf": HONEST + 'module "gone" {\n  source = "./nowhere"\n}\n'})
    report, _ = scan(tmp_path)
    assert findings(report) == {HONEST_FINDING}
    assert report["notes"] == ["main.tf:6: module gone: module directory nowhere is not among the scanned Terraform files;"
                               " not evaluated"]


def test_many_instances_of_a_large_module_are_capped_by_the_blocks_they_copy(tmp_path):
    from aiaas_iac.module_tree import MAX_INSTANCE_BLOCKS

    blocks = "".join(f'resource "aws_iam_user" "u{n}" {{\n  name = "u{n}"\n}}\n' for n in range(200))
    write_tree(tmp_path, {
        "main.tf": HONEST + 'module "many" {\n  source = "./m"\n  count = 1000\n  name = "n${count.index}"\n}\n',
        "m/main.tf": UNSCOPED + blocks,
    })
    report, elapsed = scan(tmp_path)
    assert elapsed < 2 * QUICK
    assert findings(report) == {HONEST_FINDING, ("AIA102", "m/main.tf", 4)}
    assert any(f"{MAX_INSTANCE_BLOCKS} blocks" in n for n in report["notes"])
    (message,) = [f["message"] for f in report["findings"] if f["code"] == "AIA102"]
    assert message.endswith("module.many[3], module.many[4] and 243 more)"), message


# --- .terraform/modules/modules.json, as written by whoever opened the pull request ----------------

REGISTRY_CALL = 'module "reg" {\n  source = "acme/invoke/aws"\n  name = "reg"\n}\n'  # main.tf lines 6-9
MANIFEST = ".terraform/modules/modules.json"
NOT_IN_MANIFEST = (f"main.tf:6: module reg from acme/invoke/aws not evaluated (not in {MANIFEST}):"
                   " run terraform init to include it")


def manifest(*entries: dict) -> str:
    return json.dumps({"Modules": [{"Key": "", "Source": "", "Dir": "."}, *entries]})


def installed(key: str, directory: str) -> dict:
    return {"Key": key, "Source": "registry.terraform.io/acme/invoke/aws", "Version": "1.0.0", "Dir": directory}


def test_an_installed_module_is_judged_at_its_call_site(tmp_path):
    write_tree(tmp_path, {"main.tf": HONEST + REGISTRY_CALL, MANIFEST: manifest(installed("reg", ".terraform/modules/reg")),
                          ".terraform/modules/reg/main.tf": UNSCOPED})
    report, _ = scan(tmp_path)
    assert findings(report) == {HONEST_FINDING, ("AIA102", "main.tf", 6)}
    assert report["notes"] == []


def test_a_malformed_manifest_is_noted_and_the_rest_is_judged(tmp_path):
    write_tree(tmp_path, {"main.tf": HONEST + REGISTRY_CALL, MANIFEST: '{"Modules": [{"Key": "reg",\n',
                          ".terraform/modules/reg/main.tf": UNSCOPED})
    report, elapsed = scan(tmp_path)
    assert elapsed < QUICK
    assert findings(report) == {HONEST_FINDING}
    assert report["notes"] == [
        f"{MANIFEST}:2: not valid JSON (Expecting property name enclosed in double quotes);"
        " the modules it lists are not evaluated", NOT_IN_MANIFEST]


def test_a_manifest_of_another_shape_is_noted(tmp_path):
    write_tree(tmp_path, {"main.tf": HONEST + REGISTRY_CALL, MANIFEST: '[1, 2, 3]'})
    report, _ = scan(tmp_path)
    assert findings(report) == {HONEST_FINDING}
    assert report["notes"] == [f'{MANIFEST}: not a Terraform module manifest (no "Modules" list); the modules it'
                               " lists are not evaluated", NOT_IN_MANIFEST]


def test_a_huge_manifest_is_not_read(tmp_path):
    from aiaas_iac.module_manifest import MAX_MANIFEST_BYTES

    padding = [installed(f"m{n}", f".terraform/modules/m{n}") for n in range(MAX_MANIFEST_BYTES // 80)]
    write_tree(tmp_path, {"main.tf": HONEST + REGISTRY_CALL, MANIFEST: manifest(*padding, installed("reg", ".terraform/r")),
                          ".terraform/r/main.tf": UNSCOPED})
    report, elapsed = scan(tmp_path)
    assert elapsed < QUICK
    assert findings(report) == {HONEST_FINDING}
    assert report["notes"] == [
        f"{MANIFEST}: over the 2 MiB limit for a module manifest; the modules it lists are not evaluated",
        "main.tf:6: module reg from acme/invoke/aws not evaluated: run terraform init to include it"]


def test_ten_thousand_entries_are_capped_and_the_rest_is_judged(tmp_path):
    from aiaas_iac.module_manifest import MAX_ENTRIES

    many = [installed(f"m{n}", f".terraform/modules/m{n}") for n in range(10_000)]
    write_tree(tmp_path, {"main.tf": HONEST + REGISTRY_CALL, MANIFEST: manifest(installed("reg", ".terraform/r"), *many),
                          ".terraform/r/main.tf": UNSCOPED})
    report, elapsed = scan(tmp_path)
    assert elapsed < QUICK
    assert findings(report) == {HONEST_FINDING, ("AIA102", "main.tf", 6)}
    assert report["notes"] == [f"{MANIFEST}: lists 10002 modules, over the limit of {MAX_ENTRIES};"
                               f" only the first {MAX_ENTRIES} are read"]


def test_directories_outside_the_root_are_never_read(tmp_path):
    root = tmp_path / "repo"
    write_tree(tmp_path, {"etc/main.tf": UNSCOPED, "elsewhere/main.tf": UNSCOPED})
    write_tree(root, {
        "main.tf": HONEST + REGISTRY_CALL + 'module "abs" {\n  source = "acme/abs/aws"\n}\n'
                   'module "link" {\n  source = "acme/link/aws"\n}\n',
        MANIFEST: manifest(installed("reg", "../../etc"), installed("abs", str(tmp_path / "elsewhere")),
                           installed("link", ".terraform/modules/link")),
    })
    (root / ".terraform/modules/link").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    report, elapsed = scan(root)
    assert elapsed < QUICK
    assert findings(report) == {HONEST_FINDING}
    assert report["notes"] == [
        f"{MANIFEST}: module directory outside the scan root (reg: ../../etc, abs: {tmp_path / 'elsewhere'});"
        " not read",
        NOT_IN_MANIFEST,
        f"main.tf:10: module abs from acme/abs/aws not evaluated (not in {MANIFEST}): run terraform init to include it",
        "main.tf:13: module link from acme/link/aws not evaluated: its directory .terraform/modules/link named in"
        f" {MANIFEST} leads outside the scan root (symbolic link)",
    ]


def test_a_file_linked_out_of_an_installed_module_is_not_read(tmp_path):
    root = tmp_path / "repo"
    write_tree(tmp_path, {"outside.tf": UNSCOPED})
    write_tree(root, {"main.tf": HONEST + REGISTRY_CALL, MANIFEST: manifest(installed("reg", ".terraform/modules/reg")),
                      ".terraform/modules/reg/variables.tf": 'variable "name" {}\n'})
    (root / ".terraform/modules/reg/main.tf").symlink_to(tmp_path / "outside.tf")
    report, _ = scan(root)
    assert findings(report) == {HONEST_FINDING}
    assert report["notes"] == []


def test_a_key_cycle_in_the_manifest_is_noted_once(tmp_path):
    # reg's code calls itself by a registry source, and the manifest maps reg.reg back to reg's directory.
    write_tree(tmp_path, {
        "main.tf": HONEST + REGISTRY_CALL,
        MANIFEST: manifest(installed("reg", ".terraform/modules/reg"), installed("reg.reg", ".terraform/modules/reg")),
        ".terraform/modules/reg/main.tf": UNSCOPED + 'module "reg" {\n  source = "acme/invoke/aws"\n  name = "again"\n}\n',
    })
    report, elapsed = scan(tmp_path)
    assert elapsed < QUICK
    assert findings(report) == {HONEST_FINDING, ("AIA102", "main.tf", 6)}
    assert report["notes"] == [".terraform/modules/reg/main.tf:6: module reg in module.reg: module cycle"
                               " .terraform/modules/reg -> .terraform/modules/reg; not instantiated again"]


def test_an_installed_directory_nobody_calls_is_never_judged_on_its_own(tmp_path):
    write_tree(tmp_path, {"main.tf": HONEST, MANIFEST: manifest(installed("old", ".terraform/modules/old")),
                          ".terraform/modules/old/main.tf": UNSCOPED.replace('variable "name" {}', 'variable "name" {\n  default = "x"\n}')})
    report, _ = scan(tmp_path)
    assert findings(report) == {HONEST_FINDING}
    assert report["notes"] == []
