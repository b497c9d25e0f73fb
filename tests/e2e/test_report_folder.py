"""The report folder is the run's own: new or empty, or --force over an earlier run's report;
links and unusable paths are usage errors (exit 2, one line), never written through."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from e2e.harness import ROOT, CliResult, run_cli

pytestmark = pytest.mark.e2e

FEW = ("-k", "plain")
"""A handful of quick scenarios against the embedded provider."""


def one_usage_line(result: CliResult, *words: str) -> str:
    assert result.code == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert all(w in lines[0] for w in words), lines[0]
    return lines[0]


def test_a_used_folder_needs_force_which_removes_the_earlier_report(tmp_path: Path) -> None:
    first = run_cli("run", *FEW, cwd=tmp_path)
    assert first.code == 0, first.stdout + first.stderr
    before = (first.report_dir / "summary.json").read_bytes()

    again = run_cli("run", *FEW, cwd=tmp_path)
    one_usage_line(again, str(first.report_dir), "--force")
    assert (first.report_dir / "summary.json").read_bytes() == before

    (first.report_dir / "evidence" / "planted.json").write_text("{}")
    forced = run_cli("run", *FEW, "--force", cwd=tmp_path)
    assert forced.code == 0, forced.stdout + forced.stderr
    manifest = json.loads((forced.report_dir / "manifest.json").read_text())
    assert "evidence/planted.json" not in manifest["files"]
    assert not (forced.report_dir / "evidence" / "planted.json").exists()


def test_force_keeps_a_file_no_run_wrote(tmp_path: Path) -> None:
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "notes.txt").write_text("mine")
    result = run_cli("run", *FEW, "--force", cwd=tmp_path)
    one_usage_line(result, "notes.txt", "no run wrote")
    assert (tmp_path / "report" / "notes.txt").read_text() == "mine"


def test_a_planted_link_is_refused_not_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text("precious")
    (tmp_path / "report" / "evidence").mkdir(parents=True)
    (tmp_path / "report" / "summary.json").symlink_to(outside)
    result = run_cli("run", *FEW, "--force", cwd=tmp_path)
    one_usage_line(result, "symbolic link", "summary.json")
    assert outside.read_text() == "precious"


def test_a_folder_that_is_a_link_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "report").symlink_to(tmp_path / "elsewhere")
    one_usage_line(run_cli("run", *FEW, cwd=tmp_path), "symbolic link")
    assert list((tmp_path / "elsewhere").iterdir()) == []


@pytest.mark.parametrize(
    "report_dir", ["x" * 300, "/".join(["d" * 200] * 25), "clash.txt/below", "clash.txt"]
)
def test_an_unusable_path_is_a_usage_error(tmp_path: Path, report_dir: str) -> None:
    (tmp_path / "clash.txt").write_text("a file")
    command = [sys.executable, "-m", "gpc_assure.cli", "run", *FEW, "--report-dir", report_dir]
    completed = subprocess.run(
        command,
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    result = CliResult(completed.returncode, completed.stdout, completed.stderr, tmp_path)
    one_usage_line(result, "--report-dir")


def test_plain_pytest_refuses_a_used_folder(tmp_path: Path) -> None:
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "summary.json").write_text("{}")
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(ROOT / "steps" / "test_conformance.py"),
            "--report-dir",
            str(tmp_path / "r"),
            "-p",
            "no:cacheprovider",
            "-q",
            *FEW,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == pytest.ExitCode.USAGE_ERROR, completed.stdout
    assert "not empty" in completed.stderr
    assert "--gpc-force" in completed.stderr
    assert (tmp_path / "r" / "summary.json").read_text() == "{}"
