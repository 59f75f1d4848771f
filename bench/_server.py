"""A minimal HTTP/1.1 keep-alive server answering a canned 201 (200 to a GET, for fetches).

Used when nginx is not installed. It is an :class:`asyncio.Protocol` (no streams, no parsing
beyond what framing needs) so that, pinned to its own CPU, it stays far cheaper per request
than any client under test. Run it as ``python -m bench._server --port 0``: it prints
``LISTENING <port>`` once it accepts connections, then serves until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys

from bench._payload import service_created_bytes

_HEADER_END = b"\r\n\r\n"
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding:[^\r]*chunked", re.IGNORECASE)
_CLOSE = re.compile(rb"\r\nconnection:[ \t]*close", re.IGNORECASE)
_MAX_HEADER = 64 * 1024


def canned_response(body: bytes, status: str = "201 Created") -> bytes:
    """The complete response (status line, headers, body): 201 for creates, 200 for GETs."""
    head = (
        f"HTTP/1.1 {status}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: keep-alive\r\n\r\n"
    )
    return head.encode("ascii") + body


class UnsupportedRequest(Exception):
    """A request this server cannot frame (chunked request bodies)."""


def take_request(buffer: bytearray) -> bytes | None:
    """Remove one complete request from ``buffer`` and return its head (request line and
    headers), or return None (buffer untouched) if the request is not complete yet."""
    end = buffer.find(_HEADER_END)
    if end < 0:
        return None
    head = bytes(buffer[: end + 2])
    if _CHUNKED.search(head):
        raise UnsupportedRequest("chunked request bodies are not supported")
    match = _CONTENT_LENGTH.search(head)
    total = end + 4 + (int(match.group(1)) if match else 0)
    if len(buffer) < total:
        return None
    del buffer[:total]
    return head


_NOT_IMPLEMENTED = b"HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class CannedProtocol(asyncio.Protocol):
    """Frames requests by headers + ``Content-Length`` and answers each with ``response``."""

    def __init__(self, response: bytes, get_response: bytes | None = None) -> None:
        self._response = response
        self._get_response = response if get_response is None else get_response
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        replies: list[bytes] = []
        close = False
        while True:
            try:
                head = take_request(buffer)
            except UnsupportedRequest:
                self._reply(replies, _NOT_IMPLEMENTED, close=True)
                return
            if head is None:
                close = len(buffer) > _MAX_HEADER
                break
            replies.append(self._get_response if head.startswith(b"GET ") else self._response)
            if _CLOSE.search(head):
                close = True
                break
        self._reply(replies, b"", close=close)

    def _reply(self, replies: list[bytes], tail: bytes, *, close: bool) -> None:
        transport = self._transport
        if transport is None:
            return
        if replies or tail:
            transport.write(b"".join(replies) + tail)
        if close:
            transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None


async def serve(host: str, port: int, body: bytes) -> None:
    """Listen on ``host:port`` (0 picks a free port), announce it on stdout, serve forever."""
    loop = asyncio.get_running_loop()
    response = canned_response(body)
    get_response = canned_response(body, "200 OK")
    server = await loop.create_server(
        lambda: CannedProtocol(response, get_response), host, port, backlog=1024, reuse_address=True
    )
    bound = server.sockets[0].getsockname()[1]
    sys.stdout.write(f"LISTENING {bound}\n")
    sys.stdout.flush()
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``python -m bench._server``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    if args.host != "127.0.0.1":
        parser.error("the benchmark server only listens on 127.0.0.1")
    asyncio.run(serve(args.host, args.port, service_created_bytes()))


if __name__ == "__main__":
    main()
