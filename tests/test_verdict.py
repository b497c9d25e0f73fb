"""The Judge: every Then is judged, the scenario fails once at its end, levels decide."""

import warnings

import pytest

from gpc_assure.checks.expect import Observation
from gpc_assure.checks.verdict import Judge, NoResponseError, RequirementFailure, ShouldNotMet

MET = Observation(True, "x", "x")
UNMET = Observation(False, "x", "y")


def test_every_finding_is_kept_and_the_scenario_fails_once_with_all_of_them() -> None:
    judge = Judge()
    judge("GPC-DOC-RD-004", UNMET)
    judge("GPC-DOC-RD-003", MET)
    judge("GPC-DOC-RD-005", UNMET)
    assert [f.verdict for f in judge.findings] == ["failed", "met", "failed"]
    with pytest.raises(RequirementFailure) as failure:
        judge.conclude()
    message = str(failure.value)
    assert message.startswith("GPC-DOC-RD-004 (")
    assert "GPC-DOC-RD-005 (" in message
    assert "GPC-DOC-RD-003" not in message


def test_a_repeated_finding_is_named_once() -> None:
    judge = Judge()
    judge("GPC-DOC-RD-004", UNMET)
    judge("GPC-DOC-RD-004", UNMET)
    with pytest.raises(RequirementFailure) as failure:
        judge.conclude()
    assert str(failure.value).count("GPC-DOC-RD-004") == 1


def test_should_warns_and_may_is_reported() -> None:
    judge = Judge()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        judge("GPC-DOC-ERR-006", UNMET)
    assert any(issubclass(w.category, ShouldNotMet) for w in caught)
    assert judge.findings[0].verdict == "warning"
    judge.conclude()  # a warning does not fail the scenario


def test_no_response_ends_in_error_even_beside_failures() -> None:
    judge = Judge()
    judge("GPC-DOC-RD-004", UNMET)
    judge("GPC-DOC-RD-001", Observation(False, "x", "no response: reset", no_response=True))
    with pytest.raises(NoResponseError):
        judge.conclude()


def test_unevaluated_findings_do_not_fail() -> None:
    judge = Judge()
    judge("GPC-DOC-RD-005", Observation(None, "x", "nothing configured"))
    assert judge.findings[0].verdict == "not evaluated"
    judge.conclude()


def test_findings_remember_their_step() -> None:
    step = iter([2, 3])
    judge = Judge(current_step=lambda: next(step))
    judge("GPC-DOC-RD-004", UNMET)
    judge("GPC-DOC-RD-003", MET)
    assert [f.step for f in judge.findings] == [2, 3]
    assert judge.failed_steps() == {2}
