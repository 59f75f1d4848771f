"""AiohttpTransport against a real loopback server: the bytes it sends, what it hands back, and
the httpx exception class it raises for each network failure (the facade's retry safety rests on
that class: ConnectError/ConnectTimeout/PoolTimeout mean "never sent", the rest "maybe sent")."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import re
import socket
import struct
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import aiohttp
import httpx
import pytest
from aiohttp.client_proto import ResponseHandler

from tests.conftest import TestCredentials, credential_needles, leaks
from twilio_chat import (
    AmbiguousCreateError,
    ApiError,
    ChatClient,
    RetryEvent,
    RetryPolicy,
    TransportError,
    TwilioChatError,
)
from twilio_chat._aiohttp_transport import (
    AiohttpTransport,
    ResponseTooLargeError,
    _lazy_read_timeouts,
    _LazyReadTimeout,
    safe_description,
)

HOST = "127.0.0.1"
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
JSON_BODY = b'{"sid": "IS0123", "friendly_name": "one"}'
LIMITS = httpx.Limits(max_connections=10, keepalive_expiry=5.0)
T = TypeVar("T")
GUARD = 3.0  # seconds: a hang fails the test instead of stalling the run


# --- A loopback HTTP/1.1 server whose behaviour each test chooses ----------------------------


@dataclass
class Received:
    """One request as the server read it off the wire."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes
    connection: int

    def header_items(self) -> list[tuple[str, str]]:
        """(lower-cased name, value) pairs, sorted: order-insensitive comparison."""
        return sorted((name.lower(), value) for name, value in self.headers)

    def names(self) -> set[str]:
        return {name.lower() for name, _ in self.headers}


# A behaviour answers (or not) one request; it returns whether to keep reading the connection.
Behaviour = Callable[[Received, asyncio.StreamWriter], Awaitable[bool]]


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                pass
            return bytes(body)
        body += await reader.readexactly(size)
        await reader.readexactly(2)


async def _read_request(reader: asyncio.StreamReader, connection: int) -> Received | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None  # the client closed the connection
    line, *fields = head[:-4].decode("latin-1").split("\r\n")
    method, target, _version = line.split(" ")
    headers = [(name, value.strip()) for name, value in (f.split(":", 1) for f in fields)]
    lowered = {name.lower(): value for name, value in headers}
    if lowered.get("transfer-encoding", "").lower() == "chunked":
        body = await _read_chunked(reader)
    else:
        body = await reader.readexactly(int(lowered.get("content-length", "0")))
    return Received(method, target, headers, body, connection)


def response_bytes(
    status: int = 201,
    reason: str = "Created",
    body: bytes = JSON_BODY,
    headers: Iterable[tuple[str, str]] = (("Content-Type", "application/json"),),
) -> bytes:
    head = f"HTTP/1.1 {status} {reason}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers)
    head += f"Content-Length: {len(body)}\r\n\r\n"
    return head.encode("latin-1") + body


def reply(data: bytes | None = None) -> Behaviour:
    """Answer every request with ``data`` (a keep-alive 201 with a JSON body by default)."""
    payload = response_bytes() if data is None else data

    async def behave(_: Received, writer: asyncio.StreamWriter) -> bool:
        writer.write(payload)
        await writer.drain()
        return True

    return behave


async def close_after_request(_: Received, writer: asyncio.StreamWriter) -> bool:
    writer.close()
    return False


async def reset_after_request(_: Received, writer: asyncio.StreamWriter) -> bool:
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
    return False


async def never_answer(_: Received, writer: asyncio.StreamWriter) -> bool:
    return True  # keep reading: the connection ends when the client gives up


class LoopbackServer:
    """``server.behaviour`` answers each request; ``server.requests`` records them and
    ``server.connections`` counts accepted connections."""

    def __init__(self) -> None:
        self.behaviour: Behaviour = reply()
        self.requests: list[Received] = []
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._arrived = asyncio.Condition()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://{HOST}:{self._server.sockets[0].getsockname()[1]}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, HOST, 0)

    async def wait_for_requests(self, count: int) -> None:
        async with asyncio.timeout(GUARD), self._arrived:
            await self._arrived.wait_for(lambda: len(self.requests) >= count)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        number = self.connections
        try:
            while (received := await _read_request(reader, number)) is not None:
                self.requests.append(received)
                async with self._arrived:
                    self._arrived.notify_all()
                if not await self.behaviour(received, writer):
                    break
        except ConnectionError:
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
            self._tasks.discard(task)

    async def aclose(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()


@pytest.fixture
async def server() -> AsyncIterator[LoopbackServer]:
    loopback = LoopbackServer()
    await loopback.start()
    try:
        yield loopback
    finally:
        await loopback.aclose()


def client_for(
    url: str, limits: httpx.Limits = LIMITS, **transport_options: int
) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=AiohttpTransport(limits=limits, **transport_options),
        base_url=url,
        timeout=httpx.Timeout(GUARD),
    )


