"""The suite catches every fault of the reference provider and passes the conformant one.

One matrix run (the conformant provider plus each fault, two runs at a time) backs every test
here: each fault must fail (MUST) or warn (SHOULD) a scenario that checks what it breaks, the
conformant provider must give no failure and no warning, and every scenario must be caught
failing by at least one fault.
"""

import re
from pathlib import Path

import pytest

from gpc_assure.catalogue import catalogue
from gpc_assure.provider import FAULTS
from gpc_assure.self_assurance import Matrix, run_matrix, write_reports

# One matrix for the whole module: keep its tests on one xdist worker (make test: --dist loadgroup).
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("self-assurance")]
MESSAGE = re.compile(r"^(GPC-DOC-[A-Z]+-\d{3}) \(.+\): expected .+; observed .+$")


REPORTS = Path(__file__).resolve().parents[2] / "reports"


@pytest.fixture(scope="module")
def matrix() -> Matrix:
    """The full matrix; its readable result goes to reports/self-assurance.{json,md}."""
    result = run_matrix(sorted(FAULTS), jobs=2)
    write_reports(result, REPORTS)
    return result


def test_conformant_provider_passes_with_no_warning(matrix: Matrix) -> None:
    assert matrix.conformant.exit_code == 0
    assert matrix.conformant_findings == []
    assert matrix.conformant.scenarios


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_is_caught_by_a_scenario_checking_what_it_breaks(matrix: Matrix, fault: str) -> None:
    run = next(r for r in matrix.fault_runs if r.fault == fault)
    assert not run.problem, run.problem
    assert run.requirements, f"{fault} declares no requirement"
    assert run.caught_by, f"{fault} survived: no scenario tagged {run.requirements} failed"
    must = any(catalogue()[r].level == "MUST" for r in run.requirements)
    assert run.exit_code == (1 if must or run.also_fails else 0)
    for scenario in run.caught_by:
        if scenario.outcome == "failed":
            match = MESSAGE.match(scenario.message)
            assert match, scenario.message
            assert match[1] in scenario.requirements


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_fails_only_what_it_declares(matrix: Matrix, fault: str) -> None:
    run = next(r for r in matrix.fault_runs if r.fault == fault)
    assert [s.id for s in run.unexpected] == []


def test_every_scenario_is_caught_failing_by_some_fault(matrix: Matrix) -> None:
    assert matrix.untested_scenarios == []
