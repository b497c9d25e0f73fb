"""Every fault switch: the conformant provider passes its probe, the faulty one fails it,
and faults that have nothing to do with a plain read or a plain 404 leave those intact."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import ssl
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from provider_testkit import (
    FHIR_JSON,
    FHIR_XML,
    LARGE_PDF,
    OVERSIZE_PDF,
    PATIENT_1,
    SDS_ROLE,
    SDS_USER,
    SMALL_PDF,
    SPINE_SYSTEM,
    Probe,
    attachment_of,
    bearer,
    client_context,
    issue,
    practitioner,
    raw_bearer,
    running,
    spine_code,
    stops_within,
    valid_claims,
)

from gpc_assure.provider import FAULTS, Fault
from gpc_assure.provider.faults import JWT_CLAIMS
from gpc_assure.provider.tls import unlisted_cipher
from gpc_assure.transport.tls_probe import (
    APPROVED_TLS12_CIPHERS,
    ProbeResult,
    can_offer,
    probe,
    self_signed_client,
)

pytestmark = pytest.mark.e2e
Check = Callable[[Probe], bool]


def _binary(p: Probe) -> dict[str, Any]:
    body: dict[str, Any] = p.get().json()
    return body


def _is_json(response: httpx.Response) -> bool:
    try:
        response.json()
    except ValueError:
        return False
    return True


def _is_xml(response: httpx.Response) -> bool:
    try:
        ET.fromstring(response.content)
    except ET.ParseError:
        return False
    return True


def _is_base64(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except ValueError:
        return False
    return True


def _content_ok(p: Probe) -> bool:
    doc = next(d for d in p.provider.documents if d.id == SMALL_PDF)
    data = base64.b64decode(_binary(p)["content"])
    return hashlib.sha256(data).hexdigest() == doc.sha256


def _size(p: Probe, doc_id: str = SMALL_PDF) -> int:
    return next(d.size for d in p.provider.documents if d.id == doc_id)


def _url_names_the_binary(p: Probe) -> bool:
    return attachment_of(p, SMALL_PDF).get("url") == f"{p.base_url}/Binary/{SMALL_PDF}"


def _coding(p: Probe) -> dict[str, Any]:
    coding: dict[str, Any] = issue(p.unknown())["details"]["coding"][0]
    return coding


def _refused_with(header: str, value: str) -> Check:
    def check(p: Probe) -> bool:
        headers = p.headers()
        headers[header] = value
        return p.get(headers=headers).status_code == 400

    return check


def _refused_without(header: str) -> Check:
    return lambda p: p.get(headers=p.headers(drop=(header,))).status_code == 400


def _token_refused(make: Callable[[int], str]) -> Check:
    def check(p: Probe) -> bool:
        authorization = make(int(time.time()))
        return p.get(headers=p.headers(Authorization=authorization)).status_code == 400

    return check


def _token_accepted(make: Callable[[int], str]) -> Check:
    def check(p: Probe) -> bool:
        authorization = make(int(time.time()))
        return p.get(headers=p.headers(Authorization=authorization)).status_code == 200

    return check


def _challenged_if_401(p: Probe) -> bool:
    """A token error answered 401 carries a WWW-Authenticate challenge (RFC 6750 section 3)."""
    bad = bearer(valid_claims(int(time.time()), reason_for_request="research"))
    response = p.get(headers=p.headers(Authorization=bad))
    return response.status_code != 401 or "www-authenticate" in response.headers


def _diagnosed_if_422(p: Probe) -> bool:
    """A claim of the wrong type answered 422 carries diagnostics (error-handling guidance)."""
    wrong = bearer(valid_claims(int(time.time()), requesting_device={"resourceType": "Patient"}))
    response = p.get(headers=p.headers(Authorization=wrong))
    return response.status_code != 422 or bool(response.json()["issue"][0].get("diagnostics"))


def _responds(p: Probe, doc_id: str = SMALL_PDF, timeout: float = 5.0) -> bool:
    client = httpx.Client(verify=client_context(p.provider.pki), timeout=timeout)
    try:
        with client:
            client.get(f"{p.base_url}/Binary/{doc_id}", headers=p.headers())
    except httpx.TransportError:
        return False
    return True


def _refuses_client(context: ssl.SSLContext) -> Check:
    def check(p: Probe) -> bool:
        try:
            with httpx.Client(verify=context, timeout=5) as client:
                client.get(f"{p.base_url}/Binary/{SMALL_PDF}", headers=p.headers())
        except httpx.TransportError:
            return True
        return False

    return check


def _no_client_cert(p: Probe) -> bool:
    return _refuses_client(client_context(p.provider.pki, cert=False))(p)


def _tls_1_1(p: Probe) -> bool:
    context = client_context(
        p.provider.pki, tls_max=ssl.TLSVersion.TLSv1_1, ciphers="DEFAULT:@SECLEVEL=0"
    )
    return _refuses_client(context)(p)


def _weak_cipher(p: Probe) -> bool:
    context = client_context(
        p.provider.pki, tls_max=ssl.TLSVersion.TLSv1_2, ciphers="ECDHE-ECDSA-AES128-SHA"
    )
    return _refuses_client(context)(p)


def _probe(p: Probe, **options: Any) -> ProbeResult:
    pki = p.provider.pki
    return probe(
        "127.0.0.1",
        p.provider.port,
        server_name="127.0.0.1",
        ca=pki.ca_cert,
        client_cert=options.pop("client_cert", pki.client_cert),
        client_key=options.pop("client_key", pki.client_key),
        http_path=f"{p.base_url.split(str(p.provider.port), 1)[1]}/Binary/{SMALL_PDF}",
        headers=tuple(p.headers().items()),
        **options,
    )


def _client_cert_refused(kind: str) -> Check:
    """The provider refuses its PKI's `kind` client certificate (expired, other_host)."""

    def check(p: Probe) -> bool:
        pki = p.provider.pki
        cert, key = getattr(pki, f"{kind}_client_cert"), getattr(pki, f"{kind}_client_key")
        return not _probe(p, client_cert=cert, client_key=key, verify="none").accepted

    return check


