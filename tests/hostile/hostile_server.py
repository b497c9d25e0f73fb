"""An HTTPS server (mutual TLS) on 127.0.0.1 that misbehaves in one chosen way, for every request.

Standard library only (socket, ssl, threading, zlib); the PKI comes from the reference provider's
throwaway generator, so the suite can be pointed at it exactly as at a real provider::

    with HostileServer("never-answers", tmp_path) as server:
        run gpc-assure --base-url server.base_url --ca server.ca ...

Each accepted connection gets its own thread: TLS handshake (except for ``handshake-fails``),
then the request head (and any body) is read, then the behaviour plays. Every response that has
an end says ``Connection: close`` and the connection is closed after it. ``stop()`` shuts every
socket down, which unblocks any thread in a read or a write, and joins the threads.
"""

import base64
import contextlib
import json
import random
import socket
import ssl
import struct
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from gpc_assure.provider.certs import generate_pki

BEHAVIOURS: tuple[str, ...] = (
    "never-answers",
    "byte-a-second",
    "endless-body",
    "huge-headers",
    "not-http",
    "gzip-bomb",
    "invalid-utf8",
    "not-json",
    "deep-json",
    "redirect",
    "handshake-fails",
    "reset-mid-body",
    "escape-sequences",
    "sets-cookie",
    "huge-outcome",
    "nested-arrays",
    "nested-arrays-deep",
    "nested-arrays-wide",
    "nested-arrays-streamed",
    "xml-spellings",
    "trickled-body",
)

FHIR_JSON = "application/fhir+json;charset=utf-8"
IO_TIMEOUT = 10.0
"""Longest a single read or write on a client connection may block (stop() cuts it short)."""
MAX_HEAD_BYTES = 64 * 1024
MAX_DRAINED_BODY = 1024 * 1024
HUGE_HEADER_COUNT = 256
HUGE_HEADER_VALUE = 1000
"""256 headers of 1000 characters: a response head of about 256 KiB, past both 64 KiB and the
100 KiB that httpcore lets h11 buffer for one event."""
ENDLESS_CHUNK = 64 * 1024
BOMB_BLOCK = 1024 * 1024
BOMB_BLOCKS = 4 * 1024
"""The gzip body inflates to BOMB_BLOCKS x BOMB_BLOCK bytes of zeros: 4 GiB, about 4 MB on the
wire. It is compressed block by block as it is sent; nothing inflated is ever held."""
DEEP_JSON_DEPTH = 10_000
RESET_CONTENT_LENGTH = 100_000
RESET_AFTER_BYTES = 1000
RESET_DELAY = 0.2
"""Seconds between the 1000 bytes and the reset, so the client has read them (a reset that
overtakes unread data makes the kernel drop that data)."""
REDIRECT_HOST = "other-host.invalid"
TITLE = "\x1b]0;owned\x07"
CLEAR = "\x1b[2J\x1b[H"
LINK = "\x1b]8;;https://evil.invalid/\x1b\\click\x1b]8;;\x1b\\"
C1 = "\x9b2J\x9d0;owned\x9c"
"""Terminal escape sequences: window title, clear screen, OSC 8 hyperlink, and the 8-bit (C1)
forms, which are the only ones HTTP allows in a status line or header value (as obs-text)."""
COOKIE = "session=planted-by-provider; Path=/"
HUGE_OUTCOME_ISSUES = 400_000
NESTED_ARRAYS: dict[str, tuple[int, int]] = {
    "nested-arrays": (500, 400_000),
    "nested-arrays-deep": (5_000, 400_000),
    "nested-arrays-wide": (99, 256 * 1024),
    "nested-arrays-streamed": (99, 2_900_000),
}
"""(depth, bytes) of each nested-arrays provider: blocks of arrays nested that deep, side by
side. Past 100 levels the suite reads nothing (nested-arrays, deep); at 99 levels it judges the
first 100 blocks of a body parsed whole (wide: the largest body it parses whole) or streamed
(streamed: just under the 3,000,000 tokens it reads, the slowest body to read)."""
TRICKLE_CHUNKS = 3_000_000
TRICKLE_BATCH = 4096
"""A Binary of TRICKLE_CHUNKS bytes, each byte a chunk of its own (`1\\r\\nX\\r\\n`), written
TRICKLE_BATCH chunks at a time: 3 MB of body in 18 MB of framing, sent as fast as it goes."""
XML_DOCUMENT = b"%PDF-1.7\n" + bytes(range(256)) * 64
"""The document the xml-spellings provider serves; its base64 must appear in no report file."""


