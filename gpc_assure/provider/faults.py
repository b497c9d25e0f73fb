"""Named fault switches: each one breaks exactly one behaviour of the reference provider.

`Fault` names the switches; the provider's code tests them as members (`Fault.HANG in
faults`), never as strings, so a misspelt switch is a type error rather than a silent no-op.
`FAULTS` declares, for each one, what it breaks and what else it is expected to fail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Fault(StrEnum):
    """The name of one fault switch, as users type it (`--fault NAME`)."""

    SUCCESS_STATUS_202 = "success-status-202"
    BINARY_WRONG_RESOURCE_TYPE = "binary-wrong-resource-type"
    BINARY_INVALID_BASE64 = "binary-invalid-base64"
    BINARY_MISSING_CONTENT_TYPE = "binary-missing-content-type"
    BINARY_INVALID_JSON = "binary-invalid-json"
    BINARY_MISSING_VERSION_ID = "binary-missing-version-id"
    BINARY_WRONG_ID = "binary-wrong-id"
    BINARY_WRONG_CONTENT_TYPE = "binary-wrong-content-type"
    BINARY_CORRUPT_CONTENT = "binary-corrupt-content"
    BINARY_SECURITY_CONTEXT = "binary-security-context"
    BINARY_EXTRA_ELEMENT = "binary-extra-element"
    UNKNOWN_ID_STATUS_400 = "unknown-id-status-400"
    UNKNOWN_ID_PLAIN_TEXT = "unknown-id-plain-text"
    UNKNOWN_ID_WRONG_SEVERITY = "unknown-id-wrong-severity"
    UNKNOWN_ID_WRONG_ISSUE_CODE = "unknown-id-wrong-issue-code"
    UNKNOWN_ID_WRONG_SPINE_CODE = "unknown-id-wrong-spine-code"
    UNKNOWN_ID_WRONG_SPINE_SYSTEM = "unknown-id-wrong-spine-system"
    UNKNOWN_ID_WRONG_SPINE_DISPLAY = "unknown-id-wrong-spine-display"
    NO_DIAGNOSTICS = "no-diagnostics"
    CASE_INSENSITIVE_IDS = "case-insensitive-ids"
    CASE_INSENSITIVE_RESOURCE_TYPE = "case-insensitive-resource-type"
    UNKNOWN_PATH_PLAIN_TEXT = "unknown-path-plain-text"
    ACCEPT_MISSING_SSP_TRACEID = "accept-missing-ssp-traceid"
    ACCEPT_MISSING_SSP_FROM = "accept-missing-ssp-from"
    ACCEPT_MISSING_SSP_TO = "accept-missing-ssp-to"
    ACCEPT_MISSING_SSP_INTERACTIONID = "accept-missing-ssp-interactionid"
    ACCEPT_WRONG_SSP_TO = "accept-wrong-ssp-to"
    ACCEPT_WRONG_INTERACTION_ID = "accept-wrong-interaction-id"
    CASE_SENSITIVE_SSP_HEADERS = "case-sensitive-ssp-headers"
    REFUSE_UNKNOWN_HEADERS = "refuse-unknown-headers"
    HEADER_ERROR_WRONG_SPINE_CODE = "header-error-wrong-spine-code"
    ACCEPT_MISSING_AUTHORIZATION = "accept-missing-authorization"
    ACCEPT_NON_BEARER_SCHEME = "accept-non-bearer-scheme"
    ACCEPT_MALFORMED_JWT = "accept-malformed-jwt"
    ACCEPT_PLAIN_JSON_JWT = "accept-plain-json-jwt"
    ACCEPT_MISSING_CLAIM_ISS = "accept-missing-claim-iss"
    ACCEPT_MISSING_CLAIM_SUB = "accept-missing-claim-sub"
    ACCEPT_MISSING_CLAIM_AUD = "accept-missing-claim-aud"
    ACCEPT_MISSING_CLAIM_EXP = "accept-missing-claim-exp"
    ACCEPT_MISSING_CLAIM_IAT = "accept-missing-claim-iat"
    ACCEPT_MISSING_CLAIM_REASON_FOR_REQUEST = "accept-missing-claim-reason_for_request"
    ACCEPT_MISSING_CLAIM_REQUESTED_SCOPE = "accept-missing-claim-requested_scope"
    ACCEPT_MISSING_CLAIM_REQUESTING_DEVICE = "accept-missing-claim-requesting_device"
    ACCEPT_MISSING_CLAIM_REQUESTING_ORGANIZATION = "accept-missing-claim-requesting_organization"
    ACCEPT_MISSING_CLAIM_REQUESTING_PRACTITIONER = "accept-missing-claim-requesting_practitioner"
    ACCEPT_WRONG_EXP_WINDOW = "accept-wrong-exp-window"
    ACCEPT_EXPIRED_TOKEN = "accept-expired-token"
    ACCEPT_EXP_BEFORE_IAT = "accept-exp-before-iat"
    ACCEPT_WRONG_REASON_FOR_REQUEST = "accept-wrong-reason-for-request"
    ACCEPT_WRONG_REQUESTED_SCOPE = "accept-wrong-requested-scope"
    ACCEPT_WRONG_CLAIM_RESOURCE_TYPE = "accept-wrong-claim-resource-type"
    ACCEPT_UNKNOWN_CLAIM_ELEMENTS = "accept-unknown-claim-elements"
    ACCEPT_SUB_PRACTITIONER_MISMATCH = "accept-sub-practitioner-mismatch"
    ACCEPT_WRONG_ODS_SYSTEM = "accept-wrong-ods-system"
    TOKEN_ERRORS_401_WITHOUT_CHALLENGE = "token-errors-401-without-challenge"
    CLAIM_TYPE_422_WITHOUT_DIAGNOSTICS = "claim-type-422-without-diagnostics"
    ACCEPT_ORGANISATION_WITHOUT_IDENTIFIER = "accept-organisation-without-identifier"
    ACCEPT_PRACTITIONER_WITHOUT_SDS_USER_ID = "accept-practitioner-without-sds-user-id"
    ACCEPT_PRACTITIONER_WITHOUT_NAME = "accept-practitioner-without-name"
    REJECT_FUTURE_IAT = "reject-future-iat"
    REJECT_IAT_OVER_60S_AHEAD = "reject-iat-over-60s-ahead"
    REJECT_UNK_SDS_IDS = "reject-unk-sds-ids"
    REJECT_MINIMAL_PRACTITIONER = "reject-minimal-practitioner"
    REJECT_CONF_SCOPE = "reject-conf-scope"
    NO_CACHE_CONTROL = "no-cache-control"
    NO_CACHE_CONTROL_ON_ERRORS = "no-cache-control-on-errors"
    NO_ETAG = "no-etag"
    STRONG_ETAG = "strong-etag"
    ETAG_MISMATCH = "etag-mismatch"
    CONTENT_TYPE_NO_CHARSET = "content-type-no-charset"
    CONTENT_TYPE_TEXT_PLAIN = "content-type-text-plain"
    XML_UNSUPPORTED = "xml-unsupported"
    XML_INVALID = "xml-invalid"
    IGNORE_FORMAT_PARAM = "ignore-format-param"
    FORMAT_PARAM_ALONE_REFUSED = "format-param-alone-refused"
    IGNORE_CONTENT_TYPE = "ignore-content-type"
    REFUSE_CONTENT_TYPE_ON_GET = "refuse-content-type-on-get"
    XML_DEFAULT = "xml-default"
    ACCEPT_UNSUPPORTED_FORMAT = "accept-unsupported-format"
    FHIR_JSON_ACCEPT_ANSWERED_XML = "fhir-json-accept-answered-xml"
    NO_GZIP = "no-gzip"
    ACCEPT_OTHER_METHODS = "accept-other-methods"
    SERVE_POST = "serve-post"
    SERVE_OPTIONS = "serve-options"
    SERVE_OVERSIZE = "serve-oversize"
    REFUSE_LARGE_DOCUMENT = "refuse-large-document"
    TLS_CIPHER_AES128_SHA256 = "tls-cipher-aes128-sha256"
    TLS_CIPHER_CHACHA20 = "tls-cipher-chacha20"
    TLS_RSA_WEAK_CIPHERS = "tls-rsa-weak-ciphers"
    TLS_WRONG_HOST_CERT = "tls-wrong-host-cert"
    TLS_CLIENT_CERT_UNVERIFIED = "tls-client-cert-unverified"
    TLS_CLIENT_CERT_EXPIRED_ACCEPTED = "tls-client-cert-expired-accepted"
    TLS_CLIENT_CERT_ANY_HOST = "tls-client-cert-any-host"
    TLS_CIPHER_UNLISTED = "tls-cipher-unlisted"
    TLS_ALLOW_1_0 = "tls-allow-1.0"
    TLS_1_3_ONLY = "tls-1.3-only"
    TLS_UNAPPROVED_CIPHERS_ONLY = "tls-unapproved-ciphers-only"
    TLS_SERVE_PLAIN_HTTP = "tls-serve-plain-http"
    TLS_CLIENT_CERT_OPTIONAL = "tls-client-cert-optional"
    TLS_ALLOW_1_1 = "tls-allow-1.1"
    TLS_WEAK_CIPHER = "tls-weak-cipher"
    TLS_NO_HSTS = "tls-no-hsts"
    HANG = "hang"
    GARBAGE = "garbage"
    DROP_CONNECTION_ON_ERROR = "drop-connection-on-error"
    ATTACHMENT_URL_RELATIVE = "attachment-url-relative"
    ATTACHMENT_URL_FOREIGN = "attachment-url-foreign"
    ATTACHMENT_URL_NOT_BINARY = "attachment-url-not-binary"
    ATTACHMENT_CONTENT_TYPE_MISMATCH = "attachment-content-type-mismatch"
    ATTACHMENT_SIZE_MISMATCH = "attachment-size-mismatch"
    OVERSIZE_OFFERED_WITH_URL_SERVED = "oversize-offered-with-url-served"
    OVERSIZE_NO_PLACEHOLDER_TITLE = "oversize-no-placeholder-title"
    SEARCH_IGNORES_IDENTIFIER_SYSTEM = "search-ignores-identifier-system"
    SEARCH_MISSING_ATTACHMENT_URL = "search-missing-attachment-url"
    PATIENT_SEARCH_NOT_SEARCHSET = "patient-search-not-searchset"
    PATIENT_WITHOUT_NHS_NUMBER = "patient-without-nhs-number"
    DOCUMENT_SEARCH_NOT_SEARCHSET = "document-search-not-searchset"


def fault_named(name: str) -> Fault:
    """The fault called *name*; ValueError naming it when there is none."""
    try:
        return Fault(name)
    except ValueError:
        raise ValueError(
            f"unknown fault: {name!r} (see gpc-assure provider --list-faults)"
        ) from None


@dataclass(frozen=True)
class DeclaredFault:
    """What one switch breaks: its description and the catalogue requirements it should trip."""

    fault: Fault
    description: str
    requirements: tuple[str, ...] = ()
    also_fails: tuple[str, ...] = ()
    """Requirements whose scenarios fail too, because they look at what the fault breaks
    (for example every scenario that reads a Binary, when the body is not JSON)."""


JWT_CLAIMS: tuple[str, ...] = (
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "reason_for_request",
    "requested_scope",
    "requesting_device",
    "requesting_organization",
    "requesting_practitioner",
)

SPINE_HEADERS: tuple[str, ...] = ("Ssp-TraceID", "Ssp-From", "Ssp-To", "Ssp-InteractionID")

_Row = tuple[Fault, str, tuple[str, ...]]


def _missing_header(fault: Fault, header: str) -> _Row:
    requirements = ("GPC-DOC-HDR-001", "GPC-DOC-HDR-002")
    return fault, f"a missing or blank {header} header is accepted", requirements


def _missing_claim(fault: Fault, claim: str) -> _Row:
    requirements = ("GPC-DOC-JWT-004", "GPC-DOC-JWT-005")
    return fault, f"a JWT whose {claim} claim is missing or null is accepted", requirements


_RAW: tuple[_Row, ...] = (
    # A. Successful read
    (Fault.SUCCESS_STATUS_202, "a successful read answers 202 instead of 200", ("GPC-DOC-RD-001",)),
    (
        Fault.BINARY_WRONG_RESOURCE_TYPE,
        "the Binary has resourceType 'Document'",
        ("GPC-DOC-RD-002",),
    ),
    (
        Fault.BINARY_INVALID_BASE64,
        "Binary.content contains characters outside the base64 alphabet",
        ("GPC-DOC-RD-002",),
    ),
    (Fault.BINARY_MISSING_CONTENT_TYPE, "Binary.contentType is omitted", ("GPC-DOC-RD-002",)),
    (
        Fault.BINARY_INVALID_JSON,
        "the JSON body of a successful read is truncated (not JSON)",
        ("GPC-DOC-RD-002",),
    ),
    (
        Fault.BINARY_MISSING_VERSION_ID,
        "Binary.meta.versionId is omitted (the ETag still carries the version)",
        ("GPC-DOC-RD-003",),
    ),
    (
        Fault.BINARY_WRONG_ID,
        "Binary.id is the id of another document",
        ("GPC-DOC-RD-004", "GPC-DOC-CHAIN-003"),
    ),
    (
        Fault.BINARY_WRONG_CONTENT_TYPE,
        "Binary.contentType is application/octet-stream",
        ("GPC-DOC-RD-005",),
    ),
    (
        Fault.BINARY_CORRUPT_CONTENT,
        "Binary.content is valid base64 of the document with one byte changed",
        ("GPC-DOC-RD-006",),
    ),
    (Fault.BINARY_SECURITY_CONTEXT, "Binary.securityContext is populated", ("GPC-DOC-BIN-001",)),
    (
        Fault.BINARY_EXTRA_ELEMENT,
        "Binary.language (an element not in use) is populated",
        ("GPC-DOC-BIN-002",),
    ),
    # B. Unknown document
    (
        Fault.UNKNOWN_ID_STATUS_400,
        "an unknown document id answers 400 (same body)",
        ("GPC-DOC-NF-001",),
    ),
    (
        Fault.UNKNOWN_ID_PLAIN_TEXT,
        "an unknown document id answers 404 with a text/plain body",
        ("GPC-DOC-ERR-001",),
    ),
    (
        Fault.UNKNOWN_ID_WRONG_SEVERITY,
        "the unknown-id OperationOutcome has severity 'warning'",
        ("GPC-DOC-ERR-002",),
    ),
    (
        Fault.UNKNOWN_ID_WRONG_ISSUE_CODE,
        "the unknown-id OperationOutcome has issue code 'processing'",
        ("GPC-DOC-ERR-003",),
    ),
    (
        Fault.UNKNOWN_ID_WRONG_SPINE_CODE,
        "the unknown-id OperationOutcome carries INVALID_RESOURCE",
        ("GPC-DOC-NF-001",),
    ),
    (
        Fault.UNKNOWN_ID_WRONG_SPINE_SYSTEM,
        "the unknown-id OperationOutcome coding uses system http://example.org/codes",
        ("GPC-DOC-ERR-004",),
    ),
    (
        Fault.UNKNOWN_ID_WRONG_SPINE_DISPLAY,
        "the unknown-id OperationOutcome coding has display 'Not found'",
        ("GPC-DOC-ERR-006",),
    ),
    (
        Fault.NO_DIAGNOSTICS,
        "error OperationOutcomes carry no diagnostics",
        ("GPC-DOC-ERR-005",),
    ),
    (
        Fault.CASE_INSENSITIVE_IDS,
        "document ids are looked up ignoring letter case",
        ("GPC-DOC-NF-002",),
    ),
    (
        Fault.CASE_INSENSITIVE_RESOURCE_TYPE,
        "binary/[id] (the resource type in other letter case) is served as Binary/[id]",
        ("GPC-DOC-NF-003",),
    ),
    (
        Fault.UNKNOWN_PATH_PLAIN_TEXT,
        "a path the provider does not serve answers 404 with a text/plain body",
        ("GPC-DOC-NF-003", "GPC-DOC-NF-004"),
    ),
    # C. Spine headers
    _missing_header(Fault.ACCEPT_MISSING_SSP_TRACEID, "Ssp-TraceID"),
    _missing_header(Fault.ACCEPT_MISSING_SSP_FROM, "Ssp-From"),
    _missing_header(Fault.ACCEPT_MISSING_SSP_TO, "Ssp-To"),
    _missing_header(Fault.ACCEPT_MISSING_SSP_INTERACTIONID, "Ssp-InteractionID"),
    (
        Fault.ACCEPT_WRONG_SSP_TO,
        "an Ssp-To other than the provider ASID is accepted",
        ("GPC-DOC-HDR-003",),
    ),
    (
        Fault.ACCEPT_WRONG_INTERACTION_ID,
        "a wrong Ssp-InteractionID is accepted",
        ("GPC-DOC-HDR-004",),
    ),
    (
        Fault.CASE_SENSITIVE_SSP_HEADERS,
        "Spine header names are matched case-sensitively",
        ("GPC-DOC-HDR-005",),
    ),
    (
        Fault.REFUSE_UNKNOWN_HEADERS,
        "a request carrying a header outside those of the interaction and HTTP's own "
        "(X-Forwarded-For, Forwarded, X-Something...) answers 400 BAD_REQUEST",
        ("GPC-DOC-HDR-006", "GPC-DOC-HDR-007"),
    ),
    (
        Fault.HEADER_ERROR_WRONG_SPINE_CODE,
        "Spine header failures answer 422 INVALID_PARAMETER instead of 400 BAD_REQUEST",
        (
            "GPC-DOC-HDR-001",
            "GPC-DOC-HDR-002",
            "GPC-DOC-HDR-003",
            "GPC-DOC-HDR-004",
        ),
    ),
    # D. JWT
    (
        Fault.ACCEPT_MISSING_AUTHORIZATION,
        "a request without Authorization is served",
        ("GPC-DOC-JWT-001",),
    ),
    (
        Fault.ACCEPT_NON_BEARER_SCHEME,
        "an Authorization scheme other than Bearer is accepted",
        ("GPC-DOC-JWT-002",),
    ),
    (
        Fault.ACCEPT_MALFORMED_JWT,
        "a token that is not three base64url JSON parts is accepted",
        ("GPC-DOC-JWT-003",),
    ),
    (
        Fault.ACCEPT_PLAIN_JSON_JWT,
        "a token whose header and payload are plain JSON, not base64url, is read and accepted",
        ("GPC-DOC-JWT-003",),
    ),
    _missing_claim(Fault.ACCEPT_MISSING_CLAIM_ISS, "iss"),
    _missing_claim(Fault.ACCEPT_MISSING_CLAIM_SUB, "sub"),
    _missing_claim(Fault.ACCEPT_MISSING_CLAIM_AUD, "aud"),
    _missing_claim(Fault.ACCEPT_MISSING_CLAIM_EXP, "exp"),
    _missing_claim(Fault.ACCEPT_MISSING_CLAIM_IAT, "iat"),
    _missing_claim(Fault.ACCEPT_MISSING_CLAIM_REASON_FOR_REQUEST, "reason_for_request"),
    _missing_claim(Fault.ACCEPT_MISSING_CLAIM_REQUESTED_SCOPE, "requested_scope"),
    _missing_claim(Fault.ACCEPT_MISSING_CLAIM_REQUESTING_DEVICE, "requesting_device"),
    _missing_claim(Fault.ACCEPT_MISSING_CLAIM_REQUESTING_ORGANIZATION, "requesting_organization"),
    _missing_claim(Fault.ACCEPT_MISSING_CLAIM_REQUESTING_PRACTITIONER, "requesting_practitioner"),
    (
        Fault.ACCEPT_WRONG_EXP_WINDOW,
        "a JWT whose exp is not iat + 300 is accepted",
        ("GPC-DOC-JWT-006",),
    ),
    (Fault.ACCEPT_EXPIRED_TOKEN, "an expired JWT is accepted", ("GPC-DOC-JWT-007",)),
    (
        Fault.ACCEPT_EXP_BEFORE_IAT,
        "a JWT whose exp is not after its iat is accepted",
        ("GPC-DOC-JWT-006",),
    ),
    (
        Fault.ACCEPT_WRONG_REASON_FOR_REQUEST,
        "a reason_for_request other than directcare is accepted",
        ("GPC-DOC-JWT-008",),
    ),
    (
        Fault.ACCEPT_WRONG_REQUESTED_SCOPE,
        "any requested_scope is accepted",
        ("GPC-DOC-JWT-009",),
    ),
    (
        Fault.ACCEPT_WRONG_CLAIM_RESOURCE_TYPE,
        "requesting_device/organization/practitioner of the wrong resource type are accepted",
        ("GPC-DOC-JWT-011",),
    ),
    (
        Fault.ACCEPT_UNKNOWN_CLAIM_ELEMENTS,
        "requesting_device/organization/practitioner with elements their STU3 type does not "
        "define are accepted",
        ("GPC-DOC-JWT-020",),
    ),
    (
        Fault.ACCEPT_SUB_PRACTITIONER_MISMATCH,
        "a sub claim differing from requesting_practitioner.id is accepted",
        ("GPC-DOC-JWT-012",),
    ),
    (
        Fault.ACCEPT_WRONG_ODS_SYSTEM,
        "a requesting_organization identifier with a non-ODS system is accepted",
        ("GPC-DOC-JWT-013",),
    ),
    (
        Fault.TOKEN_ERRORS_401_WITHOUT_CHALLENGE,
        "bearer token errors answer 401 without a WWW-Authenticate challenge",
        tuple(f"GPC-DOC-JWT-{n:03d}" for n in (*range(1, 10), 11, 12, 13, 19, 20, 21)),
    ),
    (
        Fault.CLAIM_TYPE_422_WITHOUT_DIAGNOSTICS,
        "a claim resource of the wrong type answers 422 INVALID_RESOURCE without diagnostics",
        ("GPC-DOC-ERR-007",),
    ),
    (
        Fault.ACCEPT_ORGANISATION_WITHOUT_IDENTIFIER,
        "a requesting_organization without any identifier is accepted",
        ("GPC-DOC-JWT-013",),
    ),
    (
        Fault.ACCEPT_PRACTITIONER_WITHOUT_SDS_USER_ID,
        "a requesting_practitioner without an SDS user id identifier is accepted",
        ("GPC-DOC-JWT-019",),
    ),
    (
        Fault.ACCEPT_PRACTITIONER_WITHOUT_NAME,
        "a requesting_practitioner without a name is accepted",
        ("GPC-DOC-JWT-021",),
    ),
    (
        Fault.REJECT_FUTURE_IAT,
        "a JWT issued even slightly in the future is refused",
        ("GPC-DOC-JWT-014", "GPC-DOC-JWT-018"),
    ),
    (
        Fault.REJECT_IAT_OVER_60S_AHEAD,
        "a JWT issued more than 60 seconds in the future is refused",
        ("GPC-DOC-JWT-018",),
    ),
    (
        Fault.REJECT_UNK_SDS_IDS,
        "UNK as SDS user id or role profile id is refused",
        ("GPC-DOC-JWT-015",),
    ),
    (
        Fault.REJECT_MINIMAL_PRACTITIONER,
        "a practitioner without role-profile and local identifiers is refused",
        ("GPC-DOC-JWT-016",),
    ),
    (
        Fault.REJECT_CONF_SCOPE,
        "requested_scope 'patient/*.read conf/N' is refused",
        ("GPC-DOC-JWT-017",),
    ),
    # E. HTTP and content negotiation
    (Fault.NO_CACHE_CONTROL, "Cache-Control is omitted on successful reads", ("GPC-DOC-HTTP-001",)),
    (
        Fault.NO_CACHE_CONTROL_ON_ERRORS,
        "Cache-Control is omitted on error responses",
        ("GPC-DOC-HTTP-001",),
    ),
    (Fault.NO_ETAG, "the ETag header is omitted", ("GPC-DOC-HTTP-002",)),
    (Fault.STRONG_ETAG, "the ETag is strong (no W/ prefix)", ("GPC-DOC-HTTP-002",)),
    (
        Fault.ETAG_MISMATCH,
        "the ETag version differs from Binary.meta.versionId",
        ("GPC-DOC-HTTP-002",),
    ),
    (Fault.CONTENT_TYPE_NO_CHARSET, "Content-Type has no charset parameter", ("GPC-DOC-HTTP-003",)),
    (Fault.CONTENT_TYPE_TEXT_PLAIN, "Content-Type is text/plain", ("GPC-DOC-HTTP-003",)),
    (Fault.XML_UNSUPPORTED, "requests for XML answer 415", ("GPC-DOC-HTTP-007",)),
    (Fault.XML_INVALID, "XML bodies are not well-formed", ("GPC-DOC-HTTP-008",)),
    (
        Fault.IGNORE_FORMAT_PARAM,
        "the _format parameter is ignored (Accept wins)",
        ("GPC-DOC-HTTP-006",),
    ),
    (
        Fault.FORMAT_PARAM_ALONE_REFUSED,
        "a _format parameter in a request without Accept answers 415",
        ("GPC-DOC-HTTP-006",),
    ),
    (
        Fault.IGNORE_CONTENT_TYPE,
        "with no Accept and no _format, the request's Content-Type is ignored (JSON is sent)",
        ("GPC-DOC-HTTP-016",),
    ),
    (
        Fault.REFUSE_CONTENT_TYPE_ON_GET,
        "a GET carrying a Content-Type header answers 415",
        ("GPC-DOC-HTTP-016",),
    ),
    (Fault.XML_DEFAULT, "with no Accept and no _format the answer is XML", ("GPC-DOC-HTTP-004",)),
    (
        Fault.ACCEPT_UNSUPPORTED_FORMAT,
        "an unsupported format is answered 200 in JSON, not 415",
        ("GPC-DOC-HTTP-009",),
    ),
    (
        Fault.FHIR_JSON_ACCEPT_ANSWERED_XML,
        "a request whose Accept names application/fhir+json is answered in XML",
        ("GPC-DOC-HTTP-005",),
    ),
    (Fault.NO_GZIP, "responses are never gzip-compressed", ("GPC-DOC-HTTP-010",)),
    (
        Fault.ACCEPT_OTHER_METHODS,
        "PUT, PATCH and DELETE on Binary/[id] answer 200 with the Binary",
        ("GPC-DOC-HTTP-011",),
    ),
    (
        Fault.SERVE_POST,
        "POST on Binary/[id] answers 200 with the Binary",
        ("GPC-DOC-HTTP-013", "GPC-DOC-HTTP-014"),
    ),
    (
        Fault.SERVE_OPTIONS,
        "OPTIONS on Binary/[id] answers 200 with an Allow header and no body",
        ("GPC-DOC-HTTP-015",),
    ),
    # F. Size limit
    (Fault.SERVE_OVERSIZE, "a document over 5 MB is served (spec 1.6)", ("GPC-DOC-RD-008",)),
    (
        Fault.REFUSE_LARGE_DOCUMENT,
        "the 4.9 MB document answers 404 NO_RECORD_FOUND",
        ("GPC-DOC-RD-007",),
    ),
    # G. Transport and hostile behaviour
    (
        Fault.TLS_CIPHER_AES128_SHA256,
        "the non-approved TLS 1.2 cipher ECDHE-ECDSA-AES128-SHA256 is allowed",
        ("GPC-DOC-TLS-005",),
    ),
    (
        Fault.TLS_CIPHER_CHACHA20,
        "the non-approved TLS 1.2 cipher ECDHE-ECDSA-CHACHA20-POLY1305 is allowed",
        ("GPC-DOC-TLS-005",),
    ),
    (
        Fault.TLS_RSA_WEAK_CIPHERS,
        "an RSA server key, with the non-approved suites ECDHE-RSA-AES128-SHA(256) and "
        "AES128-SHA256 allowed",
        ("GPC-DOC-TLS-005",),
    ),
    (
        Fault.TLS_WRONG_HOST_CERT,
        "the server certificate names another host (same CA)",
        ("GPC-DOC-TLS-008",),
    ),
    (
        Fault.TLS_CLIENT_CERT_UNVERIFIED,
        "client certificates are neither requested nor verified (any certificate, or none, "
        "is accepted)",
        ("GPC-DOC-TLS-001", "GPC-DOC-TLS-002", "GPC-DOC-TLS-009", "GPC-DOC-TLS-010"),
    ),
    (
        Fault.TLS_CLIENT_CERT_EXPIRED_ACCEPTED,
        "the validity period of client certificates is not checked (OpenSSL "
        "X509_V_FLAG_NO_CHECK_TIME): an expired certificate from the trusted CA is accepted",
        ("GPC-DOC-TLS-009",),
    ),
    (
        Fault.TLS_CLIENT_CERT_ANY_HOST,
        "the host name in the client certificate is not checked: a certificate from the "
        "trusted CA naming a host other than the Spine Secure Proxy is accepted",
        ("GPC-DOC-TLS-010",),
    ),
    (
        Fault.TLS_CIPHER_UNLISTED,
        "a non-approved TLS 1.2 suite that no named cipher probe offers is allowed "
        "(ECDHE-ECDSA-ARIA256-GCM-SHA384, else ECDHE-ECDSA-CAMELLIA256-SHA384, else "
        "ECDHE-RSA-CHACHA20-POLY1305 with an RSA key: the first the local OpenSSL has)",
        ("GPC-DOC-TLS-005",),
    ),
    (
        Fault.TLS_ALLOW_1_0,
        "TLS 1.0 is accepted (minimum protocol TLS 1.0, OpenSSL seclevel 0)",
        ("GPC-DOC-TLS-004",),
    ),
    (Fault.TLS_1_3_ONLY, "only TLS 1.3 is accepted: TLS 1.2 is refused", ("GPC-DOC-TLS-003",)),
    (
        Fault.TLS_UNAPPROVED_CIPHERS_ONLY,
        "over TLS 1.2 only non-approved ciphers (AES128 CBC) are offered",
        ("GPC-DOC-TLS-005",),
    ),
    (
        Fault.TLS_SERVE_PLAIN_HTTP,
        "a connection that does not start a TLS handshake is served as plain HTTP",
        ("GPC-DOC-TLS-007",),
    ),
    (Fault.TLS_CLIENT_CERT_OPTIONAL, "TLS client certificates are optional", ("GPC-DOC-TLS-001",)),
    (
        Fault.TLS_ALLOW_1_1,
        "TLS 1.1 is accepted (minimum protocol TLS 1.1, OpenSSL seclevel 0)",
        ("GPC-DOC-TLS-004",),
    ),
    (
        Fault.TLS_WEAK_CIPHER,
        "the non-approved TLS 1.2 cipher ECDHE-ECDSA-AES128-SHA is allowed",
        ("GPC-DOC-TLS-005",),
    ),
    (Fault.TLS_NO_HSTS, "Strict-Transport-Security is omitted", ("GPC-DOC-TLS-006",)),
    (
        Fault.HANG,
        "requests are read but never answered (until the provider stops)",
        ("GPC-DOC-RD-001",),
    ),
    (
        Fault.GARBAGE,
        "requests are answered with random non-HTTP bytes, then the connection closes",
        ("GPC-DOC-RD-001",),
    ),
    (
        Fault.DROP_CONNECTION_ON_ERROR,
        "error cases close the connection without any response",
        ("GPC-DOC-ERR-001",),
    ),
    # H. From NHS number to document (Find a Patient, DocumentReference search, attachment.url)
    (
        Fault.ATTACHMENT_URL_RELATIVE,
        "DocumentReference attachment urls are relative (Binary/[id]), not full URLs",
        ("GPC-DOC-CHAIN-001",),
    ),
    (
        Fault.ATTACHMENT_URL_FOREIGN,
        "DocumentReference attachment urls name the Binary on another host "
        "(https://documents.example.invalid[base path]/Binary/[id]); the Binary is still "
        "served at the provider's own service root",
        ("GPC-DOC-CHAIN-002",),
    ),
    (
        Fault.ATTACHMENT_URL_NOT_BINARY,
        "DocumentReference attachment urls point at the DocumentReference itself "
        "([base]/DocumentReference/[id]), not at a Binary",
        ("GPC-DOC-CHAIN-001",),
    ),
    (
        Fault.ATTACHMENT_CONTENT_TYPE_MISMATCH,
        "the attachment of every PDF document says contentType image/png (its Binary still "
        "says application/pdf)",
        ("GPC-DOC-CHAIN-004",),
    ),
    (
        Fault.ATTACHMENT_SIZE_MISMATCH,
        "every attachment.size is 100 bytes more than the document's size",
        ("GPC-DOC-CHAIN-005",),
    ),
    (
        Fault.OVERSIZE_OFFERED_WITH_URL_SERVED,
        "the over-5 MB placeholder also carries the url of its Binary, and that Binary answers "
        "200 with the document instead of 404 NO_RECORD_FOUND (spec 1.6)",
        ("GPC-DOC-RD-008",),
    ),
    (
        Fault.OVERSIZE_NO_PLACEHOLDER_TITLE,
        "the over-5 MB document is listed without the placeholder title saying why it is not "
        "returned (still no url; spec 1.6)",
        ("GPC-DOC-CHAIN-006",),
    ),
    (
        Fault.SEARCH_IGNORES_IDENTIFIER_SYSTEM,
        "Find a Patient ignores the identifier's system: any system, or none, finds the "
        "patient by the value alone (caught by a search sending another system)",
        ("GPC-DOC-FIND-003",),
    ),
    (
        Fault.SEARCH_MISSING_ATTACHMENT_URL,
        "available documents are listed without attachment.url (and without a title)",
        ("GPC-DOC-CHAIN-001",),
    ),
    (
        Fault.PATIENT_SEARCH_NOT_SEARCHSET,
        "Find a Patient answers a Bundle of type collection instead of searchset",
        ("GPC-DOC-FIND-001",),
    ),
    (
        Fault.PATIENT_WITHOUT_NHS_NUMBER,
        "the Patient Find a Patient answers carries no NHS number identifier",
        ("GPC-DOC-FIND-002",),
    ),
    (
        Fault.DOCUMENT_SEARCH_NOT_SEARCHSET,
        "the DocumentReference search answers a Bundle of type collection instead of searchset",
        ("GPC-DOC-SRCH-001",),
    ),
)

# Declared collateral: what else a fault is expected to fail, beside what it breaks.
_BINARY_READERS = (
    "GPC-DOC-RD-002",
    "GPC-DOC-RD-003",
    "GPC-DOC-RD-004",
    "GPC-DOC-RD-005",
    "GPC-DOC-RD-006",
    "GPC-DOC-RD-007",
    "GPC-DOC-BIN-001",
    "GPC-DOC-BIN-002",
    "GPC-DOC-HTTP-002",
    "GPC-DOC-HTTP-004",
    "GPC-DOC-HTTP-005",
    "GPC-DOC-HTTP-006",
    "GPC-DOC-HTTP-008",
    "GPC-DOC-HTTP-010",
    "GPC-DOC-HDR-005",
    "GPC-DOC-JWT-014",
    "GPC-DOC-JWT-015",
    "GPC-DOC-JWT-016",
    "GPC-DOC-JWT-017",
    "GPC-DOC-JWT-018",
    "GPC-DOC-HDR-006",
    "GPC-DOC-HDR-007",
    "GPC-DOC-HTTP-016",
)
_SUCCESS = ("GPC-DOC-RD-001", "GPC-DOC-HTTP-001", "GPC-DOC-HTTP-003", "GPC-DOC-TLS-006")
# The chain's own searches, and its retrievals of the Binaries the attachments name.
_CHAIN_SEARCHES = ("GPC-DOC-FIND-001", "GPC-DOC-FIND-002", "GPC-DOC-FIND-003", "GPC-DOC-SRCH-001")
_CHAIN_RETRIEVALS = ("GPC-DOC-CHAIN-003", "GPC-DOC-CHAIN-004", "GPC-DOC-CHAIN-005")
_REJECTIONS = (
    "GPC-DOC-HDR-001",
    "GPC-DOC-HDR-002",
    "GPC-DOC-HDR-003",
    "GPC-DOC-HDR-004",
    "GPC-DOC-JWT-001",
    "GPC-DOC-JWT-002",
    "GPC-DOC-JWT-003",
    "GPC-DOC-JWT-004",
    "GPC-DOC-JWT-005",
    "GPC-DOC-JWT-006",
    "GPC-DOC-JWT-007",
    "GPC-DOC-JWT-008",
    "GPC-DOC-JWT-009",
    "GPC-DOC-JWT-010",
    "GPC-DOC-JWT-011",
    "GPC-DOC-JWT-012",
    "GPC-DOC-JWT-013",
    "GPC-DOC-JWT-019",
    "GPC-DOC-JWT-020",
    "GPC-DOC-JWT-021",
    "GPC-DOC-HTTP-009",
    "GPC-DOC-HTTP-011",
    "GPC-DOC-HTTP-013",
    "GPC-DOC-HTTP-014",
    "GPC-DOC-HTTP-015",
    "GPC-DOC-NF-003",
    "GPC-DOC-NF-004",
)
_NOT_FOUND = ("GPC-DOC-NF-001", "GPC-DOC-NF-002", "GPC-DOC-RD-008", "GPC-DOC-ERR-005")
_EVERYTHING_HTTP = (
    _BINARY_READERS
    + _CHAIN_SEARCHES
    + _CHAIN_RETRIEVALS
    + _SUCCESS
    + _REJECTIONS
    + _NOT_FOUND
    + (
        "GPC-DOC-HTTP-007",
        "GPC-DOC-ERR-001",
        "GPC-DOC-ERR-002",
        "GPC-DOC-ERR-003",
        "GPC-DOC-ERR-004",
        "GPC-DOC-TLS-007",
    )
)
_XML = ("GPC-DOC-HTTP-006", "GPC-DOC-HTTP-007", "GPC-DOC-HTTP-008")
_UNKNOWN_IDS = ("GPC-DOC-NF-001", "GPC-DOC-NF-002")
_ALL_BUT_TRANSPORT = tuple(sorted(set(_EVERYTHING_HTTP) - {"GPC-DOC-TLS-007"}))
COLLATERAL: dict[Fault, tuple[str, ...]] = {
    # A broken Binary fails every scenario that reads one; XML is checked like JSON.
    Fault.BINARY_CORRUPT_CONTENT: ("GPC-DOC-RD-007",),
    Fault.BINARY_INVALID_BASE64: ("GPC-DOC-RD-007", *_XML),
    Fault.BINARY_INVALID_JSON: _BINARY_READERS + _CHAIN_RETRIEVALS,
    Fault.BINARY_MISSING_CONTENT_TYPE: ("GPC-DOC-CHAIN-004", *_XML),
    Fault.BINARY_SECURITY_CONTEXT: (
        "GPC-DOC-RD-002",
        "GPC-DOC-RD-001",
        "GPC-DOC-BIN-002",
        *_XML,
    ),
    Fault.BINARY_WRONG_ID: _XML,
    Fault.BINARY_WRONG_CONTENT_TYPE: ("GPC-DOC-CHAIN-004",),
    Fault.BINARY_WRONG_RESOURCE_TYPE: _BINARY_READERS + _CHAIN_RETRIEVALS + _XML,
    Fault.SUCCESS_STATUS_202: _BINARY_READERS + _CHAIN_RETRIEVALS + _SUCCESS + _XML,
    Fault.CONTENT_TYPE_TEXT_PLAIN: (
        "GPC-DOC-HTTP-004",
        "GPC-DOC-HTTP-005",
        "GPC-DOC-HTTP-010",
        "GPC-DOC-HTTP-016",
        *_XML,
    ),
    Fault.REFUSE_LARGE_DOCUMENT: ("GPC-DOC-RD-001", "GPC-DOC-HTTP-010", *_CHAIN_RETRIEVALS),
    # A broken not-found answer is broken for every unknown id.
    Fault.UNKNOWN_ID_PLAIN_TEXT: (*_UNKNOWN_IDS, "GPC-DOC-HTTP-003", "GPC-DOC-ERR-005"),
    Fault.UNKNOWN_ID_STATUS_400: (
        *_UNKNOWN_IDS,
        "GPC-DOC-HTTP-001",
        "GPC-DOC-HTTP-003",
        "GPC-DOC-ERR-005",
    ),
    Fault.UNKNOWN_ID_WRONG_ISSUE_CODE: _UNKNOWN_IDS,
    Fault.UNKNOWN_ID_WRONG_SEVERITY: _UNKNOWN_IDS,
    Fault.UNKNOWN_ID_WRONG_SPINE_CODE: _UNKNOWN_IDS,
    Fault.UNKNOWN_ID_WRONG_SPINE_SYSTEM: _UNKNOWN_IDS,
    # Answering JSON requests in XML breaks nearly every HTTP scenario.
    Fault.FHIR_JSON_ACCEPT_ANSWERED_XML: _ALL_BUT_TRANSPORT,
    # Refusing TLS 1.2 also refuses the approved suites, which are offered over TLS 1.2 only.
    Fault.TLS_1_3_ONLY: ("GPC-DOC-TLS-005",),
    # A certificate for another host: no HTTP request can be verified, and neither can the
    # acceptance probes (TLS 1.2 and the approved suites accepted), which end in error. The
    # refusal probes do not verify the provider, so they still judge its policy.
    Fault.TLS_WRONG_HOST_CERT: (*_ALL_BUT_TRANSPORT, "GPC-DOC-TLS-003", "GPC-DOC-TLS-005"),
    # Hostile providers: no usable answer, so every HTTP scenario ends in error.
    Fault.HANG: _ALL_BUT_TRANSPORT,
    Fault.GARBAGE: _ALL_BUT_TRANSPORT,
    Fault.DROP_CONNECTION_ON_ERROR: _REJECTIONS
    + _NOT_FOUND
    + (
        "GPC-DOC-FIND-003",
        "GPC-DOC-ERR-002",
        "GPC-DOC-ERR-003",
        "GPC-DOC-ERR-004",
        "GPC-DOC-HTTP-001",
        "GPC-DOC-HTTP-003",
    ),
}


def _declare(rows: Iterable[_Row]) -> dict[Fault, DeclaredFault]:
    """The declared faults, in the order of *rows*; ValueError for a fault declared twice."""
    declared: dict[Fault, DeclaredFault] = {}
    for fault, description, requirements in rows:
        if fault in declared:
            raise ValueError(f"fault '{fault}' is declared twice")
        collateral = COLLATERAL.get(fault, ())
        declared[fault] = DeclaredFault(fault, description, requirements, collateral)
    return declared


FAULTS: dict[Fault, DeclaredFault] = _declare(_RAW)
