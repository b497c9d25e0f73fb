"""Transport-security probes of the provider's endpoint: who to probe and each way of connecting.

Each probe is one raw TLS connection (`gpc_assure.transport.tls_probe`) made to the provider
itself, and sends the complete valid request (Spine headers, bearer token) for the first
configured document, so that the only thing missing is what the scenario takes away. The scenarios
do not apply through a Spine Secure Proxy, nor over plain HTTP.

Probes asking whether the provider *refuses* something (no or an untrusted client certificate,
an old protocol, non-approved suites) do not verify the provider's certificate: they ask about
its policy, and GPC-DOC-TLS-008 alone judges the certificate. Probes asking whether it
*accepts* the valid set-up verify it. What each result must show is judged in
`gpc_assure.checks.transport`.
"""

import os
import re
import socket
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from gpc_assure.config.provider_config import ProviderConfig
from gpc_assure.request.retrieve import valid_request
from gpc_assure.transport.tls_probe import (
    ProbeResult,
    Verify,
    non_approved_tls12_ciphers,
    probe,
    self_signed_client,
)

TLS12 = ssl.TLSVersion.TLSv1_2


@dataclass(frozen=True)
class ProbeTarget:
    host: str
    port: int
    document: str
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
    return ProbeTarget(url.hostname or "", url.port or 443, document, config)


ClientCert = Literal["configured", "none", "self-signed", "expired", "other host"]
ALL_BUT_APPROVED = "every local TLS 1.2 cipher outside the approved list"


@dataclass(frozen=True)
class Attempt:
    """One way of connecting: the client certificate shown, the protocol (as both ends of the
    range), the TLS 1.2 suites offered, and how the provider's certificate is checked."""

    cert: ClientCert = "configured"
    version: ssl.TLSVersion | None = None
    ciphers: str | None = None
    verify: Verify = "none"
    informational: bool = False


_OPTIONAL_CERTS = {
    "expired": ("expired_client_cert", "expired_client_key"),
    "other host": ("other_host_client_cert", "other_host_client_key"),
}


def _client_chain(
    target: ProbeTarget, cert: ClientCert, scratch: Path
) -> tuple[Path | None, Path | None] | str:
    tls = target.config.tls
    if cert == "none":
        return None, None
    if cert == "self-signed":
        return self_signed_client(scratch)
    if cert in _OPTIONAL_CERTS:
        cert_field, key_field = _OPTIONAL_CERTS[cert]
        path, key = getattr(tls, cert_field), getattr(tls, key_field)
        if path is None:
            return f"no {cert} client certificate is configured (tls.{cert_field}, tls.{key_field})"
        return path, key
    return tls.client_cert, tls.client_key


def _cipher_string(ciphers: str | None) -> str | None:
    if ciphers != ALL_BUT_APPROVED:
        return ciphers
    suites = non_approved_tls12_ciphers()
    return ":".join(suites) + ":@SECLEVEL=0" if suites else ""


def attempt(target: ProbeTarget, way: Attempt) -> ProbeResult | str:
    """One connection attempt made `way`; a string saying why when it cannot be made here
    (nothing configured for it, or the local TLS library cannot offer it)."""
    config = target.config
    if way.verify == "none" and not way.informational and not config.documents:
        return (
            "no document is configured: a refusal could not be told from the answer for an "
            "unknown id"
        )
    with tempfile.TemporaryDirectory(prefix="gpc-assure-probe-") as scratch:
        return _attempt_with(target, way, Path(scratch))


def _attempt_with(target: ProbeTarget, way: Attempt, scratch: Path) -> ProbeResult | str:
    """The attempt, with a scratch folder (removed afterwards) for a throwaway client key."""
    config = target.config
    chain = _client_chain(target, way.cert, scratch)
    if isinstance(chain, str):
        return chain
    ciphers = _cipher_string(way.ciphers)
    if ciphers == "":
        return "the local TLS library offers no TLS 1.2 suite outside the approved list"
    request = valid_request(config, target.document)
    password = os.environ.get(config.tls.key_password_env) if config.tls.key_password_set else None
    result = probe(
        target.host,
        target.port,
        server_name=target.host,
        ca=config.tls.ca,
        client_cert=chain[0],
        client_key=chain[1],
        key_password=password,
        verify=way.verify,
        min_version=way.version,
        max_version=way.version,
        ciphers=ciphers,
        timeout=config.connect_timeout + config.read_timeout,
        http_path=urlsplit(request.url).path,
        headers=request.headers,
    )
    if result.unsupported_locally and not way.informational:
        return result.detail
    return result


_STATUS_LINE = re.compile(r"HTTP/\d(?:\.\d)? (\d{3})(?: |$)")


def plain_http_attempt(target: ProbeTarget) -> ProbeResult:
    """The valid request sent over plain HTTP (no TLS) to the provider's TLS port.

    The result is accepted only for a 200 answer: some servers answer plain HTTP on a TLS port
    with a 400 page saying so, which refuses the request even though it is an HTTP answer.
    """
    valid = valid_request(target.config, target.document)
    path = urlsplit(valid.url).path
    headers = "".join(f"{k}: {v}\r\n" for k, v in valid.headers)
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {target.host}:{target.port}\r\n{headers}"
        "Connection: close\r\n\r\n"
    )
    try:
        sock = socket.create_connection(
            (target.host, target.port), timeout=target.config.connect_timeout
        )
    except OSError as exc:
        return ProbeResult(False, False, False, None, None, f"no connection ({exc})")
    with sock:
        try:
            sock.settimeout(target.config.read_timeout)
            sock.sendall(request.encode("ascii"))
            first = sock.recv(64)
        except OSError as exc:
            return ProbeResult(True, False, False, None, None, f"connection ended ({exc})")
    line = first.split(b"\r\n")[0].decode("latin-1", "replace")
    match = _STATUS_LINE.match(line)
    status = int(match[1]) if match else None
    return ProbeResult(
        connected=True,
        handshake=False,
        accepted=status == 200,
        tls_version=None,
        cipher=None,
        detail=line or "closed without an answer",
        status=status,
    )
