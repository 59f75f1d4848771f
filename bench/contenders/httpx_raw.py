"""``httpx.AsyncClient.post`` + ``.json()`` on each candidate transport."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bench._harness import CreateFn
from bench.contenders import Contender, Opener, Target
from bench.contenders._clients import TRANSPORTS, build_client


def _opener(kind: str, *, cookies: bool = True) -> Opener:
    @asynccontextmanager
    async def open_httpx(target: Target, in_flight: int) -> AsyncIterator[CreateFn]:
        async with build_client(kind, target, in_flight, cookies=cookies) as client:

            async def create(name: str) -> str:
                response = await client.post("/v2/Services", data={"FriendlyName": name})
                if response.status_code != 201:
                    raise RuntimeError(f"unexpected status {response.status_code}")
                return str(response.json()["sid"])

            yield create

    return open_httpx


CONTENDERS = [
    *(
        Contender(f"httpx-{kind}", f"httpx `post` on {label}", _opener(kind))
        for kind, (label, _) in TRANSPORTS.items()
    ),
    Contender(
        "httpx-lean-nocookies",
        f"httpx `post` on {TRANSPORTS['lean'][0]}, cookies=NoCookieJar()",
        _opener("lean", cookies=False),
    ),
]
