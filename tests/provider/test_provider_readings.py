"""Every reading: the provider with it switched on gives the other conformant answer (and the
conformant provider does not), and a plain read still returns the document whole."""

from __future__ import annotations

import base64
import hashlib
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from provider_testkit import (
    FHIR_JSON,
    LARGE_PDF,
    OO_PROFILE,
    OVERSIZE_PDF,
    PATIENT_1,
    SMALL_PDF,
    SPINE_SYSTEM,
    Probe,
    attachment_of,
    bearer,
    client_context,
    issue,
    resources,
    running,
    valid_claims,
)

from gpc_assure.provider import FAULTS, READINGS, DeclaredReading, ProviderSettings, Reading
from gpc_assure.provider.cli import main
from gpc_assure.provider.readings import reading_named, registry
from gpc_assure.spec.catalogue import catalogue

pytestmark = pytest.mark.e2e
Check = Callable[[Probe], bool]
VALUESET_SYSTEM = "https://fhir.nhs.uk/STU3/ValueSet/Spine-ErrorOrWarningCode-1"


def _with_claims(p: Probe, **claims: Any) -> httpx.Response:
    authorization = bearer(valid_claims(int(time.time()), **claims))
    return p.get(headers=p.headers(Authorization=authorization))


def _expired(p: Probe) -> httpx.Response:
    return p.get(headers=p.headers(Authorization=bearer(valid_claims(int(time.time()) - 600))))


def _no_ssp_to(p: Probe) -> httpx.Response:
    return p.get(headers=p.headers(drop=("Ssp-To",)))


def _outcome(
    response: httpx.Response, status: int, issue_code: str, spine: str, display: str | None = None
) -> bool:
    """*response* is *status* with one issue of *issue_code* carrying Spine code *spine*."""
    if response.status_code != status:
        return False
    first = issue(response)
    coding = first["details"]["coding"][0]
    matches = first["code"] == issue_code and coding["code"] == spine
    return matches and (display is None or coding["display"] == display)


def _token_errors_401(p: Probe) -> bool:
    missing = p.get(headers=p.headers(drop=("Authorization",)))
    expired = _expired(p)
    scope = _with_claims(p, requested_scope="organization/*.read")
    return (
        _outcome(missing, 401, "invalid", "BAD_REQUEST")
        and missing.headers.get("WWW-Authenticate") == "Bearer"
        and _outcome(expired, 401, "invalid", "BAD_REQUEST")
        and expired.headers.get("WWW-Authenticate") == 'Bearer error="invalid_token"'
        and _outcome(scope, 403, "forbidden", "ACCESS DENIED")
        and 'error="insufficient_scope"' in scope.headers.get("WWW-Authenticate", "")
    )


def _displays_1_0_1(p: Probe) -> bool:
    display = "Submitted request is malformed/invalid."
    return _outcome(_no_ssp_to(p), 400, "invalid", "BAD_REQUEST", display) and _outcome(
        p.unknown(), 404, "not-found", "NO_RECORD_FOUND", "No record found"
    )


def _displays_lowercase(p: Probe) -> bool:
    return _outcome(_no_ssp_to(p), 400, "invalid", "BAD_REQUEST", "bad request") and _outcome(
        p.unknown(), 404, "not-found", "NO_RECORD_FOUND", "no record found"
    )


def _spine_415(p: Probe) -> bool:
    response = p.get(headers=p.headers(Accept="application/fhir+turtle"))
    display = "Unsupported media type"
    return _outcome(response, 415, "not-supported", "UNSUPPORTED_MEDIA_TYPE", display)


def _claim_type_422(p: Probe) -> bool:
    not_object = _with_claims(p, requesting_device="a device as text")
    wrong_type = _with_claims(p, requesting_practitioner={"resourceType": "Patient", "id": "1"})
    non_ods = _with_claims(
        p,
        requesting_organization={
            "resourceType": "Organization",
            "identifier": [{"system": "https://example.org/not-ods", "value": "A1001"}],
        },
    )
    display = "Invalid validation of resource"
    return all(
        _outcome(response, 422, "invalid", "INVALID_RESOURCE", display)
        for response in (not_object, wrong_type, non_ods)
    ) and _outcome(_expired(p), 400, "invalid", "BAD_REQUEST")