def _untrusted_client_cert(p: Probe) -> bool:
    with tempfile.TemporaryDirectory() as directory:
        cert, key = self_signed_client(Path(directory))
        return not _probe(p, client_cert=cert, client_key=key).accepted


def _old_protocol_refused(p: Probe, version: ssl.TLSVersion) -> bool:
    result = _probe(p, min_version=version, max_version=version)
    if result.unsupported_locally:
        pytest.skip(result.detail)
    return not result.handshake


def _plain_http_refused(p: Probe) -> bool:
    port = p.provider.port
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        path = p.base_url.split(str(port), 1)[1]
        sock.sendall(f"GET {path}/Binary/{SMALL_PDF} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        try:
            return not sock.recv(16).startswith(b"HTTP/")
        except OSError:
            return True


def _missing_claim(claim: str) -> Check:
    return _token_refused(lambda now: raw_bearer(valid_claims(now, **{claim: ...})))


CHECKS: dict[str, Check] = {
    # A. Successful read
    "success-status-202": lambda p: p.get().status_code == 200,
    "binary-wrong-resource-type": lambda p: _binary(p)["resourceType"] == "Binary",
    "binary-invalid-base64": lambda p: _is_base64(_binary(p)["content"]),
    "binary-missing-content-type": lambda p: "contentType" in _binary(p),
    "binary-invalid-json": lambda p: _is_json(p.get()),
    "binary-missing-version-id": lambda p: _binary(p).get("meta", {}).get("versionId") == "1",
    "binary-wrong-id": lambda p: _binary(p)["id"] == SMALL_PDF,
    "binary-wrong-content-type": lambda p: _binary(p)["contentType"] == "application/pdf",
    "binary-corrupt-content": _content_ok,
    "binary-security-context": lambda p: "securityContext" not in _binary(p),
    "binary-extra-element": lambda p: (
        set(_binary(p)) == {"resourceType", "id", "meta", "contentType", "content"}
    ),
    # B. Unknown document
    "unknown-id-status-400": lambda p: p.unknown().status_code == 404,
    "unknown-id-plain-text": lambda p: (
        p.unknown().headers["Content-Type"] == FHIR_JSON and _is_json(p.unknown())
    ),
    "unknown-id-wrong-severity": lambda p: issue(p.unknown())["severity"] == "error",
    "unknown-id-wrong-issue-code": lambda p: issue(p.unknown())["code"] == "not-found",
    "unknown-id-wrong-spine-code": lambda p: spine_code(p.unknown()) == "NO_RECORD_FOUND",
    "unknown-id-wrong-spine-system": lambda p: _coding(p)["system"] == SPINE_SYSTEM,
    "unknown-id-wrong-spine-display": lambda p: _coding(p)["display"] == "No record found",
    "no-diagnostics": lambda p: bool(issue(p.unknown()).get("diagnostics")),
    "case-insensitive-ids": lambda p: p.get(SMALL_PDF.upper()).status_code == 404,
    "case-insensitive-resource-type": lambda p: (
        p.get(path=f"/binary/{SMALL_PDF}").status_code == 404
    ),
    "unknown-path-plain-text": lambda p: _is_json(p.get(path=f"/Nonsense/{SMALL_PDF}")),
    # C. Spine headers
    "accept-missing-ssp-traceid": _refused_without("Ssp-TraceID"),
    "accept-missing-ssp-from": _refused_without("Ssp-From"),
    "accept-missing-ssp-to": _refused_without("Ssp-To"),
    "accept-missing-ssp-interactionid": _refused_without("Ssp-InteractionID"),
    "accept-wrong-ssp-to": _refused_with("Ssp-To", "200000000999"),
    "accept-wrong-interaction-id": _refused_with(
        "Ssp-InteractionID", "urn:nhs:names:services:gpconnect:fhir:rest:read:patient-1"
    ),
    "case-sensitive-ssp-headers": lambda p: (
        p.get(headers={k.lower(): v for k, v in p.headers().items()}).status_code == 200
    ),
    "refuse-unknown-headers": lambda p: (
        p.get(headers=p.headers(X_Forwarded_For="192.0.2.10")).status_code == 200
    ),
    "header-error-wrong-spine-code": lambda p: (
        spine_code(p.get(headers=p.headers(drop=("Ssp-From",)))) == "BAD_REQUEST"
    ),
    # D. JWT
    "accept-missing-authorization": _refused_without("Authorization"),
    "accept-non-bearer-scheme": _token_refused(
        lambda now: "Basic " + bearer(valid_claims(now)).split()[1]
    ),
    "accept-malformed-jwt": _token_refused(lambda now: "Bearer not-a-jwt"),
    "accept-plain-json-jwt": _token_refused(
        lambda now: f"Bearer {json.dumps({'alg': 'none'})}.{json.dumps(valid_claims(now))}."
    ),
    **{f"accept-missing-claim-{claim}": _missing_claim(claim) for claim in JWT_CLAIMS},
    "accept-wrong-exp-window": _token_refused(
        lambda now: bearer(valid_claims(now, exp=now + 3600))
    ),
    "accept-expired-token": _token_refused(lambda now: bearer(valid_claims(now - 400))),
    "accept-exp-before-iat": _token_refused(
        lambda now: bearer(valid_claims(now + 200, exp=now + 100))
    ),
    "accept-wrong-reason-for-request": _token_refused(
        lambda now: bearer(valid_claims(now, reason_for_request="migration"))
    ),
    "accept-wrong-requested-scope": _token_refused(
        lambda now: bearer(valid_claims(now, requested_scope="patient/*.write"))
    ),
    "token-errors-401-without-challenge": _challenged_if_401,
    "claim-type-422-without-diagnostics": _diagnosed_if_422,
    "accept-wrong-claim-resource-type": _token_refused(
        lambda now: bearer(valid_claims(now, requesting_device={"resourceType": "Patient"}))
    ),
    "accept-unknown-claim-elements": _token_refused(
        lambda now: bearer(
            valid_claims(
                now, requesting_device={**valid_claims()["requesting_device"], "colour": "red"}
            )
        )
    ),
    "accept-sub-practitioner-mismatch": _token_refused(
        lambda now: bearer(valid_claims(now, sub="someone-else"))
    ),
    "accept-wrong-ods-system": _token_refused(
        lambda now: bearer(
            valid_claims(
                now,
                requesting_organization={
                    "resourceType": "Organization",
                    "identifier": [{"system": "https://example.org/ods", "value": "A1001"}],
                },
            )
        )
    ),
    "accept-organisation-without-identifier": _token_refused(
        lambda now: bearer(
            valid_claims(now, requesting_organization={"resourceType": "Organization"})
        )
    ),
    "accept-practitioner-without-sds-user-id": _token_refused(
        lambda now: bearer(
            valid_claims(now, requesting_practitioner=practitioner((SDS_ROLE, "R1")))
        )
    ),
    "accept-practitioner-without-name": _token_refused(
        lambda now: bearer(
            valid_claims(
                now, requesting_practitioner={**practitioner((SDS_USER, "G1")), "name": []}
            )
        )
    ),
    "reject-future-iat": _token_accepted(lambda now: bearer(valid_claims(now + 30))),
    "reject-iat-over-60s-ahead": _token_accepted(lambda now: bearer(valid_claims(now + 200))),
    "reject-unk-sds-ids": _token_accepted(
        lambda now: bearer(
            valid_claims(
                now, requesting_practitioner=practitioner((SDS_USER, "UNK"), (SDS_ROLE, "UNK"))
            )
        )
    ),
    "reject-minimal-practitioner": _token_accepted(
        lambda now: bearer(
            valid_claims(now, requesting_practitioner=practitioner((SDS_USER, "G123")))
        )
    ),
    "reject-conf-scope": _token_accepted(
        lambda now: bearer(valid_claims(now, requested_scope="patient/*.read conf/N"))
    ),
    # E. HTTP and negotiation
    "no-cache-control": lambda p: p.get().headers.get("Cache-Control") == "no-store",
    "no-cache-control-on-errors": lambda p: p.unknown().headers.get("Cache-Control") == "no-store",
    "no-etag": lambda p: "ETag" in p.get().headers,
    "strong-etag": lambda p: p.get().headers["ETag"].startswith('W/"'),
    "etag-mismatch": lambda p: p.get().headers["ETag"] == f'W/"{_binary(p)["meta"]["versionId"]}"',
    "content-type-no-charset": lambda p: p.get().headers["Content-Type"] == FHIR_JSON,
    "content-type-text-plain": lambda p: p.get().headers["Content-Type"] == FHIR_JSON,
    "xml-unsupported": lambda p: p.get(params={"_format": "xml"}).status_code == 200,
    "xml-invalid": lambda p: _is_xml(p.get(params={"_format": "xml"})),
    "ignore-format-param": lambda p: (
        p.get(headers=p.headers(Accept="application/fhir+json"), params={"_format": "xml"}).headers[
            "Content-Type"
        ]
        == FHIR_XML
    ),
    "xml-default": lambda p: p.get(no_accept=True).headers["Content-Type"] == FHIR_JSON,
    "format-param-alone-refused": lambda p: (
        p.get(params={"_format": "application/fhir+json"}, no_accept=True).status_code == 200
    ),
    "ignore-content-type": lambda p: (
        p.get(headers=p.headers(Content_Type=FHIR_XML), no_accept=True).headers["Content-Type"]
        == FHIR_XML
    ),
    "refuse-content-type-on-get": lambda p: (
        p.get(headers=p.headers(Content_Type=FHIR_JSON), no_accept=True).status_code == 200
    ),
    "accept-unsupported-format": lambda p: (
        p.get(headers=p.headers(Accept="text/html")).status_code == 415
    ),
    "fhir-json-accept-answered-xml": lambda p: (
        p.get(headers=p.headers(Accept="application/fhir+json")).headers["Content-Type"]
        == FHIR_JSON
    ),
    "no-gzip": lambda p: (
        p.get(headers=p.headers(Accept_Encoding="gzip")).headers.get("Content-Encoding") == "gzip"
    ),
    "accept-other-methods": lambda p: p.get(method="PUT").status_code == 400,
    "serve-post": lambda p: p.get(method="POST").status_code == 400,
    "serve-options": lambda p: p.get(method="OPTIONS").status_code == 400,
    # F. Size
    "serve-oversize": lambda p: p.get(OVERSIZE_PDF).status_code == 404,
    "refuse-large-document": lambda p: p.get(LARGE_PDF).status_code == 200,
    # G. Transport and hostile
    "tls-client-cert-optional": _no_client_cert,
    "tls-allow-1.1": _tls_1_1,
    "tls-weak-cipher": _weak_cipher,
    "tls-no-hsts": lambda p: p.get().headers.get("Strict-Transport-Security") == "max-age=31536000",
    "tls-client-cert-unverified": _untrusted_client_cert,
    "tls-allow-1.0": lambda p: _old_protocol_refused(p, ssl.TLSVersion.TLSv1),
    "tls-1.3-only": lambda p: _probe(p, max_version=ssl.TLSVersion.TLSv1_2).accepted,
    "tls-unapproved-ciphers-only": lambda p: _probe(p, ciphers=APPROVED_TLS12_CIPHERS).accepted,
    "tls-serve-plain-http": _plain_http_refused,
    "tls-wrong-host-cert": lambda p: _probe(p).handshake,
    "tls-cipher-aes128-sha256": lambda p: (
        not _probe(p, ciphers="ECDHE-ECDSA-AES128-SHA256").handshake
    ),
    "tls-cipher-chacha20": lambda p: (
        not _probe(p, ciphers="ECDHE-ECDSA-CHACHA20-POLY1305").handshake
    ),
    "tls-rsa-weak-ciphers": lambda p: not _probe(p, ciphers="AES128-SHA256").handshake,
    "tls-cipher-unlisted": lambda p: not _probe(p, ciphers=unlisted_cipher()).handshake,
    "tls-client-cert-expired-accepted": _client_cert_refused("expired"),
    "tls-client-cert-any-host": _client_cert_refused("other_host"),
    "hang": lambda p: _responds(p, timeout=0.5),
    "garbage": _responds,
    "drop-connection-on-error": lambda p: _responds(p, "no-such-document"),
    # H. From NHS number to document
    "attachment-url-relative": _url_names_the_binary,
    "attachment-url-foreign": _url_names_the_binary,
    "attachment-url-not-binary": _url_names_the_binary,
    "attachment-content-type-mismatch": lambda p: (
        attachment_of(p, SMALL_PDF)["contentType"] == "application/pdf"
    ),
    "attachment-size-mismatch": lambda p: attachment_of(p, SMALL_PDF)["size"] == _size(p),
    "oversize-offered-with-url-served": lambda p: (
        "url" not in attachment_of(p, OVERSIZE_PDF) and p.get(OVERSIZE_PDF).status_code == 404
    ),
    "oversize-no-placeholder-title": lambda p: "title" in attachment_of(p, OVERSIZE_PDF),
    "search-ignores-identifier-system": lambda p: (
        p.find_patient(f"https://example.org/other%7C{PATIENT_1[0]}").status_code == 422
    ),
    "search-missing-attachment-url": _url_names_the_binary,
    "patient-search-not-searchset": lambda p: (
        p.find_nhs_number(PATIENT_1[0]).json()["type"] == "searchset"
    ),
    "patient-without-nhs-number": lambda p: all(
        "identifier" in entry["resource"]
        for entry in p.find_nhs_number(PATIENT_1[0]).json()["entry"]
    ),
    "document-search-not-searchset": lambda p: (
        p.search_documents(PATIENT_1[1]).json()["type"] == "searchset"
    ),
}

# Faults that, by design, change a plain read of the small PDF / a plain unknown-id answer.
_CHANGES_READ = {name for name in FAULTS if name.startswith(("binary-", "success-"))} | {
    "tls-wrong-host-cert",
    "fhir-json-accept-answered-xml",
    "no-cache-control",
    "no-etag",
    "strong-etag",
    "etag-mismatch",
    "content-type-no-charset",
    "content-type-text-plain",
    "tls-no-hsts",
    "hang",
    "garbage",
}
_CHANGES_NOT_FOUND = {name for name in FAULTS if name.startswith("unknown-id-")} | {
    "tls-wrong-host-cert",
    "no-diagnostics",
    "no-cache-control-on-errors",
    "content-type-no-charset",
    "content-type-text-plain",
    "tls-no-hsts",
    "hang",
    "garbage",
    "drop-connection-on-error",
}


@dataclass(frozen=True)
class _Baseline:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]


