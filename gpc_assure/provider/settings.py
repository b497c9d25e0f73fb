"""Configuration of one reference provider instance."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .faults import Fault, fault_named
from .readings import Reading, reading_named

SpecVersion = Literal["1.6", "1.0", "draft"]
SPEC_VERSIONS: tuple[SpecVersion, ...] = ("1.6", "1.0", "draft")

# Interaction IDs: released versions (retrieve page, request headers) vs the earliest draft.
_RELEASED_INTERACTION_ID = "urn:nhs:names:services:gpconnect:documents:fhir:rest:read:binary-1"
_DRAFT_INTERACTION_ID = "urn:nhs:names:services:gpconnect-documents:fhir:rest:read:binary-1"


def interaction_id_for(spec: str) -> str:
    """The binary read interaction id expected under *spec*."""
    return _DRAFT_INTERACTION_ID if spec == "draft" else _RELEASED_INTERACTION_ID


def _names(raw: object, problem: str) -> frozenset[str]:
    """A name, or a collection of names (members or the strings users type), as a frozenset;
    TypeError(*problem*) otherwise."""
    if isinstance(raw, str):
        raw = (raw,)
    if not isinstance(raw, Iterable):
        raise TypeError(problem)
    return frozenset(str(name) for name in raw)


@dataclass(frozen=True)
class ProviderSettings:
    """How to run the provider; every field has a working default."""

    host: str = "127.0.0.1"
    port: int = 0
    spec: SpecVersion = "1.6"
    provider_asid: str = "200000000116"
    base_path: str = "/B82617/STU3/1/gpconnect/documents"
    tls: bool = True
    faults: frozenset[Fault] = field(default_factory=frozenset)
    readings: frozenset[Reading] = field(default_factory=frozenset)
    delay_seconds: float = 0.0
    workdir: Path | None = None

    def __post_init__(self) -> None:
        if self.spec not in SPEC_VERSIONS:
            raise ValueError(f"unknown spec {self.spec!r}: expected one of {SPEC_VERSIONS}")
        faults = _names(self.faults, "faults must be a collection of fault names")
        object.__setattr__(self, "faults", frozenset(fault_named(n) for n in sorted(faults)))
        readings = _names(self.readings, "readings must be a collection of reading names")
        object.__setattr__(self, "readings", frozenset(reading_named(n) for n in sorted(readings)))
        object.__setattr__(self, "base_path", "/" + self.base_path.strip("/"))
        if self.workdir is not None:
            object.__setattr__(self, "workdir", Path(self.workdir))
        if self.delay_seconds < 0:
            raise ValueError("delay_seconds must not be negative")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port out of range: {self.port}")
        if not self.provider_asid.strip():
            raise ValueError("provider_asid must not be blank")

    @property
    def interaction_id(self) -> str:
        return interaction_id_for(self.spec)