def _sub_conflicting_values(p: Probe) -> bool:
    return _outcome(_with_claims(p, sub="someone-else"), 400, "invalid", "CONFLICTING_VALUES")


def _methods_405(p: Probe) -> bool:
    response = p.get(method="POST", content=b"{}")
    return (
        _outcome(response, 405, "not-supported", "INVALID_REQUEST_TYPE")
        and response.headers.get("Allow") == "GET, HEAD"
    )


def _methods_501(p: Probe) -> bool:
    display = "Not implemented"
    return _outcome(p.get(method="DELETE"), 501, "not-supported", "NOT_IMPLEMENTED", display)


def _scope_403(p: Probe) -> bool:
    response = _with_claims(p, requested_scope="organization/*.read")
    challenge = response.headers.get("WWW-Authenticate", "")
    return (
        _outcome(response, 403, "forbidden", "ACCESS DENIED")
        and challenge.startswith('Bearer error="insufficient_scope"')
        and _outcome(_with_claims(p, requested_scope="everything"), 400, "invalid", "BAD_REQUEST")
    )


def _organisation_scope_served(p: Probe) -> bool:
    served = _with_claims(p, requested_scope="organization/*.read")
    undefined = _with_claims(p, requested_scope="everything")
    return served.status_code == 200 and undefined.status_code == 400


def _refuses_with_http_400(p: Probe) -> bool:
    """Without a client certificate: an HTTP 400 page and no document, as nginx answers."""
    context = ssl.create_default_context(cafile=str(p.provider.pki.ca_cert))
    try:
        with httpx.Client(verify=context, timeout=5.0) as client:
            response = client.get(f"{p.base_url}/Binary/{LARGE_PDF}", headers=p.headers())
    except httpx.TransportError:
        return False
    html = "text/html" in response.headers.get("content-type", "")
    return response.status_code == 400 and html and "resourceType" not in response.text


def _sha256_of_binary(response: httpx.Response) -> str:
    return hashlib.sha256(base64.b64decode(response.json()["content"])).hexdigest()


def _chunked_bodies(p: Probe) -> bool:
    large = p.get(LARGE_PDF)
    expected = next(d.sha256 for d in p.provider.documents if d.id == LARGE_PDF)
    not_found = p.unknown()
    return (
        all(
            r.headers.get("Transfer-Encoding") == "chunked" and "Content-Length" not in r.headers
            for r in (large, not_found)
        )
        and _sha256_of_binary(large) == expected
    )


def _raw_exchange(p: Probe, request_line: str) -> bytes:
    """Send one request over TLS and read until the server closes (2 s at most)."""
    host = p.base_url.split("//", 1)[1].split("/", 1)[0]
    path = p.base_url.split(host, 1)[1]
    headers = "".join(f"{k}: {v}\r\n" for k, v in p.headers().items())
    raw = f"{request_line.format(path=path)}\r\nHost: {host}\r\n{headers}\r\n".encode()
    context = client_context(p.provider.pki)
    received = b""
    with (
        socket.create_connection(("127.0.0.1", p.provider.port), timeout=2) as plain,
        context.wrap_socket(plain, server_hostname="127.0.0.1") as sock,
    ):
        sock.sendall(raw)
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except (TimeoutError, ssl.SSLError, OSError):
            return received + b"\n[not closed by the server]"
    return received


def _connection_close(p: Probe) -> bool:
    reply = _raw_exchange(p, f"GET {{path}}/Binary/{SMALL_PDF} HTTP/1.1")
    head = reply.split(b"\r\n\r\n", 1)[0].lower()
    closed = not reply.endswith(b"[not closed by the server]")
    return b"\r\nconnection: close" in head and closed and p.get().headers["Connection"] == "close"


