"""The project's facade, ``twilio_chat.ChatClient.create_service``, once it exists.

It is being written alongside this benchmark, so anything missing (import, constructor
keywords, result shape) makes the row skip with the reason instead of failing the run.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bench._harness import CreateFn
from bench.contenders import Contender, Opener, Target, Unavailable
from bench.contenders._clients import TRANSPORTS


def _sid(result: Any) -> str:
    sid = getattr(result, "sid", None)
    if sid is None and isinstance(result, dict):
        sid = result.get("sid")
    if sid is None:
        raise RuntimeError(f"create_service returned {type(result).__name__} without a sid")
    return str(sid)


async def _close(client: Any) -> None:
    for name in ("aclose", "close"):
        method = getattr(client, name, None)
        if method is not None:
            result = method()
            if inspect.isawaitable(result):
                await result
            return


def _opener(kind: str | None) -> Opener:
    @asynccontextmanager
    async def open_facade(target: Target, in_flight: int) -> AsyncIterator[CreateFn]:
        async with _open(target, in_flight, kind) as create:
            yield create

    return open_facade


@asynccontextmanager
async def _open(target: Target, in_flight: int, kind: str | None) -> AsyncIterator[CreateFn]:
    """``ChatClient(..., max_connections=in_flight)``, on its default transport or ``kind``."""
    try:
        import twilio_chat
    except ImportError as exc:
        raise Unavailable(f"`import twilio_chat` failed: {exc}") from exc
    chat_client: Any = getattr(twilio_chat, "ChatClient", None)
    if chat_client is None:
        raise Unavailable("twilio_chat has no ChatClient yet")
    extra: dict[str, Any] = {"transport": TRANSPORTS[kind][1](in_flight)} if kind else {}
    try:
        client = chat_client(
            account_sid=target.account_sid,
            auth_token=target.auth_token,
            base_url=target.base_url,
            max_connections=in_flight,
            **extra,
        )
    except TypeError as exc:
        raise Unavailable(f"ChatClient(...) rejected the benchmark's arguments: {exc}") from exc
    async with contextlib.AsyncExitStack() as stack:
        if hasattr(client, "__aenter__"):
            await stack.enter_async_context(client)
        else:
            stack.push_async_callback(_close, client)

        async def create(name: str) -> str:
            return _sid(await client.create_service(name))

        yield create


CONTENDERS = [
    Contender(
        "facade", "facade `ChatClient.create_service` (its default transport)", _opener(None)
    ),
    *(
        Contender(
            f"facade-{kind}",
            f"facade `ChatClient.create_service`, transport={label}",
            _opener(kind),
        )
        for kind, (label, _) in TRANSPORTS.items()
        if kind in ("httpx-aiohttp", "lean")
    ),
]
