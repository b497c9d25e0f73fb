"""The client against real servers on 127.0.0.1: the overall deadline, the piece-size rule, the
circuit breaker, the size cap, no redirects, no cookies, mutual TLS.

Each server plays a script on every connection it accepts (after reading the request head).
Nothing here asserts a duration: each test asserts which rule ended the exchange.
"""

import contextlib
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gpc_assure.config.provider_config import load_config
from gpc_assure.provider.certs import Pki, generate_pki
from gpc_assure.request.retrieve import valid_request
from gpc_assure.transport.client import MIN_PIECE_AVERAGE, PIECES_ALLOWED, Transport
from gpc_assure.transport.exchange import Exchange

CONNECT_TIMEOUT = 0.5
READ_TIMEOUT = 1.0
"""The overall deadline is connect + 2 x read time-out: 2.5 s."""
DRIBBLE_INTERVAL = 0.1
"""Well inside the read time-out: only the overall deadline can end a dribble."""
DRIBBLE_LIMIT = 15.0
"""How long a dribble lasts before the server closes the connection: a client whose deadline
does not bite ends with the server's close ("not valid HTTP"), not with the deadline."""
CAP = 16 * 2**20
ROOMY_READ_TIMEOUT = 30.0
"""For the piece-size tests: a deadline (65 s) no loaded machine reaches, so the rule alone
decides."""

Script = Callable[[socket.socket, threading.Event], None]


class ScriptServer:
    """HTTP on 127.0.0.1 (HTTPS with a required client certificate, given a PKI)."""

    def __init__(self, script: Script, pki: Pki | None = None) -> None:
        self._script = script
        self._context: ssl.SSLContext | None = None
        if pki is not None:
            self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._context.load_cert_chain(pki.server_cert, pki.server_key)
            self._context.load_verify_locations(cafile=pki.ca_cert)
            self._context.verify_mode = ssl.CERT_REQUIRED
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        scheme = "https" if pki is not None else "http"
        self.base_url = f"{scheme}://127.0.0.1:{self._listener.getsockname()[1]}/base"
        self.heads: list[bytes] = []
        self._stopping = threading.Event()
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(DRIBBLE_LIMIT)
        with contextlib.suppress(OSError), contextlib.closing(conn):
            if self._context is not None:
                conn = self._context.wrap_socket(conn, server_side=True)
            head = b""
            while b"\r\n\r\n" not in head:
                data = conn.recv(4096)
                if not data:
                    return
                head += data
            self.heads.append(head)
            self._script(conn, self._stopping)

    def stop(self) -> None:
        self._stopping.set()
        self._listener.close()
        for thread in self._threads:
            thread.join(timeout=DRIBBLE_LIMIT)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return generate_pki(tmp_path_factory.mktemp("pki"))


@contextlib.contextmanager
def serving(
    script: Script, pki: Pki | None, read_timeout: float = READ_TIMEOUT
) -> Iterator[tuple[ScriptServer, Transport]]:
    """A server playing `script`, and a client configured for it."""
    server = ScriptServer(script, pki)
    overrides: dict[str, object] = {
        "base_url": server.base_url,
        "timeouts.connect": CONNECT_TIMEOUT,
        "timeouts.read": read_timeout,
    }
    if pki is not None:
        overrides |= {
            "tls.ca": str(pki.ca_cert),
            "tls.client_cert": str(pki.client_cert),
            "tls.client_key": str(pki.client_key),
        }
    config = load_config(None, {}, overrides)
    try:
        with Transport(config) as transport:
            yield server, transport
    finally:
        server.stop()


def send(transport: Transport, server: ScriptServer) -> Exchange:
    """The suite's valid request for a document of `server`."""
    config = load_config(None, {}, {"base_url": server.base_url})
    return transport.send(valid_request(config, "doc-1"))


def answer(head: bytes, body: bytes = b"") -> Script:
    def play(conn: socket.socket, stopping: threading.Event) -> None:
        conn.sendall(head + body)

    return play


