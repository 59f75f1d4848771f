"""The default network layer: a minimal httpx transport on aiohttp, for many small concurrent
API calls. httpx stays the API (the generated code and respx see it); aiohttp moves the bytes,
at about a quarter of httpcore's CPU per request at 100 in flight (see `make bench`).

Differences from ``httpx_aiohttp.AiohttpTransport`` (0.2.0), each on purpose:

* The connection limit is an :class:`asyncio.Semaphore` owned by the transport (aiohttp's own
  limit is off), so waiting for a connection is bounded by httpx's ``pool`` timeout and
  raises :class:`httpx.PoolTimeout`; aiohttp's connect phase is bounded by httpx's ``connect``.
* Exceptions map onto the httpx class that says what happened to the request:
  connect failures are ``ConnectError``/``ConnectTimeout`` (never sent), a dropped keep-alive
  connection is ``RemoteProtocolError`` and a reset is ``ReadError`` (maybe sent). The
  httpx-aiohttp map turns every ``ClientConnectionError`` (server disconnect included) into
  ``ConnectTimeout``, which a retry layer would wrongly read as "never sent".
* Bodies with a ``Content-Length`` up to ``eager_body_limit`` are read inside the transport
  and handed to httpx as one buffer (connection released at once, no per-chunk async
  iteration); anything else streams.
* ``aiohttp.ClientTimeout`` objects are cached per distinct httpx timeout.

httpx's ``write`` timeout has no aiohttp equivalent and is ignored. Like every aiohttp object,
the session is bound to the event loop of the first request; using the transport from another
loop raises ``RuntimeError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Callable, Iterator

import aiohttp
import certifi
import httpx
import yarl

__all__ = ["AiohttpTransport"]

_DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=100)
_HTTP11 = b"HTTP/1.1"
_URL_CACHE_SIZE = 256

# Most specific first: the first isinstance match wins.
_EXCEPTIONS: tuple[tuple[type[BaseException], type[httpx.TransportError]], ...] = (
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),
    (aiohttp.SocketTimeoutError, httpx.ReadTimeout),
    (aiohttp.ServerTimeoutError, httpx.ReadTimeout),
    (aiohttp.ClientProxyConnectionError, httpx.ProxyError),
    (aiohttp.ClientConnectorError, httpx.ConnectError),
    (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
    (aiohttp.ClientOSError, httpx.ReadError),
    (aiohttp.ClientPayloadError, httpx.RemoteProtocolError),
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError),
    (aiohttp.InvalidURL, httpx.UnsupportedProtocol),
    (aiohttp.NonHttpUrlClientError, httpx.UnsupportedProtocol),
    (aiohttp.ClientConnectionError, httpx.NetworkError),
    (aiohttp.ClientError, httpx.TransportError),
)


@contextlib.contextmanager
def _mapped(request: httpx.Request) -> Iterator[None]:
    try:
        yield
    except aiohttp.ClientError as exc:
        for source, target in _EXCEPTIONS:
            if isinstance(exc, source):
                raise target(str(exc) or type(exc).__name__, request=request) from exc
        raise  # pragma: no cover - _EXCEPTIONS ends with ClientError


class _StreamedBody(httpx.AsyncByteStream):
    """A response body read chunk by chunk; frees the connection slot once, on close."""

    def __init__(
        self, response: aiohttp.ClientResponse, request: httpx.Request, release: Callable[[], None]
    ) -> None:
        self._response = response
        self._request = request
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _mapped(self._request):
            async for chunk in self._response.content.iter_any():
                yield chunk

    async def aclose(self) -> None:
        self._response.release()
        release, self._release = self._release, None
        if release is not None:
            release()


def _ssl_context(verify: ssl.SSLContext | bool) -> ssl.SSLContext | bool:
    """Like httpx: verify against certifi's bundle, not whatever the system store holds."""
    if isinstance(verify, ssl.SSLContext) or verify is False:
        return verify
    return ssl.create_default_context(cafile=certifi.where())


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An ``httpx.AsyncBaseTransport`` backed by one ``aiohttp.ClientSession``.

    ``limits.max_connections`` caps concurrent requests (and so connections); ``None`` means
    unlimited. ``limits.keepalive_expiry`` is aiohttp's keep-alive timeout;
    ``max_keepalive_connections`` has no aiohttp counterpart and is ignored.
    """

    def __init__(
        self,
        *,
        limits: httpx.Limits = _DEFAULT_LIMITS,
        verify: ssl.SSLContext | bool = True,
        eager_body_limit: int = 1 << 20,
    ) -> None:
        self._limits = limits
        self._verify = verify
        self._eager_body_limit = eager_body_limit
        self._session: aiohttp.ClientSession | None = None
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}
        self._urls: dict[str, yarl.URL] = {}

    def _open(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._closed:  # even if closed before its first request
            raise RuntimeError("AiohttpTransport is closed")
        if self._session is not None:
            if loop is not self._loop:
                raise RuntimeError("AiohttpTransport is bound to another event loop")
            return self._session
        expiry = self._limits.keepalive_expiry
        connector = aiohttp.TCPConnector(
            limit=0,  # the semaphore below is the limit, so pool waits obey httpx's timeout
            keepalive_timeout=expiry,
            ssl=_ssl_context(self._verify),
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,  # httpx decodes Content-Encoding itself
            cookie_jar=aiohttp.DummyCookieJar(),  # httpx keeps the cookies
            trust_env=False,
            timeout=aiohttp.ClientTimeout(),
            # httpx already set the headers it wants; aiohttp must not add its own (e.g.
            # Content-Type: application/octet-stream on a bare ``content=`` body).
            skip_auto_headers=("Accept", "Accept-Encoding", "Content-Type", "User-Agent"),
        )
        if self._limits.max_connections is not None:
            self._slots = asyncio.Semaphore(self._limits.max_connections)
        self._loop = loop
        return self._session

    def _client_timeout(self, request: httpx.Request) -> aiohttp.ClientTimeout:
        spec = request.extensions.get("timeout") or {}
        key = (spec.get("connect"), spec.get("read"))
        timeout = self._timeouts.get(key)
        if timeout is None:
            connect, read = key
            timeout = aiohttp.ClientTimeout(
                total=None, connect=connect, sock_connect=connect, sock_read=read
            )
            self._timeouts[key] = timeout
        return timeout

    def _url(self, request: httpx.Request) -> yarl.URL:
        """aiohttp's URL for ``request``; httpx already percent-encoded it, so no re-quoting."""
        raw = str(request.url)
        url = self._urls.get(raw)
        if url is None:
            if len(self._urls) >= _URL_CACHE_SIZE:
                self._urls.clear()
            url = self._urls[raw] = yarl.URL(raw, encoded=True)
        return url

    async def _acquire(self, request: httpx.Request) -> None:
        slots = self._slots
        if slots is None:
            return
        if not slots.locked():
            await slots.acquire()  # returns at once
            return
        pool = (request.extensions.get("timeout") or {}).get("pool")
        try:
            async with asyncio.timeout(pool):
                await slots.acquire()
        except TimeoutError:
            raise httpx.PoolTimeout("timed out waiting for a connection", request=request) from None

    def _release(self) -> None:
        if self._slots is not None:
            self._slots.release()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through aiohttp and wrap the answer as an ``httpx.Response``."""
        session = self._open()
        try:
            data: bytes | httpx.AsyncByteStream | None = request.content or None
        except httpx.RequestNotRead:
            data = request.stream  # type: ignore[assignment]
            request.headers.pop("transfer-encoding", None)  # aiohttp chunks it itself
        await self._acquire(request)
        try:
            with _mapped(request):
                response = await session.request(
                    request.method,
                    self._url(request),
                    headers=request.headers.multi_items(),
                    data=data,
                    allow_redirects=False,
                    timeout=self._client_timeout(request),
                    server_hostname=request.extensions.get("sni_hostname"),
                )
                length = response.content_length
                eager = (
                    length is not None and length <= self._eager_body_limit
                ) or request.method == "HEAD"
                if eager:
                    try:
                        body = await response.read()
                    finally:
                        response.release()
        except BaseException:
            self._release()
            raise
        stream: httpx.AsyncByteStream
        if eager:
            self._release()
            stream = httpx.ByteStream(body)
        else:
            stream = _StreamedBody(response, request, self._release)
        extensions = {"http_version": _HTTP11}
        if response.reason:
            extensions["reason_phrase"] = response.reason.encode("latin-1", "replace")
        return httpx.Response(
            response.status,
            headers=response.raw_headers,
            stream=stream,
            request=request,
            extensions=extensions,
        )

    async def aclose(self) -> None:
        """Close the aiohttp session (and its connections)."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()
