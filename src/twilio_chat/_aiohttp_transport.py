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
  The aiohttp exception is never chained (its repr prints the request headers, Authorization
  included): the httpx one carries its type name and a masked, shortened message.
* Bodies with a ``Content-Length`` up to ``eager_body_limit`` are read inside the transport
  and handed to httpx as one buffer (connection released at once, no per-chunk async
  iteration), already set as the response's content when not compressed, so reading it
  costs nothing; anything else streams. No body is read past ``max_response_bytes``: a longer
  declared length is refused unread, a longer stream is cut, and the connection dropped
  (``ResponseTooLargeError``).
* ``aiohttp.ClientTimeout`` objects are cached per distinct httpx timeout.
* Requests skip ``ClientSession.request``: `_aiohttp_send.send` takes the same steps with
  the same aiohttp objects, minus what this transport never uses (redirects, cookies,
  proxies, traces, a total timeout), which costs about a tenth of a small call's CPU.
* While respx mocks httpcore (its default), requests go through httpx's own transport, which
  respx intercepts, instead of silently reaching the network through aiohttp.

httpx's ``write`` timeout has no aiohttp equivalent and is ignored. Like every aiohttp object,
the session is bound to the event loop of the first request; using the transport from another
loop raises ``RuntimeError``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import ssl
import sys
from collections import deque
from collections.abc import AsyncIterator, Callable

import aiohttp
import certifi
import httpx
import yarl
from aiohttp.client_proto import ResponseHandler
from multidict import CIMultiDict

from ._aiohttp_send import CEIL_THRESHOLD, send
from ._httpx_objects import headers_from_raw, new_response

__all__ = ["AiohttpTransport", "ResponseTooLargeError", "safe_description"]

_DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=100)
_HTTP11 = b"HTTP/1.1"
_HEADER_CACHE_SIZE = 256
_MESSAGE_CHARS = 300

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


class ResponseTooLargeError(httpx.TransportError):
    """A response body longer than the transport's ``max_response_bytes``: the connection is
    dropped rather than read on, so a hostile or broken server cannot fill memory."""


def _secrets_of(request: httpx.Request) -> list[str]:
    """What the request's Authorization header would give away, longest first: the header
    value, its credentials, and for Basic the decoded ``user:secret`` and the secret."""
    header = request.headers.get("authorization")
    if not header:
        return []
    found = {header}
    scheme, _, credentials = header.partition(" ")
    if credentials:
        found.add(credentials)
        if scheme.lower() == "basic":
            with contextlib.suppress(ValueError):
                decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
                found.update({decoded, decoded.partition(":")[2]})
    return sorted((text for text in found if len(text) >= 4), key=len, reverse=True)


def safe_description(exc: BaseException, request: httpx.Request | None) -> str:
    """``TypeName: message`` for ``exc`` with any credential of ``request`` masked.

    aiohttp's ``ClientResponseError`` carries the request's headers (its repr prints them):
    only its status and message are used. Nothing else of ``exc`` is kept."""
    if isinstance(exc, aiohttp.ClientResponseError):
        text = f"{exc.status}, {exc.message}" if exc.status else str(exc.message)
    else:
        text = str(exc)
    for secret in _secrets_of(request) if request is not None else ():
        text = text.replace(secret, "***")
    if len(text) > _MESSAGE_CHARS:  # aiohttp quotes whole lines of a malformed answer
        text = text[: _MESSAGE_CHARS - 1] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _translate(exc: aiohttp.ClientError, request: httpx.Request) -> httpx.TransportError:
    """The httpx exception for an aiohttp one. The aiohttp exception is not chained (it holds
    the request and its headers), so callers raise the result outside their ``except``."""
    for source, target in _EXCEPTIONS:
        if isinstance(exc, source):
            return target(safe_description(exc, request), request=request)
    return httpx.TransportError(safe_description(exc, request), request=request)


