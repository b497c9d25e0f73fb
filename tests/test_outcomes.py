"""One record per scenario, folded from its setup, call and teardown reports."""

import json

import pytest

from gpc_assure.report.records import ScenarioRecord, totals
from gpc_assure.run.outcomes import outcome_of

NODE = "steps/test_conformance.py::test_an_unknown_document_id"


def report(when: str, outcome: str, longrepr: object = None) -> pytest.TestReport:
    return pytest.TestReport(NODE, ("f", 1, "t"), {}, outcome, longrepr, when)  # type: ignore[arg-type]


def properties(
    *findings: dict[str, str], failure_kind: str | None = None
) -> list[tuple[str, object]]:
    props: list[tuple[str, object]] = [
        ("feature", "Retrieve a document that does not exist"),
        ("scenario", "An unknown document id is answered 404"),
        ("tags", json.dumps(["req:GPC-DOC-NF-001"])),
        ("requirement", "GPC-DOC-NF-001"),
        ("findings", json.dumps(list(findings))),
        ("evidence", "evidence/x.json"),
    ]
    if failure_kind:
        props.append(("failure_kind", failure_kind))
    return props


def finding(verdict: str, requirement: str = "GPC-DOC-NF-001") -> dict[str, str]:
    return {
        "requirement": requirement,
        "level": "MUST",
        "verdict": verdict,
        "expected": "HTTP 404",
        "observed": "HTTP 400",
    }


def phases(call: pytest.TestReport | None = None) -> dict[str, pytest.TestReport]:
    found = {"setup": report("setup", "passed"), "teardown": report("teardown", "passed")}
    if call is not None:
        found["call"] = call
    return found


def test_a_passing_scenario() -> None:
    record = outcome_of(NODE, properties(finding("met")), phases(report("call", "passed")))
    assert record.outcome == "passed"
    assert record.requirements == ["GPC-DOC-NF-001"]
    assert record.evidence == "evidence/x.json"


def test_an_unmet_must_is_failed_with_its_message() -> None:
    call = report("call", "failed", "GPC-DOC-NF-001 (...): expected HTTP 404; observed HTTP 400")
    record = outcome_of(
        NODE, properties(finding("failed"), failure_kind="requirement"), phases(call)
    )
    assert record.outcome == "failed"
    assert record.message.startswith("GPC-DOC-NF-001 (")


def test_a_failure_that_is_not_a_requirement_is_an_error() -> None:
    call = report("call", "failed", "KeyError: 'x'")
    assert outcome_of(NODE, properties(), phases(call)).outcome == "error"


def test_an_unmet_should_is_a_warning_naming_it() -> None:
    warned = {**finding("warning", "GPC-DOC-ERR-006"), "level": "SHOULD"}
    record = outcome_of(NODE, properties(finding("met"), warned), phases(report("call", "passed")))
    assert record.outcome == "warning"
    assert record.message.startswith("GPC-DOC-ERR-006: expected")


def test_a_reported_may_and_an_unjudged_check_leave_the_scenario_passed() -> None:
    reported = {**finding("reported", "GPC-DOC-JWT-010"), "level": "MAY"}
    record = outcome_of(
        NODE,
        properties(reported, finding("not evaluated")),
        phases(report("call", "passed")),
    )
    assert record.outcome == "passed"


def test_a_skip_before_the_scenario_keeps_its_reason() -> None:
    setup = report("setup", "skipped", ("f", 1, "Skipped: no document is configured"))
    record = outcome_of(NODE, properties(), {"setup": setup})
    assert record.outcome == "skipped"
    assert record.message == "no document is configured"


def test_a_failed_teardown_turns_a_pass_into_an_error() -> None:
    found = phases(report("call", "passed"))
    found["teardown"] = report("teardown", "failed", "OSError: disk full")
    assert outcome_of(NODE, properties(), found).outcome == "error"


def test_totals_count_every_outcome() -> None:
    records = [
        ScenarioRecord(str(n), "f", "s", [], [], outcome, "")
        for n, outcome in enumerate(["passed", "passed", "failed", "warning"])
    ]
    assert totals(records) == {"passed": 2, "failed": 1, "warning": 1, "skipped": 0, "error": 0}