def refused_url() -> str:
    """A loopback URL with nothing listening: connections are refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]
    return f"http://{HOST}:{port}"


@contextlib.contextmanager
def full_accept_queue() -> Iterator[str]:
    """A listener whose accept queue is full, so a new connection hangs in connect."""
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener,
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as filler,
    ):
        listener.bind((HOST, 0))
        listener.listen(0)
        filler.connect(listener.getsockname())
        yield f"http://{HOST}:{listener.getsockname()[1]}"


async def within(call: Awaitable[T]) -> T:
    """``call``, failing with TimeoutError instead of hanging if it takes over GUARD seconds."""
    async with asyncio.timeout(GUARD):
        return await call


def assert_maybe_sent(exc: BaseException) -> None:
    assert isinstance(exc, httpx.TransportError), repr(exc)
    assert not isinstance(exc, NOT_SENT), f"{type(exc).__name__} reads as never sent"


# --- The request and the response ------------------------------------------------------------


TARGET = "/v2/Services/a%7Eb/c%2fd?PageSize=5&x=a%20b&w=%2F&y=%7E"


async def test_request_bytes_are_exactly_what_httpx_built(server: LoopbackServer) -> None:
    """Method, target, every header (Authorization, form Content-Type) and body arrive as built."""
    async with client_for(server.url) as client:
        request = client.build_request(
            "POST",
            TARGET,
            data={"FriendlyName": "two words", "Flag": "true"},
            headers=[("Authorization", "Basic QUM6eA=="), ("X-Multi", "a"), ("X-Multi", "b")],
        )
        expected = sorted((name.lower(), value) for name, value in request.headers.multi_items())
        response = await client.send(request)
    assert response.status_code == 201
    [got] = server.requests
    assert (got.method, got.target) == ("POST", TARGET)  # not re-quoted
    assert [value for name, value in got.headers if name.lower() == "x-multi"] == ["a", "b"]
    assert got.body == b"FriendlyName=two+words&Flag=true"
    assert ("content-type", "application/x-www-form-urlencoded") in got.header_items()
    assert ("authorization", "Basic QUM6eA==") in got.header_items()
    assert got.header_items() == expected  # nothing added, nothing dropped, nothing doubled


async def test_request_aiohttp_adds_no_default_headers(server: LoopbackServer) -> None:
    """Headers httpx leaves out (Content-Type of raw bytes, User-Agent, Accept*) stay out."""
    async with client_for(server.url) as client:
        request = client.build_request("POST", "/raw", content=b"\x00raw bytes")
        for name in ("User-Agent", "Accept", "Accept-Encoding"):
            del request.headers[name]
        await client.send(request)
    [got] = server.requests
    assert got.body == b"\x00raw bytes"
    assert got.names() == {"host", "connection", "content-length"}


async def test_request_streamed_body_is_sent_chunked_once(server: LoopbackServer) -> None:
    """A generator body arrives whole, with a single Transfer-Encoding: chunked."""

    async def parts() -> AsyncIterator[bytes]:
        for part in (b"first,", b"second,", b"third"):
            yield part

    async with client_for(server.url) as client:
        response = await client.post("/stream", content=parts())
    assert response.status_code == 201
    [got] = server.requests
    assert got.body == b"first,second,third"
    assert [v.lower() for n, v in got.headers if n.lower() == "transfer-encoding"] == ["chunked"]


async def test_response_status_reason_headers_and_body(server: LoopbackServer) -> None:
    """Status, the server's own reason phrase, repeated headers and the JSON body come back."""
    server.behaviour = reply(
        response_bytes(
            reason="Made It",
            headers=(
                ("Content-Type", "application/json"),
                ("X-Multi", "a"),
                ("X-Multi", "b"),
                ("Twilio-Request-Id", "RQ123"),
            ),
        )
    )
    async with client_for(server.url) as client:
        response = await client.post("/v2/Services", data={"FriendlyName": "one"})
    assert response.status_code == 201
    assert response.reason_phrase == "Made It"
    assert response.http_version == "HTTP/1.1"
    assert response.headers.get_list("x-multi") == ["a", "b"]
    assert response.headers["twilio-request-id"] == "RQ123"
    assert response.json() == {"sid": "IS0123", "friendly_name": "one"}


async def test_keepalive_reuses_one_connection(server: LoopbackServer) -> None:
    """Two sequential requests travel over the same connection."""
    async with client_for(server.url) as client:
        first = await client.get("/one")
        second = await client.get("/two")
    assert (first.status_code, second.status_code) == (201, 201)
    assert [r.connection for r in server.requests] == [1, 1]
    assert server.connections == 1


# --- Large and streamed response bodies ------------------------------------------------------

BIG = bytes(range(256)) * 4096  # 1 MiB


