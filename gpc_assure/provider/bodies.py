"""Response bodies for the served documents, built once and cached (plain and gzip)."""

from __future__ import annotations

import base64
import gzip
import threading
from collections.abc import Sequence
from functools import cache

from .documents import StoredDocument, stored_documents
from .faults import Fault
from .fhir import Format, Resource, render

BINARY_FAULTS = frozenset(
    {
        Fault.BINARY_WRONG_RESOURCE_TYPE,
        Fault.BINARY_INVALID_BASE64,
        Fault.BINARY_MISSING_CONTENT_TYPE,
        Fault.BINARY_INVALID_JSON,
        Fault.BINARY_MISSING_VERSION_ID,
        Fault.BINARY_WRONG_ID,
        Fault.BINARY_WRONG_CONTENT_TYPE,
        Fault.BINARY_CORRUPT_CONTENT,
        Fault.BINARY_SECURITY_CONTEXT,
        Fault.BINARY_EXTRA_ELEMENT,
        Fault.XML_INVALID,
    }
)


def encode(resource: Resource, fmt: Format, faults: frozenset[Fault]) -> bytes:
    """The wire form of *resource*; the xml-invalid fault cuts off the closing tag."""
    body = render(resource, fmt)
    if fmt == "xml" and Fault.XML_INVALID in faults:
        body = body[: body.rindex(b"</")]
    return body


def compress(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=1, mtime=0)


def binary_resource(
    doc: StoredDocument, documents: Sequence[StoredDocument], faults: frozenset[Fault]
) -> Resource:
    """The Binary for *doc* in STU3 element order, bent by any Binary fault in *faults*."""
    data = doc.data
    if Fault.BINARY_CORRUPT_CONTENT in faults:
        changed = bytearray(data)
        changed[len(changed) // 2] ^= 0xFF
        data = bytes(changed)
    content = base64.b64encode(data).decode("ascii")
    if Fault.BINARY_INVALID_BASE64 in faults:
        content = "!@#$" + content[4:]
    doc_id = doc.info.id
    if Fault.BINARY_WRONG_ID in faults:
        doc_id = next(other.info.id for other in documents if other.info.id != doc.info.id)
    resource: Resource = {
        "resourceType": "Document" if Fault.BINARY_WRONG_RESOURCE_TYPE in faults else "Binary",
        "id": doc_id,
    }
    if Fault.BINARY_MISSING_VERSION_ID not in faults:
        resource["meta"] = {"versionId": doc.info.version_id}
    if Fault.BINARY_EXTRA_ELEMENT in faults:
        resource["language"] = "en-GB"
    if Fault.BINARY_MISSING_CONTENT_TYPE not in faults:
        wrong = Fault.BINARY_WRONG_CONTENT_TYPE in faults
        resource["contentType"] = "application/octet-stream" if wrong else doc.info.content_type
    if Fault.BINARY_SECURITY_CONTEXT in faults:
        resource["securityContext"] = {"reference": f"DocumentReference/{doc.info.id}"}
    resource["content"] = content
    return resource


class BinaryBodies:
    """Thread-safe cache of Binary bodies per (document id, format, gzip)."""

    def __init__(self, documents: Sequence[StoredDocument], faults: frozenset[Fault]) -> None:
        self._documents = tuple(documents)
        self._by_id = {doc.info.id: doc for doc in self._documents}
        self._faults = faults & BINARY_FAULTS
        self._cache: dict[tuple[str, Format, bool], bytes] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"BinaryBodies(faults={sorted(self._faults)}, cached={len(self._cache)})"

    def precompute_json(self) -> None:
        for doc_id in self._by_id:
            self.body(doc_id, "json", gzipped=False)

    def body(self, doc_id: str, fmt: Format, *, gzipped: bool) -> bytes:
        key = (doc_id, fmt, gzipped)
        with self._lock:
            cached = self._cache.get(key)
            if cached is None:
                cached = self._build(doc_id, fmt, gzipped=gzipped)
                self._cache[key] = cached
            return cached

    def _build(self, doc_id: str, fmt: Format, *, gzipped: bool) -> bytes:
        if gzipped:
            plain = self._cache.get((doc_id, fmt, False)) or self._build(doc_id, fmt, gzipped=False)
            self._cache[(doc_id, fmt, False)] = plain
            return compress(plain)
        resource = binary_resource(self._by_id[doc_id], self._documents, self._faults)
        body = encode(resource, fmt, self._faults)
        if fmt == "json" and Fault.BINARY_INVALID_JSON in self._faults:
            body = body[: len(body) // 2]
        return body


@cache
def _shared_conformant() -> BinaryBodies:
    bodies = BinaryBodies(stored_documents(), frozenset())
    bodies.precompute_json()
    return bodies


def bodies_for(faults: frozenset[Fault]) -> BinaryBodies:
    """The process-wide conformant cache, or a fresh cache when a Binary fault is active."""
    if faults & BINARY_FAULTS:
        return BinaryBodies(stored_documents(), faults)
    return _shared_conformant()
