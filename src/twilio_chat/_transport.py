"""The default network layer under the facade's httpx.AsyncClient."""

from __future__ import annotations

import httpx

__all__ = ["default_transport"]


def default_transport(max_connections: int, timeout: httpx.Timeout) -> httpx.AsyncBaseTransport:
    """A pool sized to `max_connections`, so the limiter above never queues inside it."""
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    return httpx.AsyncHTTPTransport(limits=limits)
