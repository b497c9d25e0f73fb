"""Named fault switches: each one breaks exactly one behaviour of the reference provider."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    """One switch: its name, what it breaks, and the catalogue requirements it should trip."""

    name: str
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

_RAW: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # A. Successful read
    ("success-status-202", "a successful read answers 202 instead of 200", ("GPC-DOC-RD-001",)),
    ("binary-wrong-resource-type", "the Binary has resourceType 'Document'", ("GPC-DOC-RD-002",)),
    (
        "binary-invalid-base64",
        "Binary.content contains characters outside the base64 alphabet",
        ("GPC-DOC-RD-002",),
    ),
    ("binary-missing-content-type", "Binary.contentType is omitted", ("GPC-DOC-RD-002",)),
    (
        "binary-invalid-json",
        "the JSON body of a successful read is truncated (not JSON)",
        ("GPC-DOC-RD-002",),
    ),
    (
        "binary-missing-version-id",
        "Binary.meta.versionId is omitted (the ETag still carries the version)",
        ("GPC-DOC-RD-003",),
    ),
    ("binary-wrong-id", "Binary.id is the id of another document", ("GPC-DOC-RD-004",)),
    (
        "binary-wrong-content-type",
        "Binary.contentType is application/octet-stream",
        ("GPC-DOC-RD-005",),
    ),
    (
        "binary-corrupt-content",
        "Binary.content is valid base64 of the document with one byte changed",
        ("GPC-DOC-RD-006",),
    ),
    ("binary-security-context", "Binary.securityContext is populated", ("GPC-DOC-BIN-001",)),
    (
        "binary-extra-element",
        "Binary.language (an element not in use) is populated",
        ("GPC-DOC-BIN-002",),
    ),
    # B. Unknown document
    (
        "unknown-id-status-400",
        "an unknown document id answers 400 (same body)",
        ("GPC-DOC-NF-001",),
    ),
    (
        "unknown-id-plain-text",
        "an unknown document id answers 404 with a text/plain body",
        ("GPC-DOC-ERR-001",),
    ),
    (
        "unknown-id-wrong-severity",
        "the unknown-id OperationOutcome has severity 'warning'",
        ("GPC-DOC-ERR-002",),
    ),
    (
        "unknown-id-wrong-issue-code",
        "the unknown-id OperationOutcome has issue code 'processing'",
        ("GPC-DOC-ERR-003",),
    ),
    (
        "unknown-id-wrong-spine-code",
        "the unknown-id OperationOutcome carries INVALID_RESOURCE",
        ("GPC-DOC-NF-001",),
    ),
    (
        "unknown-id-wrong-spine-system",
        "the unknown-id OperationOutcome coding uses system http://example.org/codes",
        ("GPC-DOC-ERR-004",),
    ),
    (
        "unknown-id-wrong-spine-display",
        "the unknown-id OperationOutcome coding has display 'Not found'",
        ("GPC-DOC-ERR-006",),
    ),
    (
        "no-diagnostics",
        "error OperationOutcomes carry no diagnostics",
        ("GPC-DOC-ERR-005",),
    ),
    (
        "case-insensitive-ids",
        "document ids are looked up ignoring letter case",
        ("GPC-DOC-NF-002",),
    ),
    (
        "case-insensitive-resource-type",
        "binary/[id] (the resource type in other letter case) is served as Binary/[id]",
        ("GPC-DOC-NF-003",),
    ),
    (
        "unknown-path-plain-text",
        "a path other than Binary/[id] answers 404 with a text/plain body",
        ("GPC-DOC-NF-003", "GPC-DOC-NF-004"),
    ),
    # C. Spine headers
    *(
        (
            f"accept-missing-{header.lower()}",
            f"a missing or blank {header} header is accepted",
            ("GPC-DOC-HDR-001", "GPC-DOC-HDR-002"),
        )
        for header in SPINE_HEADERS
    ),
    (
        "accept-wrong-ssp-to",
        "an Ssp-To other than the provider ASID is accepted",
        ("GPC-DOC-HDR-003",),
    ),
    ("accept-wrong-interaction-id", "a wrong Ssp-InteractionID is accepted", ("GPC-DOC-HDR-004",)),
    (
        "case-sensitive-ssp-headers",
        "Spine header names are matched case-sensitively",
        ("GPC-DOC-HDR-005",),
    ),
    (
        "refuse-unknown-headers",
        "a request carrying a header outside those of the interaction and HTTP's own "
        "(X-Forwarded-For, Forwarded, X-Something...) answers 400 BAD_REQUEST",
        ("GPC-DOC-HDR-006", "GPC-DOC-HDR-007"),
    ),
    (
        "header-error-wrong-spine-code",
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
        "accept-missing-authorization",
        "a request without Authorization is served",
        ("GPC-DOC-JWT-001",),
    ),
    (
        "accept-non-bearer-scheme",
        "an Authorization scheme other than Bearer is accepted",
        ("GPC-DOC-JWT-002",),
    ),
    (
        "accept-malformed-jwt",
        "a token that is not three base64url JSON parts is accepted",
        ("GPC-DOC-JWT-003",),
    ),
    (
        "accept-plain-json-jwt",
        "a token whose header and payload are plain JSON, not base64url, is read and accepted",
        ("GPC-DOC-JWT-003",),
    ),
    *(
        (
            f"accept-missing-claim-{claim}",
            f"a JWT whose {claim} claim is missing or null is accepted",
            ("GPC-DOC-JWT-004", "GPC-DOC-JWT-005"),
        )
        for claim in JWT_CLAIMS
    ),
    (
        "accept-wrong-exp-window",
        "a JWT whose exp is not iat + 300 is accepted",
        ("GPC-DOC-JWT-006",),
    ),
    ("accept-expired-token", "an expired JWT is accepted", ("GPC-DOC-JWT-007",)),
    (
        "accept-exp-before-iat",
        "a JWT whose exp is not after its iat is accepted",
        ("GPC-DOC-JWT-006",),
    ),
    (
        "accept-wrong-reason-for-request",
        "a reason_for_request other than directcare is accepted",
        ("GPC-DOC-JWT-008",),
    ),
    (
        "accept-wrong-requested-scope",
        "any requested_scope is accepted",
        ("GPC-DOC-JWT-009",),
    ),
    (
        "accept-wrong-claim-resource-type",
        "requesting_device/organization/practitioner of the wrong resource type are accepted",
        ("GPC-DOC-JWT-011",),
    ),
    (
        "accept-unknown-claim-elements",
        "requesting_device/organization/practitioner with elements their STU3 type does not "
        "define are accepted",
        ("GPC-DOC-JWT-020",),
    ),
    (
        "accept-sub-practitioner-mismatch",
        "a sub claim differing from requesting_practitioner.id is accepted",
        ("GPC-DOC-JWT-012",),
    ),
    (
        "accept-wrong-ods-system",
        "a requesting_organization identifier with a non-ODS system is accepted",
        ("GPC-DOC-JWT-013",),
    ),
    (
        "token-errors-401-without-challenge",
        "bearer token errors answer 401 without a WWW-Authenticate challenge",
        tuple(f"GPC-DOC-JWT-{n:03d}" for n in (*range(1, 10), 11, 12, 13, 19, 20, 21)),
    ),
    (
        "claim-type-422-without-diagnostics",
        "a claim resource of the wrong type answers 422 INVALID_RESOURCE without diagnostics",
        ("GPC-DOC-ERR-007",),
    ),
    (
        "accept-organisation-without-identifier",
        "a requesting_organization without any identifier is accepted",
        ("GPC-DOC-JWT-013",),
    ),
    (
        "accept-practitioner-without-sds-user-id",
        "a requesting_practitioner without an SDS user id identifier is accepted",
        ("GPC-DOC-JWT-019",),
    ),
    (
        "accept-practitioner-without-name",
        "a requesting_practitioner without a name is accepted",
        ("GPC-DOC-JWT-021",),
    ),
    (
        "reject-future-iat",
        "a JWT issued even slightly in the future is refused",
        ("GPC-DOC-JWT-014", "GPC-DOC-JWT-018"),
    ),
    (
        "reject-iat-over-60s-ahead",
        "a JWT issued more than 60 seconds in the future is refused",
        ("GPC-DOC-JWT-018",),
    ),
    (
        "reject-unk-sds-ids",
        "UNK as SDS user id or role profile id is refused",
        ("GPC-DOC-JWT-015",),
    ),
    (
        "reject-minimal-practitioner",
        "a practitioner without role-profile and local identifiers is refused",
        ("GPC-DOC-JWT-016",),
    ),
    (
        "reject-conf-scope",
        "requested_scope 'patient/*.read conf/N' is refused",
        ("GPC-DOC-JWT-017",),
    ),
    # E. HTTP and content negotiation
    ("no-cache-control", "Cache-Control is omitted on successful reads", ("GPC-DOC-HTTP-001",)),
    (
        "no-cache-control-on-errors",
        "Cache-Control is omitted on error responses",
        ("GPC-DOC-HTTP-001",),
    ),
    ("no-etag", "the ETag header is omitted", ("GPC-DOC-HTTP-002",)),
    ("strong-etag", "the ETag is strong (no W/ prefix)", ("GPC-DOC-HTTP-002",)),
    ("etag-mismatch", "the ETag version differs from Binary.meta.versionId", ("GPC-DOC-HTTP-002",)),
    ("content-type-no-charset", "Content-Type has no charset parameter", ("GPC-DOC-HTTP-003",)),
    ("content-type-text-plain", "Content-Type is text/plain", ("GPC-DOC-HTTP-003",)),
    ("xml-unsupported", "requests for XML answer 415", ("GPC-DOC-HTTP-007",)),
    ("xml-invalid", "XML bodies are not well-formed", ("GPC-DOC-HTTP-008",)),
    (
        "ignore-format-param",
        "the _format parameter is ignored (Accept wins)",
        ("GPC-DOC-HTTP-006",),
    ),
    (
        "format-param-alone-refused",
        "a _format parameter in a request without Accept answers 415",
        ("GPC-DOC-HTTP-006",),
    ),
    (
        "ignore-content-type",
        "with no Accept and no _format, the request's Content-Type is ignored (JSON is sent)",
        ("GPC-DOC-HTTP-016",),
    ),
    (
        "refuse-content-type-on-get",
        "a GET carrying a Content-Type header answers 415",
        ("GPC-DOC-HTTP-016",),
    ),
    ("xml-default", "with no Accept and no _format the answer is XML", ("GPC-DOC-HTTP-004",)),
    (
        "accept-unsupported-format",
        "an unsupported format is answered 200 in JSON, not 415",
        ("GPC-DOC-HTTP-009",),
    ),
    (
        "fhir-json-accept-answered-xml",
        "a request whose Accept names application/fhir+json is answered in XML",
        ("GPC-DOC-HTTP-005",),
    ),
    ("no-gzip", "responses are never gzip-compressed", ("GPC-DOC-HTTP-010",)),
    (
        "accept-other-methods",
        "PUT, PATCH and DELETE on Binary/[id] answer 200 with the Binary",
        ("GPC-DOC-HTTP-011",),
    ),
    (
        "serve-post",
        "POST on Binary/[id] answers 200 with the Binary",
        ("GPC-DOC-HTTP-013", "GPC-DOC-HTTP-014"),
    ),
    (
        "serve-options",
        "OPTIONS on Binary/[id] answers 200 with an Allow header and no body",
        ("GPC-DOC-HTTP-015",),
    ),
    # F. Size limit
    ("serve-oversize", "a document over 5 MB is served (spec 1.6)", ("GPC-DOC-RD-008",)),
    (
        "refuse-large-document",
        "the 4.9 MB document answers 404 NO_RECORD_FOUND",
        ("GPC-DOC-RD-007",),
    ),
    # G. Transport and hostile behaviour
    (
        "tls-cipher-aes128-sha256",
        "the non-approved TLS 1.2 cipher ECDHE-ECDSA-AES128-SHA256 is allowed",
        ("GPC-DOC-TLS-005",),
    ),
    (
        "tls-cipher-chacha20",
        "the non-approved TLS 1.2 cipher ECDHE-ECDSA-CHACHA20-POLY1305 is allowed",
        ("GPC-DOC-TLS-005",),
    ),
    (
        "tls-rsa-weak-ciphers",
        "an RSA server key, with the non-approved suites ECDHE-RSA-AES128-SHA(256) and "
        "AES128-SHA256 allowed",
        ("GPC-DOC-TLS-005",),
    ),
    (
        "tls-wrong-host-cert",
        "the server certificate names another host (same CA)",
        ("GPC-DOC-TLS-008",),
    ),
    (
        "tls-client-cert-unverified",
        "client certificates are neither requested nor verified (any certificate, or none, "
        "is accepted)",
        ("GPC-DOC-TLS-001", "GPC-DOC-TLS-002", "GPC-DOC-TLS-009", "GPC-DOC-TLS-010"),
    ),
    (
        "tls-client-cert-expired-accepted",
        "the validity period of client certificates is not checked (OpenSSL "
        "X509_V_FLAG_NO_CHECK_TIME): an expired certificate from the trusted CA is accepted",
        ("GPC-DOC-TLS-009",),
    ),
    (
        "tls-client-cert-any-host",
        "the host name in the client certificate is not checked: a certificate from the "
        "trusted CA naming a host other than the Spine Secure Proxy is accepted",
        ("GPC-DOC-TLS-010",),
    ),
    (
        "tls-cipher-unlisted",
        "a non-approved TLS 1.2 suite that no named cipher probe offers is allowed "
        "(ECDHE-ECDSA-ARIA256-GCM-SHA384, else ECDHE-ECDSA-CAMELLIA256-SHA384, else "
        "ECDHE-RSA-CHACHA20-POLY1305 with an RSA key: the first the local OpenSSL has)",
        ("GPC-DOC-TLS-005",),
    ),
    (
        "tls-allow-1.0",
        "TLS 1.0 is accepted (minimum protocol TLS 1.0, OpenSSL seclevel 0)",
        ("GPC-DOC-TLS-004",),
    ),
    ("tls-1.3-only", "only TLS 1.3 is accepted: TLS 1.2 is refused", ("GPC-DOC-TLS-003",)),
    (
        "tls-unapproved-ciphers-only",
        "over TLS 1.2 only non-approved ciphers (AES128 CBC) are offered",
        ("GPC-DOC-TLS-005",),
    ),
    (
        "tls-serve-plain-http",
        "a connection that does not start a TLS handshake is served as plain HTTP",
        ("GPC-DOC-TLS-007",),
    ),
    ("tls-client-cert-optional", "TLS client certificates are optional", ("GPC-DOC-TLS-001",)),
    (
        "tls-allow-1.1",
        "TLS 1.1 is accepted (minimum protocol TLS 1.1, OpenSSL seclevel 0)",
        ("GPC-DOC-TLS-004",),
    ),
    (
        "tls-weak-cipher",
        "the non-approved TLS 1.2 cipher ECDHE-ECDSA-AES128-SHA is allowed",
        ("GPC-DOC-TLS-005",),
    ),
    ("tls-no-hsts", "Strict-Transport-Security is omitted", ("GPC-DOC-TLS-006",)),
    (
        "hang",
        "requests are read but never answered (until the provider stops)",
        ("GPC-DOC-RD-001",),
    ),
    (
        "garbage",
        "requests are answered with random non-HTTP bytes, then the connection closes",
        ("GPC-DOC-RD-001",),
    ),
    (
        "drop-connection-on-error",
        "error cases close the connection without any response",
        ("GPC-DOC-ERR-001",),
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
COLLATERAL: dict[str, tuple[str, ...]] = {
    # A broken Binary fails every scenario that reads one; XML is checked like JSON.
    "binary-corrupt-content": ("GPC-DOC-RD-007",),
    "binary-invalid-base64": ("GPC-DOC-RD-007", *_XML),
    "binary-invalid-json": _BINARY_READERS,
    "binary-missing-content-type": _XML,
    "binary-security-context": (
        "GPC-DOC-RD-002",
        "GPC-DOC-RD-001",
        "GPC-DOC-BIN-002",
        *_XML,
    ),
    "binary-wrong-id": _XML,
    "binary-wrong-resource-type": _BINARY_READERS + _XML,
    "success-status-202": _BINARY_READERS + _SUCCESS + _XML,
    "content-type-text-plain": (
        "GPC-DOC-HTTP-004",
        "GPC-DOC-HTTP-005",
        "GPC-DOC-HTTP-010",
        "GPC-DOC-HTTP-016",
        *_XML,
    ),
    "refuse-large-document": ("GPC-DOC-RD-001", "GPC-DOC-HTTP-010"),
    # A broken not-found answer is broken for every unknown id.
    "unknown-id-plain-text": (*_UNKNOWN_IDS, "GPC-DOC-HTTP-003", "GPC-DOC-ERR-005"),
    "unknown-id-status-400": (
        *_UNKNOWN_IDS,
        "GPC-DOC-HTTP-001",
        "GPC-DOC-HTTP-003",
        "GPC-DOC-ERR-005",
    ),
    "unknown-id-wrong-issue-code": _UNKNOWN_IDS,
    "unknown-id-wrong-severity": _UNKNOWN_IDS,
    "unknown-id-wrong-spine-code": _UNKNOWN_IDS,
    "unknown-id-wrong-spine-system": _UNKNOWN_IDS,
    # Answering JSON requests in XML breaks nearly every HTTP scenario.
    "fhir-json-accept-answered-xml": _ALL_BUT_TRANSPORT,
    # Refusing TLS 1.2 also refuses the approved suites, which are offered over TLS 1.2 only.
    "tls-1.3-only": ("GPC-DOC-TLS-005",),
    # A certificate for another host: no HTTP request can be verified, and neither can the
    # acceptance probes (TLS 1.2 and the approved suites accepted), which end in error. The
    # refusal probes do not verify the provider, so they still judge its policy.
    "tls-wrong-host-cert": (*_ALL_BUT_TRANSPORT, "GPC-DOC-TLS-003", "GPC-DOC-TLS-005"),
    # Hostile providers: no usable answer, so every HTTP scenario ends in error.
    "hang": _ALL_BUT_TRANSPORT,
    "garbage": _ALL_BUT_TRANSPORT,
    "drop-connection-on-error": _REJECTIONS
    + _NOT_FOUND
    + (
        "GPC-DOC-ERR-002",
        "GPC-DOC-ERR-003",
        "GPC-DOC-ERR-004",
        "GPC-DOC-HTTP-001",
        "GPC-DOC-HTTP-003",
    ),
}

FAULTS: dict[str, Fault] = {
    name: Fault(name, desc, reqs, COLLATERAL.get(name, ())) for name, desc, reqs in _RAW
}


def check_fault_names(names: frozenset[str]) -> None:
    """Raise ValueError naming the first unknown fault in *names* (sorted)."""
    for name in sorted(names):
        if name not in FAULTS:
            raise ValueError(f"unknown fault: {name!r} (see --list-faults)")
