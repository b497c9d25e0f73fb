"""The audit-and-provenance bearer token: valid claims, encoding, and decoding for evidence.

Claims follow the cross-organisation audit and provenance page, section "JWT payload".
"""

import base64
import binascii
import json
from typing import Any

import jwt

from gpc_assure.config.provider_config import ProviderConfig
from gpc_assure.spec.versions import spec_version

TOKEN_LIFETIME_SECONDS = 300
CLAIM_NAMES = (
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
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
SDS_USER_SYSTEM = "https://fhir.nhs.uk/Id/sds-user-id"
SDS_ROLE_PROFILE_SYSTEM = "https://fhir.nhs.uk/Id/sds-role-profile-id"


def valid_claims(config: ProviderConfig, now: int) -> dict[str, Any]:
    """All ten claims, populated as a conformant consumer would, issued at `now`."""
    consumer = config.consumer
    return {
        "iss": consumer.iss,
        "sub": consumer.practitioner_id,
        "aud": config.base_url,
        "exp": now + TOKEN_LIFETIME_SECONDS,
        "iat": now,
        "reason_for_request": "directcare",
        "requested_scope": spec_version(config.spec).requested_scope,
        "requesting_device": {
            "resourceType": "Device",
            "identifier": [{"system": consumer.device_system, "value": consumer.device_value}],
            "model": consumer.device_model,
            "version": consumer.device_version,
        },
        "requesting_organization": {
            "resourceType": "Organization",
            "identifier": [{"system": ODS_SYSTEM, "value": consumer.ods_code}],
            "name": consumer.organisation_name,
        },
        "requesting_practitioner": {
            "resourceType": "Practitioner",
            "id": consumer.practitioner_id,
            "identifier": [
                {"system": SDS_USER_SYSTEM, "value": consumer.sds_user_id},
                {"system": SDS_ROLE_PROFILE_SYSTEM, "value": consumer.sds_role_profile_id},
                {"system": consumer.local_user_system, "value": consumer.local_user_value},
            ],
            "name": [
                {
                    "family": consumer.practitioner_family,
                    "given": [consumer.practitioner_given],
                    "prefix": [consumer.practitioner_prefix],
                }
            ],
        },
    }


def encode_unsecured(claims: dict[str, Any]) -> str:
    """An unsecured JWT (`alg: none`, empty signature), as the page requires of consumers.

    Encoded as a JWS of the JSON payload, so that scenarios can also send the invalid claim
    values (null, wrong types) that `jwt.encode` refuses to build.
    """
    payload = json.dumps(claims, separators=(",", ":")).encode("utf-8")
    return jwt.PyJWS().encode(payload, key="", algorithm="none", headers={"typ": "JWT"})


def _b64url_json(part: str) -> Any:
    padded = part + "=" * (-len(part) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))


def decode_for_evidence(authorization: str) -> dict[str, Any]:
    """The token's header and claims for a reader, or why they could not be decoded.

    Never raises: evidence must be recorded even for the malformed tokens scenarios send.
    """
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return {"decoded": False, "reason": "not a Bearer token"}
    parts = token.split(".")
    if len(parts) != 3:
        return {"decoded": False, "reason": f"{len(parts)} dot-separated parts, not 3"}
    try:
        header, claims = _b64url_json(parts[0]), _b64url_json(parts[1])
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        return {
            "decoded": False,
            "reason": f"not base64url-encoded JSON ({exc.__class__.__name__})",
        }
    return {"decoded": True, "header": header, "claims": claims, "signature": parts[2]}


def claims_from_authorization(authorization: str | None) -> dict[str, Any]:
    """The claims of a request's bearer token, so a scenario can derive a variant from it."""
    decoded = decode_for_evidence(authorization or "")
    if not decoded["decoded"] or not isinstance(decoded["claims"], dict):
        raise ValueError(f"the request carries no decodable bearer token ({decoded.get('reason')})")
    claims: dict[str, Any] = decoded["claims"]
    return claims


def reissued(claims: dict[str, Any], issued_at: int) -> dict[str, Any]:
    """The same claims, issued at another time with the regular five-minute lifetime."""
    return {**claims, "iat": issued_at, "exp": issued_at + TOKEN_LIFETIME_SECONDS}


def _compact_json(value: dict[str, Any]) -> str:
    """JSON without spaces between tokens, ASCII only (it travels in an HTTP header)."""
    return json.dumps(value, separators=(",", ":"))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


MALFORMED_TOKENS = (
    "not base64url-encoded",
    "in two parts, not three",
    "carrying a payload that is not JSON",
    "made of plain JSON parts, not base64url",
)


def malformed_token(kind: str, claims: dict[str, Any]) -> str:
    """A token broken in one way the audit page's JWT generation rules forbid."""
    header, payload, _ = encode_unsecured(claims).split(".")
    if kind == "not base64url-encoded":
        return f"{header}.{payload[:10]}!*?{payload[10:]}."
    if kind == "in two parts, not three":
        return f"{header}.{payload}"
    if kind == "carrying a payload that is not JSON":
        return f"{header}.{_b64url(b'not a JSON object')}."
    if kind == "made of plain JSON parts, not base64url":
        plain = {"alg": "none", "typ": "JWT"}
        return f"{_compact_json(plain)}.{_compact_json(claims)}."
    raise ValueError(f"unknown token malformation {kind!r}; known: {', '.join(MALFORMED_TOKENS)}")


UNDEFINED_ELEMENT = "gpcAssureUndefinedElement"


def with_undefined_element(claims: dict[str, Any], claim: str) -> dict[str, Any]:
    """The claims with one element the claim's STU3 resource type does not define added to it."""
    return {**claims, claim: {**claims[claim], UNDEFINED_ELEMENT: "not a FHIR element"}}


def without_element(claims: dict[str, Any], claim: str, element: str) -> dict[str, Any]:
    """The claims with one element removed from the claim's resource."""
    resource = {key: value for key, value in claims[claim].items() if key != element}
    return {**claims, claim: resource}


def without_identifier(claims: dict[str, Any], claim: str, system: str) -> dict[str, Any]:
    """The claims with the claim resource's identifiers of `system` removed."""
    resource = claims[claim]
    kept = [i for i in resource.get("identifier", []) if i.get("system") != system]
    return {**claims, claim: {**resource, "identifier": kept}}
