"""An in-process loopback server that misbehaves on purpose, one behaviour per path.

Used by the ``semantics`` section to see which httpx exception each transport raises for each
kind of failure. Every path first reads the whole request, so the server has "received" it.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Callable

from bench._payload import service_created_bytes
from bench._server import canned_response, take_request

HOST = "127.0.0.1"


class _FaultProtocol(asyncio.Protocol):
    def __init__(self, response: bytes, live: set[asyncio.Transport]) -> None:
        self._response = response
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None
        self._live = live

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._live.add(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            self._live.discard(self._transport)
        self._transport = None

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while (head := take_request(self._buffer)) is not None:
            path = head.split(b" ", 2)[1].decode("latin-1")
            self._act(path.partition("?")[0])

    def _act(self, path: str) -> None:
        transport = self._transport
        if transport is None:
            return
        loop = asyncio.get_running_loop()
        action: Callable[[], object] | None = {
            "/ok": lambda: transport.write(self._response),
            "/close": transport.close,
            "/reset": lambda: _reset(transport),
            "/stall": lambda: None,
            "/truncated": lambda: _truncated(transport),
            "/garbage": lambda: _garbage(transport),
            "/ok-then-close": lambda: _ok_then_close(transport, self._response, loop),
            "/slow": lambda: loop.call_later(0.5, _write_if_open, transport, self._response),
        }.get(path)
        if action is None:
            transport.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        else:
            action()


def _write_if_open(transport: asyncio.Transport, data: bytes) -> None:
    if not transport.is_closing():
        transport.write(data)


def _reset(transport: asyncio.Transport) -> None:
    sock = transport.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


def _truncated(transport: asyncio.Transport) -> None:
    transport.write(
        b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
        b'Content-Length: 1000\r\n\r\n{"sid": '
    )
    transport.close()


def _garbage(transport: asyncio.Transport) -> None:
    transport.write(b"HTTP/1.1 twohundred Created\r\nContent-Length: 0\r\n\r\n")
    transport.close()


def _ok_then_close(
    transport: asyncio.Transport, response: bytes, loop: asyncio.AbstractEventLoop
) -> None:
    # Answers as keep-alive, then drops the idle connection: the client's next request must
    # notice the stale connection and not send on it.
    transport.write(response)
    loop.call_later(0.05, transport.close)


class FaultServer:
    """``async with FaultServer() as server:`` listens on ``server.base_url``."""

    def __init__(self) -> None:
        self._server: asyncio.Server | None = None
        self._live: set[asyncio.Transport] = set()
        self.port = 0

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{HOST}:{self.port}"

    async def __aenter__(self) -> FaultServer:
        response = canned_response(service_created_bytes())
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: _FaultProtocol(response, self._live), HOST, 0
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.close()
            for transport in list(self._live):
                transport.abort()
            await self._server.wait_closed()


class BlackHole:
    """A port whose accept queue is full, so new connections hang until the client's
    connect timeout (loopback stand-in for an unreachable host)."""

    def __init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)

    def __enter__(self) -> BlackHole:
        self._listener.bind((HOST, 0))
        self._listener.listen(0)
        self._filler.connect(self._listener.getsockname())
        return self

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{HOST}:{self._listener.getsockname()[1]}"

    def __exit__(self, *exc: object) -> None:
        self._filler.close()
        self._listener.close()


def refused_base_url() -> str:
    """A loopback URL nothing listens on (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]
    return f"http://{HOST}:{port}"
