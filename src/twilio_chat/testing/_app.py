"""The emulator itself: a plain ASGI 3 application that answers like Twilio's Chat API for the
Services resource (create, list, fetch, update, delete), and the state it records for tests
(services, requests per operation, faults injected).

No framework: one function per route, bodies rendered by hand, so the emulator's own CPU per
request stays small next to the client's in benchmarks.
"""

from __future__ import annotations

import asyncio
import collections
import json
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final
from urllib.parse import parse_qs

import attrs
import httpx

from ._credentials import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, Authenticator
from ._faults import Admission, AfterProcessing, ConnectionDropped, FaultDice, Faults, Operation
from ._paging import InvalidPageQuery, PageQuery, paginate
from ._resources import (
    ServiceRecord,
    UtcClock,
    error_body,
    initial_settings,
    new_sid,
    render_service,
)
from ._settings import MAX_FRIENDLY_NAME, InvalidParameter, apply_update, parse_update
from ._store import ServiceStore
from ._transport import EmulatorTransport

__all__ = ["ChatEmulator", "EmulatorStats"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]

SERVICES_PATH: Final = "/v2/Services"
_INSTANCE_PREFIX: Final = SERVICES_PATH + "/"
_SERVICE_SID: Final = re.compile(r"IS[0-9a-fA-F]{32}")
_COLLECTION_METHODS: Final = {"GET": Operation.LIST, "POST": Operation.CREATE}
_INSTANCE_METHODS: Final = {
    "GET": Operation.FETCH,
    "POST": Operation.UPDATE,
    "DELETE": Operation.DELETE,
}

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
_SUCCESS: Final = {
    Operation.CREATE: 201,
    Operation.LIST: 200,
    Operation.FETCH: 200,
    Operation.UPDATE: 200,
    Operation.DELETE: 204,
}
_INTERNAL: Final = error_body(500, 20500, "Internal Server Error")
_BAD_FORM_MESSAGE: Final = "Request body is not valid application/x-www-form-urlencoded UTF-8"
_INTERNAL_HTML: Final = (
    b"<html><head><title>500 Internal Server Error</title></head>"
    b"<body><h1>Internal Server Error</h1></body></html>"
)


@attrs.frozen(kw_only=True)
class EmulatorStats:
    """A snapshot of what the emulator has seen, for assertions in tests and benchmarks."""

    requests: int
    """HTTP requests received, of any kind."""
    create_requests: int
    """Authenticated `POST /v2/Services` requests, whatever their answer."""
    list_requests: int
    """Authenticated `GET /v2/Services` requests, whatever their answer."""
    fetch_requests: int
    """Authenticated `GET /v2/Services/{Sid}` requests, whatever their answer."""
    update_requests: int
    """Authenticated `POST /v2/Services/{Sid}` requests, whatever their answer."""
    delete_requests: int
    """Authenticated `DELETE /v2/Services/{Sid}` requests, whatever their answer."""
    created: int
    """Services created (including those answered by an after-create fault, and slow ones once
    processed; seeded services are not counted)."""
    listed: int
    """List pages served."""
    fetched: int
    """Services read by a fetch."""
    updated: int
    """Updates applied."""
    deleted: int
    """Services deleted."""
    not_found: int
    """404 answers (unknown paths, unknown or deleted SIDs)."""
    unauthorized: int
    """401 answers."""
    invalid: int
    """400 answers (bad `FriendlyName`, bad update parameters, bad form body, bad paging)."""
    concurrency_limited: int
    """429 answers for requests beyond `Faults.max_concurrency`."""
    rate_limited: int
    """429 answers injected by `Faults.rate_limit`."""
    unavailable: int
    """503 answers injected by `Faults.unavailable`."""
    errors_after_create: int
    """500 answers after a create."""
    errors_after_processing: int
    """500 answers after a request took effect, any operation (creates included)."""
    dropped: int
    """Connections dropped after a request took effect, any operation."""
    hung: int
    """Responses delayed by `Faults.hang_seconds` after a request took effect."""
    slow_creates: int
    """Creates held for `Faults.slow_create_delay` before being processed."""
    max_in_flight: int
    """The most admitted requests that were ever in flight at once."""

    @property
    def write_requests(self) -> int:
        """Create, update and delete requests together (0: the account was only read)."""
        return self.create_requests + self.update_requests + self.delete_requests


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


