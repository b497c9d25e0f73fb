"""The raw TLS probe against live reference providers (what it reports: served, refused in the
handshake, refused by HTTP, not verified), and the HSTS max-age parser."""

from __future__ import annotations

import socket
import ssl
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from gpc_assure.config.provider_config import TlsSettings, load_config
from gpc_assure.provider import ProviderSettings, ReferenceProvider, fault_named, reading_named
from gpc_assure.request.retrieve import valid_request
from gpc_assure.transport.tls_context import TlsSetupError, client_ssl_context
from gpc_assure.transport.tls_probe import (
    APPROVED_TLS12_CIPHERS,
    SELF_SIGNED_CLIENT_CN,
    ProbeResult,
    hsts_max_age,
    non_approved_tls12_ciphers,
    probe,
    probe_context,
    self_signed_client,
)

pytestmark = pytest.mark.e2e

TLS1_1 = ssl.TLSVersion.TLSv1_1
TLS1_2 = ssl.TLSVersion.TLSv1_2
TLS1_3 = ssl.TLSVersion.TLSv1_3
WEAK = "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305"
DOCUMENT = "gpc-doc-small-pdf"


@dataclass(frozen=True)
class Target:
    provider: ReferenceProvider
    host: str
    port: int
    path: str

    def valid_headers(self) -> tuple[tuple[str, str], ...]:
        """The suite's own valid request's headers (Spine headers, bearer token)."""
        overrides = {"base_url": self.provider.base_url}
        return valid_request(load_config(None, {}, overrides), DOCUMENT).headers

    def probe(self, *, cert: str = "trusted", **kwargs: Any) -> ProbeResult:
        pki = self.provider.pki
        chain: tuple[Path | None, Path | None] = {
            "trusted": (pki.client_cert, pki.client_key),
            "untrusted": (pki.untrusted_client_cert, pki.untrusted_client_key),
            "expired": (pki.expired_client_cert, pki.expired_client_key),
            "other host": (pki.other_host_client_cert, pki.other_host_client_key),
            "none": (None, None),
        }[cert]
        options: dict[str, Any] = {
            "server_name": self.host,
            "ca": pki.ca_cert,
            "client_cert": chain[0],
            "client_key": chain[1],
            "timeout": 3.0,
            "http_path": f"{self.path}/Binary/{DOCUMENT}",
            "headers": self.valid_headers(),
        }
        options.update(kwargs)
        return probe(self.host, self.port, **options)


@pytest.fixture(scope="module")
def targets() -> Iterator[dict[str, Target]]:
    providers: dict[str, ReferenceProvider] = {}
    try:
        for fault in (
            "",
            "tls-client-cert-optional",
            "tls-allow-1.1",
            "tls-weak-cipher",
            "tls-no-hsts",
            "tls-cipher-unlisted",
            "tls-wrong-host-cert",
            "reading:tls-refuse-with-http-400",
        ):
            reading = fault.startswith("reading:")
            faults = frozenset({fault_named(fault)}) if fault and not reading else frozenset()
            name = fault.removeprefix("reading:")
            readings = frozenset({reading_named(name)}) if reading else frozenset()
            providers[fault or "conformant"] = ReferenceProvider(
                ProviderSettings(faults=faults, readings=readings)
            ).start()
        found = {}
        for name, provider in providers.items():
            url = urlsplit(provider.base_url)
            assert url.hostname is not None
            assert url.port is not None
            found[name] = Target(provider, url.hostname, url.port, url.path)
        yield found
    finally:
        for provider in providers.values():
            provider.stop()


@pytest.fixture(scope="module")
def conformant(targets: dict[str, Target]) -> Target:
    return targets["conformant"]


def _local_suites(cipher_string: str) -> set[str]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.maximum_version = TLS1_2
    context.set_ciphers(cipher_string)
    return {c["name"] for c in context.get_ciphers() if c["protocol"] != "TLSv1.3"}


def _refused(result: ProbeResult, how: str = "handshake") -> None:
    assert result.connected, result.detail
    assert not result.accepted, result.detail
    assert result.refusal == how, result.detail
    assert not result.unsupported_locally, result.detail
    assert result.detail
    assert "\n" not in result.detail


# --------------------------------------------------------------------------------------------
# Mutual TLS


@pytest.mark.parametrize(("version", "name"), [(TLS1_2, "TLSv1.2"), (TLS1_3, "TLSv1.3")])
def test_conformant_provider_accepts_our_client_certificate(
    conformant: Target, version: ssl.TLSVersion, name: str
) -> None:
    result = conformant.probe(min_version=version, max_version=version)
    assert result.connected
    assert result.handshake
    assert result.accepted, result.detail
    assert result.tls_version == name
    assert result.cipher
    assert not result.unsupported_locally
    assert result.status == 200
    assert result.server_verified is True
    assert result.refusal is None
    assert "HTTP 200" in result.detail