class _StreamedBody(httpx.AsyncByteStream):
    """A response body read chunk by chunk, at most ``limit`` bytes; frees the connection slot
    once, on close."""

    def __init__(
        self,
        response: aiohttp.ClientResponse,
        request: httpx.Request,
        release: Callable[[], None],
        limit: int,
    ) -> None:
        self._response = response
        self._request = request
        self._release: Callable[[], None] | None = release
        self._limit = limit

    async def __aiter__(self) -> AsyncIterator[bytes]:
        received = 0
        failure: httpx.TransportError | None = None
        try:
            async for chunk in self._response.content.iter_any():
                received += len(chunk)
                if received > self._limit:
                    self._response.close()  # drop the connection: the rest is never read
                    failure = _too_large(self._limit, self._request)
                    break
                yield chunk
        except aiohttp.ClientError as exc:
            failure = _translate(exc, self._request)
        if failure is not None:
            raise failure

    async def aclose(self) -> None:
        self._response.release()
        release, self._release = self._release, None
        if release is not None:
            release()


def _too_large(limit: int, request: httpx.Request) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"response body larger than max_response_bytes ({limit} bytes)", request=request
    )


def _ssl_context(verify: ssl.SSLContext | bool) -> ssl.SSLContext | bool:
    """Like httpx: verify against certifi's bundle, not whatever the system store holds."""
    if isinstance(verify, ssl.SSLContext) or verify is False:
        return verify
    return ssl.create_default_context(cafile=certifi.where())


