"""The server-side TLS context (security guidance: TLS 1.2+, approved ciphers, mutual TLS), and
the client-certificate checks made once the handshake is done."""

from __future__ import annotations

import html
import ssl
import warnings
from functools import cache
from typing import Any

from .certs import Pki

# Security guidance, "Supported ciphers" (OpenSSL spelling of AESGCM+EECDH, ...).
APPROVED_CIPHERS = "ECDHE+AESGCM:DHE+AESGCM:ECDHE+AES256:DHE+AES256"
WEAK_CIPHER = "ECDHE-ECDSA-AES128-SHA"
# Faults that each also allow one non-approved TLS 1.2 suite.
EXTRA_CIPHERS = {
    "tls-weak-cipher": WEAK_CIPHER,
    "tls-cipher-aes128-sha256": "ECDHE-ECDSA-AES128-SHA256",
    "tls-cipher-chacha20": "ECDHE-ECDSA-CHACHA20-POLY1305",
    "tls-rsa-weak-ciphers": "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES128-SHA256:AES128-SHA256",
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

TRANSPORT_READINGS: tuple[str, ...] = ("tls-refuse-with-http-400",)
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


def needs_rsa_server_key(faults: frozenset[str]) -> bool:
    """Whether `faults` need the RSA server certificate (RSA-authenticated suites)."""
    if "tls-rsa-weak-ciphers" in faults:
        return True
    return "tls-cipher-unlisted" in faults and unlisted_cipher().startswith("ECDHE-RSA-")


def server_context(
    pki: Pki, faults: frozenset[str], readings: frozenset[str] = frozenset()
) -> ssl.SSLContext:
    """A server context requiring a client certificate issued by the throwaway CA."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if "tls-wrong-host-cert" in faults:
        context.load_cert_chain(pki.wrong_host_cert, pki.wrong_host_key)
    elif needs_rsa_server_key(faults) and pki.rsa_server_cert and pki.rsa_server_key:
        context.load_cert_chain(pki.rsa_server_cert, pki.rsa_server_key)
    else:
        context.load_cert_chain(pki.server_cert, pki.server_key)
    context.load_verify_locations(cafile=pki.ca_cert)
    ciphers = UNAPPROVED_ONLY if "tls-unapproved-ciphers-only" in faults else APPROVED_CIPHERS
    for fault, cipher in EXTRA_CIPHERS.items():
        if fault in faults:
            ciphers += f":{cipher}"
    if "tls-cipher-unlisted" in faults:
        ciphers += f":{unlisted_cipher()}"
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if "tls-1.3-only" in faults:
        context.minimum_version = ssl.TLSVersion.TLSv1_3
    old_protocol = {"tls-allow-1.1": ssl.TLSVersion.TLSv1_1, "tls-allow-1.0": ssl.TLSVersion.TLSv1}
    for fault, version in old_protocol.items():
        if fault in faults:
            with warnings.catch_warnings():  # deprecated on purpose: this is the fault
                warnings.simplefilter("ignore", DeprecationWarning)
                context.minimum_version = version
            ciphers += ":@SECLEVEL=0"
    context.set_ciphers(ciphers)
    context.options |= ssl.OP_CIPHER_SERVER_PREFERENCE | ssl.OP_NO_COMPRESSION
    if "tls-client-cert-expired-accepted" in faults:
        context.verify_flags |= _NO_CHECK_TIME
    if "tls-client-cert-unverified" in faults:
        context.verify_mode = ssl.CERT_NONE
    elif "tls-client-cert-optional" in faults or "tls-refuse-with-http-400" in readings:
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
    peer: dict[str, Any] | None, ssp_host: str, faults: frozenset[str]
) -> str | None:
    """Why the client must not be served, judged after the handshake; None to serve it.

    `peer` is the verified client certificate (``getpeercert()``; empty or None when there is
    none). The security guidance requires the FQDN in the client certificate to be the Spine
    Secure Proxy's. Without a certificate the handshake already refused the client, unless a
    fault or reading made certificates optional.
    """
    if not peer:
        optional = {"tls-client-cert-optional", "tls-client-cert-unverified"}
        return None if faults & optional else "No required SSL certificate was sent"
    if "tls-client-cert-any-host" in faults or ssp_host.lower() in _names(peer):
        return None
    return f"the client certificate does not name the Spine Secure Proxy ({ssp_host})"
