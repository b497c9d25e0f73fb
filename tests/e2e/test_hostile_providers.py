"""`gpc-assure run` against providers that misbehave at the transport and message level.

Each test points the suite at a HostileServer playing one behaviour (see
tests/hostile/hostile_server.py) with short time-outs, and checks that the run ends within a
bound, without a traceback, with its result files written and the affected scenarios in
`error` or `failed` with a one-line message naming the cause.

Behaviours that could hold a run for a long time (BACKGROUND) are started in a worker thread as
soon as the module starts, so that their wait overlaps the other tests.
"""

import base64
import hashlib
import json
import re
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from e2e.harness import CliResult, run_cli_measured
from hostile.hostile_server import XML_DOCUMENT, HostileServer

pytestmark = [pytest.mark.e2e]

CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 2.0
RUN_BOUND_S = 120.0
"""The longest a whole run may take against a hostile provider with the time-outs above: the
circuit breaker (3 time-outs in a row) and the per-response deadline (connect + 2 x read) keep a
healthy suite well under it (5-35 s per behaviour here)."""
OUTER_TIMEOUT_S = RUN_BOUND_S + 15
"""The subprocess time-out that catches a hang."""
RSS_BOUND_MB = 250
"""The most memory a run's whole process tree may take, whatever the provider sends."""
DOCUMENT_ID = "hostile-doc-1"
BACKGROUND = ("byte-a-second",)
TRANSPORT_FEATURE = "Transport security"
"""Its scenarios probe TLS with their own sockets; the others all go through the suite's client."""


@dataclass(frozen=True)
class Run:
    """One `gpc-assure run` against a hostile server, or the hang that replaced it."""

    behaviour: str
    tmp: Path
    result: CliResult | None
    wall_s: float
    requests_received: int
    request_heads: tuple[bytes, ...] = ()
    peak_rss_mb: float | None = None
    """The peak memory of the run's whole process tree (None after a hang)."""

    def describe(self) -> str:
        if self.result is None:
            return (
                f"{self.behaviour}: no end after {self.wall_s:.1f} s "
                f"(subprocess time-out {OUTER_TIMEOUT_S:g} s); "
                f"{self.requests_received} requests reached the server"
            )
        return (
            f"{self.behaviour}: exit {self.result.code} after {self.wall_s:.1f} s, "
            f"peak memory {self.peak_rss_mb:.0f} MB, "
            f"{self.requests_received} requests reached the server\n"
            f"--- stdout (tail)\n{self.result.stdout[-2000:]}\n"
            f"--- stderr (tail)\n{self.result.stderr[-3000:]}"
        )


def run_against(
    behaviour: str, tmp: Path, timeouts: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT)
) -> Run:
    """`gpc-assure run` against a fresh HostileServer playing `behaviour` (with the connect and
    read time-outs `timeouts`)."""
    tmp.mkdir(parents=True, exist_ok=True)
    with HostileServer(behaviour, tmp) as server:
        start = time.perf_counter()
        result: CliResult | None = None
        peak_mb: float | None = None
        try:
            measured = run_cli_measured(
                "run",
                "--base-url",
                server.base_url,
                "--ca",
                str(server.ca),
                "--client-cert",
                str(server.client_cert),
                "--client-key",
                str(server.client_key),
                "--document-id",
                DOCUMENT_ID,
                "--connect-timeout",
                f"{timeouts[0]:g}",
                "--read-timeout",
                f"{timeouts[1]:g}",
                cwd=tmp,
                timeout=OUTER_TIMEOUT_S,
            )
            result, peak_mb = measured.result, measured.peak_rss_mb
        except subprocess.TimeoutExpired:
            pass
        wall = time.perf_counter() - start
        heads = tuple(r.head for r in server.requests)
    return Run(behaviour, tmp, result, wall, len(heads), heads, peak_mb)


@pytest.fixture(scope="module")
def background_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, "Future[Run]"]]:
    """The BACKGROUND behaviours this session selected, started now, one thread each."""
    selected = [
        b
        for b in BACKGROUND
        if any(item.name == _test_name_of(b) for item in request.session.items)
    ]
    with ThreadPoolExecutor(max_workers=max(1, len(selected))) as pool:
        yield {
            b: pool.submit(run_against, b, tmp_path_factory.mktemp(f"hostile-{b}"))
            for b in selected
        }


