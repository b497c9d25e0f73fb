"""Benchmark of `gpc-assure run`: run time, parallel speed-up and peak memory.

`python -m tools.bench [--out reports/bench.json] [--quick]` starts reference providers
in this process, runs the suite against them in child processes, prints a table and writes
JSON. Targets are informational: a missed target never makes the exit status non-zero.

Each run is timed from outside (wall time, start-up included) and from inside: this module is
also a pytest plugin, loaded into the run through PYTEST_ADDOPTS, that notes when the pytest
session starts and ends, so that start-up can be told apart from the session itself.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from gpc_assure.provider import ReferenceProvider

TIMING_ENV = "GPC_BENCH_TIMING_FILE"
PLUGIN = "tools.bench"  # not __name__: that is __main__ under `python -m`
RUN_TIMEOUT_SECONDS = 900
QUICK_KEYWORD = "without_header or existing_document"
LARGE_KEYWORD = "large"
DELAY_SECONDS = 0.2

# Runs the command in argv[3:] and writes its wall time, exit code and peak memory to argv[1]
# (its output goes to argv[2]). RUSAGE_CHILDREN of this fresh process covers only that run.
_WRAPPER = """
import json, resource, subprocess, sys, time
out, log, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(log, "wb") as sink:
    spawned_at, start = time.time(), time.perf_counter()
    code = subprocess.run(argv, stdout=sink, stderr=subprocess.STDOUT, check=False).returncode
    wall, exited_at = time.perf_counter() - start, time.time()
maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(out, "w") as f:
    json.dump({"code": code, "wall": wall, "spawned_at": spawned_at,
               "exited_at": exited_at, "maxrss": maxrss}, f)
"""


class BenchError(Exception):
    """A measurement could not be taken; the message says which and why."""


# --- the pytest plugin side: loaded into `gpc-assure run` with `-p tools.bench` ---------

_MARKS: dict[str, float] = {}


def _active(config: pytest.Config) -> bool:
    """Timing is noted on the controller of a run that asked for it (not on xdist workers)."""
    return bool(os.environ.get(TIMING_ENV)) and not hasattr(config, "workerinput")


def _mark(name: str, *, first: bool = False) -> None:
    if not (first and name in _MARKS):
        _MARKS[name] = time.time()


def pytest_sessionstart(session: pytest.Session) -> None:
    """Note when the pytest session starts."""
    if _active(session.config):
        _mark("sessionstart")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Note the first and last scenario reports (on the controller, under xdist too)."""
    _mark("first_report", first=True)
    _mark("last_report")


@pytest.hookimpl(wrapper=True)
def pytest_sessionfinish(session: pytest.Session) -> Generator[None, None, None]:
    """Note when session finish (summary and reports; xdist shutdown) starts and ends."""
    _mark("sessionfinish_start")
    yield
    _mark("sessionfinish_end")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Write the noted times to the file named by GPC_BENCH_TIMING_FILE."""
    if _active(config):
        Path(os.environ[TIMING_ENV]).write_text(json.dumps(_MARKS), encoding="utf-8")


# --- measurements -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One reported number, with its target when it has one."""

    label: str
    value: float
    unit: str
    target: str | None = None
    met: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": round(self.value, 4),
            "unit": self.unit,
            "target": self.target,
            "met": self.met,
        }


def _target(
    label: str, value: float, unit: str, target: str, check: Callable[[float], bool]
) -> Figure:
    return Figure(label, value, unit, target, check(value))


@dataclass(frozen=True)
class RunResult:
    """One child process: a `gpc-assure run` or another command."""

    code: int
    wall: float
    maxrss_mb: float
    spawned_at: float
    exited_at: float
    marks: dict[str, float] = field(default_factory=dict)
    scenarios: int = 0
    report_dir: Path | None = None

    @property
    def in_run(self) -> float | None:
        """Seconds from the start to the end of the pytest session, if the plugin noted them."""
        if {"sessionstart", "sessionfinish_end"} <= self.marks.keys():
            return self.marks["sessionfinish_end"] - self.marks["sessionstart"]
        return None

    def breakdown(self) -> dict[str, float]:
        """Where the wall time went, in seconds, as far as the noted times tell."""
        points = [("spawned", self.spawned_at)]
        points += [(k, self.marks[k]) for k in _PHASES if k in self.marks]
        points.append(("exited", self.exited_at))
        return {
            _PHASE_NAMES[later]: round(t1 - t0, 4)
            for (_, t0), (later, t1) in itertools.pairwise(points)
        }