def test_the_document_is_recognised_in_the_answer(conformant: Target) -> None:
    result = conformant.probe()
    assert result.document
    assert "with the document" in result.detail
    unknown = conformant.probe(http_path=conformant.path + "/Binary/no-such-document")
    assert unknown.status == 404
    assert not unknown.document
    assert not unknown.certificate_complaint
    assert unknown.refusal == "http"  # not 2xx, no document: a refusal in the probe's terms
    bare = conformant.probe(headers=())
    assert bare.status == 400  # without the Spine headers and token
    assert not bare.accepted


def test_the_server_is_verified_by_dns_name_too(conformant: Target) -> None:
    assert conformant.probe(server_name="localhost").accepted


def test_a_server_certificate_outside_the_given_ca_is_not_trusted(
    conformant: Target, tmp_path: Path
) -> None:
    other_ca, _ = self_signed_client(tmp_path)
    result = conformant.probe(ca=other_ca)
    assert result.connected
    assert not result.handshake
    assert not result.accepted
    assert result.server_verified is False
    assert result.refusal is None  # our own verification is not the provider refusing
    assert result.verify_code is not None
    assert "certificate was not verified" in result.detail


def test_a_server_name_the_certificate_does_not_carry_is_not_trusted(conformant: Target) -> None:
    result = conformant.probe(server_name="wrong.example.test")
    assert not result.handshake
    assert result.server_verified is False
    assert result.refusal is None
    assert "not verified" in result.detail


def test_chain_only_verification_ignores_the_host_name(targets: dict[str, Target]) -> None:
    wrong_host = targets["tls-wrong-host-cert"]
    assert wrong_host.probe().server_verified is False
    chain = wrong_host.probe(verify="chain")
    assert chain.server_verified is True
    assert chain.accepted, chain.detail


def test_no_verification_asks_about_policy_even_with_a_wrong_host_certificate(
    targets: dict[str, Target],
) -> None:
    wrong_host = targets["tls-wrong-host-cert"]
    result = wrong_host.probe(cert="none", verify="none")
    _refused(result)
    assert result.server_verified is None
    assert wrong_host.probe(verify="none").accepted


@pytest.mark.parametrize("version", [TLS1_2, TLS1_3])
def test_no_client_certificate_is_refused(conformant: Target, version: ssl.TLSVersion) -> None:
    result = conformant.probe(cert="none", min_version=version, max_version=version)
    _refused(result)
    if version is TLS1_2:
        assert not result.handshake  # TLS 1.2 fails in the handshake itself
        assert result.alert == "handshake_failure"
    else:
        assert result.alert == "certificate_required"  # read reliably after the handshake


@pytest.mark.parametrize("version", [TLS1_2, TLS1_3])
def test_a_self_signed_client_certificate_is_refused(
    conformant: Target, tmp_path: Path, version: ssl.TLSVersion
) -> None:
    cert, key = self_signed_client(tmp_path)
    _refused(
        conformant.probe(
            cert="none", client_cert=cert, client_key=key, min_version=version, max_version=version
        )
    )


def test_a_client_certificate_from_another_ca_is_refused(conformant: Target) -> None:
    result = conformant.probe(cert="untrusted")
    _refused(result)
    assert result.alert == "unknown_ca"


@pytest.mark.parametrize("version", [TLS1_2, TLS1_3])
def test_an_expired_client_certificate_is_refused(
    conformant: Target, version: ssl.TLSVersion
) -> None:
    result = conformant.probe(cert="expired", min_version=version, max_version=version)
    _refused(result)
    assert result.alert == "certificate_expired"


def test_a_client_certificate_naming_another_host_is_refused_after_the_handshake(
    conformant: Target,
) -> None:
    result = conformant.probe(cert="other host")
    _refused(result, "closed")
    assert result.handshake


def test_a_provider_not_requiring_a_client_certificate_accepts_none(
    targets: dict[str, Target],
) -> None:
    result = targets["tls-client-cert-optional"].probe(cert="none")
    assert result.accepted, result.detail


def test_an_http_400_without_the_document_is_a_refusal_by_http(
    targets: dict[str, Target],
) -> None:
    """Reading tls-refuse-with-http-400 answers like nginx: 400, an HTML page, no document."""
    target = targets["reading:tls-refuse-with-http-400"]
    result = target.probe(cert="none")
    _refused(result, "http")
    assert result.handshake
    assert result.status == 400
    assert result.certificate_complaint
    assert "text/html" in result.detail
    assert "No required SSL certificate was sent" in result.detail
    assert target.probe().accepted


