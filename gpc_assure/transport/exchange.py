"""A recorded exchange with the provider, and its redacted form for reports.

Document bytes never leave this module: evidence keeps only their SHA-256, size and detected
file type. Everything a report shows of an exchange comes from `Exchange.to_evidence()`.
"""

import hashlib
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from gpc_assure.request.jwt_claims import decode_for_evidence
from gpc_assure.request.retrieve import Header, RetrieveRequest
from gpc_assure.spec.base64_text import decode_base64
from gpc_assure.spec.base64_text import forget as forget_base64
from gpc_assure.spec.fhir_xml import FhirXmlError, parse_xml_safely
from gpc_assure.spec.json_reading import BeyondBounds, JsonRead, read_json, read_json_prefix
from gpc_assure.transport.sniff import detect_file_type

LONG_VALUE_CHARS = 1024
TEXT_PREVIEW_BYTES = 4096
MAX_EVIDENCE_BODY_BYTES = 64 * 1024
"""The most of any body's redacted form evidence keeps; beyond it an excerpt, size and SHA-256."""


MAX_MESSAGE_CHARS = 4096
"""The most of any finding or failure message a record keeps: provider-controlled text (a list of
400,000 issue codes, say) must not multiply through every report format."""


def bounded_text(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """`text`, or its first `limit` characters and how many more there were."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit:,} more characters)"


def digest_summary(data: bytes, sha256: str | None = None) -> dict[str, Any]:
    """What may be said of document bytes: digest (`sha256`, when already known), size and
    detected type."""
    return {
        "sha256": sha256 or hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "detected_type": detect_file_type(data),
    }


def summarise_base64(text: str) -> dict[str, Any]:
    """A digest summary of base64 text, or of the text itself when it does not decode."""
    decoded = decode_base64(text)
    if decoded.data is None:
        return {
            "redacted": "content (not valid base64)",
            "base64_chars": len(text),
            "sha256_of_text": hashlib.sha256(text.encode("utf-8", "replace")).hexdigest(),
        }
    return {"redacted": "document content", **digest_summary(decoded.data, decoded.sha256)}


def holds_document(node: dict[Any, Any], key: object) -> bool:
    """Whether `node[key]` is document bytes as base64: a Binary's `content`, or an
    Attachment's `data` (an object with a contentType, such as a DocumentReference's)."""
    if not isinstance(node.get(key), str):
        return False
    if key == "content":
        return node.get("resourceType") == "Binary"
    return key == "data" and "contentType" in node


def redact_json(value: Any) -> Any:
    """A copy of a parsed JSON body with document bytes (Binary content, Attachment data) and
    any long string replaced by digests."""
    if isinstance(value, dict):
        return {
            key: summarise_base64(item) if holds_document(value, key) else redact_json(item)
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


class _OverBudget(Exception):
    """The compact serialisation outgrew the evidence bound."""


def bounded_json(value: Any, limit: int) -> tuple[str, bool]:
    """The redacted value (see `redact_json`) serialised compactly and cut at `limit`
    characters, and whether it is complete. A huge body is serialised only as far as the bound
    needs, and never copied whole."""
    pieces: list[str] = []
    length = 0

    def put(text: str) -> None:
        nonlocal length
        pieces.append(text)
        length += len(text)
        if length > limit:
            raise _OverBudget

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            put("{")
            for index, (key, item) in enumerate(node.items()):
                put(("," if index else "") + json.dumps(str(key)) + ":")
                if holds_document(node, key):
                    put(json.dumps(summarise_base64(item)))
                else:
                    walk(item)
            put("}")
        elif isinstance(node, list):
            put("[")
            for index, item in enumerate(node):
                put("," if index else "")
                walk(item)
            put("]")
        else:
            put(json.dumps(redact_json(node)))

    try:
        walk(value)
    except _OverBudget:
        return "".join(pieces)[:limit], False
    return "".join(pieces), True


def _excerpt(form: str, body: bytes, excerpt: str) -> dict[str, Any]:
    """A redacted body too large for evidence: its first characters, size and digest."""
    return {
        "format": form,
        "truncated": True,
        "excerpt": excerpt,
        "size": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
    }


def _json_evidence(body: bytes, read: JsonRead, limit: int) -> dict[str, Any]:
    note = read.note()
    if note is not None:  # the checks saw the body with arrays cut: show its beginning instead
        return {**_json_prefix_evidence(body, limit), "note": note}
    text, complete = bounded_json(read.value, limit)
    if complete:
        return {"format": "json", "size": len(body), "json": json.loads(text)}
    return _excerpt("json", body, text)


def _json_prefix_evidence(body: bytes, limit: int) -> dict[str, Any]:
    """The redacted form of the body's first values, read afresh up to what the bound needs.
    An object cut short may not have reached its resourceType: its content is redacted as a
    Binary's would be."""
    try:
        prefix = read_json_prefix(body, 2 * limit, LONG_VALUE_CHARS)
    except ValueError as exc:  # BeyondBounds included
        return _digest_only(body, str(exc))
    for unfinished in prefix.open_objects:
        content = unfinished.get("content")
        if "resourceType" not in unfinished and isinstance(content, str):
            unfinished["content"] = summarise_base64(content)
    text, complete = bounded_json(prefix.value, limit)
    if complete and prefix.whole:
        return {"format": "json", "size": len(body), "json": json.loads(text)}
    return _excerpt("json", body, text)


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _xml_evidence(body: bytes, limit: int) -> dict[str, Any]:
    """XML parsed (never pattern-matched): every `content` element's value, and any long
    attribute or text, replaced by its digest summary. Unparsable XML keeps no text at all."""
    try:
        root = parse_xml_safely(body)
    except FhirXmlError:
        return _digest_only(body, "XML not parsed: no text kept")
    for element in root.iter():
        for name, value in element.attrib.items():
            if _local(element.tag) == "content" and _local(name) == "value":
                element.set(name, json.dumps(summarise_base64(value)))
            elif len(value) > LONG_VALUE_CHARS:
                element.set(name, json.dumps(redact_json(value)))
        for part in ("text", "tail"):
            text = getattr(element, part)
            if text is not None and len(text) > LONG_VALUE_CHARS:
                setattr(element, part, json.dumps(redact_json(text)))
    try:
        text = ET.tostring(root, encoding="unicode")
    except RecursionError:
        return _digest_only(body, "XML nested too deeply")
    if len(text) <= limit:
        return {"format": "xml", "size": len(body), "text": text}
    return _excerpt("xml", body, text[:limit])