_PHASES = ("sessionstart", "first_report", "last_report", "sessionfinish_end")
_PHASE_NAMES = {
    "sessionstart": "start_up",
    "first_report": "collection",
    "last_report": "scenarios",
    "sessionfinish_end": "session_finish",
    "exited": "after_session",
}
PHASES_EXPLAINED = {
    "start_up": "spawn to pytest session start: interpreter, imports, config, preflight",
    "collection": "to the first scenario report: collection (and xdist worker start-up)",
    "scenarios": "first to last scenario report",
    "session_finish": "summary, assurance and cucumber reports (and xdist shutdown)",
    "after_session": "JUnit rewrite, manifest, interpreter exit",
}


def _child_env() -> dict[str, str]:
    """This environment without GPC_ASSURE_* settings, with the timing plugin loaded."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GPC_ASSURE_")}
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    env["PYTEST_ADDOPTS"] = " ".join(filter(None, [env.get("PYTEST_ADDOPTS"), "-p", PLUGIN]))
    return env


def spawn(argv: list[str], work: Path, name: str, env: dict[str, str] | None = None) -> RunResult:
    """Run argv through the wrapper: wall time, exit code and its peak RSS."""
    work.mkdir(parents=True, exist_ok=True)
    out, log = work / f"{name}.rusage.json", work / f"{name}.log"
    with subprocess.Popen(
        [sys.executable, "-c", _WRAPPER, str(out), str(log), *argv],
        cwd=work,
        env=env if env is not None else _child_env(),
        start_new_session=True,
    ) as wrapper:
        try:
            wrapper.wait(RUN_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(wrapper.pid, signal.SIGKILL)
            wrapper.wait()
            raise BenchError(f"{name}: still running after {RUN_TIMEOUT_SECONDS} s") from None
    if not out.is_file():
        raise BenchError(f"{name}: the wrapper wrote no result (exit {wrapper.returncode})")
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    per_mb = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes or KiB
    return RunResult(
        code=int(data["code"]),
        wall=float(data["wall"]),
        maxrss_mb=float(data["maxrss"]) / per_mb,
        spawned_at=float(data["spawned_at"]),
        exited_at=float(data["exited_at"]),
    )


def run_suite(
    name: str, config_file: Path, work: Path, *, jobs: int = 1, keyword: str | None = None
) -> RunResult:
    """`gpc-assure run` against a configured provider, timed from outside and inside."""
    report_dir = work / name / "report"
    timing = work / f"{name}.timing.json"
    argv = [sys.executable, "-m", "gpc_assure.cli", "run", "--config", str(config_file)]
    argv += ["--report-dir", str(report_dir), "--jobs", str(jobs)]
    if keyword:
        argv += ["-k", keyword]
    result = spawn(argv, work, name, {**_child_env(), TIMING_ENV: str(timing)})
    summary_file = report_dir / "summary.json"
    if not summary_file.is_file():
        tail = (work / f"{name}.log").read_text(encoding="utf-8", errors="replace")[-2000:]
        raise BenchError(f"{name}: no summary.json (exit {result.code}):\n{tail}")
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    marks = json.loads(timing.read_text(encoding="utf-8")) if timing.is_file() else {}
    return RunResult(
        code=result.code,
        wall=result.wall,
        maxrss_mb=result.maxrss_mb,
        spawned_at=result.spawned_at,
        exited_at=result.exited_at,
        marks={k: float(v) for k, v in marks.items()},
        scenarios=len(summary["scenarios"]),
        report_dir=report_dir,
    )


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the run's evidence recorded it, ready to send again."""

    started_at: str
    method: str
    url: str
    query: tuple[tuple[str, str], ...]
    headers: list[tuple[str, str]]
    body: bytes
    status: int | None