def chunked_bytes(parts: Iterable[bytes], *, finish: bool = True) -> bytes:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
    head += b"Transfer-Encoding: chunked\r\n\r\n"
    body = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts)
    return head + body + (b"0\r\n\r\n" if finish else b"")


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(response_bytes(200, "OK", BIG), id="content-length-over-eager-limit"),
        pytest.param(
            chunked_bytes([BIG[i : i + 65536] for i in range(0, len(BIG), 65536)]), id="chunked"
        ),
    ],
)
async def test_streamed_body_reads_completely(server: LoopbackServer, payload: bytes) -> None:
    """A body past the eager limit (or chunked) reads whole via aread and via aiter_bytes."""
    server.behaviour = reply(payload)
    limits = httpx.Limits(max_connections=1)  # a slot not given back would block the 2nd read
    async with client_for(server.url, limits, eager_body_limit=1024) as client:
        response = await client.send(client.build_request("GET", "/big"), stream=True)
        try:
            assert await response.aread() == BIG
        finally:
            await response.aclose()
        async with client.stream("GET", "/big") as streamed:
            pieces = [piece async for piece in streamed.aiter_bytes()]
        assert b"".join(pieces) == BIG
        assert len(pieces) > 1  # really streamed, not one buffer
        third = await client.get("/big", timeout=httpx.Timeout(GUARD, pool=0.5))
        assert third.content == BIG


async def test_streamed_body_truncated_is_remote_protocol_error(server: LoopbackServer) -> None:
    """A chunked body cut off mid-stream raises RemoteProtocolError while iterating."""

    async def behave(_: Received, writer: asyncio.StreamWriter) -> bool:
        writer.write(chunked_bytes([b"x" * 100], finish=False) + b"400\r\npartial")
        await writer.drain()
        writer.close()
        return False

    server.behaviour = behave
    async with client_for(server.url) as client, client.stream("GET", "/cut") as response:
        with pytest.raises(httpx.RemoteProtocolError):
            await response.aread()


# --- Failures before sending: "never sent" classes --------------------------------------------


async def test_connect_refused_is_connect_error() -> None:
    """Nothing listening on the port: httpx.ConnectError."""
    async with client_for(refused_url()) as client:
        with pytest.raises(httpx.ConnectError):
            await client.post("/v2/Services", data={"FriendlyName": "one"})


@pytest.mark.skipif(sys.platform != "linux", reason="relies on Linux dropping SYNs to a full queue")
async def test_connect_timeout_is_connect_timeout() -> None:
    """A connection stuck in the handshake (accept queue full): httpx.ConnectTimeout."""
    with full_accept_queue() as url:
        async with client_for(url) as client:
            with pytest.raises(httpx.ConnectTimeout):
                await within(client.get("/", timeout=httpx.Timeout(GUARD, connect=0.1)))


async def test_pool_timeout_then_slot_released(server: LoopbackServer) -> None:
    """One busy connection of one: PoolTimeout for the next request; the slot comes back."""
    release = asyncio.Event()

    async def behave(received: Received, writer: asyncio.StreamWriter) -> bool:
        if received.target == "/hold":
            await release.wait()
        writer.write(response_bytes())
        await writer.drain()
        return True

    server.behaviour = behave
    async with client_for(server.url, httpx.Limits(max_connections=1)) as client:
        held = asyncio.create_task(client.get("/hold"))
        await server.wait_for_requests(1)
        with pytest.raises(httpx.PoolTimeout):
            await within(client.get("/waits", timeout=httpx.Timeout(GUARD, pool=0.05)))
        release.set()
        assert (await held).status_code == 201
        third = await client.get("/after", timeout=httpx.Timeout(GUARD, pool=0.5))
    assert third.status_code == 201
    assert [r.target for r in server.requests] == ["/hold", "/after"]


async def test_pool_timeout_slot_released_after_failure(server: LoopbackServer) -> None:
    """A request that fails (server closes) gives its slot back: the next one gets through."""
    server.behaviour = close_after_request
    async with client_for(server.url, httpx.Limits(max_connections=1)) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get("/fails")
        server.behaviour = reply()
        response = await client.get("/ok", timeout=httpx.Timeout(GUARD, pool=0.5))
    assert response.status_code == 201


async def test_idle_keepalive_closed_by_server_is_reconnected(server: LoopbackServer) -> None:
    """The server drops an idle keep-alive connection: the next request opens a new one."""

    async def behave(_: Received, writer: asyncio.StreamWriter) -> bool:
        writer.write(response_bytes())
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.close()
        return False

    server.behaviour = behave
    async with client_for(server.url, httpx.Limits(max_connections=1)) as client:
        assert (await client.get("/first")).status_code == 201
        await asyncio.sleep(0.2)
        server.behaviour = reply()
        assert (await client.get("/second")).status_code == 201
    assert [r.connection for r in server.requests] == [1, 2]


# --- Failures after sending: "maybe sent" classes ---------------------------------------------


