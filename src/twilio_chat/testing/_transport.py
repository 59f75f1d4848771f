"""In-process transport: `httpx.ASGITransport` plus the two things a socket would do for free.

ASGITransport ignores timeouts and re-raises application exceptions. Here the request's read
timeout is enforced (`httpx.ReadTimeout`, the app call is cancelled) and the emulator's
deliberate `ConnectionDropped` becomes `httpx.RemoteProtocolError`, so a hang or a drop
in-process looks to the client exactly as it would over TCP.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import httpx

from ._faults import ConnectionDropped

__all__ = ["EmulatorTransport"]

_ASGIApp = Callable[
    [
        MutableMapping[str, Any],
        Callable[[], Awaitable[MutableMapping[str, Any]]],
        Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ],
    Awaitable[None],
]


class EmulatorTransport(httpx.AsyncBaseTransport):
    """Calls an ASGI emulator in-process, with read timeouts and dropped connections."""

    def __init__(self, app: _ASGIApp) -> None:
        self._asgi = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout") or {}
        read: float | None = timeouts.get("read")
        deadline = asyncio.timeout(read)
        try:
            async with deadline:
                return await self._asgi.handle_async_request(request)
        except TimeoutError as exc:
            if not deadline.expired():
                raise
            raise httpx.ReadTimeout(
                f"emulator did not answer within {read} s", request=request
            ) from exc
        except ConnectionDropped as exc:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a complete response", request=request
            ) from exc

    async def aclose(self) -> None:
        await self._asgi.aclose()