def recorded_requests(report_dir: Path) -> list[RecordedRequest]:
    """Every HTTP exchange of a run's evidence, in the order it was sent.

    Write requests' bodies are redacted in evidence; a placeholder of the recorded size is
    sent instead (the recorded Content-Length stays true).
    """
    requests: list[RecordedRequest] = []
    for path in sorted((report_dir / "evidence").glob("*.json")):
        for exchange in json.loads(path.read_text(encoding="utf-8"))["exchanges"]:
            request = exchange["request"]
            size = int(request.get("body", {}).get("size", 0))
            requests.append(
                RecordedRequest(
                    started_at=exchange["started_at"],
                    method=request["method"],
                    url=request["url"],
                    query=tuple((k, v) for k, v in request["query"]),
                    headers=[(k, v) for k, v in request["headers"]],
                    body=b" " * size,
                    status=exchange.get("response", {}).get("status"),
                )
            )
    return sorted(requests, key=lambda r: r.started_at)


def suite_request_time(report_dir: Path) -> tuple[float, int]:
    """Seconds the run itself spent in HTTP exchanges (as it timed them), and its TLS probes."""
    seconds, probes = 0.0, 0
    for path in (report_dir / "evidence").glob("*.json"):
        evidence = json.loads(path.read_text(encoding="utf-8"))
        seconds += sum(float(e["elapsed_ms"]) for e in evidence["exchanges"]) / 1000
        probes += len(evidence.get("tls_probes", []))
    return seconds, probes


@dataclass(frozen=True)
class LoopResult:
    seconds: float
    sent: int
    errors: int
    status_differs: int


def plain_loop(report_dir: Path) -> LoopResult:
    """Send the run's recorded requests again, one after another, with one httpx.Client."""
    import httpx

    from gpc_assure.config.provider_config import from_resolved_dict
    from gpc_assure.transport.tls_context import client_ssl_context

    resolved = json.loads((report_dir / "resolved-config.json").read_text(encoding="utf-8"))
    config = from_resolved_dict(resolved)
    requests = recorded_requests(report_dir)
    timeout = httpx.Timeout(
        connect=config.connect_timeout,
        read=config.read_timeout,
        write=config.read_timeout,
        pool=config.connect_timeout,
    )
    errors = differs = 0
    with httpx.Client(
        verify=client_ssl_context(config.tls), timeout=timeout, follow_redirects=False
    ) as client:
        client.headers = httpx.Headers()  # send exactly the recorded headers
        start = time.perf_counter()
        for r in requests:
            built = client.build_request(
                r.method, r.url, headers=r.headers, params=r.query or None, content=r.body or None
            )
            try:
                response = client.send(built)
            except httpx.HTTPError:
                errors += 1
                continue
            differs += response.status_code != r.status
        seconds = time.perf_counter() - start
    return LoopResult(seconds, len(requests), errors, differs)


@contextmanager
def provider_config(work: Path, delay: float) -> Iterator[Path]:
    """A reference provider in this process, and a config file pointing at it."""
    from gpc_assure.provider import ProviderSettings, ReferenceProvider
    from gpc_assure.provider.suite_config import suite_config_toml

    provider: ReferenceProvider
    with ReferenceProvider(ProviderSettings(delay_seconds=delay)) as provider:
        config = work / f"provider-{int(delay * 1000)}ms.toml"
        config.write_text(suite_config_toml(provider), encoding="utf-8")
        yield config


def cli_startup(work: Path, repeats: int = 3) -> float:
    """Median wall time of `python -m gpc_assure.cli --version`: the start-up floor."""
    argv = [sys.executable, "-m", "gpc_assure.cli", "--version"]
    return statistics.median(spawn(argv, work, f"version-{i}").wall for i in range(repeats))


def provider_cold_start(work: Path, repeats: int = 3) -> float:
    """Median time for a fresh process to start the reference provider (PKI included)."""
    code = (
        "import time\n"
        "from gpc_assure.provider import ProviderSettings, ReferenceProvider\n"
        "started = time.perf_counter()\n"
        "with ReferenceProvider(ProviderSettings()):\n"
        "    print(time.perf_counter() - started)\n"
    )
    timings = []
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=work, capture_output=True, text=True, check=True
        )
        timings.append(float(done.stdout))
    return statistics.median(timings)