def _baseline(response: httpx.Response) -> _Baseline:
    keep = ("Cache-Control", "Content-Type", "ETag", "Strict-Transport-Security")
    headers = {name: response.headers[name] for name in keep if name in response.headers}
    return _Baseline(response.status_code, headers, response.json())


@pytest.fixture(scope="module")
def conformant() -> Iterator[Probe]:
    with running() as p:
        yield p


@pytest.fixture(scope="module")
def reference(conformant: Probe) -> tuple[_Baseline, _Baseline]:
    return _baseline(conformant.get()), _baseline(conformant.unknown())


def test_every_fault_has_a_check() -> None:
    assert set(CHECKS) == set(FAULTS)


def test_fault_registry_is_well_formed() -> None:
    for name, fault in FAULTS.items():
        assert fault.fault == name
        assert fault.description
        assert all(req.startswith("GPC-") for req in fault.requirements)
    assert FAULTS[Fault.SUCCESS_STATUS_202].requirements == ("GPC-DOC-RD-001",)
    assert FAULTS[Fault.BINARY_SECURITY_CONTEXT].requirements == ("GPC-DOC-BIN-001",)


@pytest.mark.parametrize("fault", sorted(CHECKS))
def test_conformant_provider_passes_check(conformant: Probe, fault: str) -> None:
    assert CHECKS[fault](conformant)


