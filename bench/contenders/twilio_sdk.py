"""Twilio's own SDK: ``client.chat.v2.services.create_async`` on ``AsyncTwilioHttpClient``.

The SDK builds URLs from ``client.chat.base_url`` (``https://chat.twilio.com``), then lets
``region``/``edge`` (also read from ``TWILIO_REGION``/``TWILIO_EDGE``) rewrite the host. Both
are cleared, and the final URL is checked to be the loopback server before the first request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bench._harness import CreateFn
from bench.contenders import Contender, Target, Unavailable


@asynccontextmanager
async def open_twilio(target: Target, in_flight: int) -> AsyncIterator[CreateFn]:
    """Default ``AsyncTwilioHttpClient`` (aiohttp session, connector limit 100)."""
    try:
        from twilio.http.async_http_client import (  # type: ignore[import-untyped]
            AsyncTwilioHttpClient,
        )
        from twilio.rest import Client  # type: ignore[import-untyped]
    except ImportError as exc:
        raise Unavailable("twilio is not installed") from exc
    if in_flight > 100:
        raise Unavailable("AsyncTwilioHttpClient's aiohttp connector is limited to 100")

    http_client = AsyncTwilioHttpClient()  # creates its ClientSession: needs a running loop
    try:
        client = Client(target.account_sid, target.auth_token, http_client=http_client)
        client.region = None
        client.edge = None
        client.chat.base_url = target.base_url
        final = client.get_hostname(client.chat.absolute_url("v2/Services"))
        if final != f"{target.base_url}/v2/Services":
            raise RuntimeError(f"Twilio SDK would send to {final!r}, not the loopback server")
        services = client.chat.v2.services

        async def create(name: str) -> str:
            service = await services.create_async(friendly_name=name)
            return str(service.sid)

        yield create
    finally:
        await http_client.close()


CONTENDERS = [Contender("twilio", "twilio SDK `create_async` (AsyncTwilioHttpClient)", open_twilio)]
