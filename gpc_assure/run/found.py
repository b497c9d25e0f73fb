"""What the chain scenarios run once for: each configured NHS number, each Patient found, each
document found (those within the size limit, the retrievable ones, those over the limit, which
the placeholder scenario judges). A scenario with nothing to run for runs once and is skipped,
saying why."""

from enum import StrEnum

from gpc_assure.discovery.chain import FoundDocument
from gpc_assure.run.session import RunSession

FoundValue = str | tuple[str, str] | FoundDocument


class Found(StrEnum):
    """The Gherkin tag of each kind (`@each-nhs-number`, ...)."""

    NHS_NUMBER = "each-nhs-number"
    PATIENT = "each-found-patient"
    DOCUMENT = "each-found-document"
    RETRIEVABLE_DOCUMENT = "each-retrievable-found-document"
    OVERSIZE_DOCUMENT = "each-oversize-found-document"

    @property
    def fixture(self) -> str:
        """The fixture a scenario of this kind is given its value by."""
        return {Found.NHS_NUMBER: "nhs_number", Found.PATIENT: "found_patient"}.get(
            self, "found_document"
        )


NO_NHS_NUMBER = "no NHS number is configured (--nhs-number, nhs_numbers): nothing was searched for"


def found_values(session: RunSession, kind: Found) -> list[tuple[str, FoundValue]]:
    """(id, value) for each run of a scenario of this kind, in a stable order."""
    session.preflight()
    numbers = session.resolved().nhs_numbers
    if kind is Found.NHS_NUMBER:
        return [(number, number) for number in numbers]
    discovery, roles = session.discovery, session.roles
    if discovery is None:
        return []
    if kind is Found.PATIENT:
        return [(patient_id, (number, patient_id)) for number, patient_id in discovery.patients]
    if roles is None:
        return []
    documents = {
        Found.DOCUMENT: tuple(d for d in discovery.documents if d not in roles.oversize),
        Found.RETRIEVABLE_DOCUMENT: roles.ordinary,
        Found.OVERSIZE_DOCUMENT: roles.oversize,
    }[kind]
    return _unique_ids([(_document_id(d, n), d) for n, d in enumerate(documents, start=1)])


def nothing_found_reason(session: RunSession, kind: Found) -> str:
    """Why a scenario of this kind has nothing to run for."""
    if not session.resolved().nhs_numbers:
        return NO_NHS_NUMBER
    if session.discovery is None:
        return "the NHS numbers were not searched: the run stopped before"
    return {
        Found.NHS_NUMBER: NO_NHS_NUMBER,
        Found.PATIENT: "no Patient was found from the NHS numbers (discovery.json says why)",
        Found.DOCUMENT: "no DocumentReference was found for the patients (discovery.json says why)",
        Found.RETRIEVABLE_DOCUMENT: "no found document names a Binary within the size limit",
        Found.OVERSIZE_DOCUMENT: "no found document is over the size limit",
    }[kind]


def _document_id(document: FoundDocument, number: int) -> str:
    return document.binary_id or document.document_reference_id or f"document-{number}"


def _unique_ids(values: list[tuple[str, FoundValue]]) -> list[tuple[str, FoundValue]]:
    seen: dict[str, int] = {}
    unique = []
    for value_id, value in values:
        seen[value_id] = seen.get(value_id, 0) + 1
        unique.append((value_id if seen[value_id] == 1 else f"{value_id}-{seen[value_id]}", value))
    return unique
