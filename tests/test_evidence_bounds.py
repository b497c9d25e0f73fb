"""Evidence stays bounded whatever a body holds, and keeps no document bytes however the XML
is spelled."""

import base64
import hashlib
import json

import pytest

from gpc_assure.transport.exchange import MAX_EVIDENCE_BODY_BYTES, redact_body

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40
B64 = base64.b64encode(PDF).decode()

SPELLINGS = {
    "double quotes": f'<Binary xmlns="http://hl7.org/fhir"><content value="{B64}"/></Binary>',
    "single quotes": f"<Binary xmlns='http://hl7.org/fhir'><content value='{B64}'/></Binary>",
    "extra attribute": (
        f'<Binary xmlns="http://hl7.org/fhir"><content id="c1" value="{B64}"/></Binary>'
    ),
    "spaces around =": f'<Binary xmlns="http://hl7.org/fhir"><content value = "{B64}" /></Binary>',
    "namespace prefix": (
        f"<f:Binary xmlns:f=\"http://hl7.org/fhir\"><f:content value='{B64}'/></f:Binary>"
    ),
    "line breaks in value": (
        '<Binary xmlns="http://hl7.org/fhir"><content\n  value="'
        + "\n".join(B64[i : i + 76] for i in range(0, len(B64), 76))
        + '"/></Binary>'
    ),
}


@pytest.mark.parametrize("spelling", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_xml_content_is_redacted_however_spelled(spelling: str) -> None:
    evidence = redact_body(spelling.encode(), "application/fhir+xml")
    shown = json.dumps(evidence)
    assert B64[:40] not in shown
    assert hashlib.sha256(PDF).hexdigest() in shown


def test_unparsable_xml_keeps_no_text() -> None:
    body = f'<Binary xmlns="http://hl7.org/fhir"><content value="{B64}"></Binary>'.encode()
    evidence = redact_body(body, "application/fhir+xml")
    assert evidence["format"] == "bytes"
    assert set(evidence) == {"format", "note", "sha256", "size", "detected_type"}
    assert evidence["sha256"] == hashlib.sha256(body).hexdigest()


def test_xml_with_a_doctype_keeps_no_text() -> None:
    body = b'<!DOCTYPE x [<!ENTITY a "b">]><Binary xmlns="http://hl7.org/fhir"/>'
    assert "text" not in redact_body(body, "application/fhir+xml")


def test_huge_outcome_keeps_an_excerpt_size_and_digest() -> None:
    issue = {"severity": "error", "code": "invalid", "diagnostics": "x"}
    outcome = {"resourceType": "OperationOutcome", "issue": [issue] * 20_000}
    body = json.dumps(outcome).encode()
    evidence = redact_body(body, "application/fhir+json")
    assert evidence["truncated"] is True
    assert evidence["size"] == len(body)
    assert evidence["sha256"] == hashlib.sha256(body).hexdigest()
    assert len(evidence["excerpt"]) == MAX_EVIDENCE_BODY_BYTES
    assert len(json.dumps(evidence)) < 2 * MAX_EVIDENCE_BODY_BYTES + 1024  # quotes escaped


def test_small_json_is_kept_as_structure() -> None:
    outcome = {"resourceType": "OperationOutcome", "issue": [{"severity": "error"}]}
    evidence = redact_body(json.dumps(outcome).encode(), "application/fhir+json")
    assert evidence["json"] == outcome


def test_large_json_binary_excerpt_holds_no_document_bytes() -> None:
    big = PDF * 200
    body = json.dumps(
        {
            "resourceType": "Binary",
            "contentType": "application/pdf",
            "pad": ["y"] * 40_000,
            "content": base64.b64encode(big).decode(),
        }
    ).encode()
    evidence = redact_body(body, "application/fhir+json", limit=1000)
    assert evidence["truncated"] is True
    assert base64.b64encode(big).decode()[:40] not in json.dumps(evidence)


def test_nested_arrays_are_bounded_and_compact() -> None:
    block = "[" * 500 + "]" * 500
    body = ("[" + ",".join([block] * 400) + "]").encode()
    evidence = redact_body(body, "application/json")
    assert len(json.dumps(evidence, separators=(",", ":"))) < MAX_EVIDENCE_BODY_BYTES + 1024


def test_the_bound_is_a_parameter() -> None:
    body = json.dumps({"a": "b" * 500}).encode()
    assert redact_body(body, "application/json", limit=100)["truncated"] is True
    assert "json" in redact_body(body, "application/json", limit=10_000)