async def test_close_after_request_is_remote_protocol_error(server: LoopbackServer) -> None:
    """Server reads the request and closes without answering: RemoteProtocolError."""
    server.behaviour = close_after_request
    async with client_for(server.url) as client:
        with pytest.raises(httpx.RemoteProtocolError) as caught:
            await client.post("/v2/Services", data={"FriendlyName": "one"})
    assert_maybe_sent(caught.value)
    assert len(server.requests) == 1


async def test_reset_after_request_is_maybe_sent(server: LoopbackServer) -> None:
    """Server resets (RST) after reading the request: ReadError or RemoteProtocolError."""
    server.behaviour = reset_after_request
    async with client_for(server.url) as client:
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)) as caught:
            await client.post("/v2/Services", data={"FriendlyName": "one"})
    assert_maybe_sent(caught.value)


async def test_no_answer_is_read_timeout(server: LoopbackServer) -> None:
    """Server never answers: ReadTimeout after the read timeout, not a hang."""
    server.behaviour = never_answer
    async with client_for(server.url) as client:
        with pytest.raises(httpx.ReadTimeout):
            await within(client.post("/v2/Services", timeout=httpx.Timeout(GUARD, read=0.1)))
    assert len(server.requests) == 1


async def test_read_timeout_is_between_reads_not_for_the_whole_body(
    server: LoopbackServer,
) -> None:
    """A body that keeps coming, each byte within the read timeout, is read whole even when
    the whole takes several read timeouts; the same body stalling once for longer than the
    read timeout is a ReadTimeout, and on a connection that served requests before."""
    data = response_bytes()
    server.behaviour = trickle(data[:-12], data[-12:], 0.05)  # 0.6 s in all
    timeout = httpx.Timeout(GUARD, read=0.25)
    async with client_for(server.url) as client:
        loop = asyncio.get_running_loop()
        started = loop.time()
        response = await within(client.post("/v2/Services", timeout=timeout))
        assert response.content == JSON_BODY
        assert loop.time() - started > 2 * timeout.read  # type: ignore[operator]

        stall = trickle(data[:-12], b"", 0)

        async def stall_after_part(received: Received, writer: asyncio.StreamWriter) -> bool:
            await stall(received, writer)
            writer.write(data[-12:-6])
            await writer.drain()
            return True  # the rest never comes

        server.behaviour = stall_after_part
        started = loop.time()
        with pytest.raises(httpx.ReadTimeout):
            await within(client.post("/v2/Services", timeout=timeout))
        waited = loop.time() - started
        assert 0.25 <= waited < 0.25 + 0.5
    assert server.connections == 1  # both on one keep-alive connection


def test_lazy_read_timer_replaces_the_only_code_of_aiohttp_that_keeps_it() -> None:
    """aiohttp's response protocol keeps its read timer in `_read_timeout_handle`, touched
    only by `_reschedule_timeout` and `_drop_timeout` (which `_LazyReadTimeout` replaces) and
    `__init__`; its connectors make protocols with `_factory`. An aiohttp upgrade that
    changes either fails here, loudly."""
    touching = {
        name
        for name, member in vars(ResponseHandler).items()
        if callable(member) and "_read_timeout_handle" in inspect.getsource(member)
    }
    assert touching == {"__init__", "_reschedule_timeout", "_drop_timeout"}
    assert callable(ResponseHandler._on_read_timeout)
    loop = asyncio.new_event_loop()
    try:
        connector = aiohttp.TCPConnector(loop=loop)
        assert isinstance(connector._factory, functools.partial)
        assert connector._factory.func is ResponseHandler
        _lazy_read_timeouts(connector, loop)
        assert connector._factory.func is _LazyReadTimeout
        loop.run_until_complete(connector.close())
    finally:
        loop.close()


async def test_transport_connections_use_the_lazy_read_timer(server: LoopbackServer) -> None:
    async with client_for(server.url) as client:
        await within(client.post("/v2/Services"))
        transport = client._transport
        assert isinstance(transport, AiohttpTransport)
        assert transport._session is not None
        connector = transport._session.connector
        assert connector is not None
        assert connector._factory.func is _LazyReadTimeout  # type: ignore[attr-defined]


async def test_truncated_body_is_remote_protocol_error(server: LoopbackServer) -> None:
    """Content-Length promises more than arrives before the close: RemoteProtocolError."""

    async def behave(_: Received, writer: asyncio.StreamWriter) -> bool:
        head = b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
        writer.write(head + b'Content-Length: 1000\r\n\r\n{"sid": ')
        await writer.drain()
        writer.close()
        return False

    server.behaviour = behave
    async with client_for(server.url) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post("/v2/Services", data={"FriendlyName": "one"})


async def test_malformed_status_line_is_maybe_sent(server: LoopbackServer) -> None:
    """A garbage status line raises an httpx TransportError that does not read as never sent."""
    server.behaviour = reply(b"HTTP/1.1 twohundred Created\r\nContent-Length: 0\r\n\r\n")
    async with client_for(server.url) as client:
        with pytest.raises(httpx.TransportError) as caught:
            await client.post("/v2/Services", data={"FriendlyName": "one"})
    assert_maybe_sent(caught.value)
    assert not isinstance(caught.value, aiohttp.ClientError)


