"""Throwaway PKI generated at start-up: a CA, a server and a client certificate, plus client
certificates a provider must refuse: one signed by a second, unrelated CA, an expired one and
one naming another host (both from the same CA). EC P-256 keeps it fast."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SSP_HOST = "ssp.gpc-assure.invalid"
"""The host name in the trusted client certificate: the Spine Secure Proxy the provider serves."""
OTHER_CLIENT_HOST = "other-consumer.gpc-assure.invalid"
"""The host name in a client certificate from the trusted CA that is not the Spine Secure Proxy."""
CLIENT_COMMON_NAME = SSP_HOST
_VALIDITY = dt.timedelta(days=30)
_EXPIRED = (dt.timedelta(days=60), dt.timedelta(days=30))
"""The expired client certificate was valid from 60 until 30 days ago."""


@dataclass(frozen=True)
class Pki:
    """Paths of the PEM files (keys unencrypted, mode 0600). Holds paths only, never key bytes."""

    ca_cert: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    untrusted_client_cert: Path
    untrusted_client_key: Path
    expired_client_cert: Path
    """A client certificate from the same CA whose validity period has ended."""
    expired_client_key: Path
    other_host_client_cert: Path
    """A client certificate from the same CA naming OTHER_CLIENT_HOST, not the SSP."""
    other_host_client_key: Path
    wrong_host_cert: Path
    """A server certificate from the same CA for another host name (fault tls-wrong-host-cert)."""
    wrong_host_key: Path
    rsa_server_cert: Path | None = None
    """An RSA server certificate, made only for the fault tls-rsa-weak-ciphers."""
    rsa_server_key: Path | None = None


PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class _Issued:
    key: PrivateKey
    cert: x509.Certificate

    def __repr__(self) -> str:
        return f"_Issued(subject={self.cert.subject.rfc4514_string()!r})"


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "gpc-assure reference provider"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _builder(
    subject: str, issuer: x509.Name, key: PrivateKey, *, expired: bool = False
) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    start, end = (now - _EXPIRED[0], now - _EXPIRED[1]) if expired else (now, now + _VALIDITY)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start - dt.timedelta(hours=1))
        .not_valid_after(end)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )


def _new_ca(common_name: str) -> _Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        _builder(common_name, _name(common_name), key)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return _Issued(key, cert)


def _new_leaf(
    ca: _Issued,
    common_name: str,
    usage: x509.ObjectIdentifier,
    san: x509.SubjectAlternativeName | None,
    key: PrivateKey | None = None,
    *,
    expired: bool = False,
) -> _Issued:
    key = key or ec.generate_private_key(ec.SECP256R1())
    rsa_key = isinstance(key, rsa.RSAPrivateKey)
    builder = (
        _builder(common_name, ca.cert.subject, key, expired=expired)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=rsa_key,
                data_encipherment=False,
                key_agreement=not rsa_key,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
    )
    if san is not None:
        builder = builder.add_extension(san, critical=False)
    return _Issued(key, builder.sign(ca.key, hashes.SHA256()))


def _write_cert(path: Path, cert: x509.Certificate) -> Path:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def _write_key(path: Path, key: PrivateKey) -> Path:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    path.chmod(0o600)
    return path


WRONG_HOST = "some-other-provider.invalid"


def generate_pki(workdir: Path, server_host: str = "127.0.0.1", *, rsa_server: bool = False) -> Pki:
    """Create a fresh PKI and write it as PEM files into *workdir* (created if needed).

    With `rsa_server`, also an RSA server certificate (only the fault that needs it pays for
    the slower RSA key generation)."""
    workdir.mkdir(parents=True, exist_ok=True)
    names: list[x509.GeneralName] = [x509.DNSName("localhost")]
    addresses = {"127.0.0.1", server_host} - {"localhost"}
    for host in sorted(addresses):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    ca = _new_ca("gpc-assure throwaway CA")
    server = _new_leaf(
        ca, "localhost", ExtendedKeyUsageOID.SERVER_AUTH, x509.SubjectAlternativeName(names)
    )
    client_usage = ExtendedKeyUsageOID.CLIENT_AUTH
    ssp = x509.SubjectAlternativeName([x509.DNSName(SSP_HOST)])
    client = _new_leaf(ca, SSP_HOST, client_usage, ssp)
    other_ca = _new_ca("gpc-assure untrusted CA")
    untrusted = _new_leaf(other_ca, SSP_HOST, client_usage, ssp)
    expired = _new_leaf(ca, SSP_HOST, client_usage, ssp, expired=True)
    other_host = _new_leaf(
        ca,
        OTHER_CLIENT_HOST,
        client_usage,
        x509.SubjectAlternativeName([x509.DNSName(OTHER_CLIENT_HOST)]),
    )
    wrong_host = _new_leaf(
        ca,
        WRONG_HOST,
        ExtendedKeyUsageOID.SERVER_AUTH,
        x509.SubjectAlternativeName([x509.DNSName(WRONG_HOST)]),
    )
    rsa_leaf = (
        _new_leaf(
            ca,
            "localhost",
            ExtendedKeyUsageOID.SERVER_AUTH,
            x509.SubjectAlternativeName(names),
            key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        )
        if rsa_server
        else None
    )
    return Pki(
        ca_cert=_write_cert(workdir / "ca.pem", ca.cert),
        server_cert=_write_cert(workdir / "server.pem", server.cert),
        server_key=_write_key(workdir / "server.key", server.key),
        client_cert=_write_cert(workdir / "client.pem", client.cert),
        client_key=_write_key(workdir / "client.key", client.key),
        untrusted_client_cert=_write_cert(workdir / "untrusted-client.pem", untrusted.cert),
        untrusted_client_key=_write_key(workdir / "untrusted-client.key", untrusted.key),
        expired_client_cert=_write_cert(workdir / "expired-client.pem", expired.cert),
        expired_client_key=_write_key(workdir / "expired-client.key", expired.key),
        other_host_client_cert=_write_cert(workdir / "other-host-client.pem", other_host.cert),
        other_host_client_key=_write_key(workdir / "other-host-client.key", other_host.key),
        wrong_host_cert=_write_cert(workdir / "wrong-host.pem", wrong_host.cert),
        wrong_host_key=_write_key(workdir / "wrong-host.key", wrong_host.key),
        rsa_server_cert=_write_cert(workdir / "rsa-server.pem", rsa_leaf.cert)
        if rsa_leaf
        else None,
        rsa_server_key=_write_key(workdir / "rsa-server.key", rsa_leaf.key) if rsa_leaf else None,
    )
