"""Sends requests to the provider and records each exchange. Steps never see httpx."""

import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.cookiejar import Cookie, CookieJar, DefaultCookiePolicy
from typing import Any, TypeVar

import httpcore
import httpx

from gpc_assure import __version__
from gpc_assure.config.provider_config import ProviderConfig
from gpc_assure.request.retrieve import RetrieveRequest
from gpc_assure.transport.exchange import Exchange, ResponseRecord
from gpc_assure.transport.tls_context import client_ssl_context

_T = TypeVar("_T")


class TransportLimitExceeded(Exception):
    """The provider's answer broke one of the suite's limits (size cap, overall deadline)."""


class DeadlineExceeded(TransportLimitExceeded):
    """The response (head or body) was still arriving at the overall deadline."""


class FragmentedBody(TransportLimitExceeded):
    """The body arrived in more than PIECES_ALLOWED pieces averaging under MIN_PIECE_AVERAGE
    bytes: reading it would cost seconds of CPU per response (one scenario at a time)."""


PIECES_ALLOWED = 65_536
MIN_PIECE_AVERAGE = 256
"""A body may arrive in any number of pieces (network reads, or HTTP chunks) averaging at least
MIN_PIECE_AVERAGE bytes, and in up to PIECES_ALLOWED pieces of any size: a body at the 16 MiB
size cap fits in 65,536 pieces of 256 bytes. Honest servers send pieces of kilobytes (TCP
segments, TLS records of up to 16 KiB, chunks of buffered output), however slow the link."""


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose reads and writes never wait past the current request's deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: "_Deadline") -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._deadline.within(timeout, lambda t: self._stream.read(max_bytes, t))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._deadline.within(timeout, lambda t: self._stream.write(buffer, t))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        tls = self._deadline.within(
            timeout, lambda t: self._stream.start_tls(ssl_context, server_hostname, t)
        )
        return _DeadlineStream(tls, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Deadline(httpcore.NetworkBackend):
    """A network backend (httpcore's, wrapped) that holds the in-flight request's deadline."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()
        self.at: float | None = None
        self.reached = False

    def arm(self, at: float | None) -> None:
        """Hold requests to `at` (a time.perf_counter() value), or to no deadline."""
        self.at = at
        self.reached = False

    def within(self, timeout: float | None, action: Callable[[float | None], _T]) -> _T:
        """`action(timeout)` with the timeout cut to what is left before the deadline; a
        time-out that the deadline caused sets `reached`."""
        clamped = timeout
        if self.at is not None:
            remaining = max(self.at - time.perf_counter(), 0.001)
            clamped = remaining if timeout is None else min(timeout, remaining)
        try:
            return action(clamped)
        except httpcore.TimeoutException:
            self.reached = self.reached or clamped != timeout
            raise

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        stream = self.within(
            timeout,
            lambda t: self._backend.connect_tcp(host, port, t, local_address, socket_options),
        )
        return _DeadlineStream(stream, self)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        stream = self.within(
            timeout, lambda t: self._backend.connect_unix_socket(path, t, socket_options)
        )
        return _DeadlineStream(stream, self)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


_HTTPCORE_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)
"""httpcore's errors as httpx's (most specific first), as httpx's own transport maps them."""


@contextmanager
def _as_httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        mapped = next((to for src, to in _HTTPCORE_ERRORS if isinstance(exc, src)), None)
        if mapped is None:
            raise
        raise mapped(str(exc)) from exc


class _Body(httpx.SyncByteStream):
    """A response body as httpcore reads it, held to the piece-size rule (FragmentedBody)."""

    def __init__(self, response: httpcore.Response) -> None:
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        pieces = size = 0
        with _as_httpx_errors():
            for piece in self._response.iter_stream():
                pieces += 1
                size += len(piece)
                if pieces > PIECES_ALLOWED and size < MIN_PIECE_AVERAGE * pieces:
                    raise FragmentedBody(
                        f"response body arrived in more than {PIECES_ALLOWED} pieces averaging "
                        f"{size / pieces:.0f} bytes (piece-size rule: at least "
                        f"{MIN_PIECE_AVERAGE} bytes a piece on average)"
                    )
                yield piece

    def close(self) -> None:
        with _as_httpx_errors():
            self._response.close()


class _DeadlineTransport(httpx.BaseTransport):
    """httpx's transport on httpcore's public API: a connection pool whose network backend holds
    the in-flight request's deadline (httpx's own transport takes no network backend)."""

    def __init__(self, ssl_context: ssl.SSLContext, deadline: _Deadline) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context, network_backend=deadline, keepalive_expiry=5.0
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.read(),
            extensions=request.extensions,
        )
        with _as_httpx_errors():
            response = self._pool.handle_request(core_request)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response),
            extensions=response.extensions,
        )

    def close(self) -> None:
        with _as_httpx_errors():
            self._pool.close()


class _NoCookies(DefaultCookiePolicy):
    """Refuses to store or send any cookie: every request says exactly what the suite built."""

    def set_ok(self, cookie: Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: Cookie, request: Any) -> bool:
        return False


def no_cookie_jar() -> CookieJar:
    """A cookie jar that stays empty whatever `Set-Cookie` the provider sends."""
    return CookieJar(policy=_NoCookies())