def _digest_only(body: bytes, note: str) -> dict[str, Any]:
    return {"format": "bytes", "note": note, **digest_summary(body)}


def _looks_like_json(body: bytes, content_type: str | None) -> bool:
    return "json" in _media(content_type) or body.lstrip()[:1] in (b"{", b"[")


def _media(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def redact_body(
    body: bytes,
    content_type: str | None,
    read: JsonRead | ValueError | None = None,
    limit: int = MAX_EVIDENCE_BODY_BYTES,
) -> dict[str, Any]:
    """How a body appears in evidence: at most `limit` characters of its redacted form, else an
    excerpt with its size and SHA-256. `read` is what reading the body as JSON already gave
    (its value, or why it could not be read), if it was read."""
    if not body:
        return {"format": "empty", "size": 0}
    media = _media(content_type)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return {"format": "bytes", **digest_summary(body)}
    if _looks_like_json(body, content_type):
        outcome = read if read is not None else attempt_json(body)
        if isinstance(outcome, JsonRead):
            return _json_evidence(body, outcome, limit)
        if isinstance(outcome, BeyondBounds):  # too deep or too large to read: a digest only
            return _digest_only(body, str(outcome))
    if "xml" in media or text.lstrip().startswith("<"):
        return _xml_evidence(body, limit)
    if media.startswith("text/") and len(body) <= min(TEXT_PREVIEW_BYTES, limit):
        return {"format": "text", "size": len(body), "text": text}
    return {"format": "bytes", **digest_summary(body)}


def attempt_json(body: bytes) -> JsonRead | ValueError:
    """The body read as JSON, or why it cannot be (not UTF-8, not JSON, beyond the bounds)."""
    try:
        return read_json(body)
    except ValueError as exc:  # UnicodeDecodeError and BeyondBounds included
        return exc


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
    sent_headers: tuple[Header, ...] = field(repr=False)
    started_at: str
    elapsed_ms: float
    response: ResponseRecord | None
    error: str | None = None

    released: bool = field(default=False, init=False, repr=False, compare=False)

    @property
    def json_body(self) -> Any:
        """The response body parsed as JSON within the bounds of `json_reading`; raises
        ValueError (UnicodeDecodeError and BeyondBounds among them) when it cannot be read."""
        return self.json_read.value

    @property
    def json_read(self) -> JsonRead:
        """The response body read as JSON: its value and the arrays cut on reading."""
        outcome = self._json_outcome
        if isinstance(outcome, ValueError):
            raise outcome.with_traceback(None)
        return outcome

    @cached_property
    def _json_outcome(self) -> JsonRead | ValueError:
        """The body read once, for the checks and the evidence alike."""
        if self.released:
            raise RuntimeError("the exchange's body was released once its evidence was written")
        if self.response is None:
            return ValueError(f"no response: {self.error}")
        return attempt_json(self.response.body)

    def release(self) -> None:
        """Drop the response body and what was derived from it once the evidence is written:
        the exchange may outlive its scenario (pytest-bdd keeps each step's result for the
        whole session), and a hostile body may be as large as the size cap allows."""
        self.__dict__.pop("_json_outcome", None)
        self.__dict__.pop("_evidence", None)
        if self.response is not None:
            object.__setattr__(self, "response", replace(self.response, body=b""))
        object.__setattr__(self, "released", True)
        forget_base64()

    def to_evidence(self) -> dict[str, Any]:
        """The exchange as reports show it: computed once, for Allure and the evidence file."""
        return self._evidence

    @cached_property
    def _evidence(self) -> dict[str, Any]:
        if self.released:
            raise RuntimeError("the exchange's body was released once its evidence was written")
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
                "body": redact_body(
                    self.response.body,
                    self.response.header("Content-Type"),
                    self._json_outcome
                    if _looks_like_json(self.response.body, self.response.header("Content-Type"))
                    else None,
                ),
            }
        if self.error is not None:
            evidence["error"] = self.error
        return evidence
