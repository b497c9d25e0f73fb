"""The conformant reference provider over real HTTPS: reads, errors, headers, negotiation."""

from __future__ import annotations

import base64
import gzip
import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from provider_testkit import (
    FHIR_JSON,
    FHIR_XML,
    LARGE_PDF,
    LETTER_DOCX,
    NOTE_TXT,
    OO_PROFILE,
    OVERSIZE_PDF,
    SMALL_PDF,
    SPINE_SYSTEM,
    Probe,
    issue,
    running,
    spine_code,
)

from gpc_assure.provider import ServedDocument

pytestmark = pytest.mark.e2e
NS = "{http://hl7.org/fhir}"


@pytest.fixture(scope="module")
def probe() -> Iterator[Probe]:
    with running(spec="1.6") as p:
        yield p


def _document(probe: Probe, doc_id: str) -> ServedDocument:
    return next(doc for doc in probe.provider.documents if doc.id == doc_id)


def _assert_common_headers(response: httpx.Response, content_type: str = FHIR_JSON) -> None:
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Content-Length" in response.headers


def _assert_bad_request(response: httpx.Response, mentions: str) -> None:
    assert response.status_code == 400, response.text
    _assert_common_headers(response)
    problem = issue(response)
    assert problem["severity"] == "error"
    assert problem["code"] == "invalid"
    assert problem["details"]["coding"] == [
        {"system": SPINE_SYSTEM, "code": "BAD_REQUEST", "display": "Bad request"}
    ]
    assert mentions in problem["diagnostics"]


@pytest.mark.parametrize("doc_id", [SMALL_PDF, LETTER_DOCX, LARGE_PDF])
def test_read_returns_the_binary(probe: Probe, doc_id: str) -> None:
    doc = _document(probe, doc_id)
    response = probe.get(doc_id)
    assert response.status_code == 200
    _assert_common_headers(response)
    assert response.headers["ETag"] == f'W/"{doc.version_id}"'
    body = response.json()
    assert list(body) == ["resourceType", "id", "meta", "contentType", "content"]
    assert body["resourceType"] == "Binary"
    assert body["id"] == doc_id
    assert body["meta"] == {"versionId": doc.version_id}
    assert body["contentType"] == doc.content_type
    data = base64.b64decode(body["content"], validate=True)
    assert len(data) == doc.size
    assert hashlib.sha256(data).hexdigest() == doc.sha256


def test_documents_are_as_advertised(probe: Probe) -> None:
    docs = {doc.id: doc for doc in probe.provider.documents}
    assert set(docs) == {SMALL_PDF, LETTER_DOCX, LARGE_PDF, OVERSIZE_PDF, NOTE_TXT}
    assert 4_800_000 < docs[LARGE_PDF].size < 5_000_000
    assert docs[OVERSIZE_PDF].size > 5_000_000
    assert docs[OVERSIZE_PDF].oversize
    assert not any(docs[d].oversize for d in (SMALL_PDF, LETTER_DOCX, LARGE_PDF, NOTE_TXT))
    assert docs[NOTE_TXT].content_type == "text/plain"


def test_unknown_document_is_no_record_found(probe: Probe) -> None:
    response = probe.get("no-such-document")
    assert response.status_code == 404
    _assert_common_headers(response)
    body = response.json()
    assert body["meta"] == {"profile": [OO_PROFILE]}
    problem = issue(response)
    assert problem["severity"] == "error"
    assert problem["code"] == "not-found"
    assert problem["details"]["coding"] == [
        {"system": SPINE_SYSTEM, "code": "NO_RECORD_FOUND", "display": "No record found"}
    ]
    assert "ETag" not in response.headers


def test_ids_are_case_sensitive_and_percent_decoded_once(probe: Probe) -> None:
    assert probe.get(SMALL_PDF.upper()).status_code == 404
    assert probe.get("gpc-doc-small%2Dpdf").status_code == 200
    assert probe.get("gpc-doc-small%252Dpdf").status_code == 404


def test_other_paths_are_not_found(probe: Probe) -> None:
    for path in ("/Binary", "/Binary/", "/DocumentReference/x", f"/Binary/{SMALL_PDF}/extra"):
        response = probe.get(path=path)
        assert response.status_code == 404, path
        assert spine_code(response) == "NO_RECORD_FOUND"


@pytest.mark.parametrize("resource_type", ["binary", "BINARY", "Nonsense"])
def test_other_resource_types_are_not_found(probe: Probe, resource_type: str) -> None:
    response = probe.get(path=f"/{resource_type}/{SMALL_PDF}")
    assert response.status_code == 404
    assert spine_code(response) == "NO_RECORD_FOUND"


@pytest.mark.parametrize(
    "header",
    [
        {"Forwarded": "for=192.0.2.10;proto=https"},
        {"X-Forwarded-For": "192.0.2.10", "X-Forwarded-Proto": "https"},
        {"X-Something": "gpc-assure"},
    ],
)
def test_extra_headers_are_ignored(probe: Probe, header: dict[str, str]) -> None:
    assert probe.get(headers={**probe.headers(), **header}).status_code == 200


