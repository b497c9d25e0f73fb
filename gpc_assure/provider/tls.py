"""The server-side TLS context (security guidance: TLS 1.2+, approved ciphers, mutual TLS), and
the client-certificate checks made once the handshake is done."""

from __future__ import annotations

import html
import ssl
import warnings
from functools import cache
from typing import Any

from .certs import Pki
from .faults import Fault
from .readings import Reading

# Security guidance, "Supported ciphers" (OpenSSL spelling of AESGCM+EECDH, ...).
APPROVED_CIPHERS = "ECDHE+AESGCM:DHE+AESGCM:ECDHE+AES256:DHE+AES256"
WEAK_CIPHER = "ECDHE-ECDSA-AES128-SHA"
# Faults that each also allow one non-approved TLS 1.2 suite.
EXTRA_CIPHERS = {
    Fault.TLS_WEAK_CIPHER: WEAK_CIPHER,
    Fault.TLS_CIPHER_AES128_SHA256: "ECDHE-ECDSA-AES128-SHA256",
    Fault.TLS_CIPHER_CHACHA20: "ECDHE-ECDSA-CHACHA20-POLY1305",
    Fault.TLS_RSA_WEAK_CIPHERS: "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES128-SHA256:AES128-SHA256",
}
UNAPPROVED_ONLY = "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA256"
# Fault tls-cipher-unlisted: a non-approved suite none of the suite's named cipher probes offers;
# the first the local OpenSSL knows. The last needs an RSA server key.
_UNLISTED_CANDIDATES = (
    "ECDHE-ECDSA-ARIA256-GCM-SHA384",
    "ECDHE-ECDSA-CAMELLIA256-SHA384",
    "ECDHE-RSA-CHACHA20-POLY1305",
)
# X509_V_FLAG_NO_CHECK_TIME: OpenSSL ignores validity periods (fault
# tls-client-cert-expired-accepted); the ssl module has no name for it.
_NO_CHECK_TIME = 0x200000

TRANSPORT_READINGS: tuple[Reading, ...] = (Reading.TLS_REFUSE_WITH_HTTP_400,)
"""Legitimate transport behaviours the provider can be switched to (it stays conformant):

* ``tls-refuse-with-http-400``: client certificates are requested, not required, in the
  handshake; a request without a valid client certificate (none, or one not naming the Spine
  Secure Proxy) is answered HTTP 400 with an HTML page and no document, as nginx does.
"""


def refusal_page(reason: str) -> bytes:
    """The HTML body of the 400 answer of reading tls-refuse-with-http-400 (nginx's layout)."""
    text = html.escape(reason)
    return (
        f"<html>\r\n<head><title>400 {text}</title></head>\r\n<body>\r\n"
        f"<center><h1>400 Bad Request</h1></center>\r\n<center>{text}</center>\r\n"
        "</body>\r\n</html>\r\n"
    ).encode()


def _local_suites(cipher_string: str) -> set[str]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.set_ciphers(cipher_string)
    except ssl.SSLError:
        return set()
    return {suite["name"] for suite in context.get_ciphers()}


@cache
def unlisted_cipher() -> str:
    """The suite fault tls-cipher-unlisted allows (ARIA or CAMELLIA where available)."""
    known = _local_suites("ALL:@SECLEVEL=0")
    return next((c for c in _UNLISTED_CANDIDATES if c in known), _UNLISTED_CANDIDATES[-1])


def needs_rsa_server_key(faults: frozenset[Fault]) -> bool:
    """Whether `faults` need the RSA server certificate (RSA-authenticated suites)."""
    if Fault.TLS_RSA_WEAK_CIPHERS in faults:
        return True
    return Fault.TLS_CIPHER_UNLISTED in faults and unlisted_cipher().startswith("ECDHE-RSA-")


def server_context(
    pki: Pki, faults: frozenset[Fault], readings: frozenset[Reading] = frozenset()
) -> ssl.SSLContext:
    """A server context requiring a client certificate issued by the throwaway CA."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if Fault.TLS_WRONG_HOST_CERT in faults:
        context.load_cert_chain(pki.wrong_host_cert, pki.wrong_host_key)
    elif needs_rsa_server_key(faults) and pki.rsa_server_cert and pki.rsa_server_key:
        context.load_cert_chain(pki.rsa_server_cert, pki.rsa_server_key)
    else:
        context.load_cert_chain(pki.server_cert, pki.server_key)
    context.load_verify_locations(cafile=pki.ca_cert)
    ciphers = UNAPPROVED_ONLY if Fault.TLS_UNAPPROVED_CIPHERS_ONLY in faults else APPROVED_CIPHERS
    for fault, cipher in EXTRA_CIPHERS.items():
        if fault in faults:
            ciphers += f":{cipher}"
    if Fault.TLS_CIPHER_UNLISTED in faults:
        ciphers += f":{unlisted_cipher()}"
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if Fault.TLS_1_3_ONLY in faults:
        context.minimum_version = ssl.TLSVersion.TLSv1_3
    old_protocol = {
        Fault.TLS_ALLOW_1_1: ssl.TLSVersion.TLSv1_1,
        Fault.TLS_ALLOW_1_0: ssl.TLSVersion.TLSv1,
    }
    for fault, version in old_protocol.items():
        if fault in faults:
            with warnings.catch_warnings():  # deprecated on purpose: this is the fault
                warnings.simplefilter("ignore", DeprecationWarning)
                context.minimum_version = version
            ciphers += ":@SECLEVEL=0"
    context.set_ciphers(ciphers)
    context.options |= ssl.OP_CIPHER_SERVER_PREFERENCE | ssl.OP_NO_COMPRESSION
    if Fault.TLS_CLIENT_CERT_EXPIRED_ACCEPTED in faults:
        context.verify_flags |= _NO_CHECK_TIME
    if Fault.TLS_CLIENT_CERT_UNVERIFIED in faults:
        context.verify_mode = ssl.CERT_NONE
    elif Fault.TLS_CLIENT_CERT_OPTIONAL in faults or Reading.TLS_REFUSE_WITH_HTTP_400 in readings:
        context.verify_mode = ssl.CERT_OPTIONAL
    else:
        context.verify_mode = ssl.CERT_REQUIRED
    return context


def _names(peer: dict[str, Any]) -> set[str]:
    """The DNS names a verified peer certificate carries (SAN dNSName, else subject CN)."""
    names = {str(value).lower() for kind, value in peer.get("subjectAltName", ()) if kind == "DNS"}
    if names:
        return names
    return {
        str(value).lower()
        for rdn in peer.get("subject", ())
        for key, value in rdn
        if key == "commonName"
    }


def client_refusal(
    peer: dict[str, Any] | None, ssp_host: str, faults: frozenset[Fault]
) -> str | None:
    """Why the client must not be served, judged after the handshake; None to serve it.

    `peer` is the verified client certificate (``getpeercert()``; empty or None when there is
    none). The security guidance requires the FQDN in the client certificate to be the Spine
    Secure Proxy's. Without a certificate the handshake already refused the client, unless a
    fault or reading made certificates optional.
    """
    if not peer:
        optional = {Fault.TLS_CLIENT_CERT_OPTIONAL, Fault.TLS_CLIENT_CERT_UNVERIFIED}
        return None if faults & optional else "No required SSL certificate was sent"
    if Fault.TLS_CLIENT_CERT_ANY_HOST in faults or ssp_host.lower() in _names(peer):
        return None
    return f"the client certificate does not name the Spine Secure Proxy ({ssp_host})"