def dribbled_head(conn: socket.socket, stopping: threading.Event) -> None:
    """A status line, then a header one byte at a time, never ending, until DRIBBLE_LIMIT."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Dribble: ")
    for _ in range(int(DRIBBLE_LIMIT / DRIBBLE_INTERVAL)):
        if stopping.wait(DRIBBLE_INTERVAL):
            return
        conn.sendall(b"a")


def chunked(piece: int, total: int) -> Script:
    """A chunked body of `total` bytes in chunks of `piece` bytes, written 1 MiB at a time."""

    def play(conn: socket.socket, stopping: threading.Event) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        chunk = b"%x\r\n" % piece + b"a" * piece + b"\r\n"
        per_write = max(1, 2**20 // len(chunk))
        sent = 0
        while sent < total and not stopping.is_set():
            count = min(per_write, (total - sent) // piece)
            conn.sendall(chunk * count)
            sent += count * piece
        conn.sendall(b"0\r\n\r\n")

    return play


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_a_head_dribbled_past_the_deadline_ends_at_the_deadline(tls: bool, pki: Pki) -> None:
    with serving(dribbled_head, pki if tls else None) as (server, transport):
        exchange = send(transport, server)
    assert exchange.response is None
    assert exchange.error is not None
    assert exchange.error.endswith("(overall deadline)"), (
        f"the overall deadline did not end a response dribbled for {DRIBBLE_LIMIT:g} s: "
        f"{exchange.error}"
    )


def test_three_deadlines_in_a_row_stop_the_requests() -> None:
    with serving(dribbled_head, None) as (server, transport):
        errors = [send(transport, server).error or "" for _ in range(4)]
        received = len(server.heads)
    assert [e.endswith("(overall deadline)") for e in errors[:3]] == [True, True, True], errors
    assert errors[3].startswith("not sent: "), errors[3]
    assert received == 3


def test_a_body_in_tiny_pieces_breaks_the_piece_size_rule(pki: Pki) -> None:
    total = PIECES_ALLOWED + 1000
    with serving(chunked(1, total), pki, ROOMY_READ_TIMEOUT) as (server, transport):
        exchange = send(transport, server)
    assert exchange.response is None
    assert exchange.error is not None
    assert "(piece-size rule" in exchange.error, exchange.error


@pytest.mark.parametrize(
    ("piece", "total"),
    [(1024, CAP), (2 * MIN_PIECE_AVERAGE, CAP), (1, PIECES_ALLOWED - 1)],
    ids=["the size cap in 1 KiB chunks", "the size cap in 512-byte chunks", "tiny chunks"],
)
def test_a_body_within_the_rules_is_read_whole(piece: int, total: int, pki: Pki) -> None:
    with serving(chunked(piece, total), pki, ROOMY_READ_TIMEOUT) as (server, transport):
        exchange = send(transport, server)
    assert exchange.error is None
    assert exchange.response is not None
    assert len(exchange.response.body) == total


def test_a_document_at_the_size_cap_is_read_whole(pki: Pki) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % CAP
    with serving(answer(head, b"a" * CAP), pki, ROOMY_READ_TIMEOUT) as (server, transport):
        exchange = send(transport, server)
    assert exchange.error is None
    assert exchange.response is not None
    assert len(exchange.response.body) == CAP
    assert exchange.response.tls is not None  # mutual TLS: the server required our certificate


def test_a_body_over_the_size_cap_is_refused(pki: Pki) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (CAP + 1)
    with serving(answer(head, b"a" * (CAP + 1)), pki, ROOMY_READ_TIMEOUT) as (server, transport):
        exchange = send(transport, server)
    assert exchange.response is None
    assert exchange.error is not None
    assert "size cap" in exchange.error


def test_a_redirect_is_recorded_not_followed(pki: Pki) -> None:
    head = (
        b"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n"
        b"Connection: close\r\n\r\n"
    )
    with serving(answer(head), pki) as (server, transport):
        exchange = send(transport, server)
        received = len(server.heads)
    assert exchange.response is not None
    assert exchange.response.status == 302
    assert received == 1


def test_a_cookie_is_never_sent_back(pki: Pki) -> None:
    head = (
        b"HTTP/1.1 404 Not Found\r\nSet-Cookie: session=planted; Path=/\r\n"
        b"Content-Length: 0\r\nConnection: close\r\n\r\n"
    )
    with serving(answer(head), pki) as (server, transport):
        for _ in range(2):
            send(transport, server)
        heads = list(server.heads)
    assert len(heads) == 2
    assert not [h for h in heads if b"\r\ncookie:" in h.lower()]


def test_a_client_without_the_certificate_is_refused(pki: Pki, tmp_path: Path) -> None:
    """The client's one SSLContext carries its certificate: without it, no response."""
    server = ScriptServer(answer(b"HTTP/1.1 204 No Content\r\n\r\n"), pki)
    config = load_config(
        None,
        {},
        {"base_url": server.base_url, "tls.ca": str(pki.ca_cert), "timeouts.read": READ_TIMEOUT},
    )
    try:
        with Transport(config) as transport:
            exchange = transport.send(valid_request(config, "doc-1"))
    finally:
        server.stop()
    assert exchange.response is None
    assert exchange.error is not None
