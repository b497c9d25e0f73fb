"""The test patients the reference provider holds, and how each served document is listed."""

from __future__ import annotations

from dataclasses import dataclass, replace

from .documents import (
    LARGE_PDF_ID,
    LETTER_DOCX_ID,
    NOTE_TXT_ID,
    OVERSIZE_PDF_ID,
    SMALL_PDF_ID,
)

PRACTICE_ODS_CODE = "B82617"
PRACTICE_ID = "gpc-org-b82617"
PRACTITIONER_ID = "gpc-practitioner-1"
PRACTITIONER_ROLE_ID = "gpc-practitioner-role-1"


@dataclass(frozen=True)
class ServedPatient:
    """A test patient as a consumer finds it: NHS number, logical id, documents listed."""

    nhs_number: str
    id: str
    document_ids: tuple[str, ...]
    family: str
    given: str
    gender: str
    birth_date: str


@dataclass(frozen=True)
class Listing:
    """How one served document is described by its DocumentReference (ids differ from the
    Binary's on purpose: a consumer must follow attachment.url, not reuse this id)."""

    document_id: str
    reference_id: str
    type_text: str
    description: str
    created: str
    indexed: str
    author: str
    """A relative reference: `Organization/...` or `Practitioner/...`."""
    type_snomed: str = ""
    """A SNOMED CT code of the record composition refset for the type (display: type_text);
    empty: the type is sent as text (the DocumentReference page's "other classifications")."""


PATIENTS: tuple[ServedPatient, ...] = (
    ServedPatient(
        "9690937278",
        "gpc-patient-1",
        (SMALL_PDF_ID, LETTER_DOCX_ID, LARGE_PDF_ID, OVERSIZE_PDF_ID),
        "Testpatient",
        "Alice",
        "female",
        "1970-01-01",
    ),
    ServedPatient(
        "9690937286", "gpc-patient-2", (NOTE_TXT_ID,), "Testpatient", "Bob", "male", "1980-02-02"
    ),
    ServedPatient(
        "9690937294", "gpc-patient-3", (), "Testpatient", "Carol", "female", "1990-03-03"
    ),
)

_PRACTICE = f"Organization/{PRACTICE_ID}"
_PRACTITIONER = f"Practitioner/{PRACTITIONER_ID}"
LISTINGS: dict[str, Listing] = {
    listing.document_id: listing
    for listing in (
        Listing(
            SMALL_PDF_ID,
            "gpc-docref-small-pdf",
            "Clinical letter",
            "Referral letter",
            "2024-01-15T09:30:00+00:00",
            "2024-01-15T10:00:00+00:00",
            _PRACTICE,
        ),
        Listing(
            LETTER_DOCX_ID,
            "gpc-docref-letter-docx",
            "Inpatient final discharge letter",
            "Discharge summary",
            "2024-02-20T14:05:00+00:00",
            "2024-02-21T08:00:00+00:00",
            _PRACTITIONER,
            type_snomed="824331000000106",
        ),
        Listing(
            LARGE_PDF_ID,
            "gpc-docref-large-pdf",
            "Scanned document",
            "Scanned hospital notes",
            "2024-03-10T11:00:00+00:00",
            "2024-03-11T09:15:00+00:00",
            _PRACTICE,
        ),
        Listing(
            OVERSIZE_PDF_ID,
            "gpc-docref-oversize-pdf",
            "Scanned document",
            "Scanned outpatient records",
            "2024-04-02T16:45:00+00:00",
            "2024-04-03T09:00:00+00:00",
            _PRACTICE,
        ),
        Listing(
            NOTE_TXT_ID,
            "gpc-docref-note-txt",
            "Patient note",
            "Note from the practice",
            "2024-05-06T12:00:00+00:00",
            "2024-05-06T12:30:00+00:00",
            _PRACTITIONER,
        ),
    )
}

# Reading several-patients-for-nhs-number: a second record with the same NHS number, no documents.
DUPLICATE_SUFFIX = "-duplicate"


def duplicate_of(patient: ServedPatient) -> ServedPatient:
    """Another record of *patient* (another logical id, the same NHS number), listing nothing."""
    return replace(patient, id=patient.id + DUPLICATE_SUFFIX, document_ids=())


def patient_by_nhs_number(nhs_number: str) -> ServedPatient | None:
    return next((p for p in PATIENTS if p.nhs_number == nhs_number), None)


def patient_by_id(patient_id: str, *, duplicates: bool) -> ServedPatient | None:
    """The patient with logical id *patient_id* (their duplicate records too, if *duplicates*)."""
    for patient in PATIENTS:
        if patient.id == patient_id:
            return patient
        if duplicates and patient_id == patient.id + DUPLICATE_SUFFIX:
            return duplicate_of(patient)
    return None
