"""Content negotiation (general API guidance, "Content types") and gzip acceptance."""

from __future__ import annotations

from collections.abc import Iterator

from .fhir import Format

_JSON_TYPES = frozenset(
    {
        "application/fhir+json",
        "application/json+fhir",
        "application/json",
        "json",
        "*/*",
        "application/*",
    }
)
_XML_TYPES = frozenset({"application/fhir+xml", "application/xml+fhir", "application/xml", "xml"})


def format_of(media_type: str) -> Format | None:
    """The wire format a single media type (parameters ignored) asks for, if supported."""
    bare = media_type.split(";", 1)[0].strip().lower()
    if bare in _JSON_TYPES:
        return "json"
    if bare in _XML_TYPES:
        return "xml"
    return None


def _weighted(header: str) -> Iterator[tuple[float, int, str]]:
    """(q, position, media type) for each entry of an Accept-style header."""
    for position, entry in enumerate(header.split(",")):
        media_type, *params = (part.strip() for part in entry.split(";"))
        if not media_type:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
        yield q, position, media_type


def from_accept(accept: str) -> Format | None:
    """The highest-q supported format in an Accept header (ties: first listed)."""
    best: tuple[float, int, Format] | None = None
    for q, position, media_type in _weighted(accept):
        fmt = format_of(media_type)
        if fmt is None or q <= 0:
            continue
        if best is None or q > best[0]:
            best = (q, position, fmt)
    return None if best is None else best[2]


def negotiate(
    format_param: str | None,
    accept: str | None,
    content_type: str | None,
    *,
    honour_format_param: bool = True,
    honour_content_type: bool = True,
    default: Format = "json",
) -> Format | None:
    """The response format, or None when the requested one is not supported.

    `_format` overrides Accept; with neither, a supported Content-Type is followed (general
    API guidance, Content types), else JSON.
    """
    if honour_format_param and format_param is not None and format_param.strip():
        return format_of(format_param)
    if accept is not None and accept.strip():
        return from_accept(accept)
    wanted = format_of(content_type) if honour_content_type and content_type else None
    return wanted or default


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding header allows gzip (explicitly or via '*')."""
    if not accept_encoding:
        return False
    allowed: dict[str, float] = {}
    for q, _, coding in _weighted(accept_encoding):
        allowed[coding.lower()] = q
    if "gzip" in allowed:
        return allowed["gzip"] > 0
    if "x-gzip" in allowed:
        return allowed["x-gzip"] > 0
    return allowed.get("*", 0.0) > 0
