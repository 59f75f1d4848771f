"""One sample of the `versus` section, in a process of its own: one contender, one operation,
one in-flight level; prints a JSON line with client CPU and GC time per call.

``python -m bench._percall CONTENDER OPERATION LEVEL N BASE_URL`` (run by the section, which
pins this process to the client CPU). A fresh process per sample keeps one contender's heap,
caches and imports from touching another's measurement.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import aiohttp

from bench._harness import CreateFn, run_closed_loop
from bench._payload import ACCOUNT_SID, AUTH_TOKEN, expected_sid

Opener = Callable[[str, str, int], AbstractAsyncContextManager[CreateFn]]


@asynccontextmanager
async def open_facade(base_url: str, operation: str, in_flight: int) -> AsyncIterator[CreateFn]:
    """``ChatClient.create_service`` / ``fetch_service``, default transport and settings."""
    from twilio_chat import ChatClient

    async with ChatClient(
        ACCOUNT_SID, AUTH_TOKEN, base_url=base_url, max_connections=in_flight
    ) as chat:

        async def create(name: str) -> str:
            return (await chat.create_service(name)).sid

        async def fetch(sid: str) -> str:
            return (await chat.fetch_service(sid)).sid

        yield create if operation == "create" else fetch


@asynccontextmanager
async def open_twilio(base_url: str, operation: str, in_flight: int) -> AsyncIterator[CreateFn]:
    """Twilio's SDK: ``services.create_async`` / ``services(sid).fetch_async`` on its default
    ``AsyncTwilioHttpClient`` (aiohttp, connector limit 100)."""
    from twilio.http.async_http_client import (  # type: ignore[import-untyped]
        AsyncTwilioHttpClient,
    )
    from twilio.rest import Client  # type: ignore[import-untyped]

    http_client = AsyncTwilioHttpClient()
    try:
        client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=http_client)
        client.region = None
        client.edge = None
        client.chat.base_url = base_url
        final = client.get_hostname(client.chat.absolute_url("v2/Services"))
        if final != f"{base_url}/v2/Services":
            raise RuntimeError(f"Twilio SDK would send to {final!r}, not the loopback server")
        services = client.chat.v2.services

        async def create(name: str) -> str:
            return str((await services.create_async(friendly_name=name)).sid)

        async def fetch(sid: str) -> str:
            return str((await services(sid).fetch_async()).sid)

        yield create if operation == "create" else fetch
    finally:
        await http_client.close()


@asynccontextmanager
async def open_aiohttp(base_url: str, operation: str, in_flight: int) -> AsyncIterator[CreateFn]:
    """Raw aiohttp, the floor: ``session.post``/``session.get`` + ``json()``."""
    connector = aiohttp.TCPConnector(limit=in_flight)
    headers = {"Authorization": aiohttp.encode_basic_auth(ACCOUNT_SID, AUTH_TOKEN)}
    collection = f"{base_url}/v2/Services"
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def create(name: str) -> str:
            async with session.post(collection, data={"FriendlyName": name}) as response:
                if response.status != 201:
                    raise RuntimeError(f"unexpected status {response.status}")
                return str((await response.json())["sid"])

        async def fetch(sid: str) -> str:
            async with session.get(f"{collection}/{sid}") as response:
                if response.status != 200:
                    raise RuntimeError(f"unexpected status {response.status}")
                return str((await response.json())["sid"])

        yield create if operation == "create" else fetch


OPENERS: dict[str, Opener] = {"facade": open_facade, "twilio": open_twilio, "aiohttp": open_aiohttp}


class GcClock:
    """Wall time spent inside the cyclic garbage collector, via ``gc.callbacks``."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = 0
        self._started = 0.0

    def __call__(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started
            self.collections += 1


async def sample(
    contender: str, operation: str, level: int, n: int, base_url: str
) -> dict[str, float]:
    """Warm up (results checked), then time ``n`` calls with ``level`` in flight."""
    sid = expected_sid()
    async with OPENERS[contender](base_url, operation, level) as call:
        # A create gets a new name per call; a fetch a new SID (as fetching many services
        # does: nothing per URL can be cached), answered with the same canned body.
        items = [f"bench-{i}" if operation == "create" else f"IS{i:032x}" for i in range(n)]
        await run_closed_loop(call, items[: max(150, 3 * level)], level, expected=sid)
        clock = GcClock()
        gc.callbacks.append(clock)
        try:
            timed = await run_closed_loop(call, items, level)
        finally:
            gc.callbacks.remove(clock)
    return {
        "cpu_us": timed.cpu_us,
        "gc_us": clock.seconds / timed.n * 1e6,
        "collections": clock.collections,
        "rate": timed.rate,
        "n": timed.n,
    }


def main(argv: list[str]) -> None:
    contender, operation, level, n, base_url = argv
    result = asyncio.run(sample(contender, operation, int(level), int(n), base_url))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
