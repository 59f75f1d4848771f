"""Candidate ``httpx.AsyncBaseTransport`` implementations written for the transport benchmark.

* :class:`~twilio_chat._aiohttp_transport.AiohttpTransport` - one aiohttp session behind
  httpx, small bodies read eagerly, httpx-accurate exceptions and timeouts.
* :class:`~bench.transports.sharded.ShardedTransport` - several small httpcore pools instead
  of one large one (sidesteps httpcore's per-pool queue cost at high concurrency).
"""

from bench.transports.sharded import ShardedTransport
from twilio_chat._aiohttp_transport import AiohttpTransport as LeanAiohttpTransport

__all__ = ["LeanAiohttpTransport", "ShardedTransport"]