# --------------------------------------------------------------------------------------------
# Protocol versions


def _tls_1_1(target: Target) -> ProbeResult:
    result = target.probe(min_version=TLS1_1, max_version=TLS1_1)
    if result.unsupported_locally:
        assert not result.connected
        assert "not supported by the local TLS library" in result.detail
        pytest.skip(result.detail)
    return result


def test_tls_1_1_is_refused_by_the_conformant_provider(conformant: Target) -> None:
    result = _tls_1_1(conformant)
    _refused(result)
    assert not result.handshake
    assert "protocol_version" in result.detail or "alert" in result.detail.lower()


def test_tls_1_1_is_accepted_by_a_provider_allowing_it(targets: dict[str, Target]) -> None:
    result = _tls_1_1(targets["tls-allow-1.1"])
    assert result.accepted, result.detail
    assert result.tls_version == "TLSv1.1"


def test_a_protocol_range_no_local_library_can_offer_is_unsupported_locally(
    conformant: Target,
) -> None:
    # minimum above maximum: OpenSSL has no protocol to put in a ClientHello
    result = conformant.probe(min_version=TLS1_3, max_version=TLS1_2)
    assert result.unsupported_locally
    assert not result.connected
    assert not result.accepted


# --------------------------------------------------------------------------------------------
# Cipher suites


def test_every_local_suite_but_the_approved_ones_is_offered() -> None:
    approved = _local_suites(APPROVED_TLS12_CIPHERS)
    others = set(non_approved_tls12_ciphers())
    assert approved
    assert others
    assert not approved & others
    assert approved | others == _local_suites("ALL:@SECLEVEL=0")
    assert set(WEAK.split(":")) <= others


def _all_but_approved(target: Target) -> ProbeResult:
    return target.probe(ciphers=":".join(non_approved_tls12_ciphers()) + ":@SECLEVEL=0")


def test_weak_ciphers_are_refused_by_the_conformant_provider(conformant: Target) -> None:
    result = _all_but_approved(conformant)
    _refused(result)
    assert not result.handshake


@pytest.mark.parametrize("fault", ["tls-weak-cipher", "tls-cipher-unlisted"])
def test_a_weak_cipher_is_accepted_and_named(targets: dict[str, Target], fault: str) -> None:
    result = _all_but_approved(targets[fault])
    assert result.accepted, result.detail
    assert result.tls_version == "TLSv1.2"
    assert result.cipher in set(non_approved_tls12_ciphers())
    assert f"TLSv1.2 {result.cipher}" in result.detail


def test_approved_ciphers_are_accepted_by_the_conformant_provider(conformant: Target) -> None:
    result = conformant.probe(ciphers=APPROVED_TLS12_CIPHERS)
    assert result.accepted, result.detail
    assert result.tls_version == "TLSv1.2"  # ciphers= caps the probe at TLS 1.2
    assert result.cipher in _local_suites(APPROVED_TLS12_CIPHERS)


def test_a_cipher_string_nothing_matches_is_unsupported_locally(conformant: Target) -> None:
    result = conformant.probe(ciphers="NO-SUCH-CIPHER")
    assert result.unsupported_locally
    assert not result.connected


# --------------------------------------------------------------------------------------------
# Transport failures and local errors


def test_a_closed_port_is_reported_not_raised() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = probe(
        "127.0.0.1", port, server_name=None, ca=None, client_cert=None, client_key=None, timeout=2
    )
    assert not result.connected
    assert not result.handshake
    assert result.refusal is None  # no TCP connection is not a provider's refusal
    assert "refused" in result.detail


