"""The things the transport section measures, each creating one Chat service per call.

A contender is opened for one in-flight level (so it can size its pool) and yields a
:data:`bench._harness.CreateFn`. Modules:

* :mod:`.aiohttp_raw` - raw aiohttp, the reference every row is compared with;
* :mod:`.httpx_raw` - ``httpx.AsyncClient.post`` on each candidate transport;
* :mod:`.generated` - the generated ``create_service.asyncio_detailed`` on those clients;
* :mod:`.twilio_sdk` - Twilio's own SDK with its aiohttp client;
* :mod:`.facade` - ``twilio_chat.ChatClient`` when it exists.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from bench._harness import CreateFn


@dataclass(frozen=True)
class Target:
    """Where and as whom to create services."""

    base_url: str
    account_sid: str
    auth_token: str


class Unavailable(Exception):
    """Raised by an opener when its contender cannot run here; the row is skipped."""


Opener = Callable[[Target, int], AbstractAsyncContextManager[CreateFn]]


@dataclass(frozen=True)
class Contender:
    """A named way of calling ``POST /v2/Services``."""

    key: str
    label: str
    open: Opener
    reference: bool = False


def all_contenders() -> list[Contender]:
    """Every contender, in report order (the reference first)."""
    from bench.contenders import aiohttp_raw, facade, generated, httpx_raw, twilio_sdk

    return [
        *aiohttp_raw.CONTENDERS,
        *httpx_raw.CONTENDERS,
        *generated.CONTENDERS,
        *twilio_sdk.CONTENDERS,
        *facade.CONTENDERS,
    ]