# --- Lifecycle: closed transport, second event loop ------------------------------------------


async def test_closed_after_use_refuses_requests(server: LoopbackServer) -> None:
    """A transport used then closed raises RuntimeError instead of reopening."""
    transport = AiohttpTransport(limits=LIMITS)
    async with httpx.AsyncClient(transport=transport, base_url=server.url) as client:
        assert (await client.get("/")).status_code == 201
    with pytest.raises(RuntimeError, match="closed"):
        await within(transport.handle_async_request(httpx.Request("GET", server.url)))
    assert len(server.requests) == 1


async def test_closed_before_use_refuses_requests(server: LoopbackServer) -> None:
    """A transport closed before its first request raises RuntimeError too."""
    transport = AiohttpTransport(limits=LIMITS)
    await transport.aclose()
    try:
        with pytest.raises(RuntimeError, match="closed"):
            await within(transport.handle_async_request(httpx.Request("GET", server.url)))
    finally:
        await transport.aclose()
    assert server.requests == []


async def test_second_event_loop_raises_runtime_error(server: LoopbackServer) -> None:
    """A transport bound to this loop, used from another thread's loop: RuntimeError."""
    async with client_for(server.url) as client:
        assert (await client.get("/first")).status_code == 201
        outcome: list[BaseException | httpx.Response] = []

        def other_loop() -> None:
            async def call() -> httpx.Response:
                async with asyncio.timeout(GUARD):
                    return await client.get("/second")

            try:
                outcome.append(asyncio.run(call()))
            except BaseException as exc:  # noqa: BLE001 - the test inspects whatever it was
                outcome.append(exc)

        thread = threading.Thread(target=other_loop)
        thread.start()
        await asyncio.to_thread(thread.join, GUARD + 1)
        [result] = outcome
        assert isinstance(result, RuntimeError), repr(result)
        assert "another event loop" in str(result)
        assert (await client.get("/third")).status_code == 201  # still fine on its own loop
    assert [r.target for r in server.requests] == ["/first", "/third"]


# --- End to end through the facade (default transport) ----------------------------------------

ACCOUNT = "AC" + "a" * 32


async def test_facade_close_after_create_is_ambiguous_once(server: LoopbackServer) -> None:
    """A create whose connection drops after sending: AmbiguousCreateError, never retried."""
    server.behaviour = close_after_request
    async with ChatClient(
        account_sid=ACCOUNT, auth_token="x", base_url=server.url, retry=RetryPolicy(base_delay=0)
    ) as chat:
        with pytest.raises(AmbiguousCreateError) as caught:
            await chat.create_service("one")
    cause = caught.value.__cause__
    assert cause is not None
    assert_maybe_sent(cause)
    [got] = server.requests
    assert (got.method, got.target) == ("POST", "/v2/Services")
    assert got.body == b"FriendlyName=one"


async def test_facade_refused_is_retried_then_transport_error() -> None:
    """Connection refused is never sent: retried up to max_attempts, then TransportError."""
    events: list[RetryEvent] = []
    policy = RetryPolicy(max_attempts=3, base_delay=0, on_retry=events.append)
    async with ChatClient(
        account_sid=ACCOUNT, auth_token="x", base_url=refused_url(), retry=policy
    ) as chat:
        with pytest.raises(TransportError) as caught:
            await chat.create_service("one")
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert [event.attempt for event in events] == [1, 2]  # 3 attempts in all


# --- No credential anywhere in the chain of a raised error -----------------------------------


def trickle(head: bytes, body: bytes, every: float) -> Behaviour:
    """Send the head at once, then the body one byte every ``every`` seconds."""

    async def behave(_: Received, writer: asyncio.StreamWriter) -> bool:
        writer.write(head)
        await writer.drain()
        for byte in body:
            await asyncio.sleep(every)
            writer.write(bytes([byte]))
            await writer.drain()
        return True

    return behave


def endless_chunks(status: int = 201) -> Behaviour:
    """A chunked body that never ends (until the client hangs up), 64 KiB per chunk."""

    async def behave(_: Received, writer: asyncio.StreamWriter) -> bool:
        head = f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\n"
        writer.write(head.encode() + b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)
        while True:
            writer.write(chunk)
            await writer.drain()

    return behave


def lying_length(declared: int) -> Behaviour:
    """A Content-Length of ``declared``, then far more bytes than that (until the client hangs
    up)."""

    async def behave(_: Received, writer: asyncio.StreamWriter) -> bool:
        head = "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
        writer.write(f"{head}Content-Length: {declared}\r\n\r\n".encode())
        while True:
            writer.write(b"x" * 65536)
            await writer.drain()

    return behave