@pytest.mark.parametrize("fault", sorted(CHECKS))
def test_fault_fails_its_check(fault: str, reference: tuple[_Baseline, _Baseline]) -> None:
    with running(faults=frozenset({fault})) as p:
        if fault == "tls-allow-1.1" and not can_offer(ssl.TLSVersion.TLSv1_1):
            pytest.skip("the local OpenSSL cannot negotiate TLS 1.1 at all")
        assert not CHECKS[fault](p)
        read, not_found = reference
        if fault not in _CHANGES_READ:
            assert _baseline(p.get()) == read
        if fault not in _CHANGES_NOT_FOUND:
            assert _baseline(p.unknown()) == not_found


def test_hang_is_released_by_stop() -> None:
    with running(faults=frozenset({"hang"})) as p:
        with pytest.raises(httpx.ReadTimeout):
            p.client.get(f"{p.base_url}/Binary/{SMALL_PDF}", headers=p.headers(), timeout=0.3)
        assert stops_within(p.provider, seconds=5)


def test_header_error_wrong_spine_code_is_422() -> None:
    with running(faults=frozenset({"header-error-wrong-spine-code"})) as p:
        response = p.get(headers=p.headers(drop=("Ssp-From",)))
        assert response.status_code == 422
        assert spine_code(response) == "INVALID_PARAMETER"


def test_unknown_id_plain_text_body() -> None:
    with running(faults=frozenset({"unknown-id-plain-text"})) as p:
        response = p.unknown()
        assert response.status_code == 404
        assert response.headers["Content-Type"].startswith("text/plain")
        assert response.text == "Not found"


def test_binary_faults_also_apply_to_xml() -> None:
    with running(faults=frozenset({"binary-security-context", "binary-extra-element"})) as p:
        root = ET.fromstring(p.get(params={"_format": "xml"}).content)
        tags = [child.tag.split("}")[1] for child in root]
        assert tags == ["id", "meta", "language", "contentType", "securityContext", "content"]
