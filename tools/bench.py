"""Benchmark of `gpc-assure run`: run time, overhead over its bare network work, parallel
speed-up and peak memory.

`python -m tools.bench [--out reports/bench.json] [--quick]` starts reference providers
in this process, runs the suite against them in child processes, prints a table and writes
JSON. Targets are informational: a missed target never makes the exit status non-zero.

Each run is timed from outside (wall time, start-up included) and from inside: this module is
also a pytest plugin, loaded into the run through PYTEST_ADDOPTS, that notes when the pytest
session starts and ends, so that start-up can be told apart from the session itself.

Overhead sets the serial run's in-run time against a plain loop that repeats the run's network
work, read back from its evidence, with nothing else (no checks, records or reports): every
recorded HTTP request sent again through one httpx.Client, then every recorded TLS probe made
again, each a fresh TCP connection and full handshake offering what the suite offered (protocol
range, cipher suites, client certificate or none), the same request and as much of the answer
as a probe reads; like the suite's probe, a TLS 1.3 session that ended unanswered is tried once
more, waiting up to ALERT_WAIT_SECONDS for the refusal's alert. The loop runs in a process of
its own, as the suite does, and sets up its client and TLS contexts before its clock starts.
Both ratios are reported side by side: `overhead_in_run_http_only` (in-run / HTTP requests
alone) and `overhead_in_run` (in-run / requests and probes), the like-for-like figure the
<= 3x target applies to. The loop leaves out what evidence does not record: the preflight (made
before the session starts) and the one plain-HTTP connection to the TLS port. Other work on the
machine makes single timings noisy, so the serial run and its loop are repeated SERIAL_REPEATS
times and medians reported.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from gpc_assure.config.provider_config import ProviderConfig
    from gpc_assure.provider import ReferenceProvider

TIMING_ENV = "GPC_BENCH_TIMING_FILE"
PLUGIN = "tools.bench"  # not __name__: that is __main__ under `python -m`
RUN_TIMEOUT_SECONDS = 900
QUICK_KEYWORD = "without_header or existing_document or the_approved"
LARGE_KEYWORD = "large"
DELAY_SECONDS = 0.2
SERIAL_REPEATS = 3
COUNTS = ("requests", "probes")

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

    from gpc_assure.transport.tls_context import client_ssl_context

    config = _resolved_config(report_dir)
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


def _resolved_config(report_dir: Path) -> ProviderConfig:
    from gpc_assure.config.provider_config import from_resolved_dict

    resolved = json.loads((report_dir / "resolved-config.json").read_text(encoding="utf-8"))
    return from_resolved_dict(resolved)


def recorded_probes(report_dir: Path) -> list[dict[str, Any]]:
    """Every TLS probe of a run's evidence that sent something (a set-up the local TLS library
    cannot offer sends nothing), in scenario order."""
    probes: list[dict[str, Any]] = []
    for path in sorted((report_dir / "evidence").glob("*.json")):
        evidence = json.loads(path.read_text(encoding="utf-8"))
        probes += [p for p in evidence.get("tls_probes", []) if not p["unsupported_locally"]]
    return probes


@dataclass(frozen=True)
class ProbeReplay:
    seconds: float
    probes: int
    connections: int
    version_differs: int


def _probe_context(config: ProviderConfig, how: str, scratch: Path) -> ssl.SSLContext | None:
    """The TLS context the suite's probe named `how` connects with (None: it cannot be offered
    here). The Gherkin phrase maps to the same typed attempt as in the steps, and the context is
    set up by the same function, so that each replayed ClientHello is the suite's own."""
    from gpc_assure.transport.probes import ALL_BUT_APPROVED
    from gpc_assure.transport.tls_probe import (
        non_approved_tls12_ciphers,
        probe_context,
        self_signed_client,
    )
    from steps.transport_steps import attempt_named

    way = attempt_named(how)
    tls = config.tls
    chain: tuple[Path | None, Path | None] = (tls.client_cert, tls.client_key)
    if way.cert == "none":
        chain = (None, None)
    elif way.cert == "self-signed":
        chain = self_signed_client(scratch)
    elif way.cert == "expired":
        chain = (tls.expired_client_cert, tls.expired_client_key)
    elif way.cert == "other host":
        chain = (tls.other_host_client_cert, tls.other_host_client_key)
    ciphers = way.ciphers
    if ciphers == ALL_BUT_APPROVED:
        ciphers = ":".join(non_approved_tls12_ciphers()) + ":@SECLEVEL=0"
    password = os.environ.get(tls.key_password_env) if tls.key_password_set else None
    context = probe_context(
        server_name=_probe_host(config)[0],
        ca=tls.ca,
        client_cert=chain[0],
        client_key=chain[1],
        key_password=password,
        verify=way.verify,
        min_version=way.version,
        max_version=way.version,
        ciphers=ciphers,
    )
    return context if isinstance(context, ssl.SSLContext) else None


