"""Checks of the Spine proxy headers (security guidance, "Secure connection negotiation")."""

from __future__ import annotations

from collections.abc import Iterable

from .faults import SPINE_HEADERS, Fault

# The fault under which each Spine header may be missing or blank.
_MISSING_ALLOWED_BY = {
    "Ssp-TraceID": Fault.ACCEPT_MISSING_SSP_TRACEID,
    "Ssp-From": Fault.ACCEPT_MISSING_SSP_FROM,
    "Ssp-To": Fault.ACCEPT_MISSING_SSP_TO,
    "Ssp-InteractionID": Fault.ACCEPT_MISSING_SSP_INTERACTIONID,
}
_MISMATCH = {
    "Ssp-To": "does not match the ASID of this provider",
    "Ssp-InteractionID": "does not match the interaction of this endpoint",
}


def header_value(
    headers: Iterable[tuple[str, str]], name: str, *, case_sensitive: bool = False
) -> str | None:
    """The first value of header *name* (names compared case-insensitively unless told)."""
    for key, value in headers:
        if key == name if case_sensitive else key.lower() == name.lower():
            return value
    return None


def check_spine_headers(
    headers: Iterable[tuple[str, str]],
    *,
    provider_asid: str,
    interaction_id: str,
    faults: frozenset[Fault],
) -> str | None:
    """None when the Spine headers are acceptable, otherwise diagnostics naming the header."""
    pairs = list(headers)
    case_sensitive = Fault.CASE_SENSITIVE_SSP_HEADERS in faults
    expected = {"Ssp-To": provider_asid, "Ssp-InteractionID": interaction_id}
    wrong_value_allowed = {
        "Ssp-To": Fault.ACCEPT_WRONG_SSP_TO in faults,
        "Ssp-InteractionID": Fault.ACCEPT_WRONG_INTERACTION_ID in faults,
    }
    for name in SPINE_HEADERS:
        value = header_value(pairs, name, case_sensitive=case_sensitive)
        if value is None or not value.strip():
            if _MISSING_ALLOWED_BY[name] in faults:
                continue
            return f"{name} header is missing or blank"
        if name in expected and value.strip() != expected[name] and not wrong_value_allowed[name]:
            return f"{name} header {_MISMATCH[name]}"
    return None


# The headers of this interaction, HTTP's own, and those HTTP clients add: the fault
# `refuse-unknown-headers` refuses any other.
_EXPECTED_HEADERS = frozenset(
    name.lower()
    for name in (
        *SPINE_HEADERS,
        "Authorization",
        "Accept",
        "Accept-Encoding",
        "Accept-Charset",
        "Accept-Language",
        "Content-Type",
        "Content-Length",
        "Transfer-Encoding",
        "Host",
        "User-Agent",
        "Connection",
        "Keep-Alive",
        "TE",
        "Cache-Control",
        "Pragma",
        "Prefer",
    )
)


def unexpected_header(headers: Iterable[tuple[str, str]]) -> str | None:
    """Diagnostics naming the first header outside the expected set, or None."""
    for name, _ in headers:
        if name.lower() not in _EXPECTED_HEADERS:
            return f"Unexpected request header {name}"
    return None