def _charset_upper(p: Probe) -> bool:
    wanted = "application/fhir+json; charset=UTF-8"
    return p.get().headers["Content-Type"] == wanted == p.unknown().headers["Content-Type"]


def _legacy_media_types(p: Probe) -> bool:
    xml = p.get(params={"_format": "xml"})
    return (
        p.get().headers["Content-Type"] == "application/json+fhir;charset=utf-8"
        and xml.headers["Content-Type"] == "application/xml+fhir;charset=utf-8"
    )


def _multiple_issues(p: Probe) -> bool:
    issues = p.unknown().json()["issue"]
    note, error = issues if len(issues) == 2 else (None, None)
    return (
        note is not None
        and error is not None
        and note["severity"] == "information"
        and note["code"] == "informational"
        and error["severity"] == "error"
        and error["code"] == "not-found"
        and [len(i["details"]["coding"]) for i in issues] == [1, 1]
        and error["details"]["coding"][0]["code"] == "NO_RECORD_FOUND"
    )


def _issue_type_subtype(p: Probe) -> bool:
    wrong_to = p.get(headers=p.headers(Ssp_To="999999999999"))
    return (
        _outcome(_no_ssp_to(p), 400, "required", "BAD_REQUEST")
        and _outcome(wrong_to, 400, "value", "BAD_REQUEST")
        and _outcome(p.unknown(), 404, "not-found", "NO_RECORD_FOUND")
    )


def _no_xml(p: Probe) -> bool:
    xml = p.get(headers=p.headers(Accept="application/fhir+xml"))
    return xml.status_code == 415 and p.get().status_code == 200


def _cache_control_extra(p: Probe) -> bool:
    wanted = "no-cache, no-store, must-revalidate"
    return p.get().headers["Cache-Control"] == wanted == p.unknown().headers["Cache-Control"]


def _valueset_system(p: Probe) -> bool:
    return bool(issue(p.unknown())["details"]["coding"][0]["system"] == VALUESET_SYSTEM)


def _outcome_without_meta(p: Probe) -> bool:
    return "meta" not in p.unknown().json() and "meta" in p.get().json()


def _header_names_lowercase(p: Probe) -> bool:
    reply = _raw_exchange(p, f"GET {{path}}/Binary/{SMALL_PDF} HTTP/1.1\r\nConnection: close")
    lines = reply.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]
    names = {line.split(b":", 1)[0] for line in lines}
    ours = {b"cache-control", b"content-type", b"etag", b"content-length"}
    return ours <= names and not any(name.lower() == b"etag" and name != b"etag" for name in names)


def _placeholder_with_url(p: Probe) -> bool:
    placeholder = attachment_of(p, OVERSIZE_PDF)
    return (
        list(placeholder) == ["contentType", "url", "size", "title"]
        and placeholder["url"] == f"{p.base_url}/Binary/{OVERSIZE_PDF}"
        and _outcome(p.get(OVERSIZE_PDF), 404, "not-found", "NO_RECORD_FOUND")
    )


def _find_a_patient_without_full_urls(p: Probe) -> bool:
    found = p.find_nhs_number(PATIENT_1[0]).json()["entry"]
    listed = p.search_documents(PATIENT_1[1]).json()["entry"]
    return all("fullUrl" not in e for e in found) and all("fullUrl" in e for e in listed)


def _several_patients(p: Probe) -> bool:
    nhs_number, patient_id = PATIENT_1
    found = resources(p.find_nhs_number(nhs_number).json(), "Patient")
    duplicate = f"{patient_id}-duplicate"
    numbers = {resource["identifier"][0]["value"] for resource in found}
    duplicate_search = p.search_documents(duplicate)
    return (
        [resource["id"] for resource in found] == [duplicate, patient_id]
        and numbers == {nhs_number}
        and duplicate_search.status_code == 200
        and "entry" not in duplicate_search.json()
    )


