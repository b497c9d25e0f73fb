"""One raw TLS connection to a provider, reported in words (transport-security scenarios).

The security guidance requires TLS 1.2 with mutual authentication, forbids TLS 1.0/1.1 and
SSL, restricts TLS 1.2 to approved cipher suites and requires a client certificate with a
valid chain of trust; the general guidance requires HSTS. The scenarios checking these need
to offer things httpx would never offer (an old protocol, one weak cipher, no client
certificate), so :func:`probe` talks to the socket directly with the stdlib ``ssl`` module
and reports what happened instead of raising.

Nothing here ever puts key material or a key password into a ``repr`` or a detail string.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import ipaddress
import os
import re
import socket
import ssl
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from gpc_assure.tls import TlsSetupError

__all__ = [
    "APPROVED_TLS12_CIPHERS",
    "SELF_SIGNED_CLIENT_CN",
    "WEAK_TLS12_CIPHERS",
    "ProbeResult",
    "TlsSetupError",
    "hsts_max_age",
    "probe",
    "self_signed_client",
]

# Security guidance, "Supported ciphers": AESGCM+EECDH, AESGCM+EDH, AES256+EECDH, AES256+EDH.
APPROVED_TLS12_CIPHERS = "ECDHE+AESGCM:DHE+AESGCM:ECDHE+AES256:DHE+AES256"

# TLS 1.2 suites outside that list which current OpenSSL still offers: AES128 in CBC or CCM
# mode, ChaCha20-Poly1305 (forward secret, but not approved), and static-RSA key exchange
# (no forward secrecy, so neither EECDH nor EDH, even with AES-GCM or AES256). Both ECDSA and
# RSA authentication variants, so that a provider with either kind of key can pick one.
WEAK_TLS12_CIPHERS = ":".join(
    (
        "ECDHE-ECDSA-AES128-SHA",
        "ECDHE-RSA-AES128-SHA",
        "ECDHE-ECDSA-AES128-SHA256",
        "ECDHE-RSA-AES128-SHA256",
        "ECDHE-ECDSA-AES128-CCM",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-CHACHA20-POLY1305",
        "DHE-RSA-AES128-SHA",
        "DHE-RSA-AES128-SHA256",
        "DHE-RSA-AES128-CCM",
        "DHE-RSA-CHACHA20-POLY1305",
        "AES128-GCM-SHA256",
        "AES256-GCM-SHA384",
        "AES128-SHA256",
        "AES256-SHA256",
        "AES128-SHA",
        "AES256-SHA",
    )
)

SELF_SIGNED_CLIENT_CN = "gpc-assure-untrusted-client"

_LEGACY_CIPHERS = "DEFAULT:@SECLEVEL=0"
_STATUS_LINE = re.compile(rb"HTTP/1\.[0-9] ([0-9]{3})(?:[ \t]|\r?\n|$)")
_MAX_STATUS_LINE = 8192
# OpenSSL reasons raised while building the ClientHello: nothing has been sent yet.
_LOCAL_REFUSALS = ("NO_PROTOCOLS_AVAILABLE", "UNSUPPORTED_PROTOCOL", "NO_CIPHERS_AVAILABLE")


@dataclass(frozen=True)
class ProbeResult:
    """What one connection attempt did; ``detail`` is one line, in words."""

    connected: bool  # TCP connected
    handshake: bool  # TLS handshake completed
    accepted: bool  # an HTTP status line came back over the session
    tls_version: str | None  # e.g. "TLSv1.2"
    cipher: str | None  # OpenSSL name of the negotiated suite
    detail: str
    unsupported_locally: bool = False  # our OpenSSL would not offer this: skip, don't fail

    def __str__(self) -> str:
        return self.detail


# --------------------------------------------------------------------------------------------
# The probe


def probe(
    host: str,
    port: int,
    *,
    server_name: str | None,
    ca: Path | None,
    client_cert: Path | None,
    client_key: Path | None,
    min_version: ssl.TLSVersion | None = None,
    max_version: ssl.TLSVersion | None = None,
    ciphers: str | None = None,
    timeout: float = 5.0,
    http_path: str = "/",
    key_password: str | None = None,
) -> ProbeResult:
    """Open one TLS connection to *host*:*port*, send one GET and report what happened.

    * ``server_name``: the name the server certificate is checked against (and sent as SNI
      when it is a DNS name); an IP address is checked against the IP SANs. ``None`` means
      *host*.
    * ``ca``: the trust anchors for the server certificate; ``None`` means the system store.
      The server certificate is always verified (CERT_REQUIRED, hostname checked).
    * ``client_cert``/``client_key``: the client chain to present; ``None`` presents none.
    * ``min_version``/``max_version``: the protocol range offered. Without them the range is
      TLS 1.2 to the highest supported; a range below TLS 1.2 also lowers the OpenSSL
      security level so that the old protocol can really be offered.
    * ``ciphers``: an OpenSSL cipher string for TLS 1.2 and below; it implies
      ``max_version=TLSv1_2`` unless ``max_version`` is given, because TLS 1.3 suites are
      configured separately and would otherwise still be offered (and win).

    ``accepted`` needs an HTTP status line (any status) in answer to ``GET http_path``: a
    server that completes the handshake and then closes without a byte is reported as not
    accepting the session (with TLS 1.3 that is how a refused client certificate often shows).

    Network and TLS outcomes never raise. Local problems do: a CA, client certificate or key
    that cannot be loaded raises :class:`TlsSetupError`, an unusable ``server_name`` or
    ``http_path`` raises ``ValueError`` (they are configuration errors, not provider verdicts).
    """
    name = server_name or host
    if ciphers is not None and max_version is None:
        max_version = ssl.TLSVersion.TLSv1_2
    request = _request(http_path, name, port)
    context = _context(ca, client_cert, client_key, key_password)
    refusal = _configure(context, min_version, max_version, ciphers)
    if refusal is None:
        refusal = _local_refusal(context, name)
    if refusal is not None:
        return ProbeResult(
            connected=False,
            handshake=False,
            accepted=False,
            tls_version=None,
            cipher=None,
            detail=f"not supported by the local TLS library ({refusal}); nothing was sent",
            unsupported_locally=True,
        )
    return _connect(context, host, port, name, timeout, request)


def _context(
    ca: Path | None,
    client_cert: Path | None,
    client_key: Path | None,
    key_password: str | None,
) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED, check_hostname
    try:
        if ca is None:
            context.load_default_certs(ssl.Purpose.SERVER_AUTH)
        else:
            context.load_verify_locations(cafile=str(ca))
    except (ssl.SSLError, OSError) as exc:
        raise TlsSetupError(f"CA {ca}: not a usable PEM CA bundle ({_reason(exc)})") from None
    if client_cert is not None:
        password = key_password or ""
        try:
            # A callable, even for "no password": OpenSSL must never prompt on the terminal.
            context.load_cert_chain(
                str(client_cert),
                str(client_key) if client_key is not None else None,
                password=lambda: password,
            )
        except (ssl.SSLError, OSError) as exc:
            raise TlsSetupError(
                f"client certificate {client_cert}: cannot load it with its key ({_reason(exc)})"
            ) from None
    return context


def _configure(
    context: ssl.SSLContext,
    min_version: ssl.TLSVersion | None,
    max_version: ssl.TLSVersion | None,
    ciphers: str | None,
) -> str | None:
    """Apply the protocol range and cipher string; a reason when OpenSSL refuses them."""
    legacy = any(
        v is not None and v < ssl.TLSVersion.TLSv1_2
        for v in (min_version, max_version)
        if v not in (ssl.TLSVersion.MINIMUM_SUPPORTED, ssl.TLSVersion.MAXIMUM_SUPPORTED)
    )
    try:
        with warnings.catch_warnings():  # old protocols are deprecated: offering them is the test
            warnings.simplefilter("ignore", DeprecationWarning)
            if min_version is not None:
                context.minimum_version = min_version
            elif legacy:
                context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
            if max_version is not None:
                context.maximum_version = max_version
    except (ValueError, ssl.SSLError) as exc:
        return f"cannot set the protocol range: {_reason(exc)}"
    cipher_string = ciphers
    if legacy:
        # TLS 1.0/1.1 sign with SHA-1, which OpenSSL 3 refuses at its default security level.
        cipher_string = _LEGACY_CIPHERS if ciphers is None else ciphers
        if "@SECLEVEL" not in cipher_string.upper():
            cipher_string += ":@SECLEVEL=0"
    if cipher_string is not None:
        try:
            context.set_ciphers(cipher_string)
        except ssl.SSLError:
            return f"no cipher suite in {cipher_string!r} is available"
    return None


def _local_refusal(context: ssl.SSLContext, server_name: str) -> str | None:
    """Build a ClientHello in memory: a reason when OpenSSL refuses to produce one."""
    tls = context.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname=server_name)
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        return None  # the ClientHello is written and a reply awaited: it can be offered
    except ssl.SSLError as exc:
        reason = (exc.reason or "").upper()
        if any(local in reason for local in _LOCAL_REFUSALS):
            return _reason(exc)
    return None


def _connect(
    context: ssl.SSLContext,
    host: str,
    port: int,
    server_name: str,
    timeout: float,
    request: bytes,
) -> ProbeResult:
    where = f"{host}:{port}"
    try:
        raw = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        return ProbeResult(
            False, False, False, None, None, f"TCP connection to {where} failed: {_net(exc)}"
        )
    with contextlib.closing(raw):
        try:
            conn = context.wrap_socket(raw, server_hostname=server_name)
        except ssl.SSLCertVerificationError as exc:
            return ProbeResult(
                True,
                False,
                False,
                None,
                None,
                f"TLS handshake failed: the server certificate was not verified "
                f"({exc.verify_message or _reason(exc)})",
            )
        except OSError as exc:
            return ProbeResult(True, False, False, None, None, f"TLS handshake failed: {_net(exc)}")
        with contextlib.closing(conn):
            version = conn.version()
            suite = conn.cipher()
            cipher = suite[0] if suite else None
            session = f"{version} {cipher}"
            try:
                conn.sendall(request)
                line = _first_line(conn, timeout)
            except OSError as exc:
                return ProbeResult(
                    True,
                    True,
                    False,
                    version,
                    cipher,
                    f"handshake completed ({session}), then no answer to the request: {_net(exc)}",
                )
    if not line:
        detail = f"handshake completed ({session}) but the server closed without answering"
        return ProbeResult(True, True, False, version, cipher, detail)
    match = _STATUS_LINE.match(line)
    if match is None:
        return ProbeResult(
            True,
            True,
            False,
            version,
            cipher,
            f"handshake completed ({session}) but the answer is not an HTTP status line "
            f"({_printable(line)})",
        )
    return ProbeResult(
        True,
        True,
        True,
        version,
        cipher,
        f"accepted over {session}: HTTP status {match.group(1).decode()}",
    )


def _request(http_path: str, server_name: str, port: int) -> bytes:
    path = http_path if http_path.startswith("/") else f"/{http_path}"
    if any(c in path for c in "\r\n \t"):
        raise ValueError(f"http_path must not contain whitespace: {http_path!r}")
    host = server_name
    with contextlib.suppress(ValueError):
        if ipaddress.ip_address(server_name).version == 6:
            host = f"[{server_name}]"
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: gpc-assure-tls-probe\r\n"
        "Accept: */*\r\nConnection: close\r\n\r\n"
    ).encode("ascii", "strict")


def _first_line(conn: ssl.SSLSocket, timeout: float) -> bytes:
    """Read up to the end of the first line (or the first 8 KiB, or EOF), within `timeout`
    seconds in all: a server dribbling bytes must not hold the probe past it."""
    deadline = time.monotonic() + timeout
    data = b""
    while b"\n" not in data and len(data) < _MAX_STATUS_LINE:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no complete status line within {timeout:g} s")
        conn.settimeout(remaining)
        chunk = conn.recv(_MAX_STATUS_LINE - len(data))
        if not chunk:
            break
        data += chunk
    return data.split(b"\n", 1)[0] + (b"\n" if b"\n" in data else b"")


# --------------------------------------------------------------------------------------------
# Describing failures in one line


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return str(exc.reason)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return " ".join(str(exc).split()) or type(exc).__name__


_ALERT = re.compile(r"(?:SSLV3|TLSV1|TLSV13)_ALERT_([A-Z0-9_]+)")


def _net(exc: BaseException) -> str:
    """A network or TLS failure in words: the TLS alert received, the reset, the timeout."""
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ssl.SSLZeroReturnError):
        return "the server closed the TLS session (close_notify)"
    if isinstance(exc, ssl.SSLEOFError):
        return "the server closed the connection (EOF, no TLS alert)"
    if isinstance(exc, ssl.SSLError):
        reason = exc.reason or ""
        alert = _ALERT.search(reason)
        if alert:
            return f"TLS alert from the server: {alert.group(1).lower()} ({reason})"
        return f"TLS error: {_reason(exc)}"
    if isinstance(exc, ConnectionResetError):
        return "connection reset by the server"
    if isinstance(exc, BrokenPipeError):
        return "connection closed by the server (broken pipe)"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return f"name resolution failed ({_reason(exc)})"
    if isinstance(exc, OSError) and exc.errno is not None:
        name = errno.errorcode.get(exc.errno, str(exc.errno))
        return f"{_reason(exc)} ({name})"
    return _reason(exc)


def _printable(data: bytes) -> str:
    text = data[:60].decode("ascii", "backslashreplace").strip()
    return repr(text) + ("..." if len(data) > 60 else "")


# --------------------------------------------------------------------------------------------
# A client certificate outside every chain of trust


def self_signed_client(directory: Path) -> tuple[Path, Path]:
    """Write a fresh self-signed EC P-256 client certificate and key into *directory*.

    The key is unencrypted PKCS#8 with mode 0600. Returns ``(cert_path, key_path)``.
    """
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "gpc-assure"),
            x509.NameAttribute(NameOID.COMMON_NAME, SELF_SIGNED_CLIENT_CN),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=7))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / "self-signed-client.pem"
    key_path = directory / "self-signed-client.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    key_path.chmod(0o600)
    return cert_path, key_path


# --------------------------------------------------------------------------------------------
# Strict-Transport-Security (RFC 6797, section 6.1)

_OWS = " \t"
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_DELTA_SECONDS = re.compile(r"[0-9]+")


def _skip_ows(text: str, i: int) -> int:
    while i < len(text) and text[i] in _OWS:
        i += 1
    return i


def _quoted_string(text: str, i: int) -> tuple[str, int] | None:
    """Parse the quoted-string starting at ``text[i] == '"'``; None when unterminated/invalid."""
    out: list[str] = []
    i += 1
    while i < len(text):
        char = text[i]
        if char == '"':
            return "".join(out), i + 1
        if char == "\\":
            if i + 1 >= len(text):
                return None
            out.append(text[i + 1])
            i += 2
            continue
        if (ord(char) < 0x20 and char != "\t") or ord(char) == 0x7F:
            return None
        out.append(char)
        i += 1
    return None


def _sts_directives(value: str) -> dict[str, str | None] | None:
    """Directive name (lower-cased) -> value; None when malformed or a directive repeats."""
    directives: dict[str, str | None] = {}
    i, n = 0, len(value)
    while True:
        i = _skip_ows(value, i)
        if i < n and value[i] != ";":
            name_match = _TOKEN.match(value, i)
            if name_match is None:
                return None
            name = name_match.group().lower()
            i = _skip_ows(value, name_match.end())
            directive_value: str | None = None
            if i < n and value[i] == "=":
                i = _skip_ows(value, i + 1)
                if i < n and value[i] == '"':
                    quoted = _quoted_string(value, i)
                    if quoted is None:
                        return None
                    directive_value, i = quoted
                else:
                    token = _TOKEN.match(value, i)
                    if token is None:
                        return None
                    directive_value, i = token.group(), token.end()
                i = _skip_ows(value, i)
            if name in directives:
                return None  # RFC 6797 6.1: each directive at most once, else ignore the header
            directives[name] = directive_value
        if i >= n:
            return directives
        if value[i] != ";":
            return None
        i += 1


def hsts_max_age(header_value: str | None) -> int | None:
    """The max-age of a Strict-Transport-Security value, or None when absent or malformed.

    Per RFC 6797: directive names are case-insensitive, values may be tokens or quoted
    strings, unknown directives (and ``includeSubDomains``, ``preload``) are ignored, a
    repeated directive makes the whole header invalid, and max-age is required and is
    delta-seconds (digits only). ``max-age=0`` is returned as 0 (it tells the browser to
    forget the host); judging it is up to the caller. Pass the value of the *first*
    Strict-Transport-Security field only (RFC 6797 8.1): several fields joined with a comma
    are not valid STS syntax and give None.
    """
    if header_value is None:
        return None
    directives = _sts_directives(header_value)
    if directives is None:
        return None
    max_age = directives.get("max-age")
    if max_age is None or not _DELTA_SECONDS.fullmatch(max_age):
        return None
    return int(max_age)
