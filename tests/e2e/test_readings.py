"""The suite passes every reading of the reference provider: another answer the specification
allows must not fail a scenario, and may warn only where its reading declares it.

One run of the whole suite per reading (two at a time). The readable result is written to
reports/readings.{json,md}. The runs are one test, so that pytest-xdist runs them once.
"""

from pathlib import Path

import pytest

from gpc_assure.provider import READINGS
from gpc_assure.self_assurance import run_readings, write_readings_reports

pytestmark = pytest.mark.e2e
REPORTS = Path(__file__).resolve().parents[2] / "reports"

# Readings the suite does not accept yet: each waits for a change on the suite's side (401
# with WWW-Authenticate for every token error, displays compared ignoring case and trailing
# punctuation, UNSUPPORTED_MEDIA_TYPE in the OperationOutcome schema, the Spine code looked
# for in every issue, issue types one level below the tabled one). They still run, and their
# results are printed and written to the report; only they may fail.
PENDING_SUITE_SUPPORT = frozenset(
    {
        "token-errors-401",
        "displays-1.0.1",
        "displays-lowercase",
        "spine-415-unsupported-media-type",
        "multiple-issues",
        "issue-type-subtype",
    }
)


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
