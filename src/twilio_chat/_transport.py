"""The default network layer under the facade's httpx.AsyncClient.

Chosen by measurement (`make bench`, transport section): httpcore's pool collapses past about
20 requests in flight, and httpx-aiohttp 0.2.0 reports a connection dropped after sending as
`ConnectTimeout` (which would make a create look safe to retry). Our aiohttp transport keeps
httpx's exception meanings and costs about 340 us of client CPU per create at 100 in flight.
"""

from __future__ import annotations

import httpx

from ._aiohttp_transport import AiohttpTransport

__all__ = ["default_transport", "is_network_transport"]


def default_transport(max_connections: int, max_response_bytes: int) -> httpx.AsyncBaseTransport:
    """A pool of `max_connections`, so the limiter above never queues inside it; bodies past
    `max_response_bytes` are refused without being read."""
    limits = httpx.Limits(
        max_connections=max_connections,
        max_keepalive_connections=max_connections,
        keepalive_expiry=5.0,
    )
    return AiohttpTransport(limits=limits, max_response_bytes=max_response_bytes)


def is_network_transport(transport: httpx.AsyncBaseTransport | None) -> bool:
    """Whether requests through `transport` go over the network: the default one (None), ours,
    or httpx's own. Any other injected transport (`httpx.MockTransport`, the emulator's
    in-process one, a test double) is the caller's own layer and sends nothing in clear."""
    return transport is None or isinstance(transport, AiohttpTransport | httpx.AsyncHTTPTransport)