async def _disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _disconnected_within(receive: Receive, seconds: float) -> bool:
    """Wait `seconds`, returning early (True) if the client disconnects meanwhile."""
    try:
        await asyncio.wait_for(_disconnect(receive), seconds)
    except TimeoutError:
        return False
    return True


async def _disconnected_before(receive: Receive, done: asyncio.Future[Any]) -> bool:
    """Wait for `done` (never cancelled here), returning True if the client disconnects first."""
    watcher = asyncio.ensure_future(_disconnect(receive))
    try:
        await asyncio.wait({watcher, done}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
    return not done.done()


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


class ChatEmulator:
    """A local Twilio Chat API (the Services resource), as an ASGI 3 application.

    It serves `POST` and `GET /v2/Services` (create, list) and `GET`, `POST` and `DELETE
    /v2/Services/{Sid}` (fetch, update, delete). Use it in-process through `transport()`, or on
    a loopback port with `EmulatorServer` or `run_emulator`. It authenticates like Twilio
    (account SID + auth token, or an API key SID + secret from `api_keys`), answers with
    Twilio's bodies and headers, records its services and the requests it saw, and injects the
    `faults` it is given, deciding each with one `random.Random(seed)`. `clock` (seconds since
    the epoch) stamps `date_created` and `date_updated`.
    """

    def __init__(
        self,
        account_sid: str = TEST_ACCOUNT_SID,
        auth_token: str = TEST_AUTH_TOKEN,
        *,
        api_keys: Mapping[str, str] = MappingProxyType({}),
        faults: Faults = Faults(),  # noqa: B008 - frozen, so one shared default is safe
        seed: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._authenticate = Authenticator(account_sid, auth_token, api_keys)
        self._account_sid = account_sid
        self._api_key_count = len(api_keys)
        self._rng = random.Random(seed)  # noqa: S311 - fault decisions, not secrets
        self._dice = FaultDice(faults, self._rng)
        self._clock = UtcClock(clock)
        self._store = ServiceStore()
        # The benchmarks size these three directly.
        self._records = self._store.records
        self._positions = self._store.positions
        self._names = self._store.created
        self._bases: dict[tuple[str, bytes | None], str] = {}
        self._in_flight = 0
        self._pending_creates = 0
        self._counts = dict.fromkeys(
            (f.name for f in attrs.fields(EmulatorStats) if f.name != "max_in_flight"), 0
        )
        self._max_in_flight = 0

    def __repr__(self) -> str:
        return (
            f"ChatEmulator(account_sid={self._account_sid!r}, api_keys={self._api_key_count}, "
            f"services={len(self._store)}, faults={self._dice.faults!r})"
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
        """Every service that exists now (created or seeded, not deleted), oldest first."""
        return self._store.live()

    @property
    def service_count(self) -> int:
        """How many services exist."""
        return len(self._store)

    def service(self, sid: str) -> ServiceRecord | None:
        """The existing service with this SID, or None (never created, or deleted)."""
        return self._store.get(sid)

    def created_count(self, friendly_name: str) -> int:
        """How many services were created through the API with this `FriendlyName`.

        Deleted ones still count, seeded ones do not: this is what the clients did. For what
        the account holds now, use `existing_count`.
        """
        return self._store.created[friendly_name]

    def created_names(self) -> collections.Counter[str]:
        """How many services were created through the API with each `FriendlyName` (a copy)."""
        return collections.Counter(dict.copy(self._store.created))

    def existing_count(self, friendly_name: str) -> int:
        """How many services with this friendly name exist now (seeded ones included)."""
        return self._store.names[friendly_name]

    def existing_names(self) -> collections.Counter[str]:
        """How many services exist now with each friendly name (a copy)."""
        return collections.Counter(dict.copy(self._store.names))

    def seed_service(
        self, friendly_name: str, *, date_created: datetime | None = None
    ) -> ServiceRecord:
        """Add a service as if it had existed before the test, without a request.

        It is listed, fetched, updated and deleted like any other, counts in `existing_count`
        but not in `created_count` or `stats`. `date_created` (timezone-aware) defaults to now.
        """
        if not isinstance(friendly_name, str) or not friendly_name:
            raise ValueError("friendly_name must be a non-empty string")
        if date_created is None:
            stamp = self._clock.now()
        elif date_created.tzinfo is None:
            raise ValueError("date_created must be timezone-aware")
        else:
            stamp = date_created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        record = ServiceRecord(new_sid("IS"), friendly_name, stamp)
        self._store.add(record, created=False)
        return record

    @property
    def pending_creates(self) -> int:
        """Slow creates received but not processed yet (their services do not exist yet)."""
        return self._pending_creates

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
        method: str = scope["method"]
        sid = None
        if path == SERVICES_PATH:
            methods, allow = _COLLECTION_METHODS, b"GET, POST"
        elif path.startswith(_INSTANCE_PREFIX) and "/" not in (sid := path[13:]) and sid:
            methods, allow = _INSTANCE_METHODS, b"GET, POST, DELETE"
        else:
            await self._not_found(send, path)
            return
        operation = methods.get(method)
        if operation is None:
            await self._respond(send, 405, _NOT_ALLOWED, [(b"allow", allow)])
            return
        counts[f"{operation.value}_requests"] += 1

        cap = self._dice.faults.max_concurrency
        if cap is not None and self._in_flight >= cap:
            counts["concurrency_limited"] += 1
            await self._respond(send, 429, _TOO_MANY_CONCURRENT)
            return
        self._in_flight += 1
        if self._in_flight > self._max_in_flight:
            self._max_in_flight = self._in_flight
        try:
            admission = self._dice.admission(operation)
            if admission is not Admission.ADMIT:
                await self._refuse(send, admission)
                return
            delay = self._dice.latency(operation)
            if delay:
                await asyncio.sleep(delay)
            base = self._base_url(scope["scheme"], host, scope.get("server"))
            if operation is Operation.CREATE:
                await self._create(send, receive, body, base)
            elif operation is Operation.LIST:
                await self._list(send, receive, scope["query_string"], base)
            else:
                assert sid is not None
                await self._instance(operation, send, receive, sid, body, base)
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

    async def _invalid(self, send: Send, code: int, message: str) -> None:
        self._counts["invalid"] += 1
        await self._respond(send, 400, error_body(400, code, message))

    async def _not_found(self, send: Send, path: str) -> None:
        self._counts["not_found"] += 1
        message = f"The requested resource {path} was not found"
        await self._respond(send, 404, error_body(404, 20404, message[:200]))

    def _form(self, body: bytes) -> dict[str, list[str]] | None:
        """The form body, or None if it is not strict UTF-8 form encoding."""
        try:
            return parse_qs(
                body.decode("utf-8"), keep_blank_values=True, strict_parsing=True, errors="strict"
            )
        except (UnicodeDecodeError, ValueError):
            return None

    # -- create and list ---------------------------------------------------------------------

    async def _create(self, send: Send, receive: Receive, body: bytes, base: str) -> None:
        form = self._form(body)
        if form is None:
            await self._invalid(send, 20001, _BAD_FORM_MESSAGE)
            return
        names = form.get("FriendlyName")
        name = names[0] if names else ""
        if not name:
            await self._invalid(send, 50000, "FriendlyName not provided")
            return
        if len(name) > MAX_FRIENDLY_NAME:
            await self._invalid(send, 50003, "FriendlyName too long")
            return
        if self._dice.slow_create():
            await self._slow_create(send, receive, name, base)
            return
        record = self._add(name)
        payload = render_service(record, self._account_sid, base).encode()
        await self._answer(Operation.CREATE, send, receive, payload)

    def _add(self, name: str) -> ServiceRecord:
        record = ServiceRecord(new_sid("IS"), name, self._clock.now())
        self._store.add(record)
        self._counts["created"] += 1
        return record

    async def _slow_create(self, send: Send, receive: Receive, name: str, base: str) -> None:
        """Create the service `slow_create_delay` seconds from now, whatever the client does.

        The creation is a loop callback, not part of this request, so a client that times out
        (or a cancelled in-process call) does not stop it. The response waits for it; if the
        client has gone by then, there is nobody to answer.
        """
        self._counts["slow_creates"] += 1
        self._pending_creates += 1
        loop = asyncio.get_running_loop()
        created: asyncio.Future[bytes] = loop.create_future()

        def process() -> None:
            self._pending_creates -= 1
            record = self._add(name)
            if not created.done():
                created.set_result(render_service(record, self._account_sid, base).encode())

        loop.call_later(self._dice.faults.slow_create_delay, process)
        if not await _disconnected_before(receive, created):
            await self._respond(send, 201, created.result())

    async def _list(self, send: Send, receive: Receive, query_string: bytes, base: str) -> None:
        store = self._store
        try:
            query = PageQuery.parse(query_string)
            page = paginate(
                query, store.records, store.positions, base + SERVICES_PATH, holes=store.holes
            )
        except InvalidPageQuery as exc:
            await self._invalid(send, 20001, str(exc))
            return
        self._counts["listed"] += 1
        account = self._account_sid
        services = ",".join(render_service(record, account, base) for record in page.services)
        meta = json.dumps(page.meta, separators=(",", ":"))
        payload = f'{{"services":[{services}],"meta":{meta}}}'.encode()
        await self._answer(Operation.LIST, send, receive, payload)

    # -- fetch, update, delete ---------------------------------------------------------------

    async def _instance(
        self, operation: Operation, send: Send, receive: Receive, sid: str, body: bytes, base: str
    ) -> None:
        record = self._store.get(sid) if _SERVICE_SID.fullmatch(sid) else None
        if record is None:
            await self._not_found(send, _INSTANCE_PREFIX + sid)
            return
        if operation is Operation.DELETE:
            self._store.delete(sid)
            self._counts["deleted"] += 1
            await self._answer(operation, send, receive, b"")
            return
        if operation is Operation.UPDATE:
            form = self._form(body)
            if form is None:
                await self._invalid(send, 20001, _BAD_FORM_MESSAGE)
                return
            try:
                update = parse_update(form)
            except InvalidParameter as exc:
                await self._invalid(send, exc.code, exc.message)
                return
            settings = record.settings
            if update.changes:
                settings = apply_update(settings or initial_settings(sid), update)
            record = record._replace(
                friendly_name=update.friendly_name or record.friendly_name,
                date_updated=self._clock.now(),
                settings=settings,
            )
            self._store.replace(record)
            self._counts["updated"] += 1
        else:
            self._counts["fetched"] += 1
        payload = render_service(record, self._account_sid, base).encode()
        await self._answer(operation, send, receive, payload)

    # -- plumbing ----------------------------------------------------------------------------

    async def _answer(
        self, operation: Operation, send: Send, receive: Receive, payload: bytes
    ) -> None:
        """Answer a request that took effect: its success, or the fault the dice pick."""
        counts = self._counts
        status = _SUCCESS[operation]
        outcome = self._dice.after_processing(operation)
        if outcome is AfterProcessing.RESPOND:
            await self._respond(send, status, payload)
        elif outcome is AfterProcessing.ERROR:
            counts["errors_after_processing"] += 1
            if operation is Operation.CREATE:
                counts["errors_after_create"] += 1
            if self._dice.faults.error_html:
                await self._respond(send, 500, _INTERNAL_HTML, content_type=_HTML)
            else:
                await self._respond(send, 500, _INTERNAL)
        elif outcome is AfterProcessing.DROP:
            counts["dropped"] += 1
            # Headers that promise a body, then no body: the client sees an incomplete response.
            # A 204 needs no body, so its drop promises one byte under a 200 instead.
            start = (
                self._start(status, payload, (), _JSON)
                if payload
                else self._start(200, b"-", (), _JSON)
            )
            await send(start)
            raise ConnectionDropped(f"dropped on purpose after a {operation.value}")
        else:
            counts["hung"] += 1
            if not await _disconnected_within(receive, self._dice.faults.hang_seconds):
                await self._respond(send, status, payload)

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
        if status == 204:  # no body, so neither Content-Type nor Content-Length (RFC 9110)
            headers = [(b"twilio-request-id", new_sid("RQ").encode()), *_CORS, *extra]
        else:
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
