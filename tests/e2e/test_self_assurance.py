"""The suite catches every fault of the reference provider and passes the conformant one.

One matrix run (the conformant provider plus each fault, two runs at a time): each fault must
fail (MUST), warn (SHOULD) or end in error a scenario that checks what it breaks, and fail
nothing it does not declare; the conformant provider must give no failure and no warning; and
every scenario must be caught by at least one fault. The readable result is written to
reports/self-assurance.{json,md}. It is one test, so that pytest-xdist runs the matrix once.
"""

import re
from pathlib import Path

import pytest

from gpc_assure.provider import FAULTS
from gpc_assure.run.self_assurance import FaultRun, run_matrix, write_reports
from gpc_assure.spec.catalogue import catalogue

pytestmark = pytest.mark.e2e
REPORTS = Path(__file__).resolve().parents[2] / "reports"
MESSAGE = re.compile(r"^(GPC-DOC-[A-Z]+-\d{3}) \(.+\): expected .+; observed .+$")


def run_problems(run: FaultRun) -> list[str]:
    """What is wrong with one fault's run, in words."""
    problems = [f"{run.fault}: {run.problem}"] if run.problem else []
    if not run.requirements:
        problems.append(f"{run.fault}: declares no requirement")
    if not run.caught_by:
        problems.append(f"{run.fault}: survived (no scenario tagged {run.requirements} failed)")
    problems += [f"{run.fault}: unexpectedly failed {s.id}" for s in run.unexpected]
    must = any(catalogue()[r].level == "MUST" for r in run.requirements)
    if run.exit_code != (1 if must or run.also_fails else 0):
        problems.append(f"{run.fault}: exit code {run.exit_code}")
    for scenario in run.caught_by:
        match = MESSAGE.match(scenario.message) if scenario.outcome == "failed" else None
        if scenario.outcome == "failed" and not (match and match[1] in scenario.blamed):
            problems.append(f"{run.fault}: unreadable failure message {scenario.message!r}")
    return problems


def test_every_fault_is_caught_and_the_conformant_provider_passes() -> None:
    matrix = run_matrix(sorted(FAULTS), jobs=2)
    write_reports(matrix, REPORTS)
    problems = [p for run in matrix.fault_runs for p in run_problems(run)]
    problems += [f"conformant provider: {s.outcome} {s.id}" for s in matrix.conformant_findings]
    problems += [f"untested scenario: {s}" for s in matrix.untested_scenarios]
    if matrix.conformant.exit_code != 0 or not matrix.conformant.scenarios:
        problems.append(f"conformant provider: exit code {matrix.conformant.exit_code}")
    assert not problems, "\n".join(problems)
    assert matrix.kill_rate == 1.0
