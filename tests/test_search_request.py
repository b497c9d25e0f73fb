"""The two search requests: URL, query (as written and as sent), Spine headers and token."""

import socket
import threading
import uuid

import jwt
import pytest

from gpc_assure.config.provider_config import ProviderConfig, load_config
from gpc_assure.request.retrieve import valid_request
from gpc_assure.request.search import document_search_request, patient_search_request
from gpc_assure.spec.versions import (
    DRAFT_DOCUMENT_SEARCH,
    DRAFT_PATIENT_SEARCH,
    RELEASED_DOCUMENT_SEARCH,
    RELEASED_PATIENT_SEARCH,
)
from gpc_assure.transport.client import Transport

BASE = "https://provider.example/B82617/STU3/1/gpconnect/documents"
PROXY = "https://proxy.example"
NOW = 1_800_000_000
NHS = "9690937278"
PATIENT_QUERY = f"identifier=https://fhir.nhs.uk/Id/nhs-number%7C{NHS}"
DOCUMENT_QUERY = (
    "_include=DocumentReference:subject:Patient"
    "&_include=DocumentReference:custodian:Organization"
    "&_include=DocumentReference:author:Organization"
    "&_include=DocumentReference:author:Practitioner"
    "&_revinclude:recurse=PractitionerRole:practitioner"
)


def make_config(**overrides: object) -> ProviderConfig:
    return load_config(None, {}, {"base_url": BASE, **overrides})


def claims(authorization: str | None) -> dict[str, object]:
    assert authorization is not None
    decoded: dict[str, object] = jwt.decode(
        authorization.removeprefix("Bearer "), options={"verify_signature": False}
    )
    return decoded


def test_find_a_patient_by_nhs_number() -> None:
    request = patient_search_request(make_config(), NHS)
    assert request.method == "GET"
    assert request.url == f"{BASE}/Patient"
    assert request.query == (("identifier", f"https://fhir.nhs.uk/Id/nhs-number|{NHS}"),)
    assert request.wire_url == f"{BASE}/Patient?{PATIENT_QUERY}"
    assert not request.via_proxy


def test_search_for_the_patients_documents_with_the_five_parameters_in_order() -> None:
    request = document_search_request(make_config(), "gpc-patient-1")
    assert request.url == f"{BASE}/Patient/gpc-patient-1/DocumentReference"
    assert request.wire_url == f"{request.url}?{DOCUMENT_QUERY}"
    assert [name for name, _ in request.query] == ["_include"] * 4 + ["_revinclude:recurse"]


def test_the_patient_id_is_one_percent_encoded_segment() -> None:
    request = document_search_request(make_config(), "a b/c%")
    assert request.url == f"{BASE}/Patient/a%20b%2Fc%25/DocumentReference"


def test_both_searches_go_through_the_proxy_when_one_is_configured() -> None:
    config = make_config(proxy_url=PROXY)
    assert patient_search_request(config, NHS).url == f"{PROXY}/{BASE}/Patient"
    document_search = document_search_request(config, "p1")
    assert document_search.url == f"{PROXY}/{BASE}/Patient/p1/DocumentReference"
    assert document_search.via_proxy


@pytest.mark.parametrize(
    ("spec", "find", "search"),
    [
        ("1.6", RELEASED_PATIENT_SEARCH, RELEASED_DOCUMENT_SEARCH),
        ("1.0", RELEASED_PATIENT_SEARCH, RELEASED_DOCUMENT_SEARCH),
        ("draft", DRAFT_PATIENT_SEARCH, DRAFT_DOCUMENT_SEARCH),
    ],
)
def test_interaction_ids_follow_the_spec_version(spec: str, find: str, search: str) -> None:
    config = make_config(spec=spec)
    assert patient_search_request(config, NHS).header("Ssp-InteractionID") == find
    assert document_search_request(config, "p1").header("Ssp-InteractionID") == search
    assert find.endswith(":search:patient-1")
    assert search.endswith(":search:documentreference-1")


def test_spine_headers_and_token_are_those_of_a_retrieval() -> None:
    config = make_config()
    binary = valid_request(config, "doc-1", now=NOW)
    for request in (
        patient_search_request(config, NHS, now=NOW),
        document_search_request(config, "p1", now=NOW),
    ):
        names = [name for name, _ in request.headers]
        assert names == [name for name, _ in binary.headers]
        for name in ("Accept", "Ssp-From", "Ssp-To"):
            assert request.header(name) == binary.header(name)
        assert uuid.UUID(request.header("Ssp-TraceID") or "")
        assert request.header("Ssp-TraceID") != binary.header("Ssp-TraceID")
        assert claims(request.header("Authorization")) == claims(binary.header("Authorization"))
        assert claims(request.header("Authorization"))["requested_scope"] == "patient/*.read"


def test_the_transport_sends_the_query_as_written() -> None:
    """On the wire: the pipe as %7C, the system's `:` and `/` and `_revinclude:recurse` as is."""
    heads: list[bytes] = []
    listener = socket.create_server(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{listener.getsockname()[1]}/fhir"

    def serve() -> None:
        for _ in range(2):
            conn, _ = listener.accept()
            with conn:
                head = b""
                while b"\r\n\r\n" not in head:
                    head += conn.recv(4096)
                heads.append(head)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    config = make_config(base_url=base)
    with Transport(config) as transport, listener:
        for request in (patient_search_request(config, NHS), document_search_request(config, "p1")):
            exchange = transport.send(request)
            assert exchange.response is not None
            assert exchange.response.status == 200
        server.join(timeout=10)
    lines = [head.split(b"\r\n", 1)[0].decode() for head in heads]
    assert lines == [
        f"GET /fhir/Patient?{PATIENT_QUERY} HTTP/1.1",
        f"GET /fhir/Patient/p1/DocumentReference?{DOCUMENT_QUERY} HTTP/1.1",
    ]
