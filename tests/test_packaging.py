"""The wheel carries every built-in check and schema, inside the package namespace only."""

import subprocess
import sys
import zipfile

from conftest import REPO


def test_wheel_ships_checks_and_schemas_inside_the_package(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path), str(REPO)],
                   check=True, capture_output=True, timeout=600)
    (wheel,) = tmp_path.glob("aiaas_iac-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/", 1)[0] for name in names if "/" in name and ".dist-info" not in name}
    assert top_level == {"aiaas_iac"}
    check_modules = {p.relative_to(REPO / "checks").as_posix() for p in (REPO / "checks").rglob("*.py")}
    assert {f"aiaas_iac/checks/{m}" for m in check_modules} <= set(names)
    assert {"aiaas_iac/schemas/config.schema.json", "aiaas_iac/schemas/report.schema.json"} <= set(names)