def test_spine_secure_proxy_url_form(probe: Probe) -> None:
    provider_url = probe.base_url.removeprefix("https://")
    origin = probe.base_url[: probe.base_url.index(probe.provider.settings.base_path)]
    for scheme in ("https", "http"):
        url = f"{origin}/{scheme}://{provider_url}/Binary/{SMALL_PDF}"
        response = probe.client.get(url, headers=probe.headers())
        assert response.status_code == 200, url
        assert response.json()["id"] == SMALL_PDF


@pytest.mark.parametrize("header", ["Ssp-TraceID", "Ssp-From", "Ssp-To", "Ssp-InteractionID"])
def test_each_spine_header_is_required(probe: Probe, header: str) -> None:
    _assert_bad_request(probe.get(headers=probe.headers(drop=(header,))), header)
    blank = probe.headers()
    blank[header] = ""
    _assert_bad_request(probe.get(headers=blank), header)


def test_spine_header_names_are_case_insensitive(probe: Probe) -> None:
    headers = {name.lower(): value for name, value in probe.headers().items()}
    assert probe.get(headers=headers).status_code == 200
    headers = {name.upper(): value for name, value in probe.headers().items()}
    assert probe.get(headers=headers).status_code == 200


def test_ssp_to_must_be_the_provider_asid(probe: Probe) -> None:
    _assert_bad_request(probe.get(headers=probe.headers(Ssp_To="200000000999")), "Ssp-To")


@pytest.mark.parametrize(
    "interaction",
    [
        "urn:nhs:names:services:gpconnect-documents:fhir:rest:read:binary-1",
        "urn:nhs:names:services:gpconnect:documents:fhir:rest:search:documentreference-1",
        "URN:NHS:NAMES:SERVICES:GPCONNECT:DOCUMENTS:FHIR:REST:READ:BINARY-1",
    ],
)
def test_interaction_id_must_match(probe: Probe, interaction: str) -> None:
    response = probe.get(headers=probe.headers(Ssp_InteractionID=interaction))
    _assert_bad_request(response, "Ssp-InteractionID")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "FOO"])
def test_only_get_reads(probe: Probe, method: str) -> None:
    response = probe.get(method=method, content=b'{"resourceType":"Binary"}')
    _assert_bad_request(response, method)
    assert probe.get().status_code == 200  # the connection is still usable afterwards


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_other_verbs_without_a_body_are_refused(probe: Probe, method: str) -> None:
    _assert_bad_request(probe.get(method=method), method)


def test_head_is_supported(probe: Probe) -> None:
    response = probe.get(method="HEAD")
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["Content-Length"]) > 0


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        (None, "json"),
        ("application/fhir+json", "json"),
        ("application/json+fhir", "json"),
        ("application/json", "json"),
        ("*/*", "json"),
        ("application/*", "json"),
        ("application/fhir+json;charset=utf-8", "json"),
        ("application/fhir+xml", "xml"),
        ("application/xml+fhir", "xml"),
        ("application/xml", "xml"),
        ("text/html;q=0.9, application/fhir+xml;q=0.8, application/fhir+json;q=0.5", "xml"),
        ("application/fhir+xml;q=0.1, application/fhir+json", "json"),
        ("application/fhir+xml;q=0, */*;q=0.2", "json"),
    ],
)
def test_accept_negotiation(probe: Probe, accept: str | None, fmt: str) -> None:
    headers = probe.headers() if accept is None else probe.headers(Accept=accept)
    response = probe.get(headers=headers, no_accept=accept is None)
    assert response.status_code == 200
    if fmt == "json":
        _assert_common_headers(response, FHIR_JSON)
        assert response.json()["resourceType"] == "Binary"
    else:
        _assert_common_headers(response, FHIR_XML)
        assert ET.fromstring(response.content).tag == f"{NS}Binary"


@pytest.mark.parametrize(
    ("fmt_param", "accept", "expected"),
    [
        ("xml", "application/fhir+json", FHIR_XML),
        ("application/fhir+xml", "application/fhir+json", FHIR_XML),
        ("json", "application/fhir+xml", FHIR_JSON),
        ("application/fhir+json", "application/fhir+xml", FHIR_JSON),
    ],
)
def test_format_parameter_overrides_accept(
    probe: Probe, fmt_param: str, accept: str, expected: str
) -> None:
    response = probe.get(headers=probe.headers(Accept=accept), params={"_format": fmt_param})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == expected


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [("application/fhir+xml;charset=utf-8", FHIR_XML), ("application/fhir+json", FHIR_JSON)],
)
def test_content_type_decides_without_accept_or_format(
    probe: Probe, content_type: str, expected: str
) -> None:
    response = probe.get(headers=probe.headers(Content_Type=content_type), no_accept=True)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == expected


@pytest.mark.parametrize(
    ("fmt_param", "expected"),
    [("application/fhir+json", FHIR_JSON), ("application/fhir+xml", FHIR_XML)],
)
def test_format_parameter_alone_decides(probe: Probe, fmt_param: str, expected: str) -> None:
    response = probe.get(params={"_format": fmt_param}, no_accept=True)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == expected


