"""One raw TLS connection to a provider, reported in words (transport-security scenarios).

The security guidance requires TLS 1.2 with mutual authentication, forbids TLS 1.0/1.1 and
SSL, restricts TLS 1.2 to approved cipher suites and requires a client certificate with a
valid chain of trust; the general guidance requires HSTS. The scenarios checking these need
to offer things httpx would never offer (an old protocol, one weak cipher, no client
certificate), so :func:`probe` talks to the socket directly with the stdlib ``ssl`` module,
sends one request, reads the start of the answer and reports what happened instead of raising.

How a provider refuses is recorded in :attr:`ProbeResult.refusal`: in the TLS handshake (or by
a TLS alert right after it, as TLS 1.3 reports a refused client certificate), by closing the
session without answering, or by an HTTP answer that is not 2xx and carries no document (as
nginx answers ``400 No required SSL certificate was sent``). Failing to verify the provider's
certificate is never a refusal: it is recorded in :attr:`ProbeResult.server_verified`.

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
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from gpc_assure.transport.tls_context import TlsSetupError

__all__ = [
    "ALERT_WAIT_SECONDS",
    "APPROVED_TLS12_CIPHERS",
    "MAX_ANSWER_BYTES",
    "SELF_SIGNED_CLIENT_CN",
    "ProbeResult",
    "Refusal",
    "TlsSetupError",
    "Verify",
    "can_offer",
    "hsts_max_age",
    "non_approved_tls12_ciphers",
    "probe",
    "probe_context",
    "self_signed_client",
]

# Security guidance, "Supported ciphers": AESGCM+EECDH, AESGCM+EDH, AES256+EECDH, AES256+EDH.
APPROVED_TLS12_CIPHERS = "ECDHE+AESGCM:DHE+AESGCM:ECDHE+AES256:DHE+AES256"
_EVERY_LOCAL_CIPHER = "ALL:@SECLEVEL=0"

SELF_SIGNED_CLIENT_CN = "gpc-assure-untrusted-client"
MAX_ANSWER_BYTES = 64 * 1024
"""How much of an answer is read to judge it (status line, headers, start of the body)."""
ALERT_WAIT_SECONDS = 0.5
"""How long a second attempt waits for a TLS 1.3 refusal's alert before sending its request."""

Verify = Literal["full", "chain", "none"]
"""How the provider's certificate is checked: against the CA and the host name (``full``),
against the CA only (``chain``), or not at all (``none``: the probe asks about the provider's
policy, not its certificate)."""
Refusal = Literal["handshake", "closed", "http"]

_LEGACY_CIPHERS = "DEFAULT:@SECLEVEL=0"
_STATUS_LINE = re.compile(rb"HTTP/1\.[0-9] ([0-9]{3})(?:[ \t]([^\r\n]*))?\r?(?:\n|$)")
_DOCUMENT = re.compile(rb'"resourceType"\s*:\s*"Binary"|<Binary[\s>/]')
_CERTIFICATE_WORDS = re.compile(rb"certificate|\bssl\b", re.IGNORECASE)
_CERTIFICATE_STATUSES = frozenset({400, 401, 403, 495, 496})
_BASE64_RUN = re.compile(rb"[A-Za-z0-9+/_-]{24,}={0,2}")
_TAG = re.compile(rb"<[^>]*>")
# OpenSSL reasons raised while building the ClientHello: nothing has been sent yet.
_LOCAL_REFUSALS = ("NO_PROTOCOLS_AVAILABLE", "UNSUPPORTED_PROTOCOL", "NO_CIPHERS_AVAILABLE")


