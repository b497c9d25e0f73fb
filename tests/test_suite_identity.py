"""The suite's build identity: the same digest for a checkout and the wheel built from it."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from gpc_assure.report.suite_identity import build_digest, suite_identity

ROOT = Path(__file__).resolve().parents[1]


def test_every_report_names_version_commit_and_build() -> None:
    identity = suite_identity()
    assert identity["name"] == "gpc-assure"
    assert identity["version"]
    assert len(build_digest()) == 64


@pytest.mark.e2e
def test_a_wheel_reports_the_same_build_as_its_checkout(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("gpc_assure-*.whl"))
    unpacked = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(unpacked)
    probe = (
        "from gpc_assure.report.suite_identity import suite_identity; "
        "import json; print(json.dumps(suite_identity()))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(unpacked), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert f'"build": "{build_digest()}"' in completed.stdout
