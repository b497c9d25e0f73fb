"""Transport-security probes of the provider's endpoint, and what they must show.

Each probe is one raw TLS connection (`gpc_assure.tls_probe`), made to the provider itself:
the scenarios do not apply through a Spine Secure Proxy, nor over plain HTTP.
"""

import os
import socket
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from gpc_assure.config import ProviderConfig
from gpc_assure.expect import Observation
from gpc_assure.request import valid_request
from gpc_assure.tls_probe import (
    APPROVED_TLS12_CIPHERS,
    WEAK_TLS12_CIPHERS,
    ProbeResult,
    probe,
    self_signed_client,
)

TLS12 = ssl.TLSVersion.TLSv1_2
_VERSIONS = {"TLS 1.0": ssl.TLSVersion.TLSv1, "TLS 1.1": ssl.TLSVersion.TLSv1_1, "TLS 1.2": TLS12}


@dataclass(frozen=True)
class ProbeTarget:
    host: str
    port: int
    path: str
    config: ProviderConfig


def probe_target(config: ProviderConfig) -> ProbeTarget | str:
    """Where to probe, or why transport security cannot be probed in this run."""
    if not config.transport_assured:
        return "plain HTTP: transport security is not assured by this run"
    if config.proxy_url:
        return "requests go through a Spine Secure Proxy: probe the provider directly"
    assert config.base_url is not None
    url = urlsplit(config.base_url)
    document = config.documents[0].id if config.documents else config.unknown_document_id
    return ProbeTarget(url.hostname or "", url.port or 443, f"{url.path}/Binary/{document}", config)


CONNECTIONS = (
    "with the client certificate over TLS 1.2",
    "without a client certificate",
    "with a self-signed client certificate",
    "with the client certificate over TLS 1.1",
    "with the client certificate over TLS 1.0",
    "with the client certificate offering only non-approved TLS 1.2 ciphers",
    "with the client certificate offering only the approved TLS 1.2 ciphers",
    "with the client certificate offering only the TLS 1.2 cipher <OpenSSL name>",
)
ONE_CIPHER = "with the client certificate offering only the TLS 1.2 cipher "


def attempt(target: ProbeTarget, how: str) -> ProbeResult:
    """One connection attempt, made the way `how` (one of CONNECTIONS) says."""
    tls = target.config.tls
    cert, key = tls.client_cert, tls.client_key
    version: ssl.TLSVersion | None = None
    ciphers: str | None = None
    if how == "without a client certificate":
        cert = key = None
    elif how == "with a self-signed client certificate":
        cert, key = self_signed_client(Path(tempfile.mkdtemp(prefix="gpc-assure-")))
    elif how.startswith("with the client certificate over "):
        version = _VERSIONS[how.removeprefix("with the client certificate over ")]
    elif how.startswith(ONE_CIPHER):
        ciphers = how.removeprefix(ONE_CIPHER)
    elif how.endswith("non-approved TLS 1.2 ciphers"):
        ciphers = WEAK_TLS12_CIPHERS
    elif how.endswith("the approved TLS 1.2 ciphers"):
        ciphers = APPROVED_TLS12_CIPHERS
    else:
        raise ValueError(f"unknown connection {how!r}; known: {'; '.join(CONNECTIONS)}")
    return probe(
        target.host,
        target.port,
        server_name=target.host,
        ca=tls.ca,
        client_cert=cert,
        client_key=key,
        key_password=os.environ.get(tls.key_password_env) if cert is tls.client_cert else None,
        min_version=version,
        max_version=version,
        ciphers=ciphers,
        timeout=target.config.connect_timeout + target.config.read_timeout,
        http_path=target.path,
    )


def _described(result: ProbeResult) -> str:
    negotiated = f" ({result.tls_version}, {result.cipher})" if result.handshake else ""
    return f"{result.detail}{negotiated}"


def connection_accepted(result: ProbeResult, version: str | None) -> Observation:
    """The handshake completed (over `version`, when given) and the session was usable."""
    expected = "a completed handshake" + (f" over {version}" if version else "")
    met = result.handshake and (version is None or result.tls_version == version)
    return Observation(met, expected, _described(result))


def certificate_verified(result: ProbeResult) -> Observation:
    """The server certificate chained to the configured CA and named the host."""
    expected = "a server certificate from the configured CA, valid for the host name"
    if result.handshake:
        return Observation(True, expected, f"verified ({result.tls_version})")
    verification = "certificate" in result.detail and "verif" in result.detail
    return Observation(False if verification else None, expected, result.detail)


def connection_refused(result: ProbeResult) -> Observation:
    """No usable session: the handshake failed, or the server closed before answering."""
    if result.unsupported_locally:
        return Observation(None, "the connection refused", result.detail)
    return Observation(not result.accepted, "the connection refused", _described(result))


def plain_http_answer(target: ProbeTarget) -> Observation:
    """A valid request sent over plain HTTP to the TLS port must not be served.

    Only a 200 counts as served: some servers answer plain HTTP on a TLS port with a 400
    page saying so, which refuses the request even though it is an HTTP answer.
    """
    document = target.path.rsplit("/Binary/", 1)[1]
    valid = valid_request(target.config, document)
    headers = "".join(f"{k}: {v}\r\n" for k, v in valid.headers)
    request = (
        f"GET {target.path} HTTP/1.1\r\nHost: {target.host}:{target.port}\r\n{headers}"
        "Connection: close\r\n\r\n"
    )
    try:
        with socket.create_connection(
            (target.host, target.port), timeout=target.config.connect_timeout
        ) as sock:
            sock.settimeout(target.config.read_timeout)
            sock.sendall(request.encode("ascii"))
            first = sock.recv(64)
    except OSError as exc:
        return Observation(True, "no document served", f"connection ended ({exc})")
    line = first.split(b"\r\n")[0].decode("latin-1", "replace")
    served = line.startswith("HTTP/") and " 200" in line[:13]
    return Observation(not served, "no document served", line or "closed without an answer")
