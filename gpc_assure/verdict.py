"""Turns observations into verdicts: an unmet MUST fails the scenario, an unmet SHOULD warns."""

import warnings
from dataclasses import asdict, dataclass

from gpc_assure.catalogue import Requirement, catalogue
from gpc_assure.expect import Observation


class ShouldNotMet(UserWarning):
    """A SHOULD-level requirement was not met: reported as a warning, the run still passes."""


class RequirementFailure(AssertionError):
    """A MUST-level requirement was not met."""

    def __init__(self, requirement: Requirement, observation: Observation) -> None:
        self.requirement = requirement
        self.observation = observation
        super().__init__(finding_message(requirement, observation))


def finding_message(requirement: Requirement, observation: Observation) -> str:
    return (
        f"{requirement.id} ({requirement.summary.rstrip('.')}): expected {observation.expected}; "
        f"observed {observation.observed}"
    )


class NoResponseError(Exception):
    """The provider gave no usable response, so the requirement could not be judged."""

    def __init__(self, requirement: Requirement, observation: Observation) -> None:
        self.requirement = requirement
        super().__init__(f"{requirement.id} could not be evaluated: {observation.observed}")


@dataclass(frozen=True)
class Finding:
    """A requirement the scenario evaluated, with what came of it."""

    requirement: str
    level: str
    verdict: str  # "met", "failed", "warning" or "not evaluated"
    expected: str
    observed: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class Judge:
    """Records every verdict of one scenario; raises on an unmet MUST."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def __repr__(self) -> str:
        return f"Judge({len(self.findings)} findings)"

    def __call__(self, requirement_id: str, observation: Observation) -> None:
        requirement = catalogue().get(requirement_id)
        if requirement is None:
            raise KeyError(
                f"step names requirement {requirement_id}, which is not in the catalogue"
            )
        if observation.no_response or observation.met is None:
            verdict = "not evaluated"
        elif observation.met:
            verdict = "met"
        else:
            verdict = "failed" if requirement.level == "MUST" else "warning"
        self.findings.append(
            Finding(
                requirement_id,
                requirement.level,
                verdict,
                observation.expected,
                observation.observed,
            )
        )
        if observation.no_response:
            raise NoResponseError(requirement, observation)
        if verdict == "failed":
            raise RequirementFailure(requirement, observation)
        if verdict == "warning":
            warnings.warn(ShouldNotMet(finding_message(requirement, observation)), stacklevel=2)