class _LazyReadTimeout(ResponseHandler):
    """aiohttp's response protocol, its read timeout (``sock_read``) kept lazily.

    aiohttp cancels its read timer and arms a new one each time data arrives, and again for
    each response: two event-loop timers per request, a tenth of a small call's CPU. Here
    data arriving only moves the deadline forward; one timer per connection, armed when none
    is pending, checks the deadline when it comes due and re-arms itself for a later one. The
    timeout fires at the same moment as aiohttp's, for the same silences: these are the only
    two methods of ``ResponseHandler`` that touch its read timer, and
    ``tests/test_aiohttp_transport.py`` fails if an aiohttp upgrade changes that."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self._read_deadline: float | None = None
        self._read_check: asyncio.TimerHandle | None = None

    def _reschedule_timeout(self) -> None:
        timeout = self._read_timeout
        if not timeout:
            self._read_deadline = None
            return
        deadline = self._read_deadline = self._loop.time() + timeout
        check = self._read_check
        if check is None or check.when() > deadline:  # none pending, or one due too late
            if check is not None:
                check.cancel()
            self._read_check = self._loop.call_at(deadline, self._check_read_deadline)

    def _drop_timeout(self) -> None:
        self._read_deadline = None  # a pending check finds nothing due

    def _check_read_deadline(self) -> None:
        self._read_check = None
        deadline = self._read_deadline
        if deadline is None:
            return
        if self._loop.time() >= deadline:
            self._read_deadline = None
            self._on_read_timeout()
        else:  # data came since: wait for the deadline it set
            self._read_check = self._loop.call_at(deadline, self._check_read_deadline)


def _lazy_read_timeouts(connector: aiohttp.BaseConnector, loop: asyncio.AbstractEventLoop) -> None:
    """Make ``connector`` open its connections with `_LazyReadTimeout` protocols, if it still
    makes them the way this module knows (else they keep aiohttp's own timer)."""
    factory = getattr(connector, "_factory", None)
    if isinstance(factory, functools.partial) and factory.func is ResponseHandler:
        connector._factory = functools.partial(_LazyReadTimeout, loop=loop)  # type: ignore[assignment]


class _Slots:
    """The connection slots: a counting gate whose free path is a plain method call (an
    `asyncio.Semaphore` costs a coroutine and a scan of its waiters per request). Waiters
    are served first come, first served; a slot given back goes straight to the next one."""

    __slots__ = ("_free", "_waiters")

    def __init__(self, count: int) -> None:
        self._free = count
        self._waiters: deque[asyncio.Future[None]] = deque()

    def try_take(self) -> bool:
        """Take a slot if one is free and nobody is queued for it."""
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return True
        return False

    async def take(self) -> None:
        """Wait in line for a slot."""
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.give()  # granted just as we were cancelled: hand it on
            else:
                with contextlib.suppress(ValueError):  # a give() may already have dropped it
                    self._waiters.remove(waiter)
            raise

    def give(self) -> None:
        """Give a slot back: to the first live waiter, else to the free count."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1


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
        max_response_bytes: int = 1 << 20,
    ) -> None:
        self._limits = limits
        self._verify = verify
        self._eager_body_limit = min(eager_body_limit, max_response_bytes)
        self._max_response_bytes = max_response_bytes
        self._httpcore: httpx.AsyncHTTPTransport | None = None
        self._session: aiohttp.ClientSession | None = None
        self._slots: _Slots | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}
        self._header_cache: dict[
            tuple[bool, tuple[tuple[bytes, bytes, bytes], ...]],
            tuple[CIMultiDict[str], list[str] | None],
        ] = {}

    def _open(self) -> tuple[aiohttp.ClientSession, asyncio.AbstractEventLoop]:
        """The session, opened on the running loop's first request, and that loop."""
        loop = asyncio.get_running_loop()
        if self._closed:  # even if closed before its first request
            raise RuntimeError("AiohttpTransport is closed")
        if self._session is not None:
            if loop is not self._loop:
                raise RuntimeError("AiohttpTransport is bound to another event loop")
            return self._session, loop
        expiry = self._limits.keepalive_expiry
        connector = aiohttp.TCPConnector(
            limit=0,  # the semaphore below is the limit, so pool waits obey httpx's timeout
            keepalive_timeout=expiry,
            ssl=_ssl_context(self._verify),
            timeout_ceil_threshold=CEIL_THRESHOLD,
        )
        _lazy_read_timeouts(connector, loop)
        self._session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,  # httpx decodes Content-Encoding itself
            cookie_jar=aiohttp.DummyCookieJar(),  # httpx keeps the cookies
            trust_env=False,
            timeout=aiohttp.ClientTimeout(),
        )
        if self._limits.max_connections is not None:
            self._slots = _Slots(self._limits.max_connections)
        self._loop = loop
        return self._session, loop

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
        """aiohttp's URL for ``request``; httpx already percent-encoded it, so no re-quoting.
        (Not cached: most URLs of this API name one service, and are new.)"""
        return yarl.URL(str(request.url), encoded=True)

    def _headers(
        self, request: httpx.Request, *, typed: bool
    ) -> tuple[CIMultiDict[str], list[str] | None]:
        """aiohttp's headers for `request`, and the auto headers aiohttp must not add
        (Content-Type only with a body or for a method aiohttp types); cached by the raw
        headers, which repeat from call to call (aiohttp copies what it is given)."""
        typed = typed or request.method in _TYPED_METHODS
        key = (typed, tuple(request.headers._list))  # (name, lowercased name, value)
        cached = self._header_cache.get(key)
        if cached is None:
            items = _header_items(request.headers)
            if len(self._header_cache) >= _HEADER_CACHE_SIZE:
                self._header_cache.clear()
            cached = self._header_cache[key] = (
                CIMultiDict(items),
                _absent_auto_headers(items, typed=typed),
            )
        return cached

    async def _wait_for_slot(self, slots: _Slots, request: httpx.Request) -> None:
        """Wait in line for a connection slot, at most httpx's ``pool`` timeout."""
        pool = (request.extensions.get("timeout") or {}).get("pool")
        try:
            async with asyncio.timeout(pool):
                await slots.take()
        except TimeoutError:
            raise httpx.PoolTimeout("timed out waiting for a connection", request=request) from None

    def _release(self) -> None:
        if self._slots is not None:
            self._slots.give()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through aiohttp and wrap the answer as an ``httpx.Response``."""
        if _respx_mocks_httpcore():
            return await self._through_httpcore(request)
        session, loop = self._open()
        try:
            data: bytes | httpx.AsyncByteStream | None = request.content or None
        except httpx.RequestNotRead:
            data = request.stream  # type: ignore[assignment]
            request.headers.pop("transfer-encoding", None)  # aiohttp chunks it itself
        slots = self._slots
        if slots is not None and not slots.try_take():
            await self._wait_for_slot(slots, request)
        failure: httpx.TransportError | None = None
        body: bytes | None = None
        # One coroutine for the whole exchange (it runs on every request): the aiohttp
        # response, and its body when read here (a Content-Length up to the eager limit, or
        # HEAD); otherwise it streams. A declared length over the cap is refused unread,
        # with the connection dropped.
        try:
            headers, skip = self._headers(request, typed=data is not None)
            response = await send(
                session,
                loop,
                request.method,
                self._url(request),
                headers=headers,
                skip_auto_headers=skip,
                data=data,
                timeouts=self._client_timeout(request),
                server_hostname=request.extensions.get("sni_hostname"),
            )
            length = response.content_length
            if length is not None and length > self._max_response_bytes:
                response.close()
                raise _too_large(self._max_response_bytes, request)
            if (
                length is not None and length <= self._eager_body_limit
            ) or request.method == "HEAD":
                try:
                    body = await response.read()
                finally:
                    response.release()
        except aiohttp.ClientError as exc:
            failure = _translate(exc, request)
        except BaseException:
            self._release()
            raise
        if failure is not None:  # raised here, outside the except: no aiohttp __context__
            self._release()
            raise failure
        stream: httpx.AsyncByteStream
        if body is not None:
            self._release()
            stream = httpx.ByteStream(body)
        else:
            stream = _StreamedBody(response, request, self._release, self._max_response_bytes)
        extensions = {"http_version": _HTTP11}
        if response.reason:
            extensions["reason_phrase"] = response.reason.encode("latin-1", "replace")
        answer = new_response(
            response.status, headers_from_raw(response.raw_headers), stream, request, extensions
        )
        if body is not None and _not_encoded(response.headers.get("Content-Encoding")):
            # Already whole and not encoded: it is the content, as `Response.aread()` would
            # join it (skipping httpx's async decode chain, about a tenth of a call's CPU).
            answer._content = body
        return answer

    async def _through_httpcore(self, request: httpx.Request) -> httpx.Response:
        """Send through httpx's own (httpcore) transport, which respx has patched."""
        if self._httpcore is None:
            self._httpcore = httpx.AsyncHTTPTransport(verify=self._verify, limits=self._limits)
        return await self._httpcore.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the aiohttp session (and its connections)."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()
        httpcore, self._httpcore = self._httpcore, None
        if httpcore is not None:
            await httpcore.aclose()


