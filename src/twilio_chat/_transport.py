"""The default network layer under the facade's httpx.AsyncClient.

Chosen by measurement (`make bench`, transport section): httpcore's pool collapses past about
20 requests in flight, and httpx-aiohttp 0.2.0 reports a connection dropped after sending as
`ConnectTimeout` (which would make a create look safe to retry). Our aiohttp transport keeps
httpx's exception meanings and costs about 340 us of client CPU per create at 100 in flight.
"""

from __future__ import annotations

import httpx

from ._aiohttp_transport import AiohttpTransport

__all__ = ["default_transport"]


def default_transport(max_connections: int) -> httpx.AsyncBaseTransport:
    """A pool of `max_connections`, so the limiter above never queues inside it."""
    limits = httpx.Limits(
        max_connections=max_connections,
        max_keepalive_connections=max_connections,
        keepalive_expiry=5.0,
    )
    return AiohttpTransport(limits=limits)
