"""The emulator itself: a plain ASGI 3 application that answers like Twilio's Chat API, and the
state it records for tests (services created, requests seen, faults injected).

No framework: one function per route, bodies rendered by hand, so the emulator's own CPU per
request stays small next to the client's in benchmarks.
"""

from __future__ import annotations

import asyncio
import collections
import json
import random
import re
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from types import MappingProxyType
from typing import Any, Final
from urllib.parse import parse_qs

import attrs
import httpx

from ._credentials import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, Authenticator
from ._faults import Admission, AfterCreate, ConnectionDropped, FaultDice, Faults
from ._paging import InvalidPageQuery, PageQuery, paginate
from ._resources import ServiceRecord, UtcClock, error_body, new_sid, render_service
from ._transport import EmulatorTransport

__all__ = ["ChatEmulator", "EmulatorStats"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]

SERVICES_PATH: Final = "/v2/Services"
MAX_FRIENDLY_NAME: Final = 64

_CORS: Final[Headers] = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"GET, POST, DELETE, OPTIONS"),
    (b"access-control-allow-headers", b"Accept, Authorization, Content-Type, If-Match, "
     b"If-Modified-Since, If-None-Match, If-Unmodified-Since, Idempotency-Key"),
    (b"access-control-allow-credentials", b"true"),
    (b"access-control-expose-headers", b"ETag"),
]  # fmt: skip
_JSON: Final = (b"content-type", b"application/json")
_HTML: Final = (b"content-type", b"text/html; charset=utf-8")
_HOST: Final = re.compile(rb"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")

_UNAUTHORIZED: Final = error_body(401, 20003, "Authenticate")
_TOO_MANY_CONCURRENT: Final = error_body(429, 20429, "Too many concurrent requests")
_TOO_MANY: Final = error_body(429, 20429, "Too Many Requests")
_UNAVAILABLE: Final = error_body(503, 20503, "Service Unavailable")
_NOT_ALLOWED: Final = error_body(405, 20004, "Method not allowed")
_INTERNAL: Final = error_body(500, 20500, "Internal Server Error")
_NO_NAME: Final = error_body(400, 50000, "FriendlyName not provided")
_LONG_NAME: Final = error_body(400, 50003, "FriendlyName too long")
_BAD_FORM: Final = error_body(
    400, 20001, "Request body is not valid application/x-www-form-urlencoded UTF-8"
)
_INTERNAL_HTML: Final = (
    b"<html><head><title>500 Internal Server Error</title></head>"
    b"<body><h1>Internal Server Error</h1></body></html>"
)


@attrs.frozen(kw_only=True)
class EmulatorStats:
    """A snapshot of what the emulator has seen, for assertions in tests and benchmarks."""

    requests: int
    """HTTP requests received, of any kind."""
    created: int
    """Services created (including those answered by an after-create fault)."""
    listed: int
    """List pages served."""
    unauthorized: int
    """401 answers."""
    invalid: int
    """400 answers (bad `FriendlyName`, bad form body, bad paging parameters)."""
    concurrency_limited: int
    """429 answers for requests beyond `Faults.max_concurrency`."""
    rate_limited: int
    """429 answers injected by `Faults.rate_limit`."""
    unavailable: int
    """503 answers injected by `Faults.unavailable`."""
    errors_after_create: int
    """500 answers after a create."""
    dropped: int
    """Connections dropped after a create."""
    hung: int
    """Responses delayed by `Faults.hang_seconds` after a create."""
    max_in_flight: int
    """The most admitted requests that were ever in flight at once."""


async def _read_body(receive: Receive) -> bytes:
    message = await receive()
    body: bytes = message.get("body", b"")
    if not message.get("more_body", False):
        return body
    chunks = [body]
    while message.get("more_body", False):
        message = await receive()
        chunks.append(message.get("body", b""))
    return b"".join(chunks)


async def _disconnected_within(receive: Receive, seconds: float) -> bool:
    """Wait `seconds`, returning early (True) if the client disconnects meanwhile."""

    async def disconnect() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    try:
        await asyncio.wait_for(disconnect(), seconds)
    except TimeoutError:
        return False
    return True


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


