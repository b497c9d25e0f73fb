"""The suite passes every reading of the reference provider: another answer the specification
allows must not fail a scenario, and may warn only where its reading declares it.

One run of the whole suite per reading (two at a time). The readable result is written to
reports/readings.{json,md}. The runs are one test, so that pytest-xdist runs them once.
"""

from pathlib import Path

import pytest

from gpc_assure.provider import READINGS
from gpc_assure.run.self_assurance import (
    ReadingRun,
    ScenarioResult,
    SuiteRun,
    run_readings,
    write_readings_reports,
)

pytestmark = pytest.mark.e2e
REPORTS = Path(__file__).resolve().parents[2] / "reports"

# Readings the suite does not accept yet: each waits for a change on the suite's side (401
# with WWW-Authenticate for every token error, displays compared ignoring case and trailing
# punctuation, UNSUPPORTED_MEDIA_TYPE in the OperationOutcome schema, the Spine code looked
# for in every issue, issue types one level below the tabled one). They still run, and their
# results are printed and written to the report; only they may fail.
PENDING_SUITE_SUPPORT: frozenset[str] = frozenset()


def _scenario(outcome: str, requirement: str) -> ScenarioResult:
    return ScenarioResult(f"steps/x.py::test_{requirement}", outcome, (requirement,), "why")


def test_a_reading_run_is_judged_by_failures_and_undeclared_warnings() -> None:
    scenarios = (
        _scenario("passed", "GPC-DOC-RD-001"),
        _scenario("warning", "GPC-DOC-HTTP-007"),
        _scenario("warning", "GPC-DOC-ERR-005"),
        _scenario("error", "GPC-DOC-NF-001"),
    )
    run = ReadingRun("no-xml", ("GPC-DOC-HTTP-007",), "1.6", SuiteRun(1, 1.0, scenarios))
    assert run.counts() == {"passed": 1, "failed": 0, "warning": 2, "skipped": 0, "error": 1}
    assert run.problems == [
        "no-xml: error test_GPC-DOC-NF-001: why",
        "no-xml: undeclared warning test_GPC-DOC-ERR-005: why",
    ]
    clean = ReadingRun("no-xml", ("GPC-DOC-HTTP-007",), "1.6", SuiteRun(0, 1.0, scenarios[:2]))
    assert clean.problems == []
    assert ReadingRun("x", (), "1.6", SuiteRun(3, 1.0, problem="unreachable")).problems == [
        "x: unreachable"
    ]


def test_pending_readings_exist() -> None:
    assert not PENDING_SUITE_SUPPORT - set(READINGS)


def test_every_reading_passes_the_suite() -> None:
    runs = run_readings(list(READINGS), jobs=2)
    write_readings_reports(runs, REPORTS)
    for run in runs:
        counts = ", ".join(f"{n} {outcome}" for outcome, n in run.counts().items() if n)
        pending = run.reading in PENDING_SUITE_SUPPORT
        note = " (pending suite support)" if pending else ""
        if pending and not run.problems:
            note = " (pending suite support, now passes: take it off PENDING_SUITE_SUPPORT)"
        print(f"{run.reading}{note}: {counts}")
        for problem in run.problems:
            print(f"  {problem}")
    problems = [p for run in runs if run.reading not in PENDING_SUITE_SUPPORT for p in run.problems]
    assert not problems, "\n".join(problems)
    assert all(run.run.scenarios for run in runs)