def _test_name_of(behaviour: str) -> str:
    """The test of `behaviour`: test_ and the behaviour's name in snake case."""
    return "test_" + behaviour.replace("-", "_")


def one_run(behaviour: str, tmp: Path, background: dict[str, "Future[Run]"]) -> Run:
    if behaviour in background:
        return background[behaviour].result()
    return run_against(behaviour, tmp)


# What every run must show


def assert_ended_cleanly(run: Run, exit_codes: set[int]) -> CliResult:
    """The run ended within the bound, with an allowed exit code, no traceback, files written."""
    assert run.result is not None, run.describe()
    result = run.result
    assert result.code in exit_codes, run.describe()
    for name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        assert "Traceback" not in text, f"a traceback in {name}: {run.describe()}"
        assert "INTERNALERROR" not in text, f"INTERNALERROR in {name}: {run.describe()}"
    assert run.wall_s < RUN_BOUND_S, f"the run took {run.wall_s:.1f} s: {run.describe()}"
    files = ["summary.json", "assurance-report.json"]
    if result.code != 3:
        files.append("junit.xml")
    missing = [f for f in files if not (result.report_dir / f).is_file()]
    assert not missing, f"missing {missing}: {run.describe()}"
    return result


def scenarios(result: CliResult) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = result.summary["scenarios"]
    return found


def bad_scenarios(result: CliResult) -> list[dict[str, Any]]:
    """Scenarios that ended `failed` or `error`; each must say why in one non-empty line."""
    bad = [s for s in scenarios(result) if s["outcome"] in {"failed", "error"}]
    for scenario in bad:
        message = scenario["message"]
        assert message.strip(), f"no message: {scenario['id']}"
        assert "\n" not in message, f"multi-line: {message!r}"
        assert "\r" not in message, f"multi-line: {message!r}"
    return bad


def naming(bad: list[dict[str, Any]], *words: str) -> list[dict[str, Any]]:
    """The scenarios among `bad` whose message contains every one of `words` (any case)."""
    return [s for s in bad if all(w.lower() in s["message"].lower() for w in words)]


def assert_transport_failure(run: Run, *any_of: str, outcome: str = "error") -> None:
    """No usable response: every scenario that sends a request ends `outcome`, its message
    naming the cause (containing one of `any_of`, in any case).

    Only the TLS probes of the Transport security feature, which open their own connections,
    and scenarios skipped for want of configuration may end otherwise.
    """
    result = assert_ended_cleanly(run, {1})
    bad_scenarios(result)
    requesting = [
        s
        for s in scenarios(result)
        if s["feature"] != TRANSPORT_FEATURE and s["outcome"] != "skipped"
    ]
    assert len(requesting) > 50, f"only {len(requesting)} scenarios sent requests"
    wrong = [
        (s["name"], s["outcome"], s["message"])
        for s in requesting
        if s["outcome"] != outcome or not any(w.lower() in s["message"].lower() for w in any_of)
    ]
    assert not wrong, f"{len(wrong)} scenarios, e.g. {wrong[:3]}; {run.describe()}"


# One test per behaviour


def test_never_answers(tmp_path: Path, background_runs: dict[str, "Future[Run]"]) -> None:
    run = one_run("never-answers", tmp_path, background_runs)
    assert_ended_cleanly(run, {1})
    assert run.result is not None
    bad = bad_scenarios(run.result)
    timed_out = naming(bad, "read time-out")
    given_up = naming(bad, "not sent", "unanswered within the time-outs")
    assert len(timed_out) >= 1, run.describe()
    assert len(given_up) > 50, "the circuit breaker did not stop the requests"
    assert_transport_failure(run, "time-out")
    # The breaker: 3 requests time out, then nothing more is sent (the TLS probes send a few).
    assert run.requests_received <= 12, run.describe()


def test_endless_body(tmp_path: Path, background_runs: dict[str, "Future[Run]"]) -> None:
    run = one_run("endless-body", tmp_path, background_runs)
    assert_transport_failure(run, "size cap")


def test_huge_headers(tmp_path: Path, background_runs: dict[str, "Future[Run]"]) -> None:
    run = one_run("huge-headers", tmp_path, background_runs)
    assert_transport_failure(run, "not valid HTTP")


