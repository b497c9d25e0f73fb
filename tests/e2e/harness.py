"""End-to-end helpers: the `gpc-assure` command in a fresh process, and provider configs."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gpc_assure.provider import ReferenceProvider

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


def run_cli(*args: str, cwd: Path, timeout: float = 120) -> CliResult:
    """`gpc-assure ARGS` in a fresh process, as a user would run it."""
    report_dir = cwd / "report"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GPC_ASSURE_BASE_URL", None)
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
    lines = [
        f'base_url = "{provider.base_url}"',
        f'provider_asid = "{provider.provider_asid}"',
        "",
        "[tls]",
        f'ca = "{provider.pki.ca_cert}"',
        f'client_cert = "{provider.pki.client_cert}"',
        f'client_key = "{provider.pki.client_key}"',
    ]
    for document in provider.documents:
        if not document.oversize:
            lines += [
                "",
                "[[documents]]",
                f'id = "{document.id}"',
                f'content_type = "{document.content_type}"',
                f'sha256 = "{document.sha256}"',
            ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