def test_xml_binary_is_stu3(probe: Probe) -> None:
    doc = _document(probe, LETTER_DOCX)
    response = probe.get(LETTER_DOCX, params={"_format": "xml"})
    root = ET.fromstring(response.content)
    assert response.headers["ETag"] == f'W/"{doc.version_id}"'
    assert [child.tag.removeprefix(NS) for child in root] == [
        "id",
        "meta",
        "contentType",
        "content",
    ]
    assert root.find(f"{NS}id") is not None
    values: dict[str, Any] = {child.tag.removeprefix(NS): child.get("value") for child in root}
    assert values["id"] == LETTER_DOCX
    assert root.find(f"{NS}meta/{NS}versionId").get("value") == doc.version_id  # type: ignore[union-attr]
    assert values["contentType"] == doc.content_type
    assert hashlib.sha256(base64.b64decode(values["content"])).hexdigest() == doc.sha256


def test_errors_follow_the_negotiated_format(probe: Probe) -> None:
    response = probe.get("no-such-document", params={"_format": "xml"})
    assert response.status_code == 404
    _assert_common_headers(response, FHIR_XML)
    root = ET.fromstring(response.content)
    assert root.tag == f"{NS}OperationOutcome"
    code = root.find(f"{NS}issue/{NS}details/{NS}coding/{NS}code")
    assert code is not None
    assert code.get("value") == "NO_RECORD_FOUND"


@pytest.mark.parametrize(
    ("params", "accept"),
    [({}, "text/html"), ({}, "application/pdf"), ({"_format": "text/turtle"}, None)],
)
def test_unsupported_format_is_415(
    probe: Probe, params: dict[str, str], accept: str | None
) -> None:
    headers = probe.headers() if accept is None else probe.headers(Accept=accept)
    response = probe.get(headers=headers, params=params)
    assert response.status_code == 415
    _assert_common_headers(response, FHIR_JSON)
    assert issue(response)["code"] == "not-supported"


def test_gzip_when_accepted(probe: Probe) -> None:
    doc = _document(probe, LARGE_PDF)
    raw = probe.client.build_request(
        "GET", f"{probe.base_url}/Binary/{LARGE_PDF}", headers=probe.headers()
    )
    raw.headers["Accept-Encoding"] = "gzip"
    response = probe.client.send(raw, stream=True)
    compressed = b"".join(response.iter_raw())
    assert response.headers["Content-Encoding"] == "gzip"
    assert int(response.headers["Content-Length"]) == len(compressed)
    body = httpx.Response(200, content=gzip.decompress(compressed)).json()
    assert hashlib.sha256(base64.b64decode(body["content"])).hexdigest() == doc.sha256


@pytest.mark.parametrize("encoding", ["identity", "gzip;q=0", "br"])
def test_no_gzip_unless_accepted(probe: Probe, encoding: str) -> None:
    response = probe.get(headers=probe.headers(Accept_Encoding=encoding))
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers


def test_errors_are_gzipped_too(probe: Probe) -> None:
    response = probe.get("nope", headers=probe.headers(Accept_Encoding="gzip"))
    assert response.headers["Content-Encoding"] == "gzip"
    assert spine_code(response) == "NO_RECORD_FOUND"


def test_oversize_document_is_not_served_under_1_6(probe: Probe) -> None:
    response = probe.get(OVERSIZE_PDF)
    assert response.status_code == 404
    assert spine_code(response) == "NO_RECORD_FOUND"


@pytest.mark.parametrize("spec", ["1.0", "draft"])
def test_oversize_document_is_served_before_1_6(spec: str) -> None:
    with running(spec=spec) as probe:
        response = probe.get(OVERSIZE_PDF)
        assert response.status_code == 200
        assert len(base64.b64decode(response.json()["content"])) == 5_500_000


@pytest.mark.parametrize("spec", ["1.0", "draft"])
def test_interaction_id_per_spec(spec: str) -> None:
    with running(spec=spec) as probe:
        assert probe.get().status_code == 200
        other = "urn:nhs:names:services:gpconnect-documents:fhir:rest:read:binary-1"
        if spec == "draft":
            other = "urn:nhs:names:services:gpconnect:documents:fhir:rest:read:binary-1"
        response = probe.get(headers=probe.headers(Ssp_InteractionID=other))
        _assert_bad_request(response, "Ssp-InteractionID")


def test_plain_http_mode() -> None:
    with running(tls=False) as probe:
        assert probe.base_url.startswith("http://127.0.0.1:")
        response = probe.get()
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" not in response.headers


def test_keep_alive_connections_are_kept(probe: Probe) -> None:
    for _ in range(5):
        response = probe.get()
        assert response.status_code == 200
        assert response.http_version == "HTTP/1.1"
        assert response.headers.get("Connection", "").lower() != "close"


def test_delay_is_added() -> None:
    with running(delay_seconds=0.2) as probe:
        response = probe.get()
        assert response.status_code == 200
        assert response.elapsed.total_seconds() >= 0.2