async def truncated_chunked(_: Received, writer: asyncio.StreamWriter) -> bool:
    """A chunked 201 cut off in the middle of a chunk."""
    writer.write(chunked_bytes([b"{" * 100], finish=False).replace(b"200 OK", b"201 Created"))
    writer.write(b"400\r\npartial")
    await writer.drain()
    writer.close()
    return False


FAILURES: dict[str, Behaviour] = {
    "status-line-2O1": reply(b"HTTP/1.1 2O1 Created\r\nContent-Length: 0\r\n\r\n"),
    "content-length-abc": reply(b"HTTP/1.1 201 Created\r\nContent-Length: abc\r\n\r\n{}"),
    "header-garbage": reply(b"HTTP/1.1 201 Created\r\nNo colon here\r\n\r\n"),
    "dropped": close_after_request,
    "reset": reset_after_request,
    "read-timeout": never_answer,
    "truncated-chunked": truncated_chunked,
    "oversize-chunked": endless_chunks(),
    "oversize-content-length": reply(response_bytes(body=b"x" * (2 << 20))),
    "trickled": trickle(response_bytes()[:-10], response_bytes()[-10:], 0.5),
}


def leaky_client(url: str, creds: TestCredentials, *, api_key: bool = False) -> ChatClient:
    """A client with the test secrets, the default transport and short timeouts."""
    secret: dict[str, str] = (
        {"api_key": creds.api_key, "api_secret": creds.api_secret}
        if api_key
        else {"auth_token": creds.auth_token}
    )
    return ChatClient(
        creds.account_sid,
        **secret,
        base_url=url,
        timeout=httpx.Timeout(GUARD, read=0.3),
        attempt_timeout=1.0,
        max_response_bytes=1 << 20,
        retry=RetryPolicy(max_attempts=2, base_delay=0),
    )


def assert_nothing_leaks(error: BaseException, creds: TestCredentials) -> None:
    found = leaks(error, credential_needles(creds))
    assert not found, "\n".join(found)


@pytest.mark.parametrize("api_key", [False, True], ids=["auth-token", "api-key"])
@pytest.mark.parametrize("failure", list(FAILURES))
async def test_no_credential_reachable_from_create_error(
    server: LoopbackServer, creds: TestCredentials, failure: str, api_key: bool
) -> None:
    """Every failure a misbehaving server causes: no secret or Basic payload anywhere in the
    raised error's causes, contexts, args or attributes."""
    server.behaviour = FAILURES[failure]
    async with leaky_client(server.url, creds, api_key=api_key) as chat:
        with pytest.raises(TwilioChatError) as caught:
            await within(chat.create_service("one"))
    assert isinstance(caught.value, AmbiguousCreateError), repr(caught.value)
    assert caught.value.__context__ is None
    assert_nothing_leaks(caught.value, creds)


@pytest.mark.parametrize("failure", list(FAILURES))
async def test_no_credential_reachable_from_list_error(
    server: LoopbackServer, creds: TestCredentials, failure: str
) -> None:
    """The same failures on a read (retried, then raised): nothing reachable holds a secret."""
    server.behaviour = FAILURES[failure]
    async with leaky_client(server.url, creds) as chat:
        with pytest.raises(TwilioChatError) as caught:
            await within(anext(chat.list_services()))
    assert isinstance(caught.value, TransportError | ApiError), repr(caught.value)
    assert_nothing_leaks(caught.value, creds)


@pytest.mark.parametrize(
    "url",
    [
        pytest.param(refused_url(), id="connect-refused"),
        pytest.param(refused_url().replace("http://", "https://"), id="tls-to-nothing"),
    ],
)
async def test_no_credential_reachable_from_connect_error(url: str, creds: TestCredentials) -> None:
    """Connect failures (refused, TLS to a closed port): nothing reachable holds a secret."""
    async with leaky_client(url, creds) as chat:
        with pytest.raises(TransportError) as caught:
            await within(chat.create_service("one"))
    assert_nothing_leaks(caught.value, creds)


