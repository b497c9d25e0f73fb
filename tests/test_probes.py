"""The plain-HTTP probe against a real socket on 127.0.0.1: the status line, parsed."""

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from gpc_assure.config.provider_config import load_config
from gpc_assure.transport.probes import ProbeTarget, plain_http_attempt


@contextmanager
def answering(first_bytes: bytes) -> Iterator[int]:
    """A server on 127.0.0.1 that reads the request and answers `first_bytes`, once."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(first_bytes)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        thread.join(5)
        server.close()


def target(port: int) -> ProbeTarget:
    config = load_config(None, {}, {"base_url": f"https://127.0.0.1:{port}/fhir"})
    return ProbeTarget("127.0.0.1", port, "doc-1", config)


@pytest.mark.parametrize(
    ("answer", "status", "accepted"),
    [
        (b"HTTP/1.1 200 OK\r\n\r\n", 200, True),
        (b"HTTP/1.1 400 The plain HTTP request was sent to HTTPS port\r\n\r\n", 400, False),
        (b"HTTP/1.0 2000 nonsense\r\n\r\n", None, False),
        (b"\x15\x03\x01\x00\x02\x02\x46", None, False),
    ],
)
def test_only_a_200_status_line_is_served(
    answer: bytes, status: int | None, accepted: bool
) -> None:
    with answering(answer) as port:
        result = plain_http_attempt(target(port))
    assert (result.connected, result.status, result.accepted) == (True, status, accepted)
    assert result.detail


def test_a_closed_port_is_not_served() -> None:
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]
    result = plain_http_attempt(target(port))
    assert not result.connected
    assert not result.accepted
    assert "no connection" in result.detail
