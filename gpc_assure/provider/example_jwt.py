"""A conformant unsecured JWT built with the standard library (used for the CLI's curl example)."""

from __future__ import annotations

import base64
import json
import time

from .jwt_rules import EXPIRY_SECONDS, ODS_SYSTEM, SDS_ROLE_SYSTEM, SDS_USER_SYSTEM


def _b64url(data: dict[str, object]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def example_claims(
    audience: str, now: int | None = None, scope: str = "patient/*.read"
) -> dict[str, object]:
    """The ten claims of a valid request, issued at *now* (default: the current time)."""
    iat = int(time.time()) if now is None else now
    return {
        "iss": "https://consumer.example.invalid/",
        "sub": "gpc-assure-user",
        "aud": audience,
        "exp": iat + EXPIRY_SECONDS,
        "iat": iat,
        "reason_for_request": "directcare",
        "requested_scope": scope,
        "requesting_device": {
            "resourceType": "Device",
            "identifier": [
                {"system": "https://consumer.example.invalid/Id/device", "value": "gpc-assure"}
            ],
            "model": "gpc-assure",
            "version": "1",
        },
        "requesting_organization": {
            "resourceType": "Organization",
            "identifier": [{"system": ODS_SYSTEM, "value": "A1001"}],
            "name": "gpc-assure test organisation",
        },
        "requesting_practitioner": {
            "resourceType": "Practitioner",
            "id": "gpc-assure-user",
            "identifier": [
                {"system": SDS_USER_SYSTEM, "value": "UNK"},
                {"system": SDS_ROLE_SYSTEM, "value": "UNK"},
                {"system": "https://consumer.example.invalid/Id/user", "value": "gpc-assure-user"},
            ],
            "name": [{"family": "Assure", "given": ["Gpc"], "prefix": ["Dr"]}],
        },
    }


def unsecured_jwt(claims: dict[str, object]) -> str:
    """header.payload. with alg none and an empty signature."""
    return f"{_b64url({'alg': 'none', 'typ': 'JWT'})}.{_b64url(claims)}."
