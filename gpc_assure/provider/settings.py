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

Interaction = Literal["binary", "patient-search", "document-search"]
# Interaction IDs (request headers of the retrieve, Find a Patient and search pages): the released
# versions name the service gpconnect:documents, the earliest draft gpconnect-documents.
_INTERACTION_SUFFIXES: dict[Interaction, str] = {
    "binary": "fhir:rest:read:binary-1",
    "patient-search": "fhir:rest:search:patient-1",
    "document-search": "fhir:rest:search:documentreference-1",
}


def interaction_id_for(spec: str, interaction: Interaction = "binary") -> str:
    """The interaction id expected under *spec* (the binary read unless told)."""
    service = "gpconnect-documents" if spec == "draft" else "gpconnect:documents"
    return f"urn:nhs:names:services:{service}:{_INTERACTION_SUFFIXES[interaction]}"


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
        """The binary read interaction id."""
        return interaction_id_for(self.spec)

    def service_root(self, port: int) -> str:
        """The service root URL ([base]) when serving on *port*."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{host}:{port}{self.base_path}"
