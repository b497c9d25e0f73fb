"""Canned answers for the discovery tests: recorded exchanges built as the transport builds them,
Bundles of the shape the searches return, and a provider that answers by request URL.

`examples/` holds the specification's own example Bundles (GP Connect 1.6.2: the Find a Patient
response, and the DocumentReference search response without its page markup)."""

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gpc_assure.config.provider_config import ProviderConfig, load_config
from gpc_assure.request.retrieve import RetrieveRequest
from gpc_assure.request.search import document_search_request, patient_search_request
from gpc_assure.transport.exchange import Exchange, ResponseRecord

BASE = "https://provider.example/B82617/STU3/1/gpconnect/documents"
EXAMPLES = Path(__file__).parent / "examples"
FHIR_JSON = "application/fhir+json"
NHS_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"


def make_config(**overrides: object) -> ProviderConfig:
    return load_config(None, {}, {"base_url": BASE, **overrides})


def example(name: str) -> bytes:
    return (EXAMPLES / f"{name}.json").read_bytes()


def body_of(value: object) -> bytes:
    return value if isinstance(value, bytes) else json.dumps(value).encode()


def exchange(
    request: RetrieveRequest,
    status: int | None = 200,
    body: object = b"",
    content_type: str = FHIR_JSON,
    error: str = "connection refused",
) -> Exchange:
    """The exchange a transport records: `status` None is no answer at all (`error`)."""
    response = None
    if status is not None:
        headers = (("Content-Type", content_type),)
        response = ResponseRecord(status, "HTTP/1.1", headers, body_of(body))
    return Exchange(
        request=request,
        sent_headers=request.headers,
        started_at="2026-01-01T00:00:00.000+00:00",
        elapsed_ms=1.0,
        response=response,
        error=None if response is not None else error,
    )


def answer(status: int | None = 200, body: object = b"") -> Exchange:
    """A canned answer to a Find a Patient request."""
    return exchange(patient_search_request(make_config(), "9690937278"), status, body)


def searchset(*resources: Mapping[str, Any], **extra: object) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": dict(resource)} for resource in resources],
        **extra,
    }


def patient(patient_id: object, *nhs_numbers: str) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": patient_id,
        "identifier": [{"system": NHS_SYSTEM, "value": number} for number in nhs_numbers],
    }


def attachment(
    binary_id: str | None = None,
    content_type: str = "application/pdf",
    size: object = 1000,
    **extra: object,
) -> dict[str, Any]:
    """An attachment naming `[BASE]/Binary/[binary_id]` (no url when binary_id is None)."""
    found: dict[str, Any] = {"contentType": content_type, "size": size, **extra}
    if binary_id is not None and "url" not in extra:
        found["url"] = f"{BASE}/Binary/{binary_id}"
    return found


def document_reference(
    document_id: str, patient_id: str, *attachments: Mapping[str, Any]
) -> dict[str, Any]:
    return {
        "resourceType": "DocumentReference",
        "id": document_id,
        "subject": {"reference": f"Patient/{patient_id}"},
        "content": [{"attachment": dict(a)} for a in attachments],
    }


class FakeProvider:
    """Answers each search by its URL as sent; anything it was not told about is a 404."""

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config
        self.answers: dict[str, tuple[int | None, object]] = {}
        self.sent: list[RetrieveRequest] = []

    def finds(self, nhs_number: str, body: object, status: int | None = 200) -> "FakeProvider":
        self.answers[patient_search_request(self.config, nhs_number).wire_url] = (status, body)
        return self

    def holds(self, patient_id: str, body: object, status: int | None = 200) -> "FakeProvider":
        self.answers[document_search_request(self.config, patient_id).wire_url] = (status, body)
        return self

    def send(self, request: RetrieveRequest) -> Exchange:
        self.sent.append(request)
        status, body = self.answers.get(request.wire_url, (404, b""))
        return exchange(request, status, body)