class ChatEmulator:
    """A local Twilio Chat API (`POST` and `GET /v2/Services`), as an ASGI 3 application.

    Use it in-process through `transport()`, or on a loopback port with `EmulatorServer` or
    `run_emulator`. It authenticates like Twilio (account SID + auth token, or an API key SID +
    secret from `api_keys`), answers with Twilio's bodies and headers, records what it creates,
    and injects the `faults` it is given, deciding each with one `random.Random(seed)`.
    """

    def __init__(
        self,
        account_sid: str = TEST_ACCOUNT_SID,
        auth_token: str = TEST_AUTH_TOKEN,
        *,
        api_keys: Mapping[str, str] = MappingProxyType({}),
        faults: Faults = Faults(),  # noqa: B008 - frozen, so one shared default is safe
        seed: int = 0,
    ) -> None:
        self._authenticate = Authenticator(account_sid, auth_token, api_keys)
        self._account_sid = account_sid
        self._api_key_count = len(api_keys)
        self._rng = random.Random(seed)  # noqa: S311 - fault decisions, not secrets
        self._dice = FaultDice(faults, self._rng)
        self._clock = UtcClock()
        self._records: list[ServiceRecord] = []
        self._positions: dict[str, int] = {}
        self._names: collections.Counter[str] = collections.Counter()
        self._bases: dict[tuple[str, bytes | None], str] = {}
        self._in_flight = 0
        self._counts = dict.fromkeys(
            (f.name for f in attrs.fields(EmulatorStats) if f.name != "max_in_flight"), 0
        )
        self._max_in_flight = 0

    def __repr__(self) -> str:
        return (
            f"ChatEmulator(account_sid={self._account_sid!r}, api_keys={self._api_key_count}, "
            f"services={len(self._records)}, faults={self._dice.faults!r})"
        )

    # -- what tests read ---------------------------------------------------------------------

    @property
    def account_sid(self) -> str:
        """The account every service is created in."""
        return self._account_sid

    @property
    def faults(self) -> Faults:
        """The faults injected from now on; assign a new `Faults` to change them mid-test."""
        return self._dice.faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        self._dice = FaultDice(faults, self._rng)

    @property
    def services(self) -> tuple[ServiceRecord, ...]:
        """Every service created so far, oldest first."""
        return tuple(self._records)

    @property
    def service_count(self) -> int:
        """How many services exist."""
        return len(self._records)

    def created_count(self, friendly_name: str) -> int:
        """How many services were created with this `FriendlyName`."""
        return self._names[friendly_name]

    def created_names(self) -> collections.Counter[str]:
        """How many services were created with each `FriendlyName` (a copy)."""
        return collections.Counter(dict.copy(self._names))

    @property
    def in_flight(self) -> int:
        """Admitted requests being processed right now."""
        return self._in_flight

    @property
    def stats(self) -> EmulatorStats:
        """A snapshot of the request and fault counters."""
        return EmulatorStats(max_in_flight=self._max_in_flight, **self._counts)

    def service_json(self, record: ServiceRecord, base_url: str = "http://emulator.test") -> str:
        """The JSON the emulator sends for `record`, with URLs on `base_url`."""
        return render_service(record, self._account_sid, json.dumps(base_url)[1:-1])

    def transport(self) -> httpx.AsyncBaseTransport:
        """An `httpx.AsyncBaseTransport` that calls this emulator in-process.

        Unlike a bare `httpx.ASGITransport`, it enforces the request's read timeout
        (`httpx.ReadTimeout`) and turns a dropped connection into `httpx.RemoteProtocolError`.
        """
        return EmulatorTransport(self)

    # -- ASGI --------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await _lifespan(receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        counts = self._counts
        counts["requests"] += 1
        body = await _read_body(receive)
        authorization = host = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value
            elif name == b"host":
                host = value
        if not self._authenticate(authorization):
            counts["unauthorized"] += 1
            extra = [(b"www-authenticate", b'Basic realm="Twilio API"')]
            await self._respond(send, 401, _UNAUTHORIZED, extra)
            return
        path: str = scope["path"]
        if path != SERVICES_PATH:
            message = f"The requested resource {path} was not found"
            await self._respond(send, 404, error_body(404, 20404, message[:200]))
            return
        method: str = scope["method"]
        if method != "POST" and method != "GET":
            await self._respond(send, 405, _NOT_ALLOWED, [(b"allow", b"GET, POST")])
            return

        cap = self._dice.faults.max_concurrency
        if cap is not None and self._in_flight >= cap:
            counts["concurrency_limited"] += 1
            await self._respond(send, 429, _TOO_MANY_CONCURRENT)
            return
        self._in_flight += 1
        if self._in_flight > self._max_in_flight:
            self._max_in_flight = self._in_flight
        try:
            admission = self._dice.admission()
            if admission is not Admission.ADMIT:
                await self._refuse(send, admission)
                return
            delay = self._dice.latency()
            if delay:
                await asyncio.sleep(delay)
            base = self._base_url(scope["scheme"], host, scope.get("server"))
            if method == "POST":
                await self._create(send, receive, body, base)
            else:
                await self._list(send, scope["query_string"], base)
        finally:
            self._in_flight -= 1

    async def _refuse(self, send: Send, admission: Admission) -> None:
        faults = self._dice.faults
        if admission is Admission.RATE_LIMIT:
            self._counts["rate_limited"] += 1
            status, body, retry_after = 429, _TOO_MANY, faults.rate_limit_retry_after
        else:
            self._counts["unavailable"] += 1
            status, body, retry_after = 503, _UNAVAILABLE, faults.unavailable_retry_after
        extra = [] if retry_after is None else [(b"retry-after", f"{retry_after:g}".encode())]
        await self._respond(send, status, body, extra)

    async def _create(self, send: Send, receive: Receive, body: bytes, base: str) -> None:
        counts = self._counts
        try:
            form = parse_qs(
                body.decode("utf-8"), keep_blank_values=True, strict_parsing=True, errors="strict"
            )
        except (UnicodeDecodeError, ValueError):
            counts["invalid"] += 1
            await self._respond(send, 400, _BAD_FORM)
            return
        names = form.get("FriendlyName")
        name = names[0] if names else ""
        if not name:
            counts["invalid"] += 1
            await self._respond(send, 400, _NO_NAME)
            return
        if len(name) > MAX_FRIENDLY_NAME:
            counts["invalid"] += 1
            await self._respond(send, 400, _LONG_NAME)
            return

        record = ServiceRecord(new_sid("IS"), name, self._clock.now())
        self._positions[record.sid] = len(self._records)
        self._records.append(record)
        self._names[name] += 1
        counts["created"] += 1
        payload = render_service(record, self._account_sid, base).encode()

        outcome = self._dice.after_create()
        if outcome is AfterCreate.RESPOND:
            await self._respond(send, 201, payload)
        elif outcome is AfterCreate.ERROR:
            counts["errors_after_create"] += 1
            if self._dice.faults.error_html:
                await self._respond(send, 500, _INTERNAL_HTML, content_type=_HTML)
            else:
                await self._respond(send, 500, _INTERNAL)
        elif outcome is AfterCreate.DROP:
            counts["dropped"] += 1
            await send(self._start(201, payload, (), _JSON))
            raise ConnectionDropped("dropped on purpose after creating " + record.sid)
        else:
            counts["hung"] += 1
            if not await _disconnected_within(receive, self._dice.faults.hang_seconds):
                await self._respond(send, 201, payload)

    async def _list(self, send: Send, query_string: bytes, base: str) -> None:
        try:
            query = PageQuery.parse(query_string)
            page = paginate(query, self._records, self._positions, base + SERVICES_PATH)
        except InvalidPageQuery as exc:
            self._counts["invalid"] += 1
            await self._respond(send, 400, error_body(400, 20001, str(exc)))
            return
        self._counts["listed"] += 1
        account = self._account_sid
        services = ",".join(render_service(record, account, base) for record in page.services)
        meta = json.dumps(page.meta, separators=(",", ":"))
        await self._respond(send, 200, f'{{"services":[{services}],"meta":{meta}}}'.encode())

    # -- plumbing ----------------------------------------------------------------------------

    def _base_url(self, scheme: str, host: bytes | None, server: Any) -> str:
        """`scheme://host[:port]` from the Host header (JSON- and URL-safe), cached per host."""
        key = (scheme, host)
        base = self._bases.get(key)
        if base is None:
            if host is not None and _HOST.fullmatch(host):
                authority = host.decode("ascii")
            elif server:
                authority = f"{server[0]}:{server[1]}" if server[1] else str(server[0])
            else:
                authority = "localhost"
            base = json.dumps(f"{scheme}://{authority}")[1:-1]
            if len(self._bases) >= 64:
                self._bases.clear()
            self._bases[key] = base
        return base

    @staticmethod
    def _start(status: int, body: bytes, extra: Any, content_type: tuple[bytes, bytes]) -> Message:
        headers = [
            content_type,
            (b"content-length", str(len(body)).encode()),
            (b"twilio-request-id", new_sid("RQ").encode()),
            *_CORS,
            *extra,
        ]
        return {"type": "http.response.start", "status": status, "headers": headers}

    async def _respond(
        self,
        send: Send,
        status: int,
        body: bytes,
        extra: Headers | tuple[()] = (),
        *,
        content_type: tuple[bytes, bytes] = _JSON,
    ) -> None:
        await send(self._start(status, body, extra, content_type))
        await send({"type": "http.response.body", "body": body})