def _header_items(headers: httpx.Headers) -> list[tuple[str, str]]:
    """`headers.multi_items()`, with the headers' encoding looked up once, not per item."""
    encoding = headers.encoding
    return [(name.decode(encoding), value.decode(encoding)) for name, value in headers.raw]


# Headers aiohttp adds when a request lacks them; httpx already set the ones it wants, so
# aiohttp must add none of these. Content-Type (application/octet-stream) only comes with a
# body or one of aiohttp's POST methods.
_UNTYPED_AUTO_HEADERS = frozenset({"accept", "accept-encoding", "user-agent"})
_AUTO_HEADERS = _UNTYPED_AUTO_HEADERS | {"content-type"}
_TYPED_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _absent_auto_headers(headers: list[tuple[str, str]], *, typed: bool) -> list[str] | None:
    """The auto headers `headers` lacks, for aiohttp's ``skip_auto_headers`` (Content-Type
    only when `typed`); None when none is missing (an httpx client's usual request), which
    keeps aiohttp on its fast path: a skip list costs a header-dict copy and merge."""
    wanted = _AUTO_HEADERS if typed else _UNTYPED_AUTO_HEADERS
    missing = wanted.difference([name.lower() for name, _ in headers])
    return sorted(missing) if missing else None


def _not_encoded(content_encoding: str | None) -> bool:
    """Whether a body with this Content-Encoding header is its own decoded content."""
    return not content_encoding or content_encoding.strip().lower() == "identity"


def _respx_mocks_httpcore() -> bool:
    """Whether a respx router is mocking httpcore (respx's default: ``respx.mock()``,
    ``@respx.mock``, the ``respx_mock`` fixture). Such a mock patches httpcore's pool, which
    aiohttp never reaches: without this check the request would go to the network."""
    mocks = sys.modules.get("respx.mocks")
    if mocks is None:  # respx not imported: the common case costs one dict lookup
        return False
    mocker = getattr(mocks, "Mocker", None)
    registry = getattr(mocker, "registry", None) or {}
    httpcore_mocker = registry.get("httpcore")
    return bool(getattr(httpcore_mocker, "routers", None))