def _probe_host(config: ProviderConfig) -> tuple[str, int]:
    assert config.base_url is not None
    url = urlsplit(config.base_url)
    return url.hostname or "", url.port or 443


def _probe_request(config: ProviderConfig) -> bytes:
    """The request a probe sends: the valid request for the first document, as a probe writes
    it (Connection: close)."""
    from gpc_assure.request.retrieve import valid_request

    host, port = _probe_host(config)
    document = config.documents[0].id if config.documents else config.unknown_document_id
    valid = valid_request(config, document)
    lines = [f"GET {urlsplit(valid.url).path} HTTP/1.1", f"Host: {host}:{port}"]
    lines += ["User-Agent: gpc-assure-tls-probe"]
    lines += [f"{name}: {value}" for name, value in valid.headers]
    if valid.header("Accept") is None:
        lines.append("Accept: */*")
    lines += ["Accept-Encoding: identity", "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1")


def _plain_http_exchange(config: ProviderConfig, request: bytes) -> None:
    """The plain-HTTP probe again: the request without TLS to the TLS port, the answer's start."""
    host, port = _probe_host(config)
    with suppress(OSError), socket.create_connection((host, port), config.connect_timeout) as raw:
        raw.settimeout(config.read_timeout)
        raw.sendall(request)
        raw.recv(64)


def _tls_exchange(
    context: ssl.SSLContext, config: ProviderConfig, request: bytes, alert_wait: float = 0.0
) -> tuple[str | None, bool]:
    """One fresh TLS connection: handshake, request, the start of the answer (as much as a
    probe reads). The protocol negotiated (None: no handshake), and whether the session then
    ended unanswered without an alert."""
    from gpc_assure.transport.tls_probe import MAX_ANSWER_BYTES

    host, port = _probe_host(config)
    timeout = config.connect_timeout + config.read_timeout
    try:
        raw = socket.create_connection((host, port), timeout=timeout)
    except OSError:
        return None, False
    with raw:
        try:
            conn = context.wrap_socket(raw, server_hostname=host)
        except OSError:
            return None, False
        with conn:
            version, answer = conn.version(), b""
            try:
                if alert_wait:
                    conn.settimeout(alert_wait)
                    with suppress(TimeoutError):
                        conn.recv(1)
                    conn.settimeout(timeout)
                conn.sendall(request)
                while len(answer) < MAX_ANSWER_BYTES:
                    chunk = conn.recv(MAX_ANSWER_BYTES - len(answer))
                    if not chunk:
                        break
                    answer += chunk
            except ssl.SSLError as exc:
                return version, not answer and "ALERT" not in (exc.reason or "")
            except OSError:
                pass
            return version, not answer


