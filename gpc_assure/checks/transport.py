"""Transport-security probes of the provider's endpoint, and what they must show.

Each probe is one raw TLS connection (`gpc_assure.transport.tls_probe`) made to the provider
itself, and sends the complete valid request (Spine headers, bearer token) for the first
configured document, so that the only thing missing is what the scenario takes away. The scenarios
do not apply through a Spine Secure Proxy, nor over plain HTTP.

Probes asking whether the provider *refuses* something (no or an untrusted client certificate,
an old protocol, non-approved suites) do not verify the provider's certificate: they ask about
its policy, and GPC-DOC-TLS-008 alone judges the certificate. Probes asking whether it
*accepts* the valid set-up verify it, and cannot be judged when it does not verify.
"""

import os
import socket
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from gpc_assure.checks.expect import Observation
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


def _not_judged(expected: str, result: ProbeResult, why: str = "") -> Observation:
    """The question could not be asked: the scenario ends in error, never passes."""
    observed = f"{result.detail}{why}"
    return Observation(None, expected, observed, no_response=True)


_UNVERIFIED = "; the provider's certificate is judged by GPC-DOC-TLS-008"


def connection_accepted(result: ProbeResult, version: str) -> Observation:
    """The handshake completed over `version` with the client certificate, and the session
    was not refused: no alert or close before the answer, no HTTP answer refusing the
    certificate (any other HTTP answer is not a transport matter)."""
    expected = f"a completed handshake over {version}, the request not refused"
    if result.server_verified is False:
        return _not_judged(expected, result, _UNVERIFIED)
    if result.refusal in ("handshake", "closed") or result.certificate_complaint:
        return Observation(False, expected, result.detail)
    if not result.handshake:
        return _not_judged(expected, result)
    return Observation(result.tls_version == version, expected, result.detail)


def certificate_verified(result: ProbeResult) -> Observation:
    """The server certificate chained to the configured CA and named the host."""
    expected = "a server certificate from the configured CA, valid for the host name"
    if result.server_verified is False:
        return Observation(False, expected, result.detail)
    if result.handshake and result.server_verified:
        return Observation(True, expected, f"verified ({result.detail})")
    return _not_judged(expected, result)


_REFUSED = {
    "handshake": "refused in the TLS handshake",
    "closed": "refused, the session ended unanswered",
    "http": "refused by an HTTP answer that is not 2xx and carries no document",
}


def connection_refused(result: ProbeResult) -> Observation:
    """The request was refused: in the handshake, by ending the session unanswered, or by an
    HTTP answer that is not 2xx and carries no document. Served means it failed; anything
    else (no connection, no answer in time, not HTTP) could not be judged."""
    expected = "the request refused (a failed handshake, or an answer not 2xx without the document)"
    if result.refusal is not None:
        return Observation(True, expected, f"{_REFUSED[result.refusal]}: {result.detail}")
    if result.accepted:
        return Observation(False, expected, result.detail)
    return _not_judged(expected, result)


def tls13_reported(result: ProbeResult) -> Observation:
    """Whether TLS 1.3 is accepted, recorded for the reader and never judged."""
    expected = "reported only: the guidance names TLS 1.2 and does not forbid TLS 1.3"
    if result.unsupported_locally:
        observed = f"TLS 1.3 not offered: {result.detail}"
    elif result.tls_version == "TLSv1.3" and result.refusal not in ("handshake", "closed"):
        observed = f"TLS 1.3 accepted ({result.cipher}): {result.detail}"
    else:
        observed = f"TLS 1.3 not accepted: {result.detail}"
    return Observation(None, expected, observed)


def plain_http_answer(target: ProbeTarget) -> Observation:
    """A valid request sent over plain HTTP to the TLS port must not be served.

    Only a 200 counts as served: some servers answer plain HTTP on a TLS port with a 400
    page saying so, which refuses the request even though it is an HTTP answer.
    """
    valid = valid_request(target.config, target.document)
    path = urlsplit(valid.url).path
    headers = "".join(f"{k}: {v}\r\n" for k, v in valid.headers)
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {target.host}:{target.port}\r\n{headers}"
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
