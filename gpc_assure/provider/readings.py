"""Named readings: each keeps the reference provider conformant while it gives the other answer
the specification allows where it allows two.

Faults break the provider; readings must not. The suite passes against every reading; a reading
that takes a SHOULD-level liberty (or a tabled value's narrower form) names, in `warns`, the
requirements whose scenarios may warn under it, and warns nowhere else. `Reading` names the
switches; the provider's code tests them as members, never as strings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class Reading(StrEnum):
    """The name of one reading switch, as users type it (`--reading NAME`)."""

    TOKEN_ERRORS_401 = "token-errors-401"
    DISPLAYS_1_0_1 = "displays-1.0.1"
    DISPLAYS_LOWERCASE = "displays-lowercase"
    SPINE_415_UNSUPPORTED_MEDIA_TYPE = "spine-415-unsupported-media-type"
    CLAIM_TYPE_422 = "claim-type-422"
    SUB_MISMATCH_CONFLICTING_VALUES = "sub-mismatch-conflicting-values"
    METHODS_405 = "methods-405"
    METHODS_501 = "methods-501"
    SCOPE_403 = "scope-403"
    ORGANISATION_SCOPE_SERVED = "organisation-scope-served"
    CHUNKED_BODIES = "chunked-bodies"
    CONNECTION_CLOSE = "connection-close"
    CHARSET_UTF_8 = "charset-UTF-8"
    JSON_FHIR_LEGACY_MEDIA_TYPE = "json-fhir-legacy-media-type"
    MULTIPLE_ISSUES = "multiple-issues"
    ISSUE_TYPE_SUBTYPE = "issue-type-subtype"
    NO_XML = "no-xml"
    CACHE_CONTROL_NO_CACHE = "cache-control-no-cache"
    SPINE_SYSTEM_VALUESET_URI = "spine-system-valueset-uri"
    OUTCOME_WITHOUT_META = "outcome-without-meta"
    HEADER_NAMES_LOWERCASE = "header-names-lowercase"
    TLS_REFUSE_WITH_HTTP_400 = "tls-refuse-with-http-400"
    OVERSIZE_PLACEHOLDER_WITH_URL = "oversize-placeholder-with-url"
    SEARCH_BUNDLE_WITHOUT_FULLURL = "search-bundle-without-fullurl"
    SEVERAL_PATIENTS_FOR_NHS_NUMBER = "several-patients-for-nhs-number"


def reading_named(name: str) -> Reading:
    """The reading called *name*; ValueError naming it when there is none."""
    try:
        return Reading(name)
    except ValueError:
        raise ValueError(
            f"unknown reading: {name!r} (see gpc-assure provider --list-readings)"
        ) from None


@dataclass(frozen=True)
class DeclaredReading:
    """One switch: which legitimate reading it follows, and where the spec allows it."""

    reading: Reading
    description: str
    spec_reference: str
    warns: tuple[str, ...] = ()
    """Requirements whose scenarios may warn (never fail) under this reading; empty: none may."""
    spec: Literal["", "1.6", "1.0", "draft"] = ""
    """The spec version the reading belongs to ('1.0' for the 1.0.1 tables); empty: any."""

    @property
    def warning_level(self) -> bool:
        return bool(self.warns)


ReadingEntry = DeclaredReading | tuple[Reading, str, str]
"""A DeclaredReading, or (reading, description, spec_reference) for one that warns nowhere."""

_ERRORS_101 = "documents-1.0.1 development_fhir_error_handling_guidance"
_ERRORS_162 = "1.6.2 development_fhir_error_handling_guidance"
_GENERAL = "development_general_api_guidance (1.0.1 and 1.6.2)"
_AUDIT = "integration_cross_organisation_audit_and_provenance (1.0.1 and 1.6.2)"

APPLICATION_READINGS: tuple[DeclaredReading, ...] = (
    DeclaredReading(
        Reading.TOKEN_ERRORS_401,
        "bearer-token problems are answered as RFC 6750 section 3.1 answers them: 401 with "
        'WWW-Authenticate: Bearer (error="invalid_token" once a token was sent) and a '
        "BAD_REQUEST OperationOutcome; a defined scope that does not allow reading a document "
        "403 insufficient_scope, as under scope-403",
        f"{_AUDIT}, Bearer token (RFC 6750 section 3.1 is binding); RFC 6750 sections 3 and 3.1",
    ),
    DeclaredReading(
        Reading.DISPLAYS_1_0_1,
        "Spine displays exactly as the 1.0.1 error tables print them, full stops included "
        "('Submitted request is malformed/invalid.', 'No record found', 'FHIR resource or "
        "operation not implemented at server'...); run under spec 1.0",
        f"{_ERRORS_101}, Identity validation / Resource validation / Malformed request / "
        "Internal server errors tables",
        spec="1.0",
    ),
    DeclaredReading(
        Reading.DISPLAYS_LOWERCASE,
        "Spine displays in lower case ('bad request', 'no record found'): the CodeSystem's "
        "displays in other letter case",
        f"{_ERRORS_162}, Operation outcome usage; "
        "STU3-FHIR-Assets CodeSystem-Spine-ErrorOrWarningCode-1",
    ),
    DeclaredReading(
        Reading.SPINE_415_UNSUPPORTED_MEDIA_TYPE,
        "415 carries Spine code UNSUPPORTED_MEDIA_TYPE (issue type not-supported), the code the "
        "current Spine CodeSystem has for it, instead of BAD_REQUEST",
        f"{_GENERAL}, Wire format representations (415); "
        "STU3-FHIR-Assets CodeSystem-Spine-ErrorOrWarningCode-1 (UNSUPPORTED_MEDIA_TYPE)",
    ),
    DeclaredReading(
        Reading.CLAIM_TYPE_422,
        "a JWT claim that is not a resource of its type (or not an object, or lacks the "
        "identifier its profile needs) is answered 422 INVALID_RESOURCE (issue type invalid), "
        "the resource-validation table's answer, instead of 400 BAD_REQUEST",
        f"{_ERRORS_162}, Resource validation errors (INVALID_RESOURCE for a JWT claim "
        "resource failing validation) beside Malformed request errors",
    ),
    DeclaredReading(
        Reading.SUB_MISMATCH_CONFLICTING_VALUES,
        "a sub claim differing from requesting_practitioner.id is answered 400 "
        "CONFLICTING_VALUES instead of BAD_REQUEST",
        f"{_ERRORS_162}, Malformed request errors (CONFLICTING_VALUES row)",
    ),
    DeclaredReading(
        Reading.METHODS_405,
        "a verb other than GET or HEAD is answered 405 with Allow: GET, HEAD and an "
        "OperationOutcome of issue type not-supported (Spine code INVALID_REQUEST_TYPE)",
        f"{_ERRORS_162}, Spine Secure Proxy errors (405 not-supported, method not allowed); "
        "RFC 7231 section 6.5.5",
    ),
    DeclaredReading(
        Reading.METHODS_501,
        "a verb other than GET or HEAD is answered 501 NOT_IMPLEMENTED (issue type not-supported)",
        f"{_ERRORS_162}, Internal server errors (NOT_IMPLEMENTED for an operation not "
        "implemented at the server)",
    ),
    DeclaredReading(
        Reading.SCOPE_403,
        "a requested_scope that is a defined scope but not patient/*.read (organization/*.read) "
        'is refused 403 ACCESS DENIED (issue type forbidden) with WWW-Authenticate: Bearer error="'
        'insufficient_scope"',
        "development_api_security_guidance, Authorisation of access to endpoints (a MAY); "
        f"{_ERRORS_162}, Security validation errors (403 ACCESS DENIED); RFC 6750 section 3.1 "
        "(insufficient_scope)",
    ),
    DeclaredReading(
        Reading.ORGANISATION_SCOPE_SERVED,
        "requested_scope is not used to authorise access, so a token with the defined scope "
        "organization/*.read is served (authorising on it is a MAY; the suite reports it)",
        "development_api_security_guidance, Authorisation of access to endpoints (a MAY)",
    ),
    DeclaredReading(
        Reading.CHUNKED_BODIES,
        "every response body is sent with Transfer-Encoding: chunked instead of Content-Length",
        f"{_GENERAL}, Transfer encoding",
    ),
    DeclaredReading(
        Reading.CONNECTION_CLOSE,
        "every response carries Connection: close and the server closes the connection after it",
        "RFC 7230 section 6.6 (persistent connections are optional for a server); "
        f"{_GENERAL} says nothing of them",
    ),
    DeclaredReading(
        Reading.CHARSET_UTF_8,
        "Content-Type spelt 'application/fhir+json; charset=UTF-8' (a space before the "
        "parameter, the charset in upper case; charset values are case-insensitive)",
        f"{_GENERAL}, Character encoding (a lower-case 'should not' for the space, tolerated "
        "per catalogue GPC-DOC-HTTP-003); RFC 7231 section 3.1.1.1",
    ),
    DeclaredReading(
        Reading.JSON_FHIR_LEGACY_MEDIA_TYPE,
        "responses declare the older FHIR media types application/json+fhir and "
        "application/xml+fhir",
        f"{_GENERAL}, Resource versioning ETag example (Content-type: application/json+fhir)",
    ),
    DeclaredReading(
        Reading.MULTIPLE_ISSUES,
        "error OperationOutcomes carry two issues: first an information issue (issue type "
        "informational) with the same Spine coding, then the error issue; the profile allows "
        "1..* issues, each with exactly one coding",
        "STU3-FHIR-Assets GPConnect-OperationOutcome-1 (issue 1..*, details.coding 1..1); "
        f"{_ERRORS_162}, Operation outcome usage",
    ),
    DeclaredReading(
        Reading.ISSUE_TYPE_SUBTYPE,
        "BAD_REQUEST errors use the issue type required (something missing) or value (a wrong "
        "value), both below the tabled invalid in the FHIR IssueType hierarchy (the suite warns)",
        f"{_ERRORS_162}, Malformed request errors; FHIR STU3 valueset-issue-type (invalid > "
        "required, value)",
        warns=("GPC-DOC-ERR-006",),
    ),
    DeclaredReading(
        Reading.NO_XML,
        "XML is not supported: requests for it are answered 415 (supporting XML is a SHOULD; "
        "the suite warns)",
        f"{_GENERAL}, Content types and Wire format representations (XML SHOULD, 415)",
        warns=("GPC-DOC-HTTP-007",),
    ),
    DeclaredReading(
        Reading.CACHE_CONTROL_NO_CACHE,
        "Cache-Control: no-cache, no-store, must-revalidate (no-store among other directives)",
        f"{_GENERAL}, Caching headers (Cache-Control: no-store); RFC 7234 section 5.2",
    ),
    DeclaredReading(
        Reading.SPINE_SYSTEM_VALUESET_URI,
        "Spine codings use the system "
        "https://fhir.nhs.uk/STU3/ValueSet/Spine-ErrorOrWarningCode-1, as every 1.0.1 error "
        "example does",
        f"{_ERRORS_101}, examples",
    ),
    DeclaredReading(
        Reading.OUTCOME_WITHOUT_META,
        "error OperationOutcomes carry no meta.profile (meta is 0..1; the 1.0.1 'Resource not "
        "found' example has none)",
        f"{_ERRORS_101}, Example: Resource not found; STU3-FHIR-Assets "
        "GPConnect-OperationOutcome-1 (meta 0..1)",
    ),
    DeclaredReading(
        Reading.HEADER_NAMES_LOWERCASE,
        "response header names are sent in lower case (cache-control, etag, content-type...)",
        "RFC 7230 section 3.2 (field names are case-insensitive)",
    ),
)


def registry(*groups: Iterable[ReadingEntry]) -> dict[Reading, DeclaredReading]:
    """Declared readings by name from *groups* (DeclaredReadings or (reading, description,
    spec_reference))."""
    readings: dict[Reading, DeclaredReading] = {}
    for entry in (entry for group in groups for entry in group):
        declared = entry if isinstance(entry, DeclaredReading) else DeclaredReading(*entry)
        if declared.reading in readings:
            raise ValueError(f"reading '{declared.reading}' is registered twice")
        readings[declared.reading] = declared
    return readings


TRANSPORT_READING_ENTRIES: tuple[DeclaredReading, ...] = (
    DeclaredReading(
        Reading.TLS_REFUSE_WITH_HTTP_400,
        "client certificates are requested, not required, in the handshake; a request without "
        "a valid client certificate is answered HTTP 400 with an HTML page and no document, as "
        "nginx with ssl_verify_client does",
        "development_api_security_guidance (1.0.1 and 1.6.2), Client certificates: the "
        "certificate must be authenticated, how a refusal looks is not laid down",
    ),
)

_FIND_A_PATIENT = "1.6.2 access_documents_use_case_find_a_patient"
_DOCUMENTS_GUIDANCE = "1.6.2 access_documents_development_documents_guidance"

DISCOVERY_READINGS: tuple[DeclaredReading, ...] = (
    DeclaredReading(
        Reading.OVERSIZE_PLACEHOLDER_WITH_URL,
        "the over-5 MB placeholder keeps the url of its Binary beside its title; retrieving that "
        "Binary answers 404 NO_RECORD_FOUND, as without the reading",
        f"{_DOCUMENTS_GUIDANCE}, File size of the document (the placeholder is a title; nothing "
        "says the url goes); 1.6.2 access_documents_development_retrieve_patient_documents, "
        "Error handling (404 NO_RECORD_FOUND for a document over the size limit)",
        spec="1.6",
    ),
    DeclaredReading(
        Reading.SEARCH_BUNDLE_WITHOUT_FULLURL,
        "Find a Patient entries carry no fullUrl, as the page's own example response",
        f"{_FIND_A_PATIENT}, Payload response body (example Bundle without entry.fullUrl)",
    ),
    DeclaredReading(
        Reading.SEVERAL_PATIENTS_FOR_NHS_NUMBER,
        "Find a Patient answers two Patients for a test patient's NHS number: first another "
        "record ([id]-duplicate, same NHS number, no documents: its search is an empty "
        "searchset), then the patient",
        f"{_FIND_A_PATIENT}, Payload response body (zero or more matching Patient resources)",
    ),
)

READINGS: dict[Reading, DeclaredReading] = registry(
    APPLICATION_READINGS, TRANSPORT_READING_ENTRIES, DISCOVERY_READINGS
)
