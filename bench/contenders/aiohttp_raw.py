"""Raw aiohttp: ``ClientSession.post`` + ``json()``; the floor every other row is held to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp

from bench._harness import CreateFn
from bench.contenders import Contender, Target


@asynccontextmanager
async def open_aiohttp(target: Target, in_flight: int) -> AsyncIterator[CreateFn]:
    """One session, connector limit ``in_flight``, Basic auth as a session header.

    (aiohttp 3.14 deprecates ``auth=BasicAuth(...)`` in favour of this header.)
    """
    connector = aiohttp.TCPConnector(limit=in_flight)
    headers = {"Authorization": aiohttp.encode_basic_auth(target.account_sid, target.auth_token)}
    url = f"{target.base_url}/v2/Services"
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def create(name: str) -> str:
            async with session.post(url, data={"FriendlyName": name}) as response:
                if response.status != 201:
                    raise RuntimeError(f"unexpected status {response.status}")
                body = await response.json()
            return str(body["sid"])

        yield create


CONTENDERS = [
    Contender("aiohttp", "aiohttp `ClientSession.post` (reference)", open_aiohttp, reference=True)
]
