"""The reference provider's building blocks: settings, PKI, documents, safe representations."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import stat
import zipfile
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from gpc_assure.provider import FAULTS, Fault, ProviderSettings, ReferenceProvider
from gpc_assure.provider.app import Request, strip_proxy_prefix
from gpc_assure.provider.certs import OTHER_CLIENT_HOST, SSP_HOST, generate_pki
from gpc_assure.provider.documents import stored_documents
from gpc_assure.provider.negotiation import accepts_gzip, from_accept
from gpc_assure.provider.nhs_number import is_valid_nhs_number
from gpc_assure.provider.patients import LISTINGS, PATIENTS
from gpc_assure.provider.settings import interaction_id_for

# Published so users can pin them in configuration: they must never drift.
EXPECTED_SHA256 = {
    "gpc-doc-small-pdf": "6dec8151fb7e0ce9786021f4980564ce7cca60b6a019effd1ecd870e289e127e",
    "gpc-doc-letter-docx": "071b08b38d5dd39728afe8d5da63df6c102c08dbcddb618c9ef38011b6e16549",
    "gpc-doc-large-pdf": "2993bf6064087bac2949e2473f27e30d356d46438c3aa3dd4b1f78a956d081c8",
    "gpc-doc-oversize-pdf": "5fe6633350d56e44d26391dc6707ab1f7531fbd92f42d76bf08090d1b023f1f1",
    "gpc-doc-note-txt": "e3a6d1499210ccceb1636113d014cb8fffb36e6ea931dfb2c3413eec478f1ac7",
}


def test_document_bytes_are_deterministic() -> None:
    for doc in stored_documents():
        assert doc.info.sha256 == EXPECTED_SHA256[doc.info.id]
        assert hashlib.sha256(doc.data).hexdigest() == doc.info.sha256
        assert doc.info.size == len(doc.data)


def test_documents_are_well_formed() -> None:
    docs = {doc.info.id: doc for doc in stored_documents()}
    for doc_id in ("gpc-doc-small-pdf", "gpc-doc-large-pdf", "gpc-doc-oversize-pdf"):
        data = docs[doc_id].data
        assert data.startswith(b"%PDF-1.")
        assert data.rstrip().endswith(b"%%EOF")
        startxref = int(data.rsplit(b"startxref", 1)[1].split()[0])
        assert data[startxref:].startswith(b"xref")
    assert len(docs["gpc-doc-small-pdf"].data) < 1000
    assert docs["gpc-doc-large-pdf"].info.size == 4_900_000
    assert docs["gpc-doc-oversize-pdf"].info.size == 5_500_000
    with zipfile.ZipFile(io.BytesIO(docs["gpc-doc-letter-docx"].data)) as docx:
        assert docx.testzip() is None
        assert {"[Content_Types].xml", "_rels/.rels", "word/document.xml"} <= set(docx.namelist())
    note = docs["gpc-doc-note-txt"]
    assert note.info.content_type == "text/plain"
    assert note.data.decode("ascii").endswith("\n")
    assert note.info.size > 200  # long enough for an excerpt of its base64 to be recognisable


def test_reprs_never_show_bytes_or_secrets() -> None:
    for doc in stored_documents():
        assert len(repr(doc)) < 400
        assert "data" not in repr(doc)
    request = Request("GET", "/x", (("Authorization", "Bearer secret.token."),))
    assert "secret" not in repr(request)


def test_pki_files(tmp_path: Path) -> None:
    pki = generate_pki(tmp_path)
    for key in (pki.server_key, pki.client_key, pki.untrusted_client_key):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        assert key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    ca = x509.load_pem_x509_certificate(pki.ca_cert.read_bytes())
    server = x509.load_pem_x509_certificate(pki.server_cert.read_bytes())
    client = x509.load_pem_x509_certificate(pki.client_cert.read_bytes())
    untrusted = x509.load_pem_x509_certificate(pki.untrusted_client_cert.read_bytes())
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    cn = client.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert cn == SSP_HOST
    client_san = client.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert client_san.get_values_for_type(x509.DNSName) == [SSP_HOST]
    expired = x509.load_pem_x509_certificate(pki.expired_client_cert.read_bytes())
    assert expired.issuer == ca.subject
    assert expired.not_valid_after_utc < dt.datetime.now(dt.UTC)
    other = x509.load_pem_x509_certificate(pki.other_host_client_cert.read_bytes())
    assert other.issuer == ca.subject
    other_san = other.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert other_san.get_values_for_type(x509.DNSName) == [OTHER_CLIENT_HOST]
    assert other.not_valid_after_utc > dt.datetime.now(dt.UTC)
    for key in (pki.expired_client_key, pki.other_host_client_key):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    eku = client.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.CLIENT_AUTH in eku
    assert server.issuer == ca.subject
    assert client.issuer == ca.subject
    assert untrusted.issuer != ca.subject
    assert "PRIVATE KEY" not in repr(pki)


def test_settings_validation() -> None:
    with pytest.raises(ValueError, match="no-such-fault"):
        ProviderSettings(faults=frozenset({"hang", "no-such-fault"}))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="spec"):
        ProviderSettings(spec="2.0")  # type: ignore[arg-type]
    settings = ProviderSettings(base_path="B82617/STU3/1/gpconnect/documents/")
    assert settings.base_path == "/B82617/STU3/1/gpconnect/documents"
    assert ProviderSettings(faults=frozenset(FAULTS)).faults == frozenset(FAULTS)
    names = frozenset({"hang", "no-gzip"})  # the names users type become members
    assert ProviderSettings(faults=names).faults == {Fault.HANG, Fault.NO_GZIP}  # type: ignore[arg-type]


def test_custom_workdir_is_kept(tmp_path: Path) -> None:
    with ReferenceProvider(ProviderSettings(workdir=tmp_path / "pki")) as provider:
        assert provider.pki.ca_cert.parent == tmp_path / "pki"
        assert provider.base_url.endswith("/B82617/STU3/1/gpconnect/documents")
    assert (tmp_path / "pki" / "ca.pem").exists()


@pytest.mark.parametrize(
    ("target", "path"),
    [
        ("/https://127.0.0.1:9/B1/STU3/1/x/Binary/a", "/B1/STU3/1/x/Binary/a"),
        ("/http://provider.example/B1/Binary/a?_format=xml", "/B1/Binary/a?_format=xml"),
        ("/B1/Binary/a", "/B1/Binary/a"),
    ],
)
def test_proxy_prefix_is_stripped(target: str, path: str) -> None:
    assert strip_proxy_prefix(target) == path


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/fhir+xml;q=0.9,application/fhir+json", "json"),
        ("application/fhir+json;q=0.5,application/fhir+xml;q=0.6", "xml"),
        ("text/html", None),
        ("application/fhir+json;q=0", None),
        ("application/fhir+json;q=abc", None),
    ],
)
def test_accept_parsing(accept: str, fmt: str | None) -> None:
    assert from_accept(accept) == fmt


@pytest.mark.parametrize(
    ("header", "allowed"),
    [("gzip", True), ("gzip, deflate, br", True), ("*", True), ("gzip;q=0", False), ("", False)],
)
def test_gzip_acceptance(header: str, allowed: bool) -> None:
    assert accepts_gzip(header) is allowed


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("9476719931", True),  # the Find a Patient page's example
        ("9000000009", True),
        ("9690937278", True),
        ("9690937286", True),
        ("9690937294", True),
        ("9476719932", False),  # check digit changed
        ("1234567890", False),  # remainder 10: no check digit exists
        ("947671993", False),
        ("94767199311", False),
        ("947671993a", False),
        ("\uff19476719931", False),  # a full-width nine passes str.isdigit()
    ],
)
def test_nhs_numbers_are_checked_by_modulus_11(text: str, valid: bool) -> None:
    assert is_valid_nhs_number(text) is valid


def test_the_test_patients_and_their_listings_agree_with_the_documents() -> None:
    served = {doc.info.id for doc in stored_documents()}
    listed = [doc_id for patient in PATIENTS for doc_id in patient.document_ids]
    assert sorted(listed) == sorted(served)  # each served document belongs to one patient
    assert set(LISTINGS) == served
    assert len({listing.reference_id for listing in LISTINGS.values()}) == len(LISTINGS)
    assert not served & {listing.reference_id for listing in LISTINGS.values()}
    assert all(is_valid_nhs_number(patient.nhs_number) for patient in PATIENTS)


@pytest.mark.parametrize(
    ("spec", "service"),
    [
        ("1.6", "gpconnect:documents"),
        ("1.0", "gpconnect:documents"),
        ("draft", "gpconnect-documents"),
    ],
)
def test_interaction_ids_per_spec(spec: str, service: str) -> None:
    prefix = f"urn:nhs:names:services:{service}:fhir:rest:"
    assert interaction_id_for(spec) == prefix + "read:binary-1"
    assert interaction_id_for(spec, "patient-search") == prefix + "search:patient-1"
    assert interaction_id_for(spec, "document-search") == prefix + "search:documentreference-1"
