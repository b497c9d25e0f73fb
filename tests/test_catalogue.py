"""The requirement catalogue and the feature files agree with each other."""

import re
from pathlib import Path

import pytest
from pytest_bdd.feature import get_features
from pytest_bdd.parser import ScenarioTemplate

from gpc_assure.spec.catalogue import CatalogueError, catalogue, load_catalogue
from gpc_assure.spec.paths import FEATURES_DIR

STEP_REQUIREMENT = re.compile(
    r"(?:\((GPC-[A-Z]+-[A-Z0-9]+-\d{3})\)|else (GPC-[A-Z]+-[A-Z0-9]+-\d{3}) cannot be judged)$"
)


def all_scenarios() -> list[ScenarioTemplate]:
    return [s for f in get_features([str(FEATURES_DIR)]) for s in f.scenarios.values()]


def tagged_requirements(scenario: ScenarioTemplate) -> set[str]:
    tags = scenario.tags | scenario.feature.tags
    return {t.removeprefix("req:") for t in tags if t.startswith("req:")}


def test_catalogue_loads_with_unique_ids_and_known_levels() -> None:
    requirements = catalogue()
    assert requirements
    for requirement in requirements.values():
        assert re.fullmatch(r"GPC-DOC-[A-Z]+-\d{3}", requirement.id)
        assert requirement.summary
        assert requirement.page
        assert requirement.section


def test_every_tag_names_a_catalogued_requirement() -> None:
    unknown = {
        (scenario.name, req)
        for scenario in all_scenarios()
        for req in tagged_requirements(scenario)
        if req not in catalogue()
    }
    assert not unknown


def test_every_scenario_names_at_least_one_requirement() -> None:
    assert all(tagged_requirements(s) for s in all_scenarios())


def test_every_checking_step_names_a_requirement_of_its_scenario() -> None:
    for scenario in all_scenarios():
        for step in scenario.steps:
            if step.type != "then":
                continue
            match = STEP_REQUIREMENT.search(step.name)
            assert match, f"{scenario.name}: step {step.name!r} names no requirement"
            named = match[1] or match[2]
            assert named in tagged_requirements(scenario), (
                f"{scenario.name}: step names {named}, which the scenario's tags do not"
            )


def test_manual_requirements_say_why_and_no_scenario_claims_them() -> None:
    manual = {r.id: r.manual for r in catalogue().values() if not r.testable}
    assert manual
    assert all(len(reason.split()) >= 8 and reason.endswith(".") for reason in manual.values())
    claimed = {
        (scenario.name, req)
        for scenario in all_scenarios()
        for req in tagged_requirements(scenario)
        if req in manual
    }
    assert not claimed


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (
            'id = "X"\nlevel = "OUGHT"\nversions = ["1.6"]\nsummary = "s"\n'
            'source = { page = "p", section = "s" }',
            "level",
        ),
        (
            'id = "X"\nlevel = "MUST"\nversions = ["9"]\nsummary = "s"\n'
            'source = { page = "p", section = "s" }',
            "versions",
        ),
        ('id = "X"\nlevel = "MUST"\nversions = ["1.6"]\nsummary = "s"\nsource = "p"', "source"),
    ],
)
def test_malformed_entries_are_rejected(tmp_path: Path, entry: str, problem: str) -> None:
    path = tmp_path / "requirements.toml"
    path.write_text(f"[[requirement]]\n{entry}\n")
    with pytest.raises(CatalogueError, match=problem):
        load_catalogue(path)


def test_every_testable_must_requirement_has_a_scenario() -> None:
    covered = {req for scenario in all_scenarios() for req in tagged_requirements(scenario)}
    uncovered = sorted(
        r.id
        for r in catalogue().values()
        if r.testable and r.level == "MUST" and r.id not in covered
    )
    assert not uncovered


def test_every_testable_requirement_is_broken_by_some_provider_fault() -> None:
    """A MAY cannot be broken (either behaviour is allowed), so no fault declares one."""
    from gpc_assure.provider import FAULTS

    broken = {req for fault in FAULTS.values() for req in fault.requirements}
    breakable = [r for r in catalogue().values() if r.testable and r.level != "MAY"]
    assert not sorted(r.id for r in breakable if r.id not in broken)
    assert broken <= set(catalogue())
    assert not sorted(r for r in broken if catalogue()[r].level == "MAY")