@dataclass
class Bench:
    quick: bool
    work: Path
    figures: dict[str, Figure] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    def add(self, key: str, figure: Figure) -> None:
        self.figures[key] = figure

    def note_run(self, key: str, run: RunResult) -> None:
        self.details.setdefault("runs", {})[key] = {
            "exit_code": run.code,
            "scenarios": run.scenarios,
            "wall_seconds": round(run.wall, 4),
            "in_run_seconds": None if run.in_run is None else round(run.in_run, 4),
            "peak_rss_mb": round(run.maxrss_mb, 1),
            "breakdown_seconds": run.breakdown(),
        }

    def in_run(self, run: RunResult, startup: float) -> float:
        """The session time, or wall minus the CLI start-up when the plugin noted nothing."""
        if run.in_run is not None:
            return run.in_run
        self.details["in_run_method"] = "wall minus `--version` start-up"
        return max(run.wall - startup, 1e-6)

    def measure(self) -> None:
        keyword = QUICK_KEYWORD if self.quick else None
        self.details["keyword"] = keyword
        self.details["breakdown_phases"] = PHASES_EXPLAINED
        self.details["in_run_method"] = "pytest session (sessionstart to sessionfinish end)"
        startup = cli_startup(self.work)
        self.add("cli_startup_seconds", Figure("CLI start-up (--version)", startup, "s"))
        self.add(
            "provider_cold_start_seconds",
            _target(
                "reference provider cold start",
                provider_cold_start(self.work),
                "s",
                "< 1 s",
                lambda v: v < 1.0,
            ),
        )
        with provider_config(self.work, 0.0) as config:
            self._full_suite(config, keyword, startup)
            large = run_suite("large", config, self.work, keyword=LARGE_KEYWORD)
        self.note_run("large", large)
        self.add(
            "large_peak_rss_mb",
            _target(
                "peak RSS, -k large (5 MB doc)",
                large.maxrss_mb,
                "MB",
                "< 250 MB",
                lambda v: v < 250,
            ),
        )
        with provider_config(self.work, DELAY_SECONDS) as config:
            serial = run_suite("delay-serial", config, self.work, keyword=keyword)
            parallel = run_suite("delay-jobs8", config, self.work, jobs=8, keyword=keyword)
        self.note_run("delay_serial", serial)
        self.note_run("delay_jobs8", parallel)
        self.add(
            "delay_serial_wall_seconds", Figure("200 ms provider: serial wall", serial.wall, "s")
        )
        self.add(
            "delay_jobs8_wall_seconds", Figure("200 ms provider: --jobs 8 wall", parallel.wall, "s")
        )
        self.add(
            "delay_speedup",
            _target(
                "200 ms provider: speed-up",
                serial.wall / parallel.wall,
                "x",
                ">= 5x",
                lambda v: v >= 5,
            ),
        )
        self.add(
            "delay_speedup_scenario_phase",
            Figure(
                "200 ms provider: speed-up, scenarios only",
                _scenario_phase(serial) / _scenario_phase(parallel),
                "x",
            ),
        )

    def _full_suite(self, config: Path, keyword: str | None, startup: float) -> None:
        serial = run_suite("serial", config, self.work, keyword=keyword)
        assert serial.report_dir is not None
        loop = plain_loop(serial.report_dir)  # at once: the recorded tokens expire in 5 minutes
        jobs4 = run_suite("jobs4", config, self.work, jobs=4, keyword=keyword)
        self.note_run("serial", serial)
        self.note_run("jobs4", jobs4)
        in_requests, probes = suite_request_time(serial.report_dir)
        self.details["plain_loop"] = {
            "serial_run_request_seconds": round(in_requests, 4),
            "serial_run_tls_probes": probes,
            "requests": loop.sent,
            "transport_errors": loop.errors,
            "status_differs_from_recorded": loop.status_differs,
        }
        serial_in_run, jobs4_in_run = self.in_run(serial, startup), self.in_run(jobs4, startup)
        figures = {
            "serial_wall_seconds": Figure("full suite serial: wall", serial.wall, "s"),
            "serial_in_run_seconds": Figure("full suite serial: in-run", serial_in_run, "s"),
            "serial_scenarios_per_second": Figure(
                "full suite serial: scenarios/s (in-run)", serial.scenarios / serial_in_run, "/s"
            ),
            "serial_peak_rss_mb": Figure("full suite serial: peak RSS", serial.maxrss_mb, "MB"),
            "jobs4_wall_seconds": _target(
                "full suite --jobs 4: wall", jobs4.wall, "s", "< 10 s", lambda v: v < 10
            ),
            "jobs4_in_run_seconds": Figure("full suite --jobs 4: in-run", jobs4_in_run, "s"),
            "jobs4_scenarios_per_second": Figure(
                "full suite --jobs 4: scenarios/s (in-run)", jobs4.scenarios / jobs4_in_run, "/s"
            ),
            "plain_loop_requests": Figure("plain loop: requests", loop.sent, "requests"),
            "plain_loop_seconds": Figure("plain loop: time", loop.seconds, "s"),
            "overhead_in_run": _target(
                "overhead: serial in-run / plain loop",
                serial_in_run / loop.seconds,
                "x",
                "<= 3x",
                lambda v: v <= 3,
            ),
            "overhead_wall": Figure(
                "overhead: serial wall / plain loop", serial.wall / loop.seconds, "x"
            ),
        }
        for key, figure in figures.items():
            self.add(key, figure)

    def as_dict(self) -> dict[str, Any]:
        return {
            "machine": machine(),
            "mode": "quick" if self.quick else "full",
            "results": {k: f.as_dict() for k, f in self.figures.items()},
            "details": self.details,
        }


