"""End-to-end helpers: the `gpc-assure` command in a fresh process, and provider configs."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
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
        _command(args, report_dir),
        cwd=cwd,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return CliResult(completed.returncode, completed.stdout, completed.stderr, report_dir)


def _command(args: tuple[str, ...], report_dir: Path) -> list[str]:
    command = [sys.executable, "-m", "gpc_assure.cli", *args]
    return [*command, "--report-dir", str(report_dir)] if args and args[0] == "run" else command


def _environment() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GPC_ASSURE_BASE_URL", None)
    return env


_PEAK_WRAPPER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as out:
    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""
"""Runs the command and writes the peak RSS of the largest process among its descendants
(waited for), in KiB on Linux and bytes on macOS: counted for this run alone."""


@dataclass(frozen=True)
class MeasuredRun:
    result: CliResult
    peak_rss_mb: float
    """The larger of the largest process's own peak RSS and the highest sum of proportional
    set sizes (shared pages counted once) over the whole process tree, sampled every 20 ms
    (Linux)."""


def run_cli_measured(*args: str, cwd: Path, timeout: float) -> MeasuredRun:
    """`gpc-assure ARGS` like `run_cli`, with the peak memory of its whole process tree.
    Raises subprocess.TimeoutExpired after `timeout` seconds (the tree killed)."""
    report_dir = cwd / "report"
    peak_file = cwd / "peak-rss.txt"
    command = [sys.executable, "-c", _PEAK_WRAPPER, str(peak_file), *_command(args, report_dir)]
    with subprocess.Popen(
        command,
        cwd=cwd,
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # one process group: a time-out ends the whole tree
    ) as process:
        sampler = _TreeSampler(process.pid)
        sampler.start()
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
        finally:
            sampler.stop()
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    largest_mb = int(peak_file.read_text() or 0) / scale
    result = CliResult(process.returncode, stdout, stderr, report_dir)
    return MeasuredRun(result, max(largest_mb, sampler.peak_kib / 1024))


class _TreeSampler(threading.Thread):
    """Sums the memory of a process's descendants (not the process itself) every 20 ms,
    keeping the highest sum; does nothing where /proc is missing. Each process counts its
    proportional set size (pages shared with another process split between them), and a
    child that shares its parent's address space (vfork, before exec) counts once with it."""

    def __init__(self, pid: int) -> None:
        super().__init__(name=f"rss-sampler-{pid}", daemon=True)
        self._pid = pid
        self._done = threading.Event()
        self.peak_kib = 0

    def run(self) -> None:
        while not self._done.wait(0.02):
            rollups = {_rollup(pid) for pid in _descendants(self._pid)}  # one per address space
            total = sum(_pss_kib(rollup) for rollup in rollups)
            self.peak_kib = max(self.peak_kib, total)

    def stop(self) -> None:
        self._done.set()
        self.join()


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                found.extend(int(c) for c in (task / "children").read_text().split())
    return found


def _descendants(pid: int) -> list[int]:
    found, pending = [], _children(pid)
    while pending:
        child = pending.pop()
        found.append(child)
        pending.extend(_children(child))
    return found


def _rollup(pid: int) -> str:
    """The memory summary of a process's address space (the same text for processes that
    share one), or "" when it is gone."""
    try:
        return Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return ""


def _pss_kib(rollup: str) -> int:
    for line in rollup.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


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
