"""Build the ``httpx.AsyncClient`` each httpx-based contender uses, per transport kind.

Every client gets the same settings the facade will use: base URL, Basic auth, timeouts, and
a connection limit of at least the in-flight level (keep-alive limit too: httpx's default of
20 keep-alive connections would close and reopen connections above 20 on every request).
"""

from __future__ import annotations

import http.cookiejar
from collections.abc import Callable
from typing import Any

import httpx

from bench.contenders import Target, Unavailable
from bench.transports import LeanAiohttpTransport, ShardedTransport

TIMEOUT = httpx.Timeout(30.0, connect=10.0, pool=30.0)


def limits_for(in_flight: int) -> httpx.Limits:
    """Connection and keep-alive limits of exactly ``in_flight``."""
    return httpx.Limits(max_connections=in_flight, max_keepalive_connections=in_flight)


def _default(in_flight: int) -> httpx.AsyncBaseTransport:
    return httpx.AsyncHTTPTransport(limits=limits_for(in_flight))


def _httpx_aiohttp(in_flight: int) -> httpx.AsyncBaseTransport:
    try:
        from httpx_aiohttp import AiohttpTransport
    except ImportError as exc:
        raise Unavailable("httpx-aiohttp is not installed") from exc
    # Its connector limit is limits.max_connections (0.2.0 ignores keep-alive limits).
    return AiohttpTransport(limits=limits_for(in_flight))


def _lean(in_flight: int) -> httpx.AsyncBaseTransport:
    return LeanAiohttpTransport(limits=limits_for(in_flight))


def _sharded(in_flight: int) -> httpx.AsyncBaseTransport:
    return ShardedTransport(limits=limits_for(in_flight), shard_size=10)


TRANSPORTS: dict[str, tuple[str, Callable[[int], httpx.AsyncBaseTransport]]] = {
    "default": ("httpcore pool", _default),
    "httpx-aiohttp": ("httpx_aiohttp.AiohttpTransport", _httpx_aiohttp),
    "lean": ("bench LeanAiohttpTransport", _lean),
    "sharded": ("bench ShardedTransport (10/pool)", _sharded),
}


class NoCookieJar(http.cookiejar.CookieJar):
    """A jar that neither stores nor sends cookies (the Twilio REST API sets none).

    httpx runs every response through its jar (``extract_cookies`` wraps the response in
    ``email.message`` and ``urllib.request`` objects); ``AsyncClient(cookies=NoCookieJar())``
    keeps this jar as is, so that work is skipped.
    """

    def extract_cookies(self, response: Any, request: Any) -> None:
        """Ignore ``Set-Cookie``."""

    def add_cookie_header(self, request: Any) -> None:
        """Send no ``Cookie``."""


def build_client(
    kind: str, target: Target, in_flight: int, *, cookies: bool = True
) -> httpx.AsyncClient:
    """An AsyncClient on transport ``kind`` configured like the facade's.

    ``cookies=False`` installs :class:`NoCookieJar`.
    """
    _, factory = TRANSPORTS[kind]
    return httpx.AsyncClient(
        base_url=target.base_url,
        auth=httpx.BasicAuth(target.account_sid, target.auth_token),
        timeout=TIMEOUT,
        transport=factory(in_flight),
        cookies=None if cookies else NoCookieJar(),
    )