def _scenario_phase(run: RunResult) -> float:
    """First to last scenario report, or the whole wall time when the plugin noted nothing."""
    if {"first_report", "last_report"} <= run.marks.keys():
        return max(run.marks["last_report"] - run.marks["first_report"], 1e-6)
    return run.wall


def machine() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cpus": os.cpu_count() or 1,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": None if load is None else [round(x, 2) for x in load],
    }


def table(bench: Bench) -> str:
    """The figures as aligned plain text, then where each run's wall time went."""
    m = machine()
    lines = [
        f"gpc-assure bench ({'quick' if bench.quick else 'full'}): {m['cpus']} CPUs, "
        f"Python {m['python']}, {m['platform']}, load {m['load_average']}",
        "",
        f"{'figure':<42} {'value':>9} {'unit':<8} {'target':<9} result",
        "-" * 78,
    ]
    for f in bench.figures.values():
        result = "" if f.met is None else ("PASS" if f.met else "MISS")
        lines.append(
            f"{f.label:<42} {f.value:>9.{0 if f.unit == 'requests' else 3}f} {f.unit:<8} "
            f"{f.target or '':<9} {result}"
        )
    lines += ["", "where the wall time went (s):"]
    for name, run in bench.details.get("runs", {}).items():
        parts = ", ".join(f"{k} {v:.3f}" for k, v in run["breakdown_seconds"].items())
        lines.append(f"  {name:<13} {parts}")
    loop = bench.details.get("plain_loop", {})
    if loop:
        lines.append(
            f"plain loop: {loop['requests']} requests, {loop['transport_errors']} transport "
            f"errors, {loop['status_differs_from_recorded']} answered with another status; "
            f"the serial run itself spent {loop['serial_run_request_seconds']:.3f} s in those "
            f"exchanges and made {loop['serial_run_tls_probes']} TLS probes besides"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("reports/bench.json"), metavar="FILE")
    parser.add_argument("--quick", action="store_true", help=f"only -k {QUICK_KEYWORD!r}")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gpc-assure-bench-") as work:
        bench = Bench(quick=args.quick, work=Path(work))
        try:
            bench.measure()
        except BenchError as exc:
            print(f"bench: {exc}", file=sys.stderr)
            return 1
    print(table(bench), end="")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(bench.as_dict(), indent=2) + "\n", encoding="utf-8")
    print(f"bench: wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
