"""The benchmark's quick mode writes every figure; no timing is asserted."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FIGURES = (
    "cli_startup_seconds",
    "serial_wall_seconds",
    "serial_in_run_seconds",
    "serial_scenarios_per_second",
    "serial_peak_rss_mb",
    "jobs4_wall_seconds",
    "jobs4_in_run_seconds",
    "jobs4_scenarios_per_second",
    "plain_loop_requests",
    "plain_loop_seconds",
    "plain_loop_probes",
    "plain_loop_probe_seconds",
    "plain_loop_with_probes_seconds",
    "overhead_in_run_http_only",
    "overhead_in_run",
    "overhead_wall",
    "large_peak_rss_mb",
    "delay_serial_wall_seconds",
    "delay_jobs8_wall_seconds",
    "delay_speedup",
    "delay_speedup_scenario_phase",
)
TARGETED = ("jobs4_wall_seconds", "overhead_in_run", "delay_speedup", "large_peak_rss_mb")


@pytest.mark.e2e
def test_quick_bench_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GPC_ASSURE_")}
    env["PYTHONPATH"] = str(ROOT)
    completed = subprocess.run(
        [sys.executable, "-m", "tools.bench", "--quick", "--out", str(out)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "overhead" in completed.stdout

    data = json.loads(out.read_text(encoding="utf-8"))
    machine = data["machine"]
    assert machine["cpus"] > 0
    assert machine["python"]
    assert machine["platform"]
    assert data["mode"] == "quick"
    results = data["results"]
    assert set(FIGURES) <= results.keys()
    for key in FIGURES:
        figure = results[key]
        assert set(figure) == {"value", "unit", "target", "met"}, key
        assert isinstance(figure["value"], int | float), key
        assert figure["value"] > 0, key
        assert figure["unit"], key
        if key in TARGETED:
            assert figure["target"], key
            assert isinstance(figure["met"], bool), key
    for run in data["details"]["runs"].values():
        assert run["scenarios"] > 0
        assert run["in_run_seconds"] > 0
    loop = data["details"]["plain_loop"]
    assert loop["transport_errors"] == 0
    assert loop["status_differs_from_recorded"] == 0
    assert loop["probe_connections"] >= results["plain_loop_probes"]["value"]
    assert loop["probe_version_differs_from_recorded"] == 0
