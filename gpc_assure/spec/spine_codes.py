"""Spine error codes as the specification names them: code systems, displays and issue types.

The specification is not consistent here (see GPC-DOC-ERR-004 and GPC-DOC-ERR-006 in the
catalogue): three code system URIs are in use, and the error tables of each version, their
examples and the published CodeSystem give different displays for the same code. A display is
accepted when it matches one of them for the selected spec version, ignoring letter case,
spacing and trailing punctuation.
"""

import re
from collections.abc import Mapping

SPINE_SYSTEMS = frozenset(
    {
        "https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1",
        "https://fhir.nhs.uk/STU3/ValueSet/Spine-ErrorOrWarningCode-1",
        "https://fhir.nhs.uk/spine-error-or-warning-code-1",
    }
)

# The current Spine-ErrorOrWarningCode-1 CodeSystem (STU3-FHIR-Assets): the displays of the
# codes this interaction can meet.
_CODE_SYSTEM: Mapping[str, str] = {
    "NO_RECORD_FOUND": "No record found",
    "PATIENT_NOT_FOUND": "Patient not found",
    "ORGANISATION_NOT_FOUND": "Organisation not found",
    "PRACTITIONER_NOT_FOUND": "Practitioner not found",
    "BAD_REQUEST": "Bad request",
    "CONFLICTING_VALUES": "Conflicting values have been specified in different fields",
    "INVALID_RESOURCE": "Invalid validation of resource",
    "INVALID_PARAMETER": "Invalid parameter",
    "INVALID_ELEMENT": "Invalid element",
    "INVALID_VALUE": "An input field has an invalid value for its type",
    "REFERENCE_NOT_FOUND": "Reference not found",
    "ACCESS DENIED": "Access has been denied to process this request",
    "MISSING_OR_INVALID_HEADER": "There is a required header missing or invalid",
    "ASID_CHECK_FAILED": "The sender or receiver's ASID is not authorised for this interaction",
    "ACCESS_DENIED_SSL": "SSL Protocol or Cipher requirements not met",
    "INVALID_REQUEST_TYPE": "The type of request is not supported by the API call",
    "NOT_IMPLEMENTED": "Not implemented",
    "INTERNAL_SERVER_ERROR": "Unexpected internal server error",
    "UNSUPPORTED_MEDIA_TYPE": "Unsupported media type",
    "PRECONDITION_FAILED": "Precondition failed",
}

# Error-handling guidance of GP Connect 1.6.2: its tables and examples.
_TABLES_1_6: Mapping[str, tuple[str, ...]] = {
    "NO_RECORD_FOUND": ("No record found",),
    "PATIENT_NOT_FOUND": ("Patient not found",),
    "ORGANISATION_NOT_FOUND": ("Organisation not found",),
    "PRACTITIONER_NOT_FOUND": ("Practitioner not found",),
    "BAD_REQUEST": ("Submitted request is malformed/invalid", "Bad request"),
    "CONFLICTING_VALUES": ("Conflicting values have been specified in different fields",),
    "INVALID_RESOURCE": ("Invalid validation of resource",),
    "INVALID_PARAMETER": ("Invalid parameter",),
    "REFERENCE_NOT_FOUND": ("Reference not found",),
    "ACCESS DENIED": ("Access denied",),
    "NOT_IMPLEMENTED": ("Not implemented",),
    "INTERNAL_SERVER_ERROR": ("Unexpected internal server error", "Internal server error"),
}

# Error-handling guidance of Access Document 1.0.1 (also used for the earliest draft): its
# tables print some displays with a full stop, and name the not-found codes "... record not found".
_TABLES_1_0: Mapping[str, tuple[str, ...]] = {
    "NO_RECORD_FOUND": ("No record found",),
    "PATIENT_NOT_FOUND": ("Patient record not found", "Patient not found"),
    "ORGANISATION_NOT_FOUND": ("Organisation record not found",),
    "PRACTITIONER_NOT_FOUND": ("Practitioner record not found",),
    "BAD_REQUEST": ("Submitted request is malformed/invalid.", "Bad request"),
    "INVALID_RESOURCE": ("Submitted resource is not valid.",),
    "INVALID_PARAMETER": ("Submitted parameter is not valid.",),
    "REFERENCE_NOT_FOUND": ("Referenced resource not found.", "FHIR reference not found"),
    "ACCESS_DENIED": ("Access denied",),
    "NOT_IMPLEMENTED": ("FHIR resource or operation not implemented at server",),
    "INTERNAL_SERVER_ERROR": ("Unexpected internal server error.", "Internal server error"),
}

_TABLES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "1.6": _TABLES_1_6,
    "1.0": _TABLES_1_0,
    "draft": _TABLES_1_0,
}

_TRAILING = re.compile(r"[\s.!;:,]+$")
_SPACES = re.compile(r"\s+")


def _normalised(display: str) -> str:
    return _TRAILING.sub("", _SPACES.sub(" ", display.strip())).casefold()


def accepted_displays(code: str, spec: str) -> tuple[str, ...]:
    """The displays the selected version's tables and the CodeSystem give for `code`."""
    displays = list(_TABLES.get(spec, _TABLES_1_6).get(code, ()))
    if code in _CODE_SYSTEM:
        displays.append(_CODE_SYSTEM[code])
    return tuple(dict.fromkeys(displays))


def display_accepted(code: str, display: str, spec: str = "1.6") -> bool:
    """Whether `display` is a display the specification gives for `code` (any non-empty
    display, if it gives none), ignoring letter case, spacing and trailing punctuation."""
    accepted = accepted_displays(code, spec)
    if not accepted:
        return bool(display.strip())
    return _normalised(display) in {_normalised(a) for a in accepted}


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
    "ACCESS_DENIED": "forbidden",
    "NO_RELATIONSHIP": "forbidden",
    "DUPLICATE_REJECTED": "duplicate",
    "INVALID_RESOURCE": "invalid",
    "INVALID_PARAMETER": "invalid",
    "REFERENCE_NOT_FOUND": "invalid",
    "BAD_REQUEST": "invalid",
    "CONFLICTING_VALUES": "invalid",
    "NOT_IMPLEMENTED": "not-supported",
    "UNSUPPORTED_MEDIA_TYPE": "not-supported",
}

# FHIR STU3 IssueType hierarchy (http://hl7.org/fhir/STU3/valueset-issue-type.html): each
# specialised code and the code it specialises.
ISSUE_TYPE_PARENTS: Mapping[str, str] = {
    **dict.fromkeys(("structure", "required", "value", "invariant"), "invalid"),
    **dict.fromkeys(("login", "unknown", "expired", "forbidden", "suppressed"), "security"),
    **dict.fromkeys(
        (
            "not-supported",
            "duplicate",
            "not-found",
            "too-long",
            "code-invalid",
            "extension",
            "too-costly",
            "business-rule",
            "conflict",
            "incomplete",
        ),
        "processing",
    ),
    **dict.fromkeys(("lock-error", "no-store", "exception", "timeout", "throttled"), "transient"),
}


def issue_type_fit(observed: str, tabled: str) -> str:
    """'exact' when `observed` is the tabled issue type, 'narrower' when it is one below it
    in the IssueType hierarchy, else 'wrong'."""
    if observed == tabled:
        return "exact"
    if ISSUE_TYPE_PARENTS.get(observed) == tabled:
        return "narrower"
    return "wrong"