def plain_probes(report_dir: Path, scratch: Path) -> ProbeReplay:
    """Make the run's recorded TLS probes again, one after another: per probe a fresh TCP
    connection and full handshake offering what the suite offered (protocol range, suites,
    client certificate or none), the same request, the start of the answer. As the suite's
    probe does, a TLS 1.3 session that ended unanswered without an alert is tried once more,
    waiting up to ALERT_WAIT_SECONDS for the refusal's alert before sending. Contexts are
    set up before the clock starts, as the HTTP loop's client is."""
    from gpc_assure.transport.tls_probe import ALERT_WAIT_SECONDS
    from steps.transport_steps import PLAIN_HTTP

    config = _resolved_config(report_dir)
    probes = recorded_probes(report_dir)
    attempts = {p["attempt"] for p in probes} - {PLAIN_HTTP}
    contexts = {how: _probe_context(config, how, scratch) for how in attempts}
    request = _probe_request(config)
    connections = differs = 0
    start = time.perf_counter()
    for recorded in probes:
        if recorded["attempt"] == PLAIN_HTTP:
            _plain_http_exchange(config, request)
            connections += 1
            continue
        context = contexts[recorded["attempt"]]
        if context is None:
            continue
        version, unanswered = _tls_exchange(context, config, request)
        connections += 1
        if version == "TLSv1.3" and unanswered:
            version, _ = _tls_exchange(context, config, request, ALERT_WAIT_SECONDS)
            connections += 1
        differs += version != recorded["tls_version"]
    seconds = time.perf_counter() - start
    return ProbeReplay(seconds, len(probes), connections, differs)