@dataclass(frozen=True)
class ProbeResult:
    """What one connection attempt did; ``detail`` is one line, in words."""

    connected: bool  # TCP connected
    handshake: bool  # TLS handshake completed (on our side)
    accepted: bool  # the request was served: a 2xx answer, or any answer carrying the document
    tls_version: str | None  # e.g. "TLSv1.2"
    cipher: str | None  # OpenSSL name of the negotiated suite
    detail: str
    refusal: Refusal | None = None  # how the provider refused, when it did
    status: int | None = None  # HTTP status of the answer
    document: bool = False  # the answer carries a document (a Binary, in its first 64 KiB)
    certificate_complaint: bool = False  # an HTTP 400/401/403/495/496 naming a certificate
    server_verified: bool | None = None  # None: not checked, or the handshake ended before
    verify_code: int | None = None  # OpenSSL X509_V_ERR_* when the verification failed
    verify_error: str | None = None  # and its message, e.g. "Hostname mismatch, ..."
    alert: str | None = None  # the TLS alert received, e.g. "unknown_ca"
    unsupported_locally: bool = False  # our OpenSSL would not offer this: skip, don't fail

    def __str__(self) -> str:
        return self.detail


@cache
def non_approved_tls12_ciphers() -> tuple[str, ...]:
    """Every TLS 1.2 suite the local TLS library offers outside the approved list."""

    def suites(cipher_string: str) -> list[str]:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.set_ciphers(cipher_string)
        return [c["name"] for c in context.get_ciphers() if c["protocol"] != "TLSv1.3"]

    approved = set(suites(APPROVED_TLS12_CIPHERS))
    return tuple(name for name in suites(_EVERY_LOCAL_CIPHER) if name not in approved)


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
    verify: Verify = "full",
    min_version: ssl.TLSVersion | None = None,
    max_version: ssl.TLSVersion | None = None,
    ciphers: str | None = None,
    timeout: float = 5.0,
    http_path: str = "/",
    headers: Sequence[tuple[str, str]] = (),
    key_password: str | None = None,
) -> ProbeResult:
    """Open one TLS connection to *host*:*port*, send one GET and report what happened.

    * ``server_name``: the name the server certificate is checked against (and sent as SNI
      when it is a DNS name); an IP address is checked against the IP SANs. ``None`` means
      *host*.
    * ``ca``: the trust anchors for the server certificate; ``None`` means the system store.
    * ``verify``: see :data:`Verify`.
    * ``client_cert``/``client_key``: the client chain to present; ``None`` presents none.
    * ``min_version``/``max_version``: the protocol range offered. Without them the range is
      TLS 1.2 to the highest supported; a range below TLS 1.2 also lowers the OpenSSL
      security level so that the old protocol can really be offered.
    * ``ciphers``: an OpenSSL cipher string for TLS 1.2 and below; it implies
      ``max_version=TLSv1_2`` unless ``max_version`` is given, because TLS 1.3 suites are
      configured separately and would otherwise still be offered (and win).
    * ``headers``: sent after ``Host`` (for example the Spine headers and bearer token of a
      valid request); the probe adds ``Accept-Encoding: identity`` and ``Connection: close``.

    Up to :data:`MAX_ANSWER_BYTES` of the answer are read, within `timeout` seconds in all
    (connecting included).

    Network and TLS outcomes never raise. Local problems do: a CA, client certificate or key
    that cannot be loaded raises :class:`TlsSetupError`, an unusable ``server_name``,
    ``http_path`` or header raises ``ValueError`` (they are errors of the caller, not
    provider verdicts).
    """
    name = server_name or host
    request = _request(http_path, name, port, headers)
    context = probe_context(
        server_name=name,
        ca=ca,
        client_cert=client_cert,
        client_key=client_key,
        key_password=key_password,
        verify=verify,
        min_version=min_version,
        max_version=max_version,
        ciphers=ciphers,
    )
    if isinstance(context, str):
        return ProbeResult(
            connected=False,
            handshake=False,
            accepted=False,
            tls_version=None,
            cipher=None,
            detail=f"not supported by the local TLS library ({context}); nothing was sent",
            unsupported_locally=True,
        )
    deadline = time.monotonic() + timeout
    verifying = verify != "none"
    result = _connect(context, host, port, name, deadline, request, verifying)
    if result.refusal == "closed" and result.tls_version == "TLSv1.3":
        # A TLS 1.3 server refuses a client certificate with an alert after our side of the
        # handshake is done; a request crossing that alert can make it unreadable. Once
        # more, waiting briefly for an alert before sending, to report how it refused.
        wait = min(ALERT_WAIT_SECONDS, deadline - time.monotonic())
        if wait > 0:
            result = _connect(context, host, port, name, deadline, request, verifying, wait)
    return result