@dataclass(frozen=True)
class Request:
    """The request line and head of one request the server received."""

    method: str
    target: str
    head: bytes


class HostileServer:
    """A mutual-TLS server on 127.0.0.1 (OS-assigned port) that plays one hostile behaviour."""

    def __init__(self, behaviour: str, workdir: Path) -> None:
        if behaviour not in BEHAVIOURS:
            raise ValueError(f"unknown behaviour {behaviour!r}; one of {', '.join(BEHAVIOURS)}")
        self.behaviour = behaviour
        pki = generate_pki(workdir / f"hostile-{behaviour}-pki")
        self.ca: Path = pki.ca_cert
        self.client_cert: Path = pki.client_cert
        self.client_key: Path = pki.client_key
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(pki.server_cert, pki.server_key)
        self._context.load_verify_locations(cafile=pki.ca_cert)
        self._context.verify_mode = ssl.CERT_REQUIRED
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port: int = self._listener.getsockname()[1]
        self.base_url = f"https://127.0.0.1:{self.port}/base"
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._requests: list[Request] = []
        self._acceptor = threading.Thread(
            target=self._accept_loop, name=f"hostile-{behaviour}-accept", daemon=True
        )
        self._behaviours: dict[str, Callable[[ssl.SSLSocket, Request], None]] = {
            "never-answers": self._never_answers,
            "byte-a-second": self._byte_a_second,
            "endless-body": self._endless_body,
            "huge-headers": self._huge_headers,
            "not-http": self._not_http,
            "gzip-bomb": self._gzip_bomb,
            "invalid-utf8": self._invalid_utf8,
            "not-json": self._not_json,
            "deep-json": self._deep_json,
            "redirect": self._redirect,
            "reset-mid-body": self._reset_mid_body,
            "escape-sequences": self._escape_sequences,
            "sets-cookie": self._sets_cookie,
            "huge-outcome": self._huge_outcome,
            **dict.fromkeys(NESTED_ARRAYS, self._nested_arrays),
            "xml-spellings": self._xml_spellings,
            "trickled-body": self._trickled_body,
        }

    def __repr__(self) -> str:
        return f"HostileServer({self.behaviour!r}, {self.base_url!r})"

    # Life cycle

    def start(self) -> "HostileServer":
        self._acceptor.start()
        return self

    def stop(self) -> None:
        """Stop accepting, cut every open connection, join the threads (seconds at most)."""
        self._stopping.set()
        with self._lock:
            sockets = list(self._sockets)
            threads = list(self._threads)
        for sock in sockets:
            _shut(sock)
        if self._acceptor.is_alive():
            self._acceptor.join(timeout=2)
        self._listener.close()
        for thread in threads:
            thread.join(timeout=2)

    def __enter__(self) -> "HostileServer":
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def requests(self) -> list[Request]:
        """The requests received so far (heads only)."""
        with self._lock:
            return list(self._requests)

    # Connections

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                raw, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            raw.settimeout(IO_TIMEOUT)
            thread = threading.Thread(
                target=self._serve, args=(raw,), name=f"hostile-{self.behaviour}", daemon=True
            )
            with self._lock:
                self._sockets.add(raw)
                self._threads = [t for t in self._threads if t.is_alive()]
                self._threads.append(thread)
            thread.start()

    def _serve(self, raw: socket.socket) -> None:
        conn: socket.socket = raw
        try:
            if self.behaviour == "handshake-fails":
                self._break_handshake(raw)
                return
            if self.behaviour == "escape-sequences" and raw.recv(1, socket.MSG_PEEK) != b"\x16":
                self._plain_http_escapes(raw)
                return
            tls = self._context.wrap_socket(raw, server_side=True)
            conn = tls
            with self._lock:
                self._sockets.discard(raw)  # wrap_socket moved the descriptor to `tls`
                self._sockets.add(tls)
            if self._stopping.is_set():
                return
            request = self._read_request(tls)
            if request is None:
                return  # e.g. the suite's preflight: a handshake, then a close
            with self._lock:
                self._requests.append(request)
            self._behaviours[self.behaviour](tls, request)
        except OSError:  # includes ssl.SSLError, TimeoutError, ConnectionResetError
            pass
        finally:
            with self._lock:
                self._sockets.discard(raw)
                self._sockets.discard(conn)
            conn.close()

    def _read_request(self, conn: socket.socket) -> Request | None:
        """The request head (and body, by Content-Length, so closing never resets the client)."""
        buffer = b""
        while b"\r\n\r\n" not in buffer:
            if len(buffer) > MAX_HEAD_BYTES:
                return None
            data = conn.recv(4096)
            if not data:
                return None
            buffer += data
        head, _, rest = buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3:
            return None
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length" and value.strip().isdigit():
                length = min(int(value.strip()), MAX_DRAINED_BODY)
        while len(rest) < length:
            data = conn.recv(4096)
            if not data:
                break
            rest += data
        return Request(method=parts[0], target=parts[1], head=head)

    def _send(self, conn: socket.socket, data: bytes) -> bool:
        """Send `data`; False when the server is stopping (the caller should give up)."""
        if self._stopping.is_set():
            return False
        conn.sendall(data)
        return True

    def _finish(self, conn: socket.socket) -> None:
        """A graceful end: FIN after the response, then wait briefly for the client to close."""
        try:
            conn.shutdown(socket.SHUT_WR)
            conn.settimeout(1.0)
            while conn.recv(4096):
                pass
        except OSError:
            pass

    def _complete(self, conn: socket.socket, status: str, headers: list[str], body: bytes) -> None:
        head = "".join(
            [
                f"HTTP/1.1 {status}\r\n",
                *(f"{h}\r\n" for h in headers),
                f"Content-Length: {len(body)}\r\n",
                "Connection: close\r\n\r\n",
            ]
        )
        if self._send(conn, head.encode("latin-1") + body):
            self._finish(conn)

    # Behaviours

    def _break_handshake(self, raw: socket.socket) -> None:
        """Read the ClientHello and answer it with bytes that are not a TLS record."""
        raw.recv(4096)
        if self._send(raw, b"NOT A SERVER HELLO\r\n" * 8):
            self._finish(raw)

    def _never_answers(self, conn: ssl.SSLSocket, request: Request) -> None:
        conn.settimeout(0.5)
        while not self._stopping.is_set():
            try:
                if not conn.recv(4096):
                    return  # the client gave up and closed
            except TimeoutError:
                continue

    def _byte_a_second(self, conn: ssl.SSLSocket, request: Request) -> None:
        body = b'{"resourceType": "Binary", "contentType": "text/plain", "data": "aGVsbG8="}'
        response = (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json;charset=utf-8\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode("ascii")
            + body
        )
        for index in range(len(response)):
            if not self._send(conn, response[index : index + 1]):
                return
            if self._stopping.wait(1.0):
                return

    def _endless_body(self, conn: ssl.SSLSocket, request: Request) -> None:
        head = (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json;charset=utf-8\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"%x\r\n" % ENDLESS_CHUNK + b" " * ENDLESS_CHUNK + b"\r\n"
        if not self._send(conn, head):
            return
        while self._send(conn, chunk):
            pass

    def _huge_headers(self, conn: ssl.SSLSocket, request: Request) -> None:
        value = "h" * HUGE_HEADER_VALUE
        headers = [f"X-Hostile-{n:03d}: {value}" for n in range(HUGE_HEADER_COUNT)]
        self._complete(conn, "200 OK", ["Content-Type: " + FHIR_JSON, *headers], b"{}")

    def _not_http(self, conn: ssl.SSLSocket, request: Request) -> None:
        # Random lines, ended like an HTTP head, so that the client tries to parse a status line.
        rng = random.Random(self.port)
        lines = [rng.randbytes(64).replace(b"\r", b"").replace(b"\n", b"") for _ in range(32)]
        noise = b"\x00" + b"\r\n".join(lines) + b"\r\n\r\n"
        if self._send(conn, noise):
            self._finish(conn)

    def _gzip_bomb(self, conn: ssl.SSLSocket, request: Request) -> None:
        head = (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json\r\n"
            b"Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        )
        if not self._send(conn, head):
            return
        zeros = bytes(BOMB_BLOCK)
        compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # gzip framing
        for _ in range(BOMB_BLOCKS):
            if not self._send_chunk(conn, compressor.compress(zeros)):
                return
        if self._send_chunk(conn, compressor.flush()) and self._send(conn, b"0\r\n\r\n"):
            self._finish(conn)

    def _send_chunk(self, conn: ssl.SSLSocket, data: bytes) -> bool:
        if not data:
            return not self._stopping.is_set()
        return self._send(conn, b"%x\r\n" % len(data) + data + b"\r\n")

    def _invalid_utf8(self, conn: ssl.SSLSocket, request: Request) -> None:
        body = b'{"resourceType": "Binary", "id": "\xff\xfe\xc3\x28", "data": "\xed\xa0\x80"}'
        self._complete(conn, "200 OK", ["Content-Type: " + FHIR_JSON], body)

    def _not_json(self, conn: ssl.SSLSocket, request: Request) -> None:
        body = b"<html><body>This is not JSON {resourceType: Binary</body></html>"
        self._complete(conn, "200 OK", ["Content-Type: " + FHIR_JSON], body)

    def _deep_json(self, conn: ssl.SSLSocket, request: Request) -> None:
        body = b"[" * DEEP_JSON_DEPTH + b"]" * DEEP_JSON_DEPTH
        self._complete(conn, "200 OK", ["Content-Type: " + FHIR_JSON], body)

    def _redirect(self, conn: ssl.SSLSocket, request: Request) -> None:
        path = request.target if request.target.startswith("/") else "/"
        location = f"https://{REDIRECT_HOST}{path}"
        self._complete(conn, "302 Found", [f"Location: {location}"], b"")

    def _reset_mid_body(self, conn: ssl.SSLSocket, request: Request) -> None:
        head = (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json;charset=utf-8\r\n"
            + f"Content-Length: {RESET_CONTENT_LENGTH}\r\n\r\n".encode("ascii")
        )
        prefix = b'{"resourceType": "Binary", "contentType": "text/plain", "data": "'
        body = prefix + b"A" * (RESET_AFTER_BYTES - len(prefix))
        if not self._send(conn, head + body) or self._stopping.wait(RESET_DELAY):
            return
        # SO_LINGER on, time-out 0: close() sends RST instead of FIN (no TLS close_notify).
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def _escape_sequences(self, conn: ssl.SSLSocket, request: Request) -> None:
        """A 400 whose status line, Content-Type, Spine code, diagnostics and element names
        carry terminal escape sequences."""
        hostile = TITLE + CLEAR + LINK
        outcome = {
            "resourceType": "OperationOutcome",
            "meta": {"profile": [hostile]},
            hostile: hostile,
            "issue": [
                {
                    "severity": "error",
                    "code": "invalid" + hostile,
                    "details": {
                        "coding": [
                            {
                                "system": "https://fhir.nhs.uk/STU3/CodeSystem/"
                                "Spine-ErrorOrWarningCode-1",
                                "code": "BAD_REQUEST" + hostile,
                                "display": hostile,
                            }
                        ]
                    },
                    "diagnostics": hostile,
                }
            ],
        }
        self._complete(
            conn,
            "400 Bad" + C1,
            [f"Content-Type: {FHIR_JSON}{C1}", f"Cache-Control: no-store{C1}"],
            json.dumps(outcome).encode("ascii"),
        )

    def _plain_http_escapes(self, raw: socket.socket) -> None:
        """Plain HTTP on the TLS port: served, with escape sequences in the status line."""
        if self._read_request(raw) is not None:
            status = "200 OK" + TITLE + CLEAR + LINK
            self._complete(raw, status, ["Content-Type: text/plain"], b"served")

    def _sets_cookie(self, conn: ssl.SSLSocket, request: Request) -> None:
        """An error answer that sets a cookie (a client with a cookie jar sends it back)."""
        outcome = {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": "not-found", "diagnostics": "no such"}],
        }
        headers = [f"Content-Type: {FHIR_JSON}", "Cache-Control: no-store", f"Set-Cookie: {COOKIE}"]
        self._complete(conn, "404 Not Found", headers, json.dumps(outcome).encode("ascii"))

    def _huge_outcome(self, conn: ssl.SSLSocket, request: Request) -> None:
        body = huge_outcome_body()
        self._complete(conn, "400 Bad Request", ["Content-Type: " + FHIR_JSON], body)

    def _nested_arrays(self, conn: ssl.SSLSocket, request: Request) -> None:
        body = nested_arrays_body(*NESTED_ARRAYS[self.behaviour])
        self._complete(conn, "400 Bad Request", ["Content-Type: " + FHIR_JSON], body)

    def _xml_spellings(self, conn: ssl.SSLSocket, request: Request) -> None:
        with self._lock:
            number = len(self._requests)
        body = xml_spellings_body(number)
        self._complete(conn, "200 OK", ["Content-Type: application/fhir+xml;charset=utf-8"], body)

    def _trickled_body(self, conn: ssl.SSLSocket, request: Request) -> None:
        head = (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json;charset=utf-8\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        )
        body = trickled_binary()
        if not self._send(conn, head):
            return
        for start in range(0, len(body), TRICKLE_BATCH):
            batch = body[start : start + TRICKLE_BATCH]
            if not self._send(conn, b"".join(b"1\r\n%c\r\n" % byte for byte in batch)):
                return
        if self._send(conn, b"0\r\n\r\n"):
            self._finish(conn)


def trickled_binary() -> bytes:
    """A JSON Binary of exactly TRICKLE_CHUNKS bytes."""
    prefix = b'{"resourceType":"Binary","contentType":"text/plain","data":"'
    suffix = b'"}'
    return prefix + b"A" * (TRICKLE_CHUNKS - len(prefix) - len(suffix)) + suffix


def huge_outcome_body() -> bytes:
    """An OperationOutcome of HUGE_OUTCOME_ISSUES issues: 14.4 MB, under the 16 MiB size cap."""
    issue = b'{"severity":"error","code":"value"}'
    return (
        b'{"resourceType":"OperationOutcome","issue":['
        + b",".join([issue] * HUGE_OUTCOME_ISSUES)
        + b"]}"
    )


def nested_arrays_body(depth: int, size: int) -> bytes:
    """At most `size` bytes of arrays nested `depth` deep, side by side."""
    block = b"[" * depth + b"]" * depth
    return b"[" + b",".join([block] * ((size - 2) // (len(block) + 1))) + b"]"


def xml_spellings_body(number: int) -> bytes:
    """A Binary in FHIR XML, its content attribute spelled one of several legitimate ways."""
    b64 = base64.b64encode(XML_DOCUMENT).decode("ascii")
    spellings = [
        f"<Binary xmlns='http://hl7.org/fhir'><contentType value='application/pdf'/>"
        f"<content value='{b64}'/></Binary>",
        f'<Binary xmlns="http://hl7.org/fhir"><contentType value="application/pdf"/>'
        f'<content id="c1" value="{b64}"/></Binary>',
        f'<Binary xmlns="http://hl7.org/fhir"><contentType value="application/pdf"/>'
        f'<content value = "{b64}" /></Binary>',
        f'<f:Binary xmlns:f="http://hl7.org/fhir"><f:contentType value="application/pdf"/>'
        f"<f:content value='{b64}'/></f:Binary>",
    ]
    return spellings[number % len(spellings)].encode("ascii")


def _shut(sock: socket.socket) -> None:
    """Unblock any thread reading or writing `sock` (the socket layer only, not TLS)."""
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
