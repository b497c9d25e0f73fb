"""End-to-end helpers: the `gpc-assure` command in a fresh process, and provider configs."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gpc_assure.provider import ReferenceProvider
from gpc_assure.provider.suite_config import suite_config_toml

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout: str
    stderr: str
    report_dir: Path

    @property
    def summary(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.report_dir / "summary.json").read_text())
        return data

    def outcomes(self) -> dict[str, str]:
        return {s["id"].split("::")[-1]: s["outcome"] for s in self.summary["scenarios"]}


def run_cli(
    *args: str, cwd: Path, timeout: float = 120, env: dict[str, str] | None = None
) -> CliResult:
    """`gpc-assure ARGS` in a fresh process, as a user would run it (with `env` added)."""
    report_dir = cwd / "report"
    base = {k: v for k, v in os.environ.items() if k != "GPC_ASSURE_BASE_URL"}
    env = {**base, "PYTHONPATH": str(ROOT), **(env or {})}
    completed = subprocess.run(
        [sys.executable, "-m", "gpc_assure.cli", *args, "--report-dir", str(report_dir)]
        if args and args[0] == "run"
        else [sys.executable, "-m", "gpc_assure.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return CliResult(completed.returncode, completed.stdout, completed.stderr, report_dir)


def provider_config_file(provider: ReferenceProvider, path: Path) -> Path:
    """A TOML configuration for `provider`, with every document's expected type and digest."""
    path.write_text(suite_config_toml(provider), encoding="utf-8")
    return path


TRANSPORT_K = (
    "tls or client_certificate or certificate_chains or stricttransportsecurity or plainhttp"
)
"""A -k expression selecting exactly the scenarios of features/transport_security.feature."""
TRANSPORT_SCENARIOS = 18


def transport_run(config: Path, cwd: Path) -> CliResult:
    """`gpc-assure run` of the transport-security feature only, with 3 s time-outs."""
    return run_cli("run", "--config", str(config), "-k", TRANSPORT_K, "--timeout", "3", cwd=cwd)
