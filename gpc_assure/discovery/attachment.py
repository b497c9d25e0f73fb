"""What an attachment url names, read without following it.

The url is provider data: it is parsed, never requested. Its Binary id (the last path segment
after `Binary/`, percent-decoded, a FHIR id) is what the suite retrieves, from its own
configured (proxy and) service root, whichever host the url names.
"""

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import SplitResult, unquote, urlsplit

from gpc_assure.discovery.bundle import fhir_id, shown

MAX_URL_CHARS = 2048
"""A longer url is not read (no service root comes near it)."""
DEFAULT_PORTS = {"http": 80, "https": 443}
_BINARY_TAIL = re.compile(r"(?:^|/)Binary/([^/]*)$")
_UNSAFE = re.compile(r"[\x00-\x20\x7f]")


class UrlForm(StrEnum):
    """How an attachment url is written, as the chain scenarios judge it."""

    ABSENT = "absent"
    """No url (a placeholder for a document that is not available)."""
    SAME_ROOT = "the configured service root's Binary"
    """Absolute: `[base_url]/Binary/[id]`, the configured base (not the proxy)."""
    OTHER_ROOT = "another service root's Binary"
    """Absolute, ending `/Binary/[id]`, on another scheme, host, port or base path."""
    RELATIVE = "a relative Binary reference"
    """No scheme: `Binary/[id]`, `/some/path/Binary/[id]`."""
    NOT_BINARY = "not a Binary url"
    """Not a string, not a url, or a path that does not end `/Binary/[id]` with a FHIR id."""


@dataclass(frozen=True)
class UrlReading:
    """What a url names: its form, the Binary id to retrieve (when it names one), and in one
    line what sets it apart from `[base_url]/Binary/[id]` (None for SAME_ROOT)."""

    form: UrlForm
    binary_id: str | None
    reason: str | None = None


def read_attachment_url(url: object, base_url: str) -> UrlReading:
    """Classify `url` (as the Bundle gives it) against the configured service root."""
    if url is None:
        return UrlReading(UrlForm.ABSENT, None, "the attachment has no url")
    if not isinstance(url, str):
        return UrlReading(UrlForm.NOT_BINARY, None, f"the url is {shown(url)}, not a string")
    if len(url) > MAX_URL_CHARS:
        reason = f"the url is {len(url):,} characters long (more than {MAX_URL_CHARS:,})"
        return UrlReading(UrlForm.NOT_BINARY, None, reason)
    if not url or _UNSAFE.search(url):
        return UrlReading(UrlForm.NOT_BINARY, None, f"{shown(url)} is empty or holds spaces")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return UrlReading(UrlForm.NOT_BINARY, None, f"{shown(url)} is not a url")
    tail = _BINARY_TAIL.search(parts.path)
    if tail is None:
        reason = f"the path of {shown(url)} does not end with /Binary/[id]"
        return UrlReading(UrlForm.NOT_BINARY, None, reason)
    binary_id = fhir_id(unquote(tail.group(1)))
    if binary_id is None:
        reason = f"the Binary id {shown(unquote(tail.group(1)))} is not a FHIR id"
        return UrlReading(UrlForm.NOT_BINARY, None, reason)
    if not parts.scheme:
        return UrlReading(UrlForm.RELATIVE, binary_id, f"{shown(url)} is relative, not a full url")
    difference = _difference(parts, port, parts.path[: tail.start()], base_url)
    if difference is None:
        return UrlReading(UrlForm.SAME_ROOT, binary_id)
    return UrlReading(UrlForm.OTHER_ROOT, binary_id, difference)


def _difference(parts: SplitResult, port: int | None, root_path: str, base_url: str) -> str | None:
    """What differs between the url's service root and `base_url`, in one line, or None."""
    base = urlsplit(base_url)
    scheme, base_scheme = parts.scheme.lower(), base.scheme.lower()
    if scheme != base_scheme:
        return f"scheme {shown(parts.scheme)}, not {shown(base.scheme)}"
    if parts.username is not None or parts.password is not None:
        return "the url carries user information"
    if (parts.hostname or "") != (base.hostname or ""):  # hostname is lower-cased
        return f"host {shown(parts.hostname or '')}, not {shown(base.hostname or '')}"
    default = DEFAULT_PORTS.get(scheme)
    if (port or default) != (base.port or default):
        return f"port {port or default}, not {base.port or default}"
    if root_path != base.path:
        return f"service root path {shown(root_path)}, not {shown(base.path)}"
    if parts.query or parts.fragment:
        return "the url has a query or fragment"
    return None
