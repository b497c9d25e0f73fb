"""Validation of the Authorization bearer JWT (cross-organisation audit and provenance page,
"JWT generation" and "JWT payload"). Diagnostics name the claim and never echo the token."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Literal

from .faults import JWT_CLAIMS, Fault

ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
SDS_USER_SYSTEM = "https://fhir.nhs.uk/Id/sds-user-id"
SDS_ROLE_SYSTEM = "https://fhir.nhs.uk/Id/sds-role-profile-id"
EXPIRY_SECONDS = 300
CLOCK_SKEW_SECONDS = 300
NARROW_CLOCK_SKEW_SECONDS = {Fault.REJECT_FUTURE_IAT: 2, Fault.REJECT_IAT_OVER_60S_AHEAD: 60}
# The fault under which each claim may be missing or null.
_MISSING_CLAIM_ALLOWED_BY = {
    "iss": Fault.ACCEPT_MISSING_CLAIM_ISS,
    "sub": Fault.ACCEPT_MISSING_CLAIM_SUB,
    "aud": Fault.ACCEPT_MISSING_CLAIM_AUD,
    "exp": Fault.ACCEPT_MISSING_CLAIM_EXP,
    "iat": Fault.ACCEPT_MISSING_CLAIM_IAT,
    "reason_for_request": Fault.ACCEPT_MISSING_CLAIM_REASON_FOR_REQUEST,
    "requested_scope": Fault.ACCEPT_MISSING_CLAIM_REQUESTED_SCOPE,
    "requesting_device": Fault.ACCEPT_MISSING_CLAIM_REQUESTING_DEVICE,
    "requesting_organization": Fault.ACCEPT_MISSING_CLAIM_REQUESTING_ORGANIZATION,
    "requesting_practitioner": Fault.ACCEPT_MISSING_CLAIM_REQUESTING_PRACTITIONER,
}
READ_SCOPE = "patient/*.read"
# The audit page's requested_scope table: every defined access scope.
DEFINED_SCOPES = frozenset(
    {"patient/*.read", "patient/*.write", "organization/*.read", "organization/*.write"}
)
CONFIDENTIALITY_SCOPES = frozenset({"conf/N", "conf/R"})

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")

# Elements the base STU3 resources define (Resource, DomainResource, then the type's own).
_BASE_ELEMENTS = frozenset(
    {
        "resourceType",
        "id",
        "meta",
        "implicitRules",
        "language",
        "text",
        "contained",
        "extension",
        "modifierExtension",
    }
)
STU3_ELEMENTS: dict[str, frozenset[str]] = {
    "Device": _BASE_ELEMENTS
    | {
        "identifier",
        "udi",
        "status",
        "type",
        "lotNumber",
        "manufacturer",
        "manufactureDate",
        "expirationDate",
        "model",
        "version",
        "patient",
        "owner",
        "contact",
        "location",
        "url",
        "note",
        "safety",
    },
    "Organization": _BASE_ELEMENTS
    | {
        "identifier",
        "active",
        "type",
        "name",
        "alias",
        "telecom",
        "address",
        "partOf",
        "contact",
        "endpoint",
    },
    "Practitioner": _BASE_ELEMENTS
    | {
        "identifier",
        "active",
        "name",
        "telecom",
        "address",
        "gender",
        "birthDate",
        "photo",
        "qualification",
        "communication",
    },
}


ProblemKind = Literal["missing", "invalid", "resource", "conflict", "scope"]


class JwtRejected(Exception):
    """The token is refused; the message is safe to return as diagnostics."""

    def __init__(self, message: str, kind: ProblemKind = "invalid") -> None:
        super().__init__(message)
        self.kind: ProblemKind = kind


@dataclass(frozen=True)
class JwtProblem:
    """Why a token is refused: diagnostics, and what kind of problem it is."""

    diagnostics: str
    kind: ProblemKind = "invalid"
    """missing: no bearer token at all; resource: a claim that is not a valid resource of its
    type; conflict: claims that disagree; scope: a defined scope that does not allow reading a
    document (every other claim being acceptable); invalid: anything else."""


def _b64url_json(part: str, what: str) -> dict[str, object]:
    if not _BASE64URL.fullmatch(part) or len(part) % 4 == 1:
        raise JwtRejected(f"JWT {what} is not unpadded base64url")
    try:
        decoded = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise JwtRejected(f"JWT {what} is not valid JSON") from exc
    if not isinstance(decoded, dict):
        raise JwtRejected(f"JWT {what} is not a JSON object")
    return decoded


def _plain_json_parts(token: str) -> dict[str, object]:
    """Fault `accept-plain-json-jwt`: `{header}.{payload}.` read as JSON, not base64url."""
    decoder = json.JSONDecoder()
    problem = JwtRejected("JWT parts are neither base64url nor plain JSON")
    try:
        header, end = decoder.raw_decode(token)
        if token[end : end + 1] != ".":
            raise problem
        payload, end = decoder.raw_decode(token, end + 1)
    except ValueError as exc:
        raise problem from exc
    if not isinstance(header, dict) or not isinstance(payload, dict) or token[end:] != ".":
        raise problem
    return payload


def decode_unsecured(token: str) -> dict[str, object]:
    """The payload of an unsecured (alg none, empty signature) JWT, or JwtRejected."""
    parts = token.split(".")
    if len(parts) != 3:
        raise JwtRejected("JWT must have exactly three dot-separated parts")
    header = _b64url_json(parts[0], "header")
    if header.get("alg") != "none":
        raise JwtRejected("JWT header alg must be 'none'")
    if parts[2]:
        raise JwtRejected("JWT signature part must be empty")
    return _b64url_json(parts[1], "payload")


def _identifiers(resource: dict[str, object]) -> list[dict[str, object]]:
    raw = resource.get("identifier")
    return [item for item in raw if isinstance(item, dict)] if isinstance(raw, list) else []


def _identifier_value(resource: dict[str, object], system: str | None) -> str | None:
    """The first non-blank identifier value with *system* (any system when None)."""
    for item in _identifiers(resource):
        value = item.get("value")
        matches = system is None or item.get("system") == system
        if matches and isinstance(value, str) and value.strip():
            return value
    return None


class _ClaimChecker:
    def __init__(
        self, claims: dict[str, object], spec: str, faults: frozenset[Fault], now: float
    ) -> None:
        self.claims = claims
        self.spec = spec
        self.faults = faults
        self.now = now
        self.skipped: set[str] = set()

    def allowed(self, fault: Fault) -> bool:
        return fault in self.faults

    def run(self) -> None:
        for claim in JWT_CLAIMS:
            if self.claims.get(claim) is None:
                if not self.allowed(_MISSING_CLAIM_ALLOWED_BY[claim]):
                    raise JwtRejected(f"JWT claim '{claim}' is missing or null")
                self.skipped.add(claim)
        self.strings()
        self.times()
        self.reason()
        self.device()
        self.organization()
        self.practitioner()
        self.scope()

    def present(self, claim: str) -> bool:
        return claim not in self.skipped

    def strings(self) -> None:
        for claim in ("iss", "sub", "aud"):
            value = self.claims.get(claim)
            if self.present(claim) and not (isinstance(value, str) and value.strip()):
                raise JwtRejected(f"JWT claim '{claim}' must be a non-empty string")

    def integer(self, claim: str) -> int | None:
        if not self.present(claim):
            return None
        value = self.claims[claim]
        if not isinstance(value, int) or isinstance(value, bool):
            raise JwtRejected(f"JWT claim '{claim}' must be an integer (seconds since the epoch)")
        return value

    def times(self) -> None:
        exp, iat = self.integer("exp"), self.integer("iat")
        if exp is not None and iat is not None:
            if exp <= iat:
                if not self.allowed(Fault.ACCEPT_EXP_BEFORE_IAT):
                    raise JwtRejected("JWT claim 'exp' must be after claim 'iat'")
            elif exp != iat + EXPIRY_SECONDS and not self.allowed(Fault.ACCEPT_WRONG_EXP_WINDOW):
                raise JwtRejected("JWT claim 'exp' must be exactly 'iat' + 300 seconds")
        if exp is not None and self.now >= exp and not self.allowed(Fault.ACCEPT_EXPIRED_TOKEN):
            raise JwtRejected("JWT has expired (claim 'exp' is not in the future)")
        narrowed = [
            NARROW_CLOCK_SKEW_SECONDS[f] for f in self.faults & NARROW_CLOCK_SKEW_SECONDS.keys()
        ]
        skew = min(narrowed, default=CLOCK_SKEW_SECONDS)
        if iat is not None and iat > self.now + skew:
            raise JwtRejected("JWT claim 'iat' is too far in the future")

    def reason(self) -> None:
        if not self.present("reason_for_request") or self.allowed(
            Fault.ACCEPT_WRONG_REASON_FOR_REQUEST
        ):
            return
        if self.claims["reason_for_request"] != "directcare":
            raise JwtRejected("JWT claim 'reason_for_request' must be 'directcare'")

    def scope(self) -> None:
        if not self.present("requested_scope"):
            return
        value = self.claims["requested_scope"]
        tokens = set(value.split()) if isinstance(value, str) else set()
        if self.allowed(Fault.REJECT_CONF_SCOPE) and any(t.startswith("conf/") for t in tokens):
            raise JwtRejected("JWT claim 'requested_scope' must not carry a confidentiality scope")
        if self.allowed(Fault.ACCEPT_WRONG_REQUESTED_SCOPE):
            return
        extra_allowed = CONFIDENTIALITY_SCOPES if self.spec == "1.6" else frozenset()
        if READ_SCOPE not in tokens or not tokens - {READ_SCOPE} <= extra_allowed:
            access = tokens - CONFIDENTIALITY_SCOPES
            defined = bool(access) and access <= DEFINED_SCOPES
            raise JwtRejected(
                "JWT claim 'requested_scope' is not valid for reading a document",
                "scope" if defined else "invalid",
            )

    def resource(self, claim: str, resource_type: str) -> dict[str, object] | None:
        """The claim as a FHIR resource of *resource_type*, or None when it may be skipped."""
        if not self.present(claim):
            return None
        value = self.claims[claim]
        if not (isinstance(value, dict) and value.get("resourceType") == resource_type):
            if not self.allowed(Fault.ACCEPT_WRONG_CLAIM_RESOURCE_TYPE):
                raise JwtRejected(
                    f"JWT claim '{claim}' must be a {resource_type} resource", "resource"
                )
            if not isinstance(value, dict):
                return None
        undefined = sorted(
            key for key in value if key.removeprefix("_") not in STU3_ELEMENTS[resource_type]
        )
        if undefined and not self.allowed(Fault.ACCEPT_UNKNOWN_CLAIM_ELEMENTS):
            raise JwtRejected(
                f"JWT claim '{claim}' has elements a {resource_type} does not define: "
                + ", ".join(undefined),
                "resource",
            )
        return value

    def device(self) -> None:
        self.resource("requesting_device", "Device")

    def organization(self) -> None:
        org = self.resource("requesting_organization", "Organization")
        if org is None:
            return
        if not _identifiers(org) and self.allowed(Fault.ACCEPT_ORGANISATION_WITHOUT_IDENTIFIER):
            return
        system = None if self.allowed(Fault.ACCEPT_WRONG_ODS_SYSTEM) else ODS_SYSTEM
        if _identifier_value(org, system) is None:
            raise JwtRejected(
                "JWT claim 'requesting_organization' must have an ODS organisation code identifier",
                "resource",
            )

    def practitioner(self) -> None:
        claim = "requesting_practitioner"
        practitioner = self.resource(claim, "Practitioner")
        if practitioner is None:
            return
        check_sub = self.present("sub") and not self.allowed(Fault.ACCEPT_SUB_PRACTITIONER_MISMATCH)
        if check_sub and practitioner.get("id") != self.claims["sub"]:
            raise JwtRejected(f"JWT claim '{claim}' id must equal claim 'sub'", "conflict")
        names = practitioner.get("name")
        has_name = isinstance(names, list) and any(isinstance(n, dict) and n for n in names)
        if not has_name and not self.allowed(Fault.ACCEPT_PRACTITIONER_WITHOUT_NAME):
            raise JwtRejected(f"JWT claim '{claim}' must have a name", "resource")
        user_id = _identifier_value(practitioner, SDS_USER_SYSTEM)
        if user_id is None and not self.allowed(Fault.ACCEPT_PRACTITIONER_WITHOUT_SDS_USER_ID):
            raise JwtRejected(
                f"JWT claim '{claim}' must have an SDS user id identifier", "resource"
            )
        role_id = _identifier_value(practitioner, SDS_ROLE_SYSTEM)
        if self.allowed(Fault.REJECT_UNK_SDS_IDS) and "UNK" in (user_id, role_id):
            raise JwtRejected(f"JWT claim '{claim}' has an UNK SDS identifier")
        if self.allowed(Fault.REJECT_MINIMAL_PRACTITIONER):
            local = [
                item
                for item in _identifiers(practitioner)
                if item.get("system") not in (SDS_USER_SYSTEM, SDS_ROLE_SYSTEM)
            ]
            if role_id is None or not local:
                raise JwtRejected(f"JWT claim '{claim}' lacks role-profile or local identifiers")


def _token_from(authorization: str, faults: frozenset[Fault]) -> str:
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() == "bearer":
        return token.strip()
    if Fault.ACCEPT_NON_BEARER_SCHEME in faults:
        return authorization.split()[-1]
    raise JwtRejected("Authorization header must use the Bearer scheme", "missing")


def authorization_problem(
    authorization: str | None, *, spec: str, faults: frozenset[Fault], now: float
) -> JwtProblem | None:
    """None when the Authorization header carries an acceptable JWT, else what is wrong."""
    if authorization is None or not authorization.strip():
        if Fault.ACCEPT_MISSING_AUTHORIZATION in faults:
            return None
        return JwtProblem("Authorization header with a Bearer JWT is missing", "missing")
    try:
        token = _token_from(authorization, faults)
        try:
            claims = decode_unsecured(token)
        except JwtRejected:
            if Fault.ACCEPT_MALFORMED_JWT in faults:
                return None
            if Fault.ACCEPT_PLAIN_JSON_JWT not in faults or not token.startswith("{"):
                raise
            claims = _plain_json_parts(token)
        _ClaimChecker(claims, spec, faults, now).run()
    except JwtRejected as exc:
        return JwtProblem(str(exc), exc.kind)
    return None


def check_authorization(
    authorization: str | None, *, spec: str, faults: frozenset[Fault], now: float
) -> str | None:
    """None when the Authorization header carries an acceptable JWT, else diagnostics."""
    problem = authorization_problem(authorization, spec=spec, faults=faults, now=now)
    return None if problem is None else problem.diagnostics
