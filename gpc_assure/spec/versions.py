"""What differs between the specification versions the suite can check against."""

from dataclasses import dataclass

RELEASED_BINARY_READ = "urn:nhs:names:services:gpconnect:documents:fhir:rest:read:binary-1"
DRAFT_BINARY_READ = "urn:nhs:names:services:gpconnect-documents:fhir:rest:read:binary-1"
RELEASED_PATIENT_SEARCH = "urn:nhs:names:services:gpconnect:documents:fhir:rest:search:patient-1"
DRAFT_PATIENT_SEARCH = "urn:nhs:names:services:gpconnect-documents:fhir:rest:search:patient-1"
RELEASED_DOCUMENT_SEARCH = (
    "urn:nhs:names:services:gpconnect:documents:fhir:rest:search:documentreference-1"
)
DRAFT_DOCUMENT_SEARCH = (
    "urn:nhs:names:services:gpconnect-documents:fhir:rest:search:documentreference-1"
)
DOCUMENT_SEARCH = RELEASED_DOCUMENT_SEARCH
METADATA_READ = "urn:nhs:names:services:gpconnect:documents:fhir:rest:read:metadata-1"


@dataclass(frozen=True)
class SpecVersion:
    """One version of the Access Document specification, as far as this interaction goes."""

    name: str
    title: str
    binary_read_interaction: str
    patient_search_interaction: str
    """Find a Patient (Access Document flavour)."""
    document_search_interaction: str
    """The search for a patient's DocumentReferences."""
    requested_scope: str
    size_limit_bytes: int | None
    """Larger documents are answered 404 NO_RECORD_FOUND (None: no limit in this version)."""


SPEC_VERSIONS: dict[str, SpecVersion] = {
    "1.6": SpecVersion(
        name="1.6",
        title="GP Connect 1.6 (Access Document as merged into the 1.6 specification)",
        binary_read_interaction=RELEASED_BINARY_READ,
        patient_search_interaction=RELEASED_PATIENT_SEARCH,
        document_search_interaction=RELEASED_DOCUMENT_SEARCH,
        requested_scope="patient/*.read",
        size_limit_bytes=5 * 1000 * 1000,
    ),
    "1.0": SpecVersion(
        name="1.0",
        title="Access Document 1.0.1",
        binary_read_interaction=RELEASED_BINARY_READ,
        patient_search_interaction=RELEASED_PATIENT_SEARCH,
        document_search_interaction=RELEASED_DOCUMENT_SEARCH,
        requested_scope="patient/*.read",
        size_limit_bytes=None,
    ),
    "draft": SpecVersion(
        name="draft",
        title="Access Document, earliest draft of 'Retrieve a patient's document'",
        binary_read_interaction=DRAFT_BINARY_READ,
        patient_search_interaction=DRAFT_PATIENT_SEARCH,
        document_search_interaction=DRAFT_DOCUMENT_SEARCH,
        requested_scope="patient/*.read",
        size_limit_bytes=None,
    ),
}


def spec_version(name: str) -> SpecVersion:
    """The version called `name`; config validation has already rejected unknown names."""
    return SPEC_VERSIONS[name]
