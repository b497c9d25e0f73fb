"""Embedded reference provider of GP Connect Access Document "Retrieve a document".

An independent implementation (stdlib + cryptography only) used to show a green run without
a real provider, and, through FAULTS, to prove that the suite's scenarios can fail.
"""

from .certs import Pki
from .documents import ServedDocument
from .faults import FAULTS, Fault
from .server import ReferenceProvider
from .settings import ProviderSettings

__all__ = ["FAULTS", "Fault", "Pki", "ProviderSettings", "ReferenceProvider", "ServedDocument"]
