"""Spine error codes as the specification names them: code systems and accepted displays.

The specification is not consistent here (see GPC-DOC-ERR-004 in the catalogue): three code
system URIs are in use, and several codes have different displays in the error tables, the
examples and the published ValueSet. Every form the specification gives is accepted.
"""

SPINE_SYSTEMS = frozenset(
    {
        "https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1",
        "https://fhir.nhs.uk/STU3/ValueSet/Spine-ErrorOrWarningCode-1",
        "https://fhir.nhs.uk/spine-error-or-warning-code-1",
    }
)

ACCEPTED_DISPLAYS: dict[str, frozenset[str]] = {
    "NO_RECORD_FOUND": frozenset({"No record found"}),
    "PATIENT_NOT_FOUND": frozenset({"Patient not found", "Patient record not found"}),
    "ORGANISATION_NOT_FOUND": frozenset(
        {"Organisation not found", "Organisation record not found"}
    ),
    "PRACTITIONER_NOT_FOUND": frozenset(
        {"Practitioner not found", "Practitioner record not found"}
    ),
    "BAD_REQUEST": frozenset({"Bad request", "Submitted request is malformed/invalid"}),
    "INVALID_RESOURCE": frozenset({"Invalid validation of resource"}),
    "INVALID_PARAMETER": frozenset({"Invalid parameter"}),
    "ACCESS DENIED": frozenset({"Access denied", "Access has been denied to process this request"}),
    "NOT_IMPLEMENTED": frozenset({"Not implemented"}),
    "INTERNAL_SERVER_ERROR": frozenset(
        {"Unexpected internal server error", "Internal server error"}
    ),
}


def display_accepted(code: str, display: str) -> bool:
    """Whether `display` is a display the specification gives for `code` (any, if it gives none)."""
    accepted = ACCEPTED_DISPLAYS.get(code)
    return bool(display) if accepted is None else display in accepted


# The issue type each Spine code goes with, from the error-handling guidance's tables.
ISSUE_TYPES: dict[str, str] = {
    "INVALID_IDENTIFIER_SYSTEM": "value",
    "INVALID_IDENTIFIER_VALUE": "value",
    "INVALID_NHS_NUMBER": "value",
    "INVALID_PATIENT_DEMOGRAPHICS": "business-rule",
    "ORGANISATION_NOT_FOUND": "not-found",
    "PATIENT_NOT_FOUND": "not-found",
    "PRACTITIONER_NOT_FOUND": "not-found",
    "NO_RECORD_FOUND": "not-found",
    "NO_PATIENT_CONSENT": "forbidden",
    "NO_ORGANISATION_CONSENT": "forbidden",
    "ACCESS DENIED": "forbidden",
    "NO_RELATIONSHIP": "forbidden",
    "DUPLICATE_REJECTED": "duplicate",
    "INVALID_RESOURCE": "invalid",
    "INVALID_PARAMETER": "invalid",
    "REFERENCE_NOT_FOUND": "invalid",
    "BAD_REQUEST": "invalid",
    "CONFLICTING_VALUES": "invalid",
    "NOT_IMPLEMENTED": "not-supported",
}