def test_not_http(tmp_path: Path, background_runs: dict[str, "Future[Run]"]) -> None:
    run = one_run("not-http", tmp_path, background_runs)
    assert run.result is not None, run.describe()
    if run.result.code == 3:  # a preflight that looked past the handshake
        assert_unreachable(run, "provider unreachable")
        return
    assert_transport_failure(run, "not valid HTTP")


def test_gzip_bomb(tmp_path: Path, background_runs: dict[str, "Future[Run]"]) -> None:
    run = one_run("gzip-bomb", tmp_path, background_runs)
    assert run.peak_rss_mb is not None, run.describe()
    assert run.peak_rss_mb < RSS_BOUND_MB, run.describe()
    assert_transport_failure(run, "size cap")


def test_invalid_utf8(tmp_path: Path, background_runs: dict[str, "Future[Run]"]) -> None:
    run = one_run("invalid-utf8", tmp_path, background_runs)
    result = assert_ended_cleanly(run, {1})
    bad = bad_scenarios(result)
    assert len(naming(bad, "not JSON", "utf-8")) >= 5, run.describe()


def test_not_json(tmp_path: Path, background_runs: dict[str, "Future[Run]"]) -> None:
    run = one_run("not-json", tmp_path, background_runs)
    result = assert_ended_cleanly(run, {1})
    bad = bad_scenarios(result)
    assert len(naming(bad, "not JSON")) >= 5, run.describe()


def test_deep_json(tmp_path: Path, background_runs: dict[str, "Future[Run]"]) -> None:
    run = one_run("deep-json", tmp_path, background_runs)
    result = assert_ended_cleanly(run, {1})
    bad = bad_scenarios(result)
    assert len(naming(bad, "JSON")) >= 5, run.describe()
    recursion = [s for s in bad if "recursion" in s["message"].lower()]
    assert not recursion, recursion[0]["message"]


def test_redirect(tmp_path: Path, background_runs: dict[str, "Future[Run]"]) -> None:
    run = one_run("redirect", tmp_path, background_runs)
    result = assert_ended_cleanly(run, {1})
    bad = bad_scenarios(result)
    assert len(naming(bad, "observed HTTP 302")) > 50, run.describe()
    # The redirect is reported, never followed: only the hostile server got requests.
    evidence = json.dumps(
        [json.loads(p.read_text()) for p in (result.report_dir / "evidence").glob("*.json")]
    )
    assert "other-host.invalid/base" in evidence  # the Location header, as evidence
    assert '"url": "https://other-host.invalid' not in evidence


def assert_unreachable(run: Run, *words: str) -> None:
    result = assert_ended_cleanly(run, {3})
    error = result.summary.get("error", "")
    assert all(w.lower() in error.lower() for w in words), error
    assert "\n" not in error
    assert result.summary["scenarios"] == []
    assert "cannot reach the provider" in result.stderr


def test_handshake_fails(tmp_path: Path, background_runs: dict[str, "Future[Run]"]) -> None:
    run = one_run("handshake-fails", tmp_path, background_runs)
    assert_unreachable(run, "provider unreachable", "TLS handshake", "failed")
    assert run.requests_received == 0


DEFAULT_TIMEOUTS = (5.0, 30.0)
"""The configuration's default time-outs: an overall deadline of 65 s per response."""


def test_trickled_body(tmp_path: Path) -> None:
    """Three million 1-byte chunks, with the default time-outs: reading such a body takes tens
    of seconds of CPU, inside its 65 s deadline, so only the piece-size rule ends it (and the
    circuit breaker, the run), in a few seconds."""
    run = run_against("trickled-body", tmp_path, DEFAULT_TIMEOUTS)
    assert_transport_failure(run, "piece-size rule")


def test_reset_mid_body(tmp_path: Path, background_runs: dict[str, "Future[Run]"]) -> None:
    run = one_run("reset-mid-body", tmp_path, background_runs)
    assert_transport_failure(run, "closed connection", "reset", "disconnected")


_RAW_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
"""Any C0 control but the line feed, DEL, or any C1 control: none may reach the terminal."""


