"""The server-side TLS context (security guidance: TLS 1.2+, approved ciphers, mutual TLS)."""

from __future__ import annotations

import ssl
import warnings

from .certs import Pki

# Security guidance, "Supported ciphers" (OpenSSL spelling of AESGCM+EECDH, ...).
APPROVED_CIPHERS = "ECDHE+AESGCM:DHE+AESGCM:ECDHE+AES256:DHE+AES256"
WEAK_CIPHER = "ECDHE-ECDSA-AES128-SHA"


def server_context(pki: Pki, faults: frozenset[str]) -> ssl.SSLContext:
    """A server context requiring a client certificate issued by the throwaway CA."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.server_cert, pki.server_key)
    context.load_verify_locations(cafile=pki.ca_cert)
    ciphers = APPROVED_CIPHERS
    if "weak-cipher" in faults:
        ciphers += f":{WEAK_CIPHER}"
    if "allow-tls1.1" in faults:
        with warnings.catch_warnings():  # deprecated on purpose: this is the fault
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1_1
        ciphers += ":@SECLEVEL=0"
    else:
        context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(ciphers)
    context.options |= ssl.OP_CIPHER_SERVER_PREFERENCE | ssl.OP_NO_COMPRESSION
    context.verify_mode = (
        ssl.CERT_OPTIONAL if "no-client-cert-required" in faults else ssl.CERT_REQUIRED
    )
    return context
