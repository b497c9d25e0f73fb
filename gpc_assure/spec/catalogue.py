"""The requirement catalogue: every requirement the suite knows, loaded from one data file."""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from gpc_assure.spec.paths import CATALOGUE_FILE
from gpc_assure.spec.versions import SPEC_VERSIONS

LEVELS = ("MUST", "SHOULD", "MAY")
VERSIONS = tuple(SPEC_VERSIONS)


@dataclass(frozen=True)
class Requirement:
    id: str
    level: str
    versions: tuple[str, ...]
    page: str
    section: str
    summary: str
    notes: str = ""
    manual: str = ""
    applies_when: str = ""
    """For a requirement that only arises in some answers (a 422, say): when that is."""

    @property
    def testable(self) -> bool:
        return not self.manual


class CatalogueError(Exception):
    pass


def _parse(entry: dict[str, object], where: str) -> Requirement:
    source = entry.get("source")
    if not isinstance(source, dict):
        raise CatalogueError(f"{where}: source must be a table with page and section")
    level = str(entry.get("level", ""))
    versions = entry.get("versions")
    if level not in LEVELS:
        raise CatalogueError(f"{where}: level {level!r} is not one of {LEVELS}")
    if not isinstance(versions, list) or not versions or not set(versions) <= set(VERSIONS):
        raise CatalogueError(f"{where}: versions must be a non-empty list drawn from {VERSIONS}")
    return Requirement(
        id=str(entry["id"]),
        level=level,
        versions=tuple(versions),
        page=str(source["page"]),
        section=str(source["section"]),
        summary=str(entry["summary"]),
        notes=str(entry.get("notes", "")),
        manual=str(entry.get("manual", "")),
        applies_when=str(entry.get("applies_when", "")),
    )


def load_catalogue(path: Path = CATALOGUE_FILE) -> dict[str, Requirement]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    catalogue: dict[str, Requirement] = {}
    for index, entry in enumerate(data.get("requirement", [])):
        requirement = _parse(entry, f"{path.name} requirement #{index + 1}")
        if requirement.id in catalogue:
            raise CatalogueError(f"{path.name}: duplicate requirement id {requirement.id}")
        catalogue[requirement.id] = requirement
    return catalogue


@cache
def catalogue() -> dict[str, Requirement]:
    """The shipped catalogue, loaded once."""
    return load_catalogue()