CHECKS: dict[str, Check] = {
    "token-errors-401": _token_errors_401,
    "tls-refuse-with-http-400": _refuses_with_http_400,
    "displays-1.0.1": _displays_1_0_1,
    "displays-lowercase": _displays_lowercase,
    "spine-415-unsupported-media-type": _spine_415,
    "claim-type-422": _claim_type_422,
    "sub-mismatch-conflicting-values": _sub_conflicting_values,
    "methods-405": _methods_405,
    "methods-501": _methods_501,
    "scope-403": _scope_403,
    "organisation-scope-served": _organisation_scope_served,
    "chunked-bodies": _chunked_bodies,
    "connection-close": _connection_close,
    "charset-UTF-8": _charset_upper,
    "json-fhir-legacy-media-type": _legacy_media_types,
    "multiple-issues": _multiple_issues,
    "issue-type-subtype": _issue_type_subtype,
    "no-xml": _no_xml,
    "cache-control-no-cache": _cache_control_extra,
    "spine-system-valueset-uri": _valueset_system,
    "outcome-without-meta": _outcome_without_meta,
    "header-names-lowercase": _header_names_lowercase,
    "oversize-placeholder-with-url": _placeholder_with_url,
    "search-bundle-without-fullurl": _find_a_patient_without_full_urls,
    "several-patients-for-nhs-number": _several_patients,
}


@pytest.fixture(scope="module")
def conformant() -> Iterator[Probe]:
    with running() as p:
        yield p


def test_every_reading_has_a_check() -> None:
    assert set(CHECKS) == set(READINGS)


def test_reading_registry_is_well_formed() -> None:
    requirements = catalogue()
    fault_names = {str(fault) for fault in FAULTS}
    for name, reading in READINGS.items():
        assert reading.reading == name
        assert reading.description
        assert reading.spec_reference
        assert str(name) not in fault_names
        assert all(req in requirements for req in reading.warns)
    assert {name for name, r in READINGS.items() if r.warning_level} == {
        "issue-type-subtype",
        "no-xml",
    }


def test_registry_takes_plain_triples_and_refuses_duplicates() -> None:
    a, b = Reading.NO_XML, Reading.SCOPE_403
    extra = registry((DeclaredReading(a, "d", "s"),), ((b, "another", "page, section"),))
    assert extra[b] == DeclaredReading(b, "another", "page, section")
    with pytest.raises(ValueError, match="'no-xml' is registered twice"):
        registry((DeclaredReading(a, "d", "s"),), ((a, "d", "s"),))


def test_unknown_reading_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown reading: 'no-such-reading'"):
        reading_named("no-such-reading")
    with pytest.raises(ValueError, match="no-such-reading"):
        ProviderSettings(readings=frozenset({"no-such-reading"}))  # type: ignore[arg-type]
    assert ProviderSettings(readings="no-xml").readings == {Reading.NO_XML}  # type: ignore[arg-type]


def test_cli_lists_readings_and_refuses_unknown_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list-readings"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines] == list(READINGS)
    assert lines[list(READINGS).index(Reading.NO_XML)].split("\t")[1] == "warns:GPC-DOC-HTTP-007"
    assert main(["--reading", "no-such-reading"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no-such-reading" in captured.err


@pytest.mark.parametrize("reading", sorted(CHECKS))
def test_conformant_provider_does_not_give_the_reading(conformant: Probe, reading: str) -> None:
    assert not CHECKS[reading](conformant)


@pytest.mark.parametrize("reading", sorted(CHECKS))
def test_reading_gives_its_answer_and_keeps_reads_whole(reading: str) -> None:
    with running(readings=frozenset({reading})) as p:
        assert CHECKS[reading](p)
        response = p.get()
        assert response.status_code == 200
        expected = next(d.sha256 for d in p.provider.documents if d.id == SMALL_PDF)
        assert _sha256_of_binary(response) == expected
        assert response.headers["ETag"].startswith('W/"')


def test_conformant_error_outcome_is_unchanged(conformant: Probe) -> None:
    response = conformant.unknown()
    body = response.json()
    assert response.headers["Content-Type"] == FHIR_JSON
    assert body["meta"]["profile"] == [OO_PROFILE]
    assert issue(response)["details"]["coding"][0]["system"] == SPINE_SYSTEM
