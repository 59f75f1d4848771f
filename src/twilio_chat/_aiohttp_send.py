"""One request on an aiohttp connector: what `ClientSession.request` does for the transport's
requests, without the rest of it.

`ClientSession._request` is one large coroutine that handles on every call what the
transport never uses (redirects, cookies, proxies, netrc, traces, middlewares, a total
timeout); with its header merge it costs about a tenth of a small call's CPU. The transport
owns its session and connector and fixes those settings, so it sends through the same
aiohttp pieces the session itself uses (`ClientRequest`, `BaseConnector.connect`, the
connection's protocol, `ClientRequest.send`, `ClientResponse.start`), in the same order,
with the same error mapping and the same one retry of an idempotent request whose kept-alive
connection the server had closed (never of a failed connect). One difference, on purpose:
credentials in the URL are ignored, as httpx's own transports ignore them (httpx turned them
into the Authorization header, if it wanted them, before the request got here).
`tests/test_aiohttp_send.py` fails if an aiohttp upgrade changes a signature or a default
relied on here.
"""

from __future__ import annotations

import asyncio

import aiohttp
import yarl
from aiohttp.helpers import TimerNoop, strip_auth_from_url
from multidict import CIMultiDict

__all__ = ["CEIL_THRESHOLD", "send"]

#: The connector's `timeout_ceil_threshold` (aiohttp's default), passed to its protocols.
CEIL_THRESHOLD = 5.0
# `ClientSession`'s defaults for what it passes to each connection's response parser.
_READ_BUFSIZE = 2**18
_MAX_LINE_SIZE = 8190
_MAX_FIELD_SIZE = 8190
_MAX_HEADERS = 128
# aiohttp retries these once when a kept-alive connection turns out to be closed (RFC 9112
# section 9.3.1.1); `ClientSession` does so by default.
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
_NO_TIMER = TimerNoop()  # no total timeout: the caller bounds the whole attempt


async def send(
    session: aiohttp.ClientSession,
    loop: asyncio.AbstractEventLoop,
    method: str,
    url: yarl.URL,
    *,
    headers: CIMultiDict[str],
    skip_auto_headers: list[str] | None,
    data: object,
    timeouts: aiohttp.ClientTimeout,
    server_hostname: str | None,
) -> aiohttp.ClientResponse:
    """`session.request(method, url, ..., allow_redirects=False)` on `loop` (the session's),
    for a session without cookies, proxies, traces, middlewares or a total timeout: the
    response with its headers read, its body not yet."""
    connector = session.connector
    if session.closed or connector is None:
        raise RuntimeError("Session is closed")
    if url.scheme not in connector.allowed_protocol_schema_set:
        raise aiohttp.NonHttpUrlClientError(url)
    # Credentials in the URL are not turned into an Authorization header: httpx already
    # chose the request's headers (as its own transports do, the header it set is sent).
    url, _ = strip_auth_from_url(url)
    if not url.raw_host:
        raise aiohttp.InvalidUrlClientError(url)
    retry = method in _IDEMPOTENT
    while True:
        request = aiohttp.ClientRequest(
            method,
            url,
            headers=headers,
            skip_auto_headers=skip_auto_headers,
            data=data,
            loop=loop,
            timer=_NO_TIMER,
            session=session,
            server_hostname=server_hostname,
            traces=[],
        )
        response = None
        try:
            try:
                response = await _exchange(connector, request, timeouts)
            except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError):
                raise  # no connection, nothing sent: never resent here (as ClientSession)
            except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError):
                if not retry:
                    raise
                retry = False  # once, with a new request object, as ClientSession does
                if data is not None:
                    await request.close()  # the body writer has settled: it can rewind
                    if request._body is not None and request._body.consumed:
                        raise
                    data = request._body
                continue
            except aiohttp.ClientError:
                raise
            except OSError as exc:
                if exc.errno is None and isinstance(exc, TimeoutError):
                    raise
                raise aiohttp.ClientOSError(*exc.args) from exc
            if request._body is not None:
                await request._body.close()
        except BaseException:
            if response is not None:
                response.close()
            if request._body is not None:
                await request._body.close()
            raise
        return response


async def _exchange(
    connector: aiohttp.BaseConnector,
    request: aiohttp.ClientRequest,
    timeouts: aiohttp.ClientTimeout,
) -> aiohttp.ClientResponse:
    """A connection from the pool (or a new one, within the connect timeouts), the request
    written, the response's status line and headers read."""
    try:
        connection = await connector.connect(request, traces=[], timeout=timeouts)
    except TimeoutError as exc:
        raise aiohttp.ConnectionTimeoutError(f"Connection timeout to host {request.url}") from exc
    protocol = connection.protocol
    assert protocol is not None  # a connection from connect() has one
    protocol.set_response_params(
        timer=_NO_TIMER,
        skip_payload=request.method == "HEAD",
        read_until_eof=True,
        auto_decompress=False,
        read_timeout=timeouts.sock_read,
        read_bufsize=_READ_BUFSIZE,
        timeout_ceil_threshold=CEIL_THRESHOLD,
        max_line_size=_MAX_LINE_SIZE,
        max_field_size=_MAX_FIELD_SIZE,
        max_headers=_MAX_HEADERS,
    )
    try:
        response = await request.send(connection)
        try:
            await response.start(connection)
        except BaseException:
            response.close()
            raise
    except BaseException:
        connection.close()
        raise
    return response
