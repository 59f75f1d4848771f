"""`send` does what `aiohttp.ClientSession.request` does for the transport's requests: the same
bytes on the wire, the same one retry of an idempotent request on a kept-alive connection the
server had closed, the same refusals; and the aiohttp signatures and defaults it relies on are
still there (an upgrade that changes them fails here, not in production)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import httpx
import pytest
import yarl
from aiohttp.client import IDEMPOTENT_METHODS
from aiohttp.client_proto import ResponseHandler
from multidict import CIMultiDict

from tests.test_aiohttp_transport import (
    GUARD,
    LoopbackServer,
    Received,
    close_after_request,
    refused_url,
    response_bytes,
    server,
)
from twilio_chat._aiohttp_send import (
    _IDEMPOTENT,
    _MAX_FIELD_SIZE,
    _MAX_HEADERS,
    _MAX_LINE_SIZE,
    _READ_BUFSIZE,
    CEIL_THRESHOLD,
    send,
)

__all__ = ["server"]  # the fixture, used by name

TIMEOUT = aiohttp.ClientTimeout(total=None, connect=GUARD, sock_connect=GUARD, sock_read=GUARD)
Send = Callable[..., Awaitable[aiohttp.ClientResponse]]


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A session set up as the transport sets up its own."""
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0, timeout_ceil_threshold=CEIL_THRESHOLD),
        auto_decompress=False,
        cookie_jar=aiohttp.DummyCookieJar(),
        trust_env=False,
        timeout=aiohttp.ClientTimeout(),
    ) as opened:
        yield opened


def ours(session: aiohttp.ClientSession) -> Send:
    async def call(method: str, url: yarl.URL, **options: object) -> aiohttp.ClientResponse:
        return await send(session, asyncio.get_running_loop(), method, url, **options)  # type: ignore[arg-type]

    return call


def theirs(session: aiohttp.ClientSession) -> Send:
    async def call(method: str, url: yarl.URL, **options: object) -> aiohttp.ClientResponse:
        given = dict(options, timeout=options.pop("timeouts"))
        return await session.request(method, url, allow_redirects=False, **given)  # type: ignore[arg-type]

    return call


def options(
    headers: list[tuple[str, str]], skip: list[str] | None = None, data: object = None
) -> dict[str, object]:
    return {
        "headers": CIMultiDict(headers),
        "skip_auto_headers": skip,
        "data": data,
        "timeouts": TIMEOUT,
        "server_hostname": None,
    }


CASES = {
    "get": ("GET", "/v2/Services/IS0123?PageSize=5", options([("Accept", "application/json")])),
    "post form": (
        "POST",
        "/v2/Services",
        options(
            [("Content-Type", "application/x-www-form-urlencoded"), ("Authorization", "Basic x")],
            data=b"FriendlyName=two+words",
        ),
    ),
    "skipped auto headers": (
        "DELETE",
        "/v2/Services/IS0123",
        options([("X-Twice", "a"), ("X-Twice", "b")], skip=["Accept", "User-Agent"]),
    ),
}


def wire(received: Received) -> tuple[str, str, list[tuple[str, str]], bytes]:
    return received.method, received.target, received.headers, received.body


@pytest.mark.parametrize("case", sorted(CASES))
async def test_send_writes_what_session_request_writes(
    server: LoopbackServer, session: aiohttp.ClientSession, case: str
) -> None:
    """Method, target, every header in order and the body: byte for byte the same."""
    method, target, given = CASES[case]
    url = yarl.URL(server.url + target, encoded=True)
    for call in (ours(session), theirs(session)):
        response = await call(method, url, **given)
        assert response.status == 201
        assert await response.read() == await response.read()  # whole, then cached
        response.release()
    mine, aiohttps = server.requests
    assert wire(mine) == wire(aiohttps)


@pytest.mark.parametrize("authorization", [None, "Basic Z2l2ZW46aGVhZGVy"])
async def test_send_sends_the_headers_httpx_chose_not_the_url_credentials(
    server: LoopbackServer, session: aiohttp.ClientSession, authorization: str | None
) -> None:
    """Credentials in the URL add no Authorization header and replace none, as with httpx's
    own transport (httpx's client turns them into the header itself, when it wants them)."""
    target = server.url.replace("http://", "http://user:secret@") + "/x"
    headers = [("Authorization", authorization)] if authorization else []
    (await ours(session)("GET", yarl.URL(target), **options(headers))).release()
    async with httpx.AsyncHTTPTransport() as theirs_:
        request = httpx.Request("GET", target, headers=headers)
        await (await theirs_.handle_async_request(request)).aclose()
    mine, httpxs = server.requests
    sent = [value for name, value in mine.headers if name.lower() == "authorization"]
    assert sent == ([authorization] if authorization else [])
    assert sent == [value for name, value in httpxs.headers if name.lower() == "authorization"]
    assert mine.target == httpxs.target == "/x"


async def _first_answered_then_closed(received: Received, writer: asyncio.StreamWriter) -> bool:
    """Answer the first request of a connection; close on the second without answering (a
    keep-alive connection the server dropped just as the client reused it)."""
    if (received.connection, getattr(writer, "answered", False)) == (1, True):
        return await close_after_request(received, writer)
    writer.answered = True  # type: ignore[attr-defined]
    writer.write(response_bytes())
    await writer.drain()
    return True


