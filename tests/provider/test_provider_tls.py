"""Transport behaviour of the reference provider: mutual TLS, protocol versions, connections."""

from __future__ import annotations

import re
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from provider_testkit import SMALL_PDF, Probe, client_context, running, stops_within

from gpc_assure.provider import Pki, ProviderSettings, ReferenceProvider
from gpc_assure.provider.readings import READINGS, Reading
from gpc_assure.provider.tls import APPROVED_CIPHERS, TRANSPORT_READINGS, unlisted_cipher

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
TRANSPORT_FEATURE = REPO / "features" / "transport_security.feature"
NAMED_PROBE_CIPHERS = set(
    re.findall(r"^ +\| ([A-Z0-9]+-[A-Z0-9-]+) +\|$", TRANSPORT_FEATURE.read_text(), re.M)
)
"""The suites the transport feature offers one at a time (its Examples rows)."""


@pytest.fixture(scope="module")
def probe() -> Iterator[Probe]:
    with running() as p:
        yield p


def _get(p: Probe, context: ssl.SSLContext) -> httpx.Response:
    with httpx.Client(verify=context, timeout=5) as client:
        return client.get(f"{p.base_url}/Binary/{SMALL_PDF}", headers=p.headers())


def test_connection_without_client_certificate_is_refused(probe: Probe) -> None:
    with pytest.raises(httpx.TransportError):
        _get(probe, client_context(probe.provider.pki, cert=False))


def test_untrusted_client_certificate_is_refused(probe: Probe) -> None:
    with pytest.raises(httpx.TransportError):
        _get(probe, client_context(probe.provider.pki, untrusted=True))


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_tls_1_2_and_1_3_are_served(probe: Probe, version: ssl.TLSVersion) -> None:
    assert _get(probe, client_context(probe.provider.pki, tls_max=version)).status_code == 200


def test_tls_1_1_is_refused(probe: Probe) -> None:
    context = client_context(
        probe.provider.pki, tls_max=ssl.TLSVersion.TLSv1_1, ciphers="DEFAULT:@SECLEVEL=0"
    )
    with pytest.raises(httpx.TransportError):
        _get(probe, context)


@pytest.mark.parametrize(
    ("cipher", "served"),
    [
        ("ECDHE-ECDSA-AES256-GCM-SHA384", True),
        ("ECDHE-ECDSA-AES128-GCM-SHA256", True),
        ("ECDHE-ECDSA-AES256-SHA384", True),
        ("ECDHE-ECDSA-AES128-SHA", False),
        ("ECDHE-ECDSA-CHACHA20-POLY1305", False),
    ],
)
def test_tls_1_2_ciphers_are_restricted(probe: Probe, cipher: str, served: bool) -> None:
    context = client_context(probe.provider.pki, tls_max=ssl.TLSVersion.TLSv1_2, ciphers=cipher)
    if served:
        assert _get(probe, context).status_code == 200
    else:
        with pytest.raises(httpx.TransportError):
            _get(probe, context)


def test_a_stalled_handshake_does_not_block_other_clients(probe: Probe) -> None:
    port = probe.provider.port
    with socket.create_connection(("127.0.0.1", port)) as stalled:
        stalled.sendall(b"\x16\x03\x01")  # the start of a ClientHello, never finished
        url = f"{probe.base_url}/Binary/{SMALL_PDF}"
        response = probe.client.get(url, headers=probe.headers(), timeout=5)
        assert response.status_code == 200


def test_plain_http_to_the_tls_port_is_dropped(probe: Probe) -> None:
    url = probe.base_url.replace("https://", "http://") + f"/Binary/{SMALL_PDF}"
    with pytest.raises(httpx.TransportError):
        httpx.get(url, headers=probe.headers(), timeout=5)


def test_stop_is_prompt_with_idle_keep_alive_connections() -> None:
    provider = ReferenceProvider(ProviderSettings()).start()
    workdir = provider.pki.ca_cert.parent
    probe = Probe(provider)
    try:
        assert probe.get().status_code == 200  # leaves a keep-alive connection open
        assert stops_within(provider, seconds=5)
    finally:
        probe.close()
    assert not workdir.exists()
    with pytest.raises(RuntimeError):
        _ = provider.base_url


# Client certificates refused after the handshake, faults that accept them, and the reading
# that refuses with an HTTP 400 page.


def _context_with(pki: Pki, cert: Path | None, key: Path | None) -> ssl.SSLContext:
    context = client_context(pki, cert=False)
    if cert is not None:
        context.load_cert_chain(cert, key)
    return context


def _pair(pki: Pki, kind: str) -> tuple[Path | None, Path | None]:
    if kind == "none":
        return None, None
    cert: Path = getattr(pki, f"{kind}_client_cert")
    key: Path = getattr(pki, f"{kind}_client_key")
    return cert, key


def _get_with(p: Probe, kind: str) -> httpx.Response:
    return _get(p, _context_with(p.provider.pki, *_pair(p.provider.pki, kind)))


def test_an_expired_client_certificate_is_refused_in_the_handshake(probe: Probe) -> None:
    with pytest.raises(httpx.TransportError):
        _get_with(probe, "expired")


def test_a_client_certificate_naming_another_host_is_not_answered(probe: Probe) -> None:
    with pytest.raises(httpx.RemoteProtocolError):  # handshake done, then closed unanswered
        _get_with(probe, "other_host")


@pytest.mark.parametrize(
    ("fault", "kind"),
    [("tls-client-cert-expired-accepted", "expired"), ("tls-client-cert-any-host", "other_host")],
)
def test_faults_serve_the_certificates_a_provider_must_refuse(fault: str, kind: str) -> None:
    with running(faults=frozenset({fault})) as p:
        assert _get_with(p, kind).status_code == 200
        with pytest.raises(httpx.TransportError):
            _get_with(p, "untrusted")  # still refused


def test_the_unlisted_cipher_is_one_no_named_probe_offers() -> None:
    assert len(NAMED_PROBE_CIPHERS) >= 6
    assert unlisted_cipher() not in NAMED_PROBE_CIPHERS
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.set_ciphers(APPROVED_CIPHERS)
    assert unlisted_cipher() not in {c["name"] for c in context.get_ciphers()}


@pytest.mark.parametrize("kind", ["none", "other_host"])
def test_reading_refuse_with_http_400_answers_like_nginx(kind: str) -> None:
    with running(readings=frozenset({"tls-refuse-with-http-400"})) as p:
        response = _get_with(p, kind)
        assert response.status_code == 400
        assert response.headers["Content-Type"] == "text/html"
        assert "resourceType" not in response.text
        if kind == "none":
            assert "No required SSL certificate was sent" in response.text
        assert p.get().status_code == 200
        with pytest.raises(httpx.TransportError):  # a certificate that fails verification
            _get_with(p, "expired")


def test_readings_are_validated() -> None:
    readings = frozenset({Reading.TLS_REFUSE_WITH_HTTP_400})
    assert ProviderSettings(readings=readings).readings == readings
    assert readings <= set(TRANSPORT_READINGS)
    assert set(TRANSPORT_READINGS) <= set(READINGS)
    with pytest.raises(ValueError, match="unknown reading: 'no-such-reading'"):
        ProviderSettings(readings=frozenset({"no-such-reading"}))  # type: ignore[arg-type]