def test_escape_sequences(tmp_path: Path, background_runs: dict[str, "Future[Run]"]) -> None:
    run = one_run("escape-sequences", tmp_path, background_runs)
    result = assert_ended_cleanly(run, {1})
    for name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        raw = sorted({f"U+{ord(c):04X}" for c in _RAW_CONTROL.findall(text)})
        assert not raw, f"raw control characters {raw} in {name}: {run.describe()}"
    shown = result.stdout
    assert "\\x1b]0;owned\\x07" in shown, run.describe()  # the Spine code or diagnostics
    assert "\\x9b2J" in shown, run.describe()  # the Content-Type header value
    assert "200 OK\\x1b]0;owned" in shown, run.describe()  # the plain-HTTP status line


def test_sets_cookie(tmp_path: Path, background_runs: dict[str, "Future[Run]"]) -> None:
    run = one_run("sets-cookie", tmp_path, background_runs)
    assert_ended_cleanly(run, {1})
    assert run.requests_received > 10, run.describe()
    replayed = [h for h in run.request_heads if b"\r\ncookie:" in h.lower()]
    assert not replayed, f"{len(replayed)} requests sent the cookie back: {replayed[0]!r}"


# Last, so that the other tests run while it waits in the background (see BACKGROUND).


def test_byte_a_second(tmp_path: Path, background_runs: dict[str, "Future[Run]"]) -> None:
    run = one_run("byte-a-second", tmp_path, background_runs)
    assert_transport_failure(run, "deadline", "time-out")


# Bounded evidence: huge or amplifying bodies, and document bytes however the XML is spelled

FOLDER_BOUND_MB = 50
"""The most a report folder may hold, whatever the provider sends."""


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def assert_bounded(run: Run) -> CliResult:
    """The run ended cleanly (no traceback, its files written), its whole process tree stayed
    under the memory bound, and its report folder under the folder bound."""
    result = assert_ended_cleanly(run, {1})
    assert run.peak_rss_mb is not None
    assert run.peak_rss_mb < RSS_BOUND_MB, f"peak memory {run.peak_rss_mb:.0f} MB: {run.describe()}"
    size = folder_mb(result.report_dir)
    assert size < FOLDER_BOUND_MB, f"report folder {size:.1f} MB: {run.describe()}"
    return result


def test_huge_outcome(tmp_path: Path, background_runs: dict[str, "Future[Run]"]) -> None:
    """400,000 issues (14.4 MB): each error answer judged on its first 100, and saying so."""
    run = one_run("huge-outcome", tmp_path, background_runs)
    result = assert_bounded(run)
    bad = bad_scenarios(result)
    assert naming(bad, "invalid OperationOutcome", "the first 100 of 400,000 items of $.issue")
    assert not naming(bad, "400,000 issues"), "failed for the count of issues"


@pytest.mark.parametrize(
    "behaviour", ["nested-arrays", "nested-arrays-wide", "nested-arrays-streamed"]
)
def test_nested_arrays(
    behaviour: str, tmp_path: Path, background_runs: dict[str, "Future[Run]"]
) -> None:
    """Arrays nested past the depth the suite reads (nothing read, a digest kept); 99 levels
    deep, as large as is parsed whole (wide) and just under the tokens streamed (streamed):
    judged on the first 100 blocks, with a 64 KiB excerpt kept."""
    run = one_run(behaviour, tmp_path, background_runs)
    result = assert_bounded(run)
    assert naming(bad_scenarios(result), "resourceType 'list'") or naming(
        bad_scenarios(result), "beyond what the suite reads"
    ), run.describe()


def test_xml_spellings(tmp_path: Path, background_runs: dict[str, "Future[Run]"]) -> None:
    run = one_run("xml-spellings", tmp_path, background_runs)
    assert run.result is not None, run.describe()
    assert run.result.code in {0, 1}, run.describe()
    b64 = base64.b64encode(XML_DOCUMENT).decode("ascii")
    leaked = [
        p.relative_to(run.result.report_dir)
        for p in run.result.report_dir.rglob("*")
        if p.is_file() and b64[:40].encode() in p.read_bytes()
    ]
    assert not leaked, f"document bytes in {leaked}"
    evidence = "".join(p.read_text() for p in (run.result.report_dir / "evidence").glob("*.json"))
    assert hashlib.sha256(XML_DOCUMENT).hexdigest() in evidence  # redacted to its digest