def replay(report_dir: Path) -> tuple[LoopResult, ProbeReplay]:
    """The plain loop over a run's evidence, in a process of its own as the suite's run is:
    in this one it would share the interpreter with the reference provider's threads."""
    argv = [sys.executable, "-m", PLUGIN, "--replay", str(report_dir)]
    env = {k: v for k, v in _child_env().items() if k != "PYTEST_ADDOPTS"}
    try:
        done = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"plain loop: still running after {RUN_TIMEOUT_SECONDS} s") from None
    if done.returncode != 0:
        raise BenchError(f"plain loop: exit {done.returncode}:\n{done.stderr[-2000:]}")
    data = json.loads(done.stdout)
    return LoopResult(**data["loop"]), ProbeReplay(**data["probes"])


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
        serials: list[RunResult] = []
        loops: list[LoopResult] = []
        replays: list[ProbeReplay] = []
        for repeat in range(SERIAL_REPEATS):
            serial = run_suite(f"serial-{repeat + 1}", config, self.work, keyword=keyword)
            assert serial.report_dir is not None
            loop, probe_replay = replay(serial.report_dir)  # at once: tokens expire in 5 min
            loops.append(loop)
            replays.append(probe_replay)
            serials.append(serial)
        jobs4 = run_suite("jobs4", config, self.work, jobs=4, keyword=keyword)
        in_runs = [self.in_run(s, startup) for s in serials]
        typical = serials[in_runs.index(statistics.median_low(in_runs))]
        self.note_run("serial", typical)
        self.note_run("jobs4", jobs4)
        assert typical.report_dir is not None
        in_requests, probes = suite_request_time(typical.report_dir)
        loop_seconds = statistics.median(loop.seconds for loop in loops)
        probe_seconds = statistics.median(r.seconds for r in replays)
        like_for_like = statistics.median(
            loop.seconds + r.seconds for loop, r in zip(loops, replays, strict=True)
        )
        self.details["plain_loop"] = {
            "serial_runs": SERIAL_REPEATS,
            "serial_in_run_seconds": [round(v, 4) for v in in_runs],
            "loop_seconds": [round(loop.seconds, 4) for loop in loops],
            "probe_replay_seconds": [round(r.seconds, 4) for r in replays],
            "serial_run_request_seconds": round(in_requests, 4),
            "serial_run_tls_probes": probes,
            "requests": loops[0].sent,
            "transport_errors": sum(loop.errors for loop in loops),
            "status_differs_from_recorded": sum(loop.status_differs for loop in loops),
            "probe_connections": replays[0].connections,
            "probe_version_differs_from_recorded": sum(r.version_differs for r in replays),
        }
        serial_in_run = statistics.median(in_runs)
        serial_wall = statistics.median(s.wall for s in serials)
        jobs4_in_run = self.in_run(jobs4, startup)
        figures = {
            "serial_wall_seconds": Figure("full suite serial: wall", serial_wall, "s"),
            "serial_in_run_seconds": Figure("full suite serial: in-run", serial_in_run, "s"),
            "serial_scenarios_per_second": Figure(
                "full suite serial: scenarios/s (in-run)", typical.scenarios / serial_in_run, "/s"
            ),
            "serial_peak_rss_mb": Figure(
                "full suite serial: peak RSS", max(s.maxrss_mb for s in serials), "MB"
            ),
            "jobs4_wall_seconds": _target(
                "full suite --jobs 4: wall", jobs4.wall, "s", "< 10 s", lambda v: v < 10
            ),
            "jobs4_in_run_seconds": Figure("full suite --jobs 4: in-run", jobs4_in_run, "s"),
            "jobs4_scenarios_per_second": Figure(
                "full suite --jobs 4: scenarios/s (in-run)", jobs4.scenarios / jobs4_in_run, "/s"
            ),
            "plain_loop_requests": Figure("plain loop: HTTP requests", loops[0].sent, "requests"),
            "plain_loop_seconds": Figure("plain loop: HTTP requests, time", loop_seconds, "s"),
            "plain_loop_probes": Figure("plain loop: TLS probes", replays[0].probes, "probes"),
            "plain_loop_probe_seconds": Figure("plain loop: TLS probes, time", probe_seconds, "s"),
            "plain_loop_with_probes_seconds": Figure(
                "plain loop: requests + probes, time", like_for_like, "s"
            ),
            "overhead_in_run_http_only": Figure(
                "overhead: in-run / plain HTTP loop", serial_in_run / loop_seconds, "x"
            ),
            "overhead_in_run": _target(
                "overhead: in-run / loop + probes",
                serial_in_run / like_for_like,
                "x",
                "<= 3x",
                lambda v: v <= 3,
            ),
            "overhead_wall": Figure(
                "overhead: wall / loop + probes", serial_wall / like_for_like, "x"
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
            f"{f.label:<42} {f.value:>9.{0 if f.unit in COUNTS else 3}f} {f.unit:<8} "
            f"{f.target or '':<9} {result}"
        )
    lines += ["", "where the wall time went (s):"]
    for name, run in bench.details.get("runs", {}).items():
        parts = ", ".join(f"{k} {v:.3f}" for k, v in run["breakdown_seconds"].items())
        lines.append(f"  {name:<13} {parts}")
    loop = bench.details.get("plain_loop", {})
    if loop:
        lines += [
            f"plain loop, after each of {loop['serial_runs']} serial runs (medians above): "
            f"{loop['requests']} requests, {loop['transport_errors']} transport errors, "
            f"{loop['status_differs_from_recorded']} answered with another status; "
            f"{loop['serial_run_tls_probes']} TLS probes in {loop['probe_connections']} "
            f"connections, {loop['probe_version_differs_from_recorded']} ending otherwise than "
            "recorded",
            f"the typical serial run itself spent {loop['serial_run_request_seconds']:.3f} s "
            "in its HTTP exchanges",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("reports/bench.json"), metavar="FILE")
    parser.add_argument("--quick", action="store_true", help=f"only -k {QUICK_KEYWORD!r}")
    parser.add_argument("--replay", type=Path, metavar="REPORT_DIR", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.replay is not None:  # the plain loop, in the process `replay` starts
        loop = plain_loop(args.replay)
        probes = plain_probes(args.replay, args.replay.parent / "replay-scratch")
        print(json.dumps({"loop": asdict(loop), "probes": asdict(probes)}))
        return 0
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
