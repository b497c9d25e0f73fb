"""The HTTP(S) server around ProviderApp, and ReferenceProvider, which runs it in a thread."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import socket
import ssl
import tempfile
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from .app import ProviderApp, Reply, Request
from .bodies import bodies_for
from .certs import SSP_HOST, Pki, generate_pki
from .documents import ServedDocument, stored_documents
from .faults import Fault
from .patients import PATIENTS, ServedPatient
from .readings import Reading
from .settings import ProviderSettings
from .tls import client_refusal, needs_rsa_server_key, refusal_page, server_context

_LOG = logging.getLogger("gpc_assure.provider")
SOCKET_TIMEOUT_SECONDS = 30.0
CHUNK_BYTES = 16 * 1024
LINGER_SECONDS = 1.0


class _Server(ThreadingHTTPServer):
    """Threaded server doing the TLS handshake in each connection's worker thread."""

    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        address: tuple[str, int],
        make_app: Callable[[int], ProviderApp],
        ssl_context: ssl.SSLContext | None,
    ) -> None:
        """Bind *address*, then build the app for the port bound (its URLs name it)."""
        self.ssl_context = ssl_context
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)
        try:
            self.app = make_app(int(self.server_address[1]))
        except BaseException:
            self.server_close()
            raise

    def finish_request(self, request: Any, client_address: Any) -> None:
        conn: socket.socket = request
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.settimeout(SOCKET_TIMEOUT_SECONDS)
        if self.ssl_context is not None and not self._plain_http_accepted(conn):
            try:
                conn = self.ssl_context.wrap_socket(conn, server_side=True)
            except (OSError, ValueError) as exc:
                _LOG.debug("TLS handshake with %s failed: %s", client_address, exc)
                _linger(conn)
                return
        with self._connections_lock:
            self._connections.add(conn)
        try:
            _Handler(conn, client_address, self)
        finally:
            with self._connections_lock:
                self._connections.discard(conn)
            conn.close()

    def _plain_http_accepted(self, conn: socket.socket) -> bool:
        """Fault `tls-serve-plain-http`: a connection not opening with a TLS record is served."""
        if Fault.TLS_SERVE_PLAIN_HTTP not in self.app.faults:
            return False
        try:
            first = conn.recv(1, socket.MSG_PEEK)
        except OSError:
            return False
        return first not in (b"", b"\x16")

    def client_refusal(self, conn: socket.socket) -> str | None:
        """Why this TLS client must not be served (see tls.client_refusal); None to serve it."""
        if self.ssl_context is None or not isinstance(conn, ssl.SSLSocket):
            return None
        return client_refusal(conn.getpeercert(), SSP_HOST, self.app.faults)

    def handle_error(self, request: Any, client_address: Any) -> None:
        _LOG.debug("connection from %s ended with an error", client_address, exc_info=True)

    def close_connections(self) -> None:
        """Unblock and close every open client connection (used by stop())."""
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(conn, socket.SHUT_RDWR)