FileStamp = tuple[Path, int, int, int] | tuple[Path, None, None, None]
"""A file as a cached context was built from it: path, inode, size and modification time."""


def _stamp(path: Path | None) -> FileStamp | None:
    if path is None:
        return None
    try:
        found = path.stat()
    except OSError:
        return (path, None, None, None)  # loading it will say why
    return (path, found.st_ino, found.st_size, found.st_mtime_ns)


@dataclass(frozen=True)
class _SetUp:
    """Everything a probe's context is built from (the files as they are now)."""

    server_name: str
    ca: FileStamp | None
    client_cert: FileStamp | None
    client_key: FileStamp | None
    key_password: str | None = field(repr=False)
    verify: Verify
    min_version: ssl.TLSVersion | None
    max_version: ssl.TLSVersion | None
    ciphers: str | None


def probe_context(
    *,
    server_name: str,
    ca: Path | None,
    client_cert: Path | None,
    client_key: Path | None,
    key_password: str | None = None,
    verify: Verify = "full",
    min_version: ssl.TLSVersion | None = None,
    max_version: ssl.TLSVersion | None = None,
    ciphers: str | None = None,
) -> ssl.SSLContext | str:
    """The TLS context a probe connects with, set up as :func:`probe` describes; or why the
    local TLS library would not offer that set-up (then nothing may be sent).

    One context is built per distinct set-up and kept for the process (rebuilt when one of its
    files changes). Every connection made with it is still a fresh, full handshake: a client
    context resumes a session only when handed one, which the probe never does.

    Raises :class:`TlsSetupError` when the CA, client certificate or key cannot be loaded.
    """
    if ciphers is not None and max_version is None:
        max_version = ssl.TLSVersion.TLSv1_2
    return _prepared_context(
        _SetUp(
            server_name=server_name,
            ca=_stamp(ca),
            client_cert=_stamp(client_cert),
            client_key=_stamp(client_key),
            key_password=key_password,
            verify=verify,
            min_version=min_version,
            max_version=max_version,
            ciphers=ciphers,
        )
    )


@lru_cache(maxsize=64)
def _prepared_context(set_up: _SetUp) -> ssl.SSLContext | str:
    """Built once per set-up; a load failure raises, so it is not kept."""
    context = _context(
        set_up.ca[0] if set_up.ca else None,
        set_up.client_cert[0] if set_up.client_cert else None,
        set_up.client_key[0] if set_up.client_key else None,
        set_up.key_password,
        set_up.verify,
    )
    refusal = _configure(context, set_up.min_version, set_up.max_version, set_up.ciphers)
    if refusal is None:
        refusal = _local_refusal(context, set_up.server_name)
    return context if refusal is None else refusal


def _context(
    ca: Path | None,
    client_cert: Path | None,
    client_key: Path | None,
    key_password: str | None,
    verify: Verify,
) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED, check_hostname
    if verify != "full":
        context.check_hostname = False
    if verify == "none":
        context.verify_mode = ssl.CERT_NONE
    else:
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
            return f"no cipher suite in {_shortened(cipher_string)} is available"
    return None


def _shortened(cipher_string: str) -> str:
    suites = cipher_string.split(":")
    if len(suites) <= 4:
        return repr(cipher_string)
    return f"{':'.join(suites[:3])!r} and {len(suites) - 3} more"


