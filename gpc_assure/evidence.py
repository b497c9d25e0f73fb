"""A recorded exchange with the provider, and its redacted form for reports.

Document bytes never leave this module: evidence keeps only their SHA-256, size and detected
file type. Everything a report shows of an exchange comes from `Exchange.to_evidence()`.
"""

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from gpc_assure.jwt_claims import decode_for_evidence
from gpc_assure.request import Header, RetrieveRequest
from gpc_assure.sniff import detect_file_type

LONG_VALUE_CHARS = 1024
TEXT_PREVIEW_BYTES = 4096
_XML_CONTENT = re.compile(r'(<content\s+value=")([^"]*)(")')


def digest_summary(data: bytes) -> dict[str, Any]:
    """What may be said of document bytes: digest, size and detected type."""
    return {
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "detected_type": detect_file_type(data),
    }


def summarise_base64(text: str) -> dict[str, Any]:
    """A digest summary of base64 text, or of the text itself when it does not decode."""
    try:
        data = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return {
            "redacted": "content (not valid base64)",
            "base64_chars": len(text),
            "sha256_of_text": hashlib.sha256(text.encode("utf-8", "replace")).hexdigest(),
        }
    return {"redacted": "document content", **digest_summary(data)}


def redact_json(value: Any) -> Any:
    """A copy of a parsed JSON body with Binary content and any long string replaced by digests."""
    if isinstance(value, dict):
        is_binary = value.get("resourceType") == "Binary"
        return {
            key: summarise_base64(item)
            if is_binary and key == "content" and isinstance(item, str)
            else redact_json(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact_json(item) for item in value]
    if isinstance(value, str) and len(value) > LONG_VALUE_CHARS:
        return {
            "redacted": "long value",
            "chars": len(value),
            "sha256": hashlib.sha256(value.encode("utf-8", "replace")).hexdigest(),
        }
    return value


def redact_body(body: bytes, content_type: str | None) -> dict[str, Any]:
    """How a response body appears in evidence."""
    if not body:
        return {"format": "empty", "size": 0}
    media = (content_type or "").split(";")[0].strip().lower()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return {"format": "bytes", **digest_summary(body)}
    if "json" in media or text.lstrip().startswith(("{", "[")):
        try:
            return {"format": "json", "size": len(body), "json": redact_json(json.loads(text))}
        except ValueError:
            pass
        except RecursionError:  # nested too deeply to parse or to walk: keep a digest only
            return {"format": "bytes", "note": "JSON nested too deeply", **digest_summary(body)}
    if "xml" in media or text.lstrip().startswith("<"):
        redacted = _XML_CONTENT.sub(
            lambda m: m.group(1) + json.dumps(summarise_base64(m.group(2))) + m.group(3), text
        )
        if len(redacted) <= LONG_VALUE_CHARS * 64:
            return {"format": "xml", "size": len(body), "text": redacted}
    if media.startswith("text/") and len(body) <= TEXT_PREVIEW_BYTES:
        return {"format": "text", "size": len(body), "text": text}
    return {"format": "bytes", **digest_summary(body)}


@dataclass(frozen=True)
class ResponseRecord:
    status: int
    http_version: str
    headers: tuple[Header, ...]
    body: bytes = field(repr=False)
    tls: dict[str, str] | None = None

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    def header_values(self, name: str) -> list[str]:
        wanted = name.lower()
        return [v for k, v in self.headers if k.lower() == wanted]


@dataclass(frozen=True)
class Exchange:
    """One request and what came back: a response, or the transport error that came instead."""

    request: RetrieveRequest
    sent_headers: tuple[Header, ...]
    started_at: str
    elapsed_ms: float
    response: ResponseRecord | None
    error: str | None = None

    @cached_property
    def json_body(self) -> Any:
        """The response body parsed as JSON; raises ValueError when it is not JSON."""
        if self.response is None:
            raise ValueError(f"no response: {self.error}")
        text = self.response.body.decode("utf-8")
        try:
            return json.loads(text)
        except RecursionError:
            raise ValueError("JSON nested too deeply to parse") from None

    def to_evidence(self) -> dict[str, Any]:
        """The exchange as reports show it: computed once, for Allure and the evidence file."""
        return self._evidence

    @cached_property
    def _evidence(self) -> dict[str, Any]:
        authorization = self.request.header("Authorization")
        request: dict[str, Any] = {
            "method": self.request.method,
            "url": self.request.url,
            "query": [list(q) for q in self.request.query],
            "headers": [list(h) for h in self.sent_headers],
            "jwt": decode_for_evidence(authorization) if authorization is not None else None,
        }
        if self.request.body:
            request["body"] = redact_body(self.request.body, self.request.header("Content-Type"))
        evidence: dict[str, Any] = {
            "started_at": self.started_at,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "request": request,
        }
        if self.response is not None:
            evidence["response"] = {
                "status": self.response.status,
                "http_version": self.response.http_version,
                "headers": [list(h) for h in self.response.headers],
                "tls": self.response.tls,
                "body": redact_body(self.response.body, self.response.header("Content-Type")),
            }
        if self.error is not None:
            evidence["error"] = self.error
        return evidence
