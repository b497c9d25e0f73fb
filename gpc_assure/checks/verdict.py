"""Turns observations into verdicts: an unmet MUST fails the scenario, an unmet SHOULD warns,
an unmet MAY (or a question the spec leaves open) is reported.

Every Then of a scenario is judged, even after one fails; the scenario fails once, at its end,
with all of its unmet MUST findings (`Judge.conclude`).
"""

import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass

from gpc_assure.checks.expect import Observation
from gpc_assure.spec.catalogue import Requirement, catalogue


class ShouldNotMet(UserWarning):
    """A SHOULD-level requirement was not met: reported as a warning, the run still passes."""


class RequirementFailure(AssertionError):
    """At least one MUST-level requirement was not met; the message lists every such finding."""

    def __init__(self, findings: list["Finding"]) -> None:
        self.findings = findings
        super().__init__(" | ".join(f.message() for f in findings))


def finding_message(requirement: Requirement, observation: Observation) -> str:
    return (
        f"{requirement.id} ({requirement.summary.rstrip('.')}): expected {observation.expected}; "
        f"observed {observation.observed}"
    )


class NoResponseError(Exception):
    """The provider gave no usable response, so the requirement could not be judged."""

    def __init__(self, finding: "Finding") -> None:
        self.finding = finding
        super().__init__(f"{finding.requirement} could not be evaluated: {finding.observed}")


VERDICTS = ("met", "failed", "warning", "reported", "not evaluated")


@dataclass(frozen=True)
class Finding:
    """A requirement the scenario evaluated, with what came of it."""

    requirement: str
    level: str
    verdict: str  # one of VERDICTS
    expected: str
    observed: str
    step: int = -1  # index of the Gherkin step that judged it (-1: unknown)
    no_response: bool = False

    def message(self) -> str:
        summary = catalogue()[self.requirement].summary.rstrip(".")
        return f"{self.requirement} ({summary}): expected {self.expected}; observed {self.observed}"

    def as_dict(self) -> dict[str, str]:
        data = asdict(self)
        del data["step"], data["no_response"]
        return data


def verdict_for(level: str, observation: Observation) -> str:
    """What an observation means at a requirement level."""
    if observation.no_response or observation.met is None:
        return "not evaluated"
    if observation.met:
        return "met"
    return {"MUST": "failed", "SHOULD": "warning"}.get(level, "reported")


class Judge:
    """Records every verdict of one scenario; `conclude` raises once for its unmet MUSTs."""

    def __init__(self, current_step: Callable[[], int] = lambda: -1) -> None:
        self.findings: list[Finding] = []
        self.concluded = False
        self._current_step = current_step

    def __repr__(self) -> str:
        return f"Judge({len(self.findings)} findings)"

    def __call__(self, requirement_id: str, observation: Observation) -> None:
        requirement = catalogue().get(requirement_id)
        if requirement is None:
            raise KeyError(
                f"step names requirement {requirement_id}, which is not in the catalogue"
            )
        verdict = verdict_for(requirement.level, observation)
        self.findings.append(
            Finding(
                requirement_id,
                requirement.level,
                verdict,
                observation.expected,
                observation.observed,
                self._current_step(),
                observation.no_response,
            )
        )
        if verdict == "warning":
            warnings.warn(ShouldNotMet(finding_message(requirement, observation)), stacklevel=2)

    def failed_steps(self) -> set[int]:
        return {f.step for f in self.findings if f.verdict == "failed" or f.no_response}

    def conclude(self) -> None:
        """End the scenario: in error when the provider gave no usable answer, else failed
        with every unmet MUST (each named once), else passed."""
        self.concluded = True
        unanswered = [f for f in self.findings if f.no_response]
        if unanswered:
            raise NoResponseError(unanswered[0])
        failed: dict[tuple[str, str, str], Finding] = {}
        for finding in self.findings:
            if finding.verdict == "failed":
                key = (finding.requirement, finding.expected, finding.observed)
                failed.setdefault(key, finding)
        if failed:
            raise RequirementFailure(list(failed.values()))