def can_offer(version: ssl.TLSVersion) -> bool:
    """Whether the local TLS library can offer `version` at all (TLS 1.0 and 1.1 need OpenSSL's
    security level 0, which some builds do not allow)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    refused = _configure(context, version, version, None)
    return refused is None and _local_refusal(context, "localhost") is None


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


def _no_handshake(detail: str, **outcome: Any) -> ProbeResult:
    """Connected over TCP, but no TLS session came of it."""
    return ProbeResult(True, False, False, None, None, detail, **outcome)


def _connect(
    context: ssl.SSLContext,
    host: str,
    port: int,
    server_name: str,
    deadline: float,
    request: bytes,
    verifying: bool,
    alert_wait: float = 0.0,
) -> ProbeResult:
    where = f"{host}:{port}"
    try:
        raw = socket.create_connection((host, port), timeout=_remaining(deadline))
    except OSError as exc:
        return ProbeResult(
            False, False, False, None, None, f"TCP connection to {where} failed: {_net(exc)}"
        )
    with contextlib.closing(raw):
        try:
            raw.settimeout(_remaining(deadline))
            conn = context.wrap_socket(raw, server_hostname=server_name)
        except ssl.SSLCertVerificationError as exc:
            why = exc.verify_message or _reason(exc)
            return _no_handshake(
                f"TLS handshake stopped by the suite: the provider's certificate was not "
                f"verified ({why})",
                server_verified=False,
                verify_code=exc.verify_code,
                verify_error=why,
            )
        except TimeoutError:
            return _no_handshake("no TLS handshake within the time-out")
        except OSError as exc:
            return _no_handshake(
                f"TLS handshake failed: {_net(exc)}", refusal="handshake", alert=_alert(exc)
            )
        with contextlib.closing(conn):
            version = conn.version()
            suite = conn.cipher()
            cipher = suite[0] if suite else None
            session = _Session(version, cipher, True if verifying else None)
            try:
                if alert_wait > 0:
                    _await_alert(conn, alert_wait)
                conn.settimeout(_remaining(deadline))
                conn.sendall(request)
            except OSError as exc:
                return session.ended(exc)
            data, error = _read_answer(conn, deadline)
    if not data:
        return session.ended(error)
    return session.answered(data)


def _await_alert(conn: ssl.SSLSocket, seconds: float) -> None:
    """Wait up to `seconds` for the server to end the session (raising its alert or EOF);
    return quietly when it stays silent (session tickets are read and skipped)."""
    conn.settimeout(seconds)
    try:
        if conn.recv(1):
            raise ConnectionError("the server spoke before the request was sent")
    except TimeoutError:
        return


def _remaining(deadline: float) -> float:
    return max(deadline - time.monotonic(), 0.001)


def _read_answer(conn: ssl.SSLSocket, deadline: float) -> tuple[bytes, OSError | None]:
    """The start of the answer (up to MAX_ANSWER_BYTES, the end of the body or EOF), read
    before `deadline`, and the error that ended the reading early, if any."""
    data = b""
    while len(data) < MAX_ANSWER_BYTES and not _complete(data):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return data, TimeoutError("deadline")
        conn.settimeout(remaining)
        try:
            chunk = conn.recv(MAX_ANSWER_BYTES - len(data))
        except OSError as exc:
            return data, exc
        if not chunk:
            break
        data += chunk
    return data, None


def _complete(data: bytes) -> bool:
    """Whether `data` holds a whole answer with a Content-Length (no need to wait for EOF)."""
    head, separator, body = data.partition(b"\r\n\r\n")
    if not separator:
        return False
    match = re.search(rb"\r\ncontent-length[ \t]*:[ \t]*([0-9]+)", head, re.IGNORECASE)
    return match is not None and len(body) >= int(match.group(1))


@dataclass(frozen=True)
class _Session:
    """A completed handshake, and how the answer to the request is turned into a result."""

    version: str | None
    cipher: str | None
    verified: bool | None

    @property
    def label(self) -> str:
        return f"{self.version} {self.cipher}"

    def _result(
        self,
        accepted: bool,
        detail: str,
        *,
        refusal: Refusal | None = None,
        alert: str | None = None,
        status: int | None = None,
        document: bool = False,
        certificate_complaint: bool = False,
    ) -> ProbeResult:
        return ProbeResult(
            True,
            True,
            accepted,
            self.version,
            self.cipher,
            detail,
            refusal=refusal,
            status=status,
            document=document,
            certificate_complaint=certificate_complaint,
            server_verified=self.verified,
            alert=alert,
        )

    def ended(self, error: OSError | None) -> ProbeResult:
        """No answer: refused by an alert or a close, or nothing within the deadline."""
        if isinstance(error, TimeoutError):
            return self._result(
                False, f"handshake completed ({self.label}), then no answer within the time-out"
            )
        alert = _alert(error) if error is not None else None
        why = _net(error) if error is not None else "the server closed the connection"
        if alert is not None:
            return self._result(
                False,
                f"handshake completed ({self.label}), then {why} before any answer",
                refusal="handshake",
                alert=alert,
            )
        return self._result(
            False,
            f"handshake completed ({self.label}), then the session ended without an answer ({why})",
            refusal="closed",
        )

    def answered(self, data: bytes) -> ProbeResult:
        """Judge the start of the answer: served, refused by HTTP, or not HTTP at all."""
        match = _STATUS_LINE.match(data)
        if match is None:
            return self._result(
                False,
                f"handshake completed ({self.label}) but the answer is not an HTTP status line "
                f"({_printable(data)})",
            )
        status = int(match.group(1))
        reason = (match.group(2) or b"").decode("latin-1").strip()
        head, _, body = data.partition(b"\r\n\r\n")
        document = _DOCUMENT.search(body) is not None
        served = 200 <= status < 300 or document
        complaint = status in _CERTIFICATE_STATUSES and bool(
            _CERTIFICATE_WORDS.search(match.group(2) or b"") or _CERTIFICATE_WORDS.search(body)
        )
        media = _header(head, b"content-type") or "no Content-Type"
        what = f"HTTP {status}{' ' + reason if reason else ''} ({media}"
        what += ", with the document)" if document else ", no document)"
        excerpt = _excerpt(body)
        if excerpt:
            what += f": {excerpt}"
        if served:
            detail = f"served over {self.label}: {what}"
        else:
            detail = f"answered over {self.label} without the document: {what}"
        return self._result(
            served,
            detail,
            refusal=None if served else "http",
            status=status,
            document=document,
            certificate_complaint=complaint,
        )


def _header(head: bytes, name: bytes) -> str | None:
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip().decode("latin-1")
    return None


def _excerpt(body: bytes) -> str:
    """The first words of a body, tags and anything like base64 (a document's bytes) removed,
    quoted (empty for no body)."""
    text = b" ".join(_TAG.sub(b" ", _BASE64_RUN.sub(b"[base64]", body[:2048])).split())
    if not text:
        return ""
    return _printable(text)


def _request(
    http_path: str, server_name: str, port: int, headers: Sequence[tuple[str, str]]
) -> bytes:
    path = http_path if http_path.startswith("/") else f"/{http_path}"
    if any(c in path for c in "\r\n \t"):
        raise ValueError(f"http_path must not contain whitespace: {http_path!r}")
    host = server_name
    with contextlib.suppress(ValueError):
        if ipaddress.ip_address(server_name).version == 6:
            host = f"[{server_name}]"
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "User-Agent: gpc-assure-tls-probe"]
    for name, value in headers:
        if any(c in f"{name}{value}" for c in "\r\n") or not name or ":" in name:
            raise ValueError(f"unusable request header {name!r}")
        lines.append(f"{name}: {value}")
    if not any(name.lower() == "accept" for name, _ in headers):
        lines.append("Accept: */*")
    lines += ["Accept-Encoding: identity", "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1", "strict")


# --------------------------------------------------------------------------------------------
# Describing failures in one line


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return str(exc.reason)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return " ".join(str(exc).split()) or type(exc).__name__


_ALERT = re.compile(r"(?:SSLV3|TLSV1|TLSV13)_ALERT_([A-Z0-9_]+)")


def _alert(exc: BaseException) -> str | None:
    """The TLS alert an error reports (lower case, e.g. ``unknown_ca``), if any."""
    if isinstance(exc, ssl.SSLError):
        match = _ALERT.search(exc.reason or "")
        if match:
            return match.group(1).lower()
    return None


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