def _linger(conn: socket.socket) -> None:
    """End a refused connection gracefully: FIN after the TLS alert, then read what the client
    still sends (briefly), so that closing does not reset the connection and lose the alert."""
    try:
        conn.shutdown(socket.SHUT_WR)
        conn.settimeout(LINGER_SECONDS)
        while conn.recv(4096):
            pass
    except OSError:
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "gpc-assure-reference-provider"
    sys_version = ""
    server: _Server

    def __getattr__(self, name: str) -> Callable[[], None]:
        # Every HTTP method (do_GET, do_POST, do_FOO, ...) goes to the same dispatcher.
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        _LOG.debug("%s %s %s", self.command, self.path, code)

    def log_message(self, format: str, *args: Any) -> None:
        _LOG.debug("%s - " + format, self.address_string(), *args)

    def _discard_body(self) -> None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            return
        try:
            remaining = int(self.headers.get("Content-Length", "0") or "0")
        except ValueError:
            remaining = 0
            self.close_connection = True
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 65536))
            if not chunk:
                break
            remaining -= len(chunk)

    def _dispatch(self) -> None:
        self._discard_body()
        server = self.server
        faults = server.app.faults
        refusal = server.client_refusal(self.connection)
        if refusal is not None:
            self._refuse_client(refusal)
            return
        if Fault.HANG in faults:
            server.stopping.wait()
            self.close_connection = True
            return
        if Fault.GARBAGE in faults:
            self.wfile.write(b"\x00\xff\x13garbage" + os.urandom(256))
            self.close_connection = True
            return
        request = Request(self.command, self.path, tuple(self.headers.items()))
        reply = server.app.handle(request)
        if server.app.settings.delay_seconds > 0 and server.stopping.wait(
            server.app.settings.delay_seconds
        ):
            self.close_connection = True
            return
        if reply.is_error and Fault.DROP_CONNECTION_ON_ERROR in faults:
            self.close_connection = True
            return
        self._send(reply)

    def _refuse_client(self, reason: str) -> None:
        """Serve nothing: close the connection unanswered or, in reading
        tls-refuse-with-http-400, answer 400 with an HTML page (as nginx does)."""
        _LOG.debug("client refused after the handshake: %s", reason)
        self.close_connection = True
        if Reading.TLS_REFUSE_WITH_HTTP_400 in self.server.app.settings.readings:
            headers = (("Content-Type", "text/html"), ("Connection", "close"))
            self._send(Reply(400, headers, refusal_page(reason)))

    def _send(self, reply: Reply) -> None:
        readings = self.server.app.readings
        chunked = Reading.CHUNKED_BODIES in readings
        headers = [*reply.headers]
        if Reading.CONNECTION_CLOSE in readings:
            headers.append(("Connection", "close"))  # send_header then closes after the reply
        if chunked:
            headers.append(("Transfer-Encoding", "chunked"))
        else:
            headers.append(("Content-Length", str(len(reply.body))))
        lowercase = Reading.HEADER_NAMES_LOWERCASE in readings
        self.send_response(reply.status)
        for name, value in headers:
            self.send_header(name.lower() if lowercase else name, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        if chunked:
            self._write_chunks(reply.body)
        else:
            self.wfile.write(reply.body)

    def _write_chunks(self, body: bytes) -> None:
        """The body in HTTP/1.1 chunks (RFC 7230 section 4.1), then the last, empty chunk."""
        for start in range(0, len(body), CHUNK_BYTES):
            chunk = body[start : start + CHUNK_BYTES]
            self.wfile.write(b"%X\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")


class ReferenceProvider:
    """A conformant (or deliberately faulty) provider on a background thread.

    Use as a context manager, or call start() and stop().
    """

    def __init__(self, settings: ProviderSettings | None = None) -> None:
        self.settings = settings or ProviderSettings()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._pki: Pki | None = None
        self._temp_dir: Path | None = None

    def __repr__(self) -> str:
        state = f"serving {self.base_url}" if self._server is not None else "stopped"
        return f"ReferenceProvider({state}, spec={self.settings.spec!r})"

    @property
    def provider_asid(self) -> str:
        return self.settings.provider_asid

    @property
    def documents(self) -> tuple[ServedDocument, ...]:
        return tuple(doc.info for doc in stored_documents())

    @property
    def pki(self) -> Pki:
        if self._pki is None:
            raise RuntimeError("the provider has not been started")
        return self._pki

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the provider has not been started")
        return int(self._server.server_address[1])

    @property
    def patients(self) -> tuple[ServedPatient, ...]:
        return PATIENTS

    @property
    def base_url(self) -> str:
        return self.settings.service_root(self.port)

    def start(self) -> ReferenceProvider:
        if self._server is not None:
            raise RuntimeError("the provider is already running")
        settings = self.settings
        workdir = settings.workdir
        if workdir is None:
            workdir = self._temp_dir = Path(tempfile.mkdtemp(prefix="gpc-assure-provider-"))
        try:
            rsa_server = needs_rsa_server_key(settings.faults)
            self._pki = generate_pki(workdir, settings.host, rsa_server=rsa_server)
            context = (
                server_context(self._pki, settings.faults, settings.readings)
                if settings.tls
                else None
            )
            bodies = bodies_for(settings.faults)

            def make_app(port: int) -> ProviderApp:
                root = settings.service_root(port)
                return ProviderApp(settings, stored_documents(), bodies, root)

            self._server = _Server((settings.host, settings.port), make_app, context)
        except BaseException:
            self._remove_temp_dir()
            raise
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name=f"gpc-assure-provider-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stopping.set()
            server.shutdown()
            server.server_close()
            server.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._remove_temp_dir()

    def _remove_temp_dir(self) -> None:
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None

    def __enter__(self) -> ReferenceProvider:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
