"""Transport behaviour of the reference provider: mutual TLS, protocol versions, connections."""

from __future__ import annotations

import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from provider_testkit import SMALL_PDF, Probe, client_context, running

from gpc_assure.provider import ProviderSettings, ReferenceProvider

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


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
        started = time.perf_counter()
        assert probe.get().status_code == 200
        assert time.perf_counter() - started < 1


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
        started = time.perf_counter()
        provider.stop()
        assert time.perf_counter() - started < 1
    finally:
        probe.close()
    assert not workdir.exists()
    with pytest.raises(RuntimeError):
        _ = provider.base_url


def test_cold_start_is_well_under_a_second() -> None:
    code = (
        "import time\n"
        "from gpc_assure.provider import ProviderSettings, ReferenceProvider\n"
        "started = time.perf_counter()\n"
        "with ReferenceProvider(ProviderSettings()):\n"
        "    print(time.perf_counter() - started)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert float(result.stdout) < 1.0
