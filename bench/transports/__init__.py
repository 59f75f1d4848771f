"""Candidate ``httpx.AsyncBaseTransport`` implementations written for the transport benchmark.

* :class:`~bench.transports.aiohttp_lean.LeanAiohttpTransport` - one aiohttp session behind
  httpx, small bodies read eagerly, httpx-accurate exceptions and timeouts.
* :class:`~bench.transports.sharded.ShardedTransport` - several small httpcore pools instead
  of one large one (sidesteps httpcore's per-pool queue cost at high concurrency).
"""

from bench.transports.aiohttp_lean import LeanAiohttpTransport
from bench.transports.sharded import ShardedTransport

__all__ = ["LeanAiohttpTransport", "ShardedTransport"]