async def test_no_credential_reachable_from_tls_error(creds: TestCredentials) -> None:
    """A TLS handshake answered in plain HTTP fails: a TransportError (the request never
    left) with nothing reachable holding a secret."""

    async def plain(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    listener = await asyncio.start_server(plain, HOST, 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        async with leaky_client(f"https://{HOST}:{port}", creds) as chat:
            with pytest.raises(TransportError) as caught:
                await within(chat.create_service("one"))
    finally:
        listener.close()
        await listener.wait_closed()
    assert "SSL" in str(caught.value)
    assert_nothing_leaks(caught.value, creds)


async def test_transport_error_does_not_chain_aiohttp(server: LoopbackServer) -> None:
    """The transport's httpx error neither chains nor carries aiohttp's exception (whose repr
    prints the request headers), yet its message keeps aiohttp's type and reason."""
    server.behaviour = FAILURES["status-line-2O1"]
    async with client_for(server.url) as client:
        with pytest.raises(httpx.RemoteProtocolError) as caught:
            await client.post("/v2/Services", headers={"Authorization": "Basic c2VjcmV0OnRva2Vu"})
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None
    assert "ClientResponseError" in str(caught.value)
    assert "c2VjcmV0OnRva2Vu" not in repr(vars(caught.value))


def test_safe_description_masks_the_authorization_header() -> None:
    """A message that quotes the Authorization header, its payload or the decoded secret has
    each masked."""
    request = httpx.Request("GET", "http://x/", headers={"Authorization": "Basic QUM6c2VjcmV0"})
    exc = aiohttp.ClientError("saw Basic QUM6c2VjcmV0 and AC:secret and secret")
    text = safe_description(exc, request)
    assert text == "ClientError: saw *** and *** and ***"


# --- Bounded time: a trickled answer is cut off --------------------------------------------------

TRICKLE_EVERY = 0.2  # seconds per byte: each read is well within the read timeout


def trickled_client(url: str, **options: object) -> ChatClient:
    """A client whose read timeout a trickle never trips (each byte comes within it)."""
    settings: dict[str, object] = {
        "base_url": url,
        "timeout": httpx.Timeout(GUARD, read=1.0),
        "retry": RetryPolicy(max_attempts=1, base_delay=0),
    }
    settings.update(options)
    return ChatClient(ACCOUNT, "x", **settings)  # type: ignore[arg-type]


async def test_trickled_create_is_cut_off_as_ambiguous(server: LoopbackServer) -> None:
    """A 201 whose body arrives a byte at a time is cut off at attempt_timeout, and reported
    as AmbiguousCreateError (it may have been created), not awaited forever."""
    server.behaviour = trickle(response_bytes()[:-30], response_bytes()[-30:], TRICKLE_EVERY)
    async with trickled_client(server.url, attempt_timeout=0.5) as chat:
        with pytest.raises(AmbiguousCreateError) as caught:
            await within(chat.create_service("one"))
    assert "no complete response within 0.5 s" in str(caught.value)
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert len(server.requests) == 1


async def test_trickled_read_is_cut_off_and_retried(server: LoopbackServer) -> None:
    """A trickled page is a TransportError after the attempt timeout, and a read retries it."""
    page = b'{"services": [], "meta": {"page": 0, "page_size": 50, "next_page_url": null}}'
    data = response_bytes(200, "OK", page)
    server.behaviour = trickle(data[:-30], data[-30:], TRICKLE_EVERY)
    policy = RetryPolicy(max_attempts=2, base_delay=0)
    async with trickled_client(server.url, attempt_timeout=0.4, retry=policy) as chat:
        with pytest.raises(TransportError, match="no complete response"):
            await within(anext(chat.list_services()))
    assert len(server.requests) == 2


async def test_deadline_cuts_off_a_running_attempt(server: LoopbackServer) -> None:
    """RetryPolicy.deadline bounds the whole call: an attempt still running when it passes is
    cut off there, even with a much longer attempt timeout."""
    server.behaviour = trickle(response_bytes()[:-30], response_bytes()[-30:], TRICKLE_EVERY)
    policy = RetryPolicy(max_attempts=1, deadline=0.5)
    async with trickled_client(server.url, attempt_timeout=60, retry=policy) as chat:
        with pytest.raises(AmbiguousCreateError, match=r"within 0\.5 s"):
            await within(chat.create_service("one"))


async def test_deadline_counts_the_sleep_before_the_next_attempt(server: LoopbackServer) -> None:
    """After a retryable failure and a sleep, the next attempt gets only what is left of the
    deadline: a 503 with Retry-After 0.3, then a trickle, fail by the 0.6 s deadline."""
    answers = iter([response_bytes(503, "Busy", b"{}", [("Retry-After", "0.3")])])

    async def behave(received: Received, writer: asyncio.StreamWriter) -> bool:
        first = next(answers, None)
        if first is not None:
            writer.write(first)
            await writer.drain()
            return True
        return await trickle(response_bytes()[:-30], response_bytes()[-30:], TRICKLE_EVERY)(
            received, writer
        )

    server.behaviour = behave
    policy = RetryPolicy(max_attempts=3, base_delay=0, deadline=0.6)
    async with trickled_client(server.url, attempt_timeout=60, retry=policy) as chat:
        with pytest.raises(AmbiguousCreateError) as caught:
            await within(chat.create_service("one"))
    # At most 0.6 - 0.3 s were left for the second attempt: it was cut off there.
    cut_at = re.search(r"no complete response within ([0-9.]+) s", str(caught.value))
    assert cut_at is not None, str(caught.value)
    assert 0 < float(cut_at.group(1)) <= 0.3
    assert len(server.requests) == 2


async def test_deadline_counts_the_wait_for_a_limiter_slot(server: LoopbackServer) -> None:
    """A call that waits in line for the limiter's one slot has only what is left of its
    deadline for its request: with a 0.6 s deadline, a wait of about 0.4 s leaves about 0.2."""
    server.behaviour = trickle(response_bytes()[:-30], response_bytes()[-30:], TRICKLE_EVERY)
    policy = RetryPolicy(max_attempts=1, deadline=0.6)
    async with trickled_client(
        server.url, attempt_timeout=0.4, retry=policy, max_connections=1
    ) as chat:
        first = asyncio.create_task(chat.create_service("one"))
        await asyncio.sleep(0)  # the first call takes the one slot
        with pytest.raises(AmbiguousCreateError) as caught:
            await within(chat.create_service("two"))
        with pytest.raises(AmbiguousCreateError):
            await first
    cut_at = re.search(r"no complete response within ([0-9.]+) s", str(caught.value))
    assert cut_at is not None, str(caught.value)
    assert 0 < float(cut_at.group(1)) <= 0.25


# --- Bounded memory: a response body is capped ----------------------------------------------------


async def test_endless_chunked_body_is_refused_at_the_cap(server: LoopbackServer) -> None:
    """A chunked body that never ends: ResponseTooLargeError after the cap, connection
    dropped (the server sees the client hang up)."""
    server.behaviour = endless_chunks(200)
    async with client_for(server.url, max_response_bytes=256 * 1024) as client:
        with pytest.raises(ResponseTooLargeError, match="262144 bytes"):
            await within(client.get("/big"))
        server.behaviour = reply()
        assert (await client.get("/next")).status_code == 201  # on a new connection
    assert server.connections == 2


async def test_declared_length_over_the_cap_is_refused_unread(server: LoopbackServer) -> None:
    """A Content-Length beyond the cap is refused before reading any of the body."""
    server.behaviour = lying_length(50 << 20)
    async with client_for(server.url, max_response_bytes=1024) as client:
        with pytest.raises(ResponseTooLargeError):
            await within(client.get("/big"))


async def test_lying_small_length_reads_no_more_than_it_declares(server: LoopbackServer) -> None:
    """A small Content-Length followed by an endless stream: the declared bytes, or a protocol
    error for the bytes after them, never a body longer than declared and never a hang."""
    server.behaviour = lying_length(10)
    async with client_for(server.url, max_response_bytes=1024) as client:
        outcome: httpx.Response | httpx.RemoteProtocolError
        try:
            outcome = await within(client.get("/lies"))
        except httpx.RemoteProtocolError as exc:
            outcome = exc
    if isinstance(outcome, httpx.Response):
        assert outcome.content == b"x" * 10
    else:
        assert len(str(outcome)) < 1000  # aiohttp quotes the stray bytes: the message is cut


@pytest.mark.parametrize("failure", ["oversize-chunked", "oversize-content-length"])
async def test_oversized_create_is_ambiguous(server: LoopbackServer, failure: str) -> None:
    """An oversized answer to a create: AmbiguousCreateError (it may exist), not retried."""
    server.behaviour = FAILURES[failure]
    policy = RetryPolicy(max_attempts=3, base_delay=0)
    async with ChatClient(ACCOUNT, "x", base_url=server.url, retry=policy) as chat:
        with pytest.raises(AmbiguousCreateError, match="max_response_bytes"):
            await within(chat.create_service("one"))
    assert len(server.requests) == 1


async def test_oversized_page_is_transport_error_not_retried(server: LoopbackServer) -> None:
    """An oversized page is a TransportError, raised at once: asking again gives the same."""
    server.behaviour = endless_chunks(200)
    policy = RetryPolicy(max_attempts=3, base_delay=0)
    async with ChatClient(
        ACCOUNT, "x", base_url=server.url, retry=policy, max_response_bytes=4096
    ) as chat:
        with pytest.raises(TransportError, match="max_response_bytes"):
            await within(anext(chat.list_services()))
    assert len(server.requests) == 1


async def test_transport_slots_serve_waiters_first_come_first_served() -> None:
    """Slots given back go to waiters in the order they queued, before any newcomer."""
    from twilio_chat._aiohttp_transport import _Slots

    slots = _Slots(1)
    assert slots.try_take()
    order: list[int] = []

    async def wait(number: int) -> None:
        await slots.take()
        order.append(number)

    waiters = [asyncio.create_task(wait(number)) for number in range(3)]
    await asyncio.sleep(0)
    for _ in range(3):
        assert not slots.try_take()  # queued waiters come first
        slots.give()
        await asyncio.sleep(0)
    await asyncio.gather(*waiters)
    assert order == [0, 1, 2]
    slots.give()
    assert slots.try_take()


async def test_transport_slots_granted_then_cancelled_hands_the_slot_on() -> None:
    """A waiter cancelled just after being granted a slot passes it to the next waiter."""
    from twilio_chat._aiohttp_transport import _Slots

    slots = _Slots(1)
    assert slots.try_take()
    first = asyncio.create_task(slots.take())
    second = asyncio.create_task(slots.take())
    await asyncio.sleep(0)
    slots.give()  # granted to `first`, which has not run yet
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.wait_for(second, 1)  # the slot went on, not lost
    assert not slots.try_take()