def _tls_details(response: httpx.Response) -> dict[str, str] | None:
    """The TLS version and cipher of the response's connection (httpcore's sync streams give
    their socket; their "ssl_object" is the socket's private internal object)."""
    stream: Any = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if not isinstance(sock, ssl.SSLSocket):
        return None
    cipher = sock.cipher()
    return {"version": sock.version() or "", "cipher": cipher[0] if cipher else ""}


def describe_transport_error(exc: Exception, config: ProviderConfig) -> str:
    """One line naming why no usable response came back."""
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connection not established within {config.connect_timeout:g} s (connect time-out)"
    if isinstance(exc, httpx.ReadTimeout):
        return f"no response within {config.read_timeout:g} s (read time-out)"
    if isinstance(exc, httpx.TimeoutException):
        return f"time-out: {exc}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the provider's answer is not valid HTTP: {exc}"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect: {exc}"
    if isinstance(exc, TransportLimitExceeded):
        return str(exc)
    return f"{exc.__class__.__name__}: {exc}"


GIVE_UP_AFTER_TIMEOUTS = 3


class Transport:
    """An HTTP client for one provider: mutual TLS, time-outs and a response size cap.

    Each response must be complete by its overall deadline (connect + 2 x read time-out after
    the request starts, 65 s with the default time-outs), however it trickles in, and its body
    must keep to the piece-size rule (PIECES_ALLOWED, MIN_PIECE_AVERAGE). Redirects are not
    followed and no cookie is kept. A provider that lets GIVE_UP_AFTER_TIMEOUTS requests in a
    row time out (or answer in pieces) is not sent any more: later requests fail at once,
    saying so, so that a hung provider cannot hold a run for (scenarios x read time-out).
    """

    def __init__(self, config: ProviderConfig, ssl_context: ssl.SSLContext | None = None) -> None:
        self._config = config
        self._deadline = _Deadline()
        self._client = httpx.Client(
            transport=_DeadlineTransport(
                ssl_context or client_ssl_context(config.tls), self._deadline
            ),
            timeout=httpx.Timeout(
                connect=config.connect_timeout,
                read=config.read_timeout,
                write=config.read_timeout,
                pool=config.connect_timeout,
            ),
            follow_redirects=False,
            cookies=no_cookie_jar(),
        )
        # httpx adds Accept and Accept-Encoding to every request by default; the suite sends
        # exactly the headers its request says, so scenarios can omit them.
        self._client.headers["User-Agent"] = f"gpc-assure/{__version__}"
        self._timeouts_in_a_row = 0
        self._last_was_fragmented = False
        del self._client.headers["Accept"]
        del self._client.headers["Accept-Encoding"]

    def __repr__(self) -> str:
        return f"Transport({self._config.base_url!r})"

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "Transport":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def send(self, request: RetrieveRequest) -> Exchange:
        if self._timeouts_in_a_row >= GIVE_UP_AFTER_TIMEOUTS:
            count = self._timeouts_in_a_row
            why = f"left the previous {count} requests unanswered within the time-outs"
            if self._last_was_fragmented:
                why += " or sent their bodies in pieces too small to read (piece-size rule)"
            return Exchange(
                request=request,
                sent_headers=request.headers,
                started_at=datetime.now(UTC).isoformat(timespec="milliseconds"),
                elapsed_ms=0.0,
                response=None,
                error=f"not sent: the provider {why}",
            )
        built = self._client.build_request(
            request.method,
            request.wire_url,  # httpx would encode a query's `:` and `/` too
            headers=list(request.headers),
            content=request.body or None,
        )
        sent = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in built.headers.raw)
        started_at = datetime.now(UTC).isoformat(timespec="milliseconds")
        start = time.perf_counter()
        record: ResponseRecord | None = None
        error: str | None = None
        timed_out = False
        deadline = start + self._config.connect_timeout + 2 * self._config.read_timeout
        self._deadline.arm(deadline)
        try:
            record = self._receive(built, start, deadline)
        except (httpx.HTTPError, TransportLimitExceeded) as exc:
            if isinstance(exc, httpx.TimeoutException) and self._deadline.reached:
                exc = DeadlineExceeded(
                    f"response still arriving after {deadline - start:g} s (overall deadline)"
                )
            error = describe_transport_error(exc, self._config)
            # A response dribbled out until the deadline is as hung as one never sent, and one
            # in pieces too small to read in time is as slow.
            timed_out = isinstance(exc, httpx.TimeoutException | DeadlineExceeded | FragmentedBody)
            self._last_was_fragmented = isinstance(exc, FragmentedBody)
        finally:
            self._deadline.arm(None)
        self._timeouts_in_a_row = self._timeouts_in_a_row + 1 if timed_out else 0
        return Exchange(
            request=request,
            sent_headers=sent,
            started_at=started_at,
            elapsed_ms=(time.perf_counter() - start) * 1000,
            response=record,
            error=error,
        )

    def _receive(self, built: httpx.Request, start: float, deadline: float) -> ResponseRecord:
        cap = self._config.max_response_bytes
        response = self._client.send(built, stream=True)
        try:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > cap:
                    raise TransportLimitExceeded(
                        f"response body exceeded the size cap of {cap} bytes (max_response_bytes)"
                    )
                if time.perf_counter() > deadline:
                    raise DeadlineExceeded(
                        f"response still arriving after {deadline - start:g} s (overall deadline)"
                    )
                chunks.append(chunk)
            return ResponseRecord(
                status=response.status_code,
                http_version=response.http_version,
                headers=tuple(
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw
                ),
                body=b"".join(chunks),
                tls=_tls_details(response),
            )
        finally:
            response.close()
