"""Sends requests to the provider and records each exchange. Steps never see httpx."""

import ssl
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from gpc_assure import __version__
from gpc_assure.config import ProviderConfig
from gpc_assure.evidence import Exchange, ResponseRecord
from gpc_assure.request import RetrieveRequest
from gpc_assure.tls import client_ssl_context


class TransportLimitExceeded(Exception):
    """The provider's answer broke one of the suite's limits (size cap, overall deadline)."""


def _tls_details(response: httpx.Response) -> dict[str, str] | None:
    stream: Any = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    if not isinstance(ssl_object, ssl.SSLObject):
        return None
    cipher = ssl_object.cipher()
    return {"version": ssl_object.version() or "", "cipher": cipher[0] if cipher else ""}


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

    A provider that lets GIVE_UP_AFTER_TIMEOUTS requests in a row time out is not sent any
    more: later requests fail at once, saying so, so that a hung provider cannot hold a run
    for (scenarios x read time-out).
    """

    def __init__(self, config: ProviderConfig, ssl_context: ssl.SSLContext | None = None) -> None:
        self._config = config
        verify: ssl.SSLContext | bool = ssl_context or client_ssl_context(config.tls)
        self._client = httpx.Client(
            verify=verify,
            timeout=httpx.Timeout(
                connect=config.connect_timeout,
                read=config.read_timeout,
                write=config.read_timeout,
                pool=config.connect_timeout,
            ),
            follow_redirects=False,
        )
        # httpx adds Accept and Accept-Encoding to every request by default; the suite sends
        # exactly the headers its request says, so scenarios can omit them.
        self._client.headers["User-Agent"] = f"gpc-assure/{__version__}"
        self._timeouts_in_a_row = 0
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
            return Exchange(
                request=request,
                sent_headers=request.headers,
                started_at=datetime.now(UTC).isoformat(timespec="milliseconds"),
                elapsed_ms=0.0,
                response=None,
                error=f"not sent: the provider left the previous {self._timeouts_in_a_row} "
                "requests unanswered within the time-outs",
            )
        built = self._client.build_request(
            request.method,
            request.url,
            headers=list(request.headers),
            params=list(request.query) or None,
            content=request.body or None,
        )
        sent = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in built.headers.raw)
        started_at = datetime.now(UTC).isoformat(timespec="milliseconds")
        start = time.perf_counter()
        record: ResponseRecord | None = None
        error: str | None = None
        timed_out = False
        try:
            record = self._receive(built, start)
        except (httpx.HTTPError, TransportLimitExceeded) as exc:
            error = describe_transport_error(exc, self._config)
            timed_out = isinstance(exc, httpx.TimeoutException)
        self._timeouts_in_a_row = self._timeouts_in_a_row + 1 if timed_out else 0
        return Exchange(
            request=request,
            sent_headers=sent,
            started_at=started_at,
            elapsed_ms=(time.perf_counter() - start) * 1000,
            response=record,
            error=error,
        )

    def _receive(self, built: httpx.Request, start: float) -> ResponseRecord:
        cap = self._config.max_response_bytes
        deadline = start + self._config.connect_timeout + 2 * self._config.read_timeout
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
                    raise TransportLimitExceeded(
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
