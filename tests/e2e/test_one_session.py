"""`gpc-assure run` and plain `pytest` go through one run session: the same report folder."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from e2e.harness import ROOT, provider_config_file, run_cli
from gpc_assure.provider import ReferenceProvider
from gpc_assure.provider.settings import ProviderSettings

pytestmark = pytest.mark.e2e

FEW = ("-k", "unknown or plain")


def files_of(folder: Path) -> set[str]:
    """Every file's path, with Allure's random result names reduced to their kind."""
    names = set()
    for path in folder.rglob("*"):
        if path.is_file():
            relative = path.relative_to(folder).as_posix()
            if relative.startswith("allure-results/"):
                relative = "allure-results/*-" + relative.rsplit("-", 1)[-1]
            names.add(relative)
    return names


def plain_pytest(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GPC_ASSURE_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "steps" / "test_conformance.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_plain_pytest_writes_the_folder_gpc_assure_run_writes(tmp_path: Path) -> None:
    with ReferenceProvider(ProviderSettings()) as provider:
        config = provider_config_file(provider, tmp_path / "provider.toml")
        cli = run_cli("run", "--config", str(config), *FEW, cwd=tmp_path)
        assert cli.code == 0, cli.stdout + cli.stderr
        folder = tmp_path / "plain"
        plain = plain_pytest("--provider-config", str(config), "--report-dir", str(folder), *FEW)
        assert plain.returncode == 0, plain.stdout + plain.stderr

    assert files_of(folder) == files_of(cli.report_dir)
    for report_dir in (folder, cli.report_dir):
        assert json.loads((report_dir / "manifest.json").read_text())["files"]
    ids = [json.loads(line)["id"] for line in (folder / "records.jsonl").read_text().splitlines()]
    assert sorted(ids) == sorted(s["id"] for s in cli.summary["scenarios"])


def test_plain_pytest_against_an_unreachable_provider_ends_with_exit_3(tmp_path: Path) -> None:
    config = tmp_path / "provider.toml"
    config.write_text(
        'base_url = "https://127.0.0.1:9/fhir"\n[timeouts]\nconnect = 1\nread = 1\n',
        encoding="utf-8",
    )
    folder = tmp_path / "plain"
    plain = plain_pytest("--provider-config", str(config), "--report-dir", str(folder))
    assert plain.returncode == 3, plain.stdout + plain.stderr
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["error"]
    assert (folder / "junit.xml").is_file()
    assert (folder / "SHA256SUMS").is_file()
