"""Embedded reference provider of GP Connect Access Document "Retrieve a document", with the
Find a Patient and DocumentReference searches that lead to the documents of its test patients.

An independent implementation (stdlib + cryptography only) used to show a green run without
a real provider; through FAULTS, to prove that the suite's scenarios can fail; and through
READINGS, that they pass every answer the specification allows. `Fault` and `Reading` name
the switches.
"""

from .certs import Pki
from .documents import ServedDocument
from .faults import FAULTS, DeclaredFault, Fault, fault_named
from .patients import ServedPatient
from .readings import READINGS, DeclaredReading, Reading, reading_named
from .server import ReferenceProvider
from .settings import ProviderSettings

__all__ = [
    "FAULTS",
    "READINGS",
    "DeclaredFault",
    "DeclaredReading",
    "Fault",
    "Pki",
    "ProviderSettings",
    "Reading",
    "ReferenceProvider",
    "ServedDocument",
    "ServedPatient",
    "fault_named",
    "reading_named",
]