def test_a_server_that_is_not_tls_is_reported_not_raised(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        ca, _ = self_signed_client(tmp_path)
        result = probe(
            "127.0.0.1", port, server_name=None, ca=ca, client_cert=None, client_key=None,
            timeout=0.5,
        )  # fmt: skip
    assert result.connected
    assert not result.handshake
    assert result.detail.startswith(("TLS handshake failed", "no TLS handshake"))


def test_an_unloadable_client_certificate_is_a_setup_error(
    conformant: Target, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.pem"
    with pytest.raises(TlsSetupError, match="client certificate"):
        conformant.probe(cert="none", client_cert=missing, client_key=missing)


def _copied_pki(target: Target, folder: Path) -> tuple[Path, Path, Path]:
    pki = target.provider.pki
    copies = []
    for source in (pki.ca_cert, pki.client_cert, pki.client_key):
        copy = folder / source.name
        copy.write_bytes(source.read_bytes())
        copies.append(copy)
    return copies[0], copies[1], copies[2]


def test_one_context_is_built_per_set_up_and_each_connection_is_a_full_handshake(
    conformant: Target, tmp_path: Path
) -> None:
    ca, cert, key = _copied_pki(conformant, tmp_path)
    set_up: dict[str, Any] = {
        "server_name": conformant.host, "ca": ca, "client_cert": cert, "client_key": key,
    }  # fmt: skip
    context = probe_context(**set_up)
    assert isinstance(context, ssl.SSLContext)
    assert probe_context(**set_up) is context
    assert probe_context(**set_up, max_version=TLS1_2) is not context
    assert probe_context(**set_up, verify="none") is not context
    for _ in range(2):
        with (
            socket.create_connection((conformant.host, conformant.port), timeout=3) as raw,
            context.wrap_socket(raw, server_hostname=conformant.host) as tls,
        ):
            assert not tls.session_reused
    cert.write_bytes(cert.read_bytes() + b"\n")  # the file changed: built anew
    assert probe_context(**set_up) is not context


def test_a_context_that_cannot_be_built_is_not_kept(conformant: Target, tmp_path: Path) -> None:
    ca, cert, key = _copied_pki(conformant, tmp_path)
    good_key = key.read_bytes()
    key.write_bytes(b"not a key")
    set_up: dict[str, Any] = {
        "server_name": conformant.host, "ca": ca, "client_cert": cert, "client_key": key,
    }  # fmt: skip
    for _ in range(2):
        with pytest.raises(TlsSetupError, match="client certificate"):
            probe_context(**set_up)
    key.write_bytes(good_key)
    assert isinstance(probe_context(**set_up), ssl.SSLContext)


def test_the_self_signed_client_certificate(tmp_path: Path) -> None:
    cert_path, key_path = self_signed_client(tmp_path / "sub")
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    assert cert.subject == cert.issuer
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        SELF_SIGNED_CLIENT_CN
    )
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.CLIENT_AUTH in eku
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_cert_chain(cert_path, key_path)  # the pair matches


# --------------------------------------------------------------------------------------------
# HSTS


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("max-age=31536000", 31536000),
        ("max-age=0", 0),
        ("MAX-AGE=600", 600),
        ("Max-Age=600; includeSubDomains", 600),
        ("includeSubDomains; max-age=600; preload", 600),
        ('max-age="31536000"', 31536000),
        ('max-age="600"; includeSubDomains', 600),
        ("  max-age = 600 ;  includesubdomains  ", 600),
        ("max-age=600;", 600),
        (";;max-age=600;;", 600),
        ('max-age=600; foo="a;b=c"', 600),
        ('max-age=600; ext="with \\"escaped\\" quote"', 600),
        ("max-age=600; unknown-directive=token", 600),
        ("max-age=000600", 600),
        (None, None),
        ("", None),
        ("includeSubDomains", None),
        ("max-age", None),
        ("max-age=", None),
        ('max-age=""', None),
        ("max-age=-1", None),
        ("max-age=1.5", None),
        ("max-age=abc", None),
        ('max-age="60', None),
        ("max-age=60 0", None),
        ("max-age=600, max-age=700", None),
        ("max-age=600; max-age=600", None),
        ("max-age=600; MAX-AGE=700", None),
        ("max-age=600; includeSubDomains; includesubdomains", None),
        ("max age=600", None),
        ("=600", None),
        ('max-age=600; "quoted-name"', None),
    ],
)
def test_hsts_max_age(value: str | None, expected: int | None) -> None:
    assert hsts_max_age(value) == expected


def test_hsts_max_age_of_live_providers(targets: dict[str, Target]) -> None:
    def header(target: Target) -> str | None:
        pki = target.provider.pki
        context = client_ssl_context(
            TlsSettings(ca=pki.ca_cert, client_cert=pki.client_cert, client_key=pki.client_key)
        )
        url = f"https://{target.host}:{target.port}{target.path}/metadata"
        with httpx.Client(verify=context, timeout=3) as client:
            value: str | None = client.get(url).headers.get("Strict-Transport-Security")
            return value

    conformant_age = hsts_max_age(header(targets["conformant"]))
    assert conformant_age is not None
    assert conformant_age > 0
    assert hsts_max_age(header(targets["tls-no-hsts"])) is None


def test_a_bad_http_path_is_a_caller_error_raised_before_connecting() -> None:
    with pytest.raises(ValueError, match="http_path"):
        probe(
            "127.0.0.1", 9, server_name=None, ca=None, client_cert=None, client_key=None,
            http_path="/a b",
        )  # fmt: skip
    with pytest.raises(ValueError, match="header"):
        probe(
            "127.0.0.1", 9, server_name=None, ca=None, client_cert=None, client_key=None,
            headers=(("X-Split", "a\r\nInjected: 1"),),
        )  # fmt: skip
