"""Configuration of one reference provider instance."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .faults import check_fault_names
from .tls import TRANSPORT_READINGS

SpecVersion = Literal["1.6", "1.0", "draft"]
SPEC_VERSIONS: tuple[SpecVersion, ...] = ("1.6", "1.0", "draft")

# Interaction IDs: released versions (retrieve page, request headers) vs the earliest draft.
_RELEASED_INTERACTION_ID = "urn:nhs:names:services:gpconnect:documents:fhir:rest:read:binary-1"
_DRAFT_INTERACTION_ID = "urn:nhs:names:services:gpconnect-documents:fhir:rest:read:binary-1"


def interaction_id_for(spec: str) -> str:
    """The binary read interaction id expected under *spec*."""
    return _DRAFT_INTERACTION_ID if spec == "draft" else _RELEASED_INTERACTION_ID


@dataclass(frozen=True)
class ProviderSettings:
    """How to run the provider; every field has a working default."""

    host: str = "127.0.0.1"
    port: int = 0
    spec: SpecVersion = "1.6"
    provider_asid: str = "200000000116"
    base_path: str = "/B82617/STU3/1/gpconnect/documents"
    tls: bool = True
    faults: frozenset[str] = field(default_factory=frozenset)
    readings: frozenset[str] = frozenset()
    """Legitimate ways of answering the provider is switched to (it stays conformant)."""
    delay_seconds: float = 0.0
    workdir: Path | None = None

    def __post_init__(self) -> None:
        if self.spec not in SPEC_VERSIONS:
            raise ValueError(f"unknown spec {self.spec!r}: expected one of {SPEC_VERSIONS}")
        raw: object = self.faults
        if isinstance(raw, str):
            raw = (raw,)
        if not isinstance(raw, Iterable):
            raise TypeError("faults must be a collection of fault names")
        faults = frozenset(str(name) for name in raw)
        check_fault_names(faults)
        object.__setattr__(self, "faults", faults)
        given: object = self.readings
        if isinstance(given, str):
            given = (given,)
        if not isinstance(given, Iterable):
            raise TypeError("readings must be a collection of reading names")
        readings = frozenset(str(name) for name in given)
        unknown = sorted(readings - set(TRANSPORT_READINGS))
        if unknown:
            known = ", ".join(TRANSPORT_READINGS)
            raise ValueError(f"unknown reading: {unknown[0]!r}; known: {known}")
        object.__setattr__(self, "readings", readings)
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
