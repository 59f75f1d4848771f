"""Spread requests over several small httpcore pools instead of one large one.

httpcore's ``AsyncConnectionPool`` re-scans its whole request queue against its whole
connection list on every request start and finish, so its per-request CPU grows with the
number of requests in flight (encode/httpx#3215, encode/httpcore#1035). Several pools of at
most ``shard_size`` connections keep each scan short. Requests go round-robin.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import httpx


class ShardedTransport(httpx.AsyncBaseTransport):
    """Round-robin over ``ceil(max_connections / shard_size)`` ``httpx.AsyncHTTPTransport``."""

    def __init__(
        self, *, limits: httpx.Limits, shard_size: int = 10, **transport_kwargs: Any
    ) -> None:
        total = limits.max_connections or 100
        shards = max(1, math.ceil(total / shard_size))
        per_shard = math.ceil(total / shards)
        shard_limits = httpx.Limits(
            max_connections=per_shard,
            max_keepalive_connections=per_shard,
            keepalive_expiry=limits.keepalive_expiry,
        )
        self._shards = [
            httpx.AsyncHTTPTransport(limits=shard_limits, **transport_kwargs) for _ in range(shards)
        ]
        self._next = itertools.cycle(self._shards)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Hand ``request`` to the next pool."""
        return await next(self._next).handle_async_request(request)

    async def aclose(self) -> None:
        """Close every pool."""
        for shard in self._shards:
            await shard.aclose()
