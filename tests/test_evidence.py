"""Evidence keeps what a reviewer needs and never the document bytes."""

import base64
import hashlib
import json

import pytest

from gpc_assure.request.retrieve import RetrieveRequest
from gpc_assure.transport.exchange import Exchange, ResponseRecord, redact_body
from gpc_assure.transport.sniff import detect_file_type

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40


def binary_body(data: bytes) -> bytes:
    return json.dumps(
        {
            "resourceType": "Binary",
            "id": "d",
            "contentType": "application/pdf",
            "content": base64.b64encode(data).decode(),
        }
    ).encode()


def test_binary_content_is_kept_only_as_digest_size_and_type() -> None:
    evidence = redact_body(binary_body(PDF), "application/fhir+json;charset=utf-8")
    content = evidence["json"]["content"]
    assert content == {
        "redacted": "document content",
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "size": len(PDF),
        "detected_type": "pdf",
    }
    assert base64.b64encode(PDF).decode()[:40] not in json.dumps(evidence)


def test_invalid_base64_content_is_not_kept_either() -> None:
    body = json.dumps({"resourceType": "Binary", "content": "!!not base64!!" * 10}).encode()
    evidence = redact_body(body, "application/fhir+json")
    assert "not base64" not in json.dumps(evidence)
    assert evidence["json"]["content"]["redacted"] == "content (not valid base64)"


@pytest.mark.parametrize("limit", [64 * 1024, 300])
def test_attachment_data_in_a_search_answer_is_kept_only_as_a_digest(limit: int) -> None:
    """A DocumentReference must not carry its document inline; one that does leaks nothing."""
    small = b"%PDF-1.4 small"
    attachment = {"contentType": "application/pdf", "data": base64.b64encode(small).decode()}
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": {"resourceType": "DocumentReference", "content": [
            {"attachment": attachment}
        ]}}],
    }  # fmt: skip
    evidence = redact_body(json.dumps(bundle).encode(), "application/fhir+json", limit=limit)
    assert attachment["data"] not in json.dumps(evidence)
    assert hashlib.sha256(small).hexdigest() in json.dumps(evidence)


def test_raw_document_bytes_become_a_digest() -> None:
    evidence = redact_body(PDF, "application/pdf")
    assert evidence == {
        "format": "bytes",
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "size": len(PDF),
        "detected_type": "pdf",
    }


def test_operation_outcome_is_kept_in_full() -> None:
    outcome = {"resourceType": "OperationOutcome", "issue": [{"severity": "error"}]}
    evidence = redact_body(json.dumps(outcome).encode(), "application/fhir+json")
    assert evidence["json"] == outcome


def test_xml_binary_content_is_redacted() -> None:
    b64 = base64.b64encode(PDF).decode()
    body = f'<Binary xmlns="http://hl7.org/fhir"><content value="{b64}"/></Binary>'.encode()
    evidence = redact_body(body, "application/fhir+xml")
    assert b64[:40] not in evidence["text"]
    assert hashlib.sha256(PDF).hexdigest() in evidence["text"]


def test_exchange_repr_and_evidence_hold_no_body() -> None:
    request = RetrieveRequest("GET", "https://p/Binary/d", (("Authorization", "Bearer x.y."),))
    response = ResponseRecord(200, "HTTP/1.1", (("Content-Type", "application/pdf"),), PDF)
    exchange = Exchange(request, request.headers, "2026-01-01T00:00:00Z", 1.0, response)
    assert "PDF" not in repr(exchange)
    assert exchange.to_evidence()["response"]["body"]["detected_type"] == "pdf"


def test_detects_common_document_types() -> None:
    assert detect_file_type(PDF) == "pdf"
    assert detect_file_type(b"PK\x03\x04....word/document.xml") == "docx"
    assert detect_file_type(b"\x89PNG\r\n\x1a\n....") == "png"
    assert detect_file_type(b"plain words") == "text"
    assert detect_file_type(b"\xff\xfe\x00\x81") == "unknown"


def _exchange(body: bytes, content_type: str = "application/fhir+json") -> Exchange:
    request = RetrieveRequest("GET", "https://p/Binary/d", ())
    response = ResponseRecord(200, "HTTP/1.1", (("Content-Type", content_type),), body)
    return Exchange(request, request.headers, "2026-01-01T00:00:00Z", 1.0, response)


def test_the_evidence_and_the_checks_read_one_parse_of_the_body() -> None:
    exchange = _exchange(binary_body(PDF))
    evidence = exchange.to_evidence()["response"]["body"]
    assert evidence == redact_body(binary_body(PDF), "application/fhir+json")
    parsed = exchange.json_body
    assert exchange.json_body is parsed
    assert parsed["content"] == base64.b64encode(PDF).decode()
    exchange.release()
    with pytest.raises(RuntimeError, match="released"):  # the body went with the release
        _ = exchange.json_body


def _depth(exc: BaseException) -> int:
    depth, frame = 0, exc.__traceback__
    while frame is not None:
        depth, frame = depth + 1, frame.tb_next
    return depth


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"<Binary/>", "Expecting value"),
        (b"\xff\xfe", "utf-8"),
        (b"[" * 5000 + b"]" * 5000, "nested"),
    ],
    ids=["XML", "not UTF-8", "nested too deeply"],
)
def test_a_body_that_is_not_json_says_why_each_time_it_is_read(body: bytes, why: str) -> None:
    exchange = _exchange(body)
    depths = []
    for _ in range(3):
        with pytest.raises(ValueError, match=why) as raised:
            _ = exchange.json_body
        depths.append(_depth(raised.value))
    assert len(set(depths)) == 1  # parsed once; its traceback does not grow with each read