@pytest.mark.parametrize("caller", [ours, theirs], ids=["send", "session.request"])
@pytest.mark.parametrize(("method", "resent"), [("GET", True), ("POST", False)])
async def test_only_an_idempotent_request_is_resent_on_a_dropped_connection(
    server: LoopbackServer,
    session: aiohttp.ClientSession,
    caller: Callable[..., Send],
    method: str,
    resent: bool,
) -> None:
    """A GET the server dropped on a reused connection is sent once more, on a new one; a
    create (POST) is not: it may have been acted on."""
    server.behaviour = _first_answered_then_closed
    call = caller(session)
    url = yarl.URL(server.url + "/v2/Services")
    form = [("Content-Type", "application/x-www-form-urlencoded")]
    given = options(form, data=b"a=b") if method == "POST" else options([])

    async def exchange() -> None:
        response = await call(method, url, **given)
        await response.read()
        response.release()

    await exchange()
    if resent:
        await exchange()
    else:
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await exchange()
    expected = [1, 1, 2] if resent else [1, 1]
    assert [request.connection for request in server.requests] == expected


@pytest.mark.parametrize("caller", [ours, theirs], ids=["send", "session.request"])
async def test_a_failed_connect_is_not_tried_again(
    session: aiohttp.ClientSession, caller: Callable[..., Send], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refused connection is raised at once, even for a GET: the resend is only for a
    kept-alive connection found closed."""
    connector = session.connector
    assert connector is not None
    attempts = []
    create = connector._create_connection  # type: ignore[attr-defined]

    async def counted(*args: object, **kwargs: object) -> object:
        attempts.append(1)
        return await create(*args, **kwargs)

    monkeypatch.setattr(connector, "_create_connection", counted)
    with pytest.raises(aiohttp.ClientConnectorError):
        await caller(session)("GET", yarl.URL(refused_url() + "/x"), **options([]))
    assert len(attempts) == 1


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("ftp://127.0.0.1/x", aiohttp.NonHttpUrlClientError),
        ("http:///no-host", aiohttp.InvalidUrlClientError),
    ],
)
async def test_send_refuses_what_session_request_refuses(
    session: aiohttp.ClientSession, url: str, error: type[Exception]
) -> None:
    for call in (ours(session), theirs(session)):
        with pytest.raises(error):
            await call("GET", yarl.URL(url), **options([]))


async def test_send_refuses_a_closed_session(session: aiohttp.ClientSession) -> None:
    await session.close()
    with pytest.raises(RuntimeError, match="closed"):
        await ours(session)("GET", yarl.URL("http://127.0.0.1:9/x"), **options([]))


def _keywords(function: Callable[..., object]) -> dict[str, inspect.Parameter]:
    return dict(inspect.signature(function).parameters)


def test_the_aiohttp_signatures_and_defaults_send_relies_on() -> None:
    """`send` calls these with these keywords, and passes `ClientSession`'s defaults."""
    request = _keywords(aiohttp.ClientRequest.__init__)
    for name in ("headers", "skip_auto_headers", "data", "auth", "loop", "timer", "session"):
        assert name in request, name
    for name in ("server_hostname", "traces"):
        assert name in request, name
    params = _keywords(ResponseHandler.set_response_params)
    for name in ("timer", "skip_payload", "read_until_eof", "auto_decompress", "read_timeout"):
        assert name in params, name
    for name in ("read_bufsize", "timeout_ceil_threshold", "max_line_size", "max_field_size"):
        assert name in params, name
    assert "max_headers" in params
    assert list(_keywords(aiohttp.BaseConnector.connect)) == ["self", "req", "traces", "timeout"]
    session = _keywords(aiohttp.ClientSession.__init__)
    assert session["read_bufsize"].default == _READ_BUFSIZE
    assert session["max_line_size"].default == _MAX_LINE_SIZE
    assert session["max_field_size"].default == _MAX_FIELD_SIZE
    assert session["max_headers"].default == _MAX_HEADERS
    assert _keywords(aiohttp.TCPConnector.__init__)["timeout_ceil_threshold"].default == (
        CEIL_THRESHOLD
    )
    assert _IDEMPOTENT == IDEMPOTENT_METHODS  # the methods the session resends once


async def test_a_cancelled_send_closes_its_connection(
    server: LoopbackServer, session: aiohttp.ClientSession
) -> None:
    """Cancelled while waiting for an answer (an attempt's cutoff): the connection is closed,
    never handed to the next request with an answer still due; the next one opens another."""
    answered = response_bytes()

    async def first_never_answers(received: Received, writer: asyncio.StreamWriter) -> bool:
        if received.connection == 1:
            return True  # keep the connection open, say nothing
        writer.write(answered)
        await writer.drain()
        return True

    server.behaviour = first_never_answers
    url = yarl.URL(server.url + "/v2/Services/IS0123")
    pending = asyncio.ensure_future(ours(session)("GET", url, **options([])))
    await server.wait_for_requests(1)
    pending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await pending
    response = await ours(session)("GET", url, **options([]))
    assert response.status == 201
    await response.read()
    response.release()
    assert [request.connection for request in server.requests] == [1, 2]
