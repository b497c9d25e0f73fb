"""The server-side TLS context (security guidance: TLS 1.2+, approved ciphers, mutual TLS)."""

from __future__ import annotations

import ssl
import warnings

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


def server_context(pki: Pki, faults: frozenset[str]) -> ssl.SSLContext:
    """A server context requiring a client certificate issued by the throwaway CA."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if "tls-wrong-host-cert" in faults:
        context.load_cert_chain(pki.wrong_host_cert, pki.wrong_host_key)
    elif "tls-rsa-weak-ciphers" in faults and pki.rsa_server_cert and pki.rsa_server_key:
        context.load_cert_chain(pki.rsa_server_cert, pki.rsa_server_key)
    else:
        context.load_cert_chain(pki.server_cert, pki.server_key)
    context.load_verify_locations(cafile=pki.ca_cert)
    ciphers = UNAPPROVED_ONLY if "tls-unapproved-ciphers-only" in faults else APPROVED_CIPHERS
    for fault, cipher in EXTRA_CIPHERS.items():
        if fault in faults:
            ciphers += f":{cipher}"
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
    if "tls-client-cert-unverified" in faults:
        context.verify_mode = ssl.CERT_NONE
    elif "tls-client-cert-optional" in faults:
        context.verify_mode = ssl.CERT_OPTIONAL
    else:
        context.verify_mode = ssl.CERT_REQUIRED
    return context
