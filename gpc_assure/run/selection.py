"""Choosing part of the suite by its own vocabulary: requirement ids and scenario families."""

import difflib
from dataclasses import dataclass

from gpc_assure.spec.catalogue import catalogue
from gpc_assure.spec.paths import FEATURES_DIR


def families() -> list[str]:
    """The scenario families: the feature files' names."""
    return sorted(path.stem for path in FEATURES_DIR.glob("*.feature"))


def _normalised(family: str) -> str:
    return family.strip().lower().replace("-", "_").replace(" ", "_").removesuffix(".feature")


def _unknown(option: str, given: str, what: str, known: list[str]) -> ValueError:
    close = difflib.get_close_matches(given, known, n=1)
    hint = f"did you mean {close[0]}?" if close else f"known: {', '.join(known)}"
    return ValueError(f"{option} {given}: not {what} ({hint})")


@dataclass(frozen=True)
class Selection:
    """The requirements and families a run is limited to (none given: every scenario)."""

    requirements: frozenset[str]
    families: frozenset[str]

    @classmethod
    def of(cls, requirements: tuple[str, ...], chosen: tuple[str, ...]) -> "Selection":
        """The selection, or ValueError naming an id or family the suite does not have."""
        ids = sorted(catalogue())
        for requirement in requirements:
            if requirement.strip().upper() not in catalogue():
                raise _unknown("--requirement", requirement, "a catalogued requirement id", ids)
        known = families()
        for family in chosen:
            if _normalised(family) not in known:
                raise _unknown("--family", family, "a scenario family", known)
        return cls(
            frozenset(r.strip().upper() for r in requirements),
            frozenset(_normalised(f) for f in chosen),
        )

    @property
    def everything(self) -> bool:
        return not self.requirements and not self.families

    def chooses(self, family: str, requirements: set[str]) -> bool:
        """Whether a scenario of `family` checking `requirements` is in the selection: it must
        match each kind that was given."""
        if self.families and family not in self.families:
            return False
        return not self.requirements or bool(self.requirements & requirements)
