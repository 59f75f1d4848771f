"""ChatClient: one account's connection pool, and the calls into the generated client.

The facade adds what `generated/` lacks: credentials, headers, a finite timeout, retries that
never duplicate a create, adaptive concurrency, and typed errors for every response, including
ones the generated parser cannot handle (HTML bodies, unknown status codes). Requests come
from the generated `_get_kwargs()` and go out on the direct path (`_direct.py`); bodies are
parsed into the generated attrs models by `_responses.py`.
"""

from __future__ import annotations

import asyncio
import functools
import os
import platform
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar

import httpx
from twilio_chat_api.api.services import (
    create_service,
    delete_service,
    fetch_service,
    list_service,
    update_service,
)
from twilio_chat_api.models import CreateServiceRequest, Service

from ._auth import resolve_credentials
from ._classify import (
    is_retryable_503,
    may_have_happened,
    network_error,
    retryable_create,
    retryable_read,
)
from ._config import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
    check_friendly_name,
    check_int,
    check_service_sid,
    check_transport_security,
    resolve_attempt_timeout,
    resolve_base_url,
    resolve_timeout,
)
from ._cutoff import Deadlines
from ._direct import DirectSender, basic_authorization
from ._errors import (
    AmbiguousCreateError,
    ConfigurationError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
    TwilioChatError,
    UnexpectedResponseError,
)
from ._limiter import AdaptiveLimiter, Signal
from ._operations import CREATE, DELETE, FETCH, LIST, UPDATE, Operation
from ._responses import api_error, excerpt, json_body, parse_service, parse_service_page
from ._retry import RetryBudget, RetryPolicy, call_with_retries
from ._settings import update_request
from ._transport import default_transport, is_network_transport
from ._version import __version__

if TYPE_CHECKING:
    from .provisioning import ServiceResult

__all__ = ["ChatClient"]

T = TypeVar("T")

# Asked of every server: no compressed bodies. Twilio's answers are small JSON; a compressed
# one would cost a decode on every call and be limited by `max_response_bytes` only after
# decompression (see README "The direct path").
_ACCEPT_ENCODING = "identity"


class ChatClient:
    """An async client for one Twilio account's Chat services.

    Use `async with ChatClient(...) as chat:` (or `await chat.aclose()`); one client holds one
    connection pool and one adaptive concurrency limiter, so share it across tasks.

    Credentials are an account SID with its auth token, or an API key SID and secret with the
    account SID; missing ones come from the environment (`TWILIO_ACCOUNT_SID`,
    `TWILIO_AUTH_TOKEN`, `TWILIO_API_KEY`, `TWILIO_API_SECRET`). `base_url` (or
    `TWILIO_CHAT_BASE_URL`) is used exactly as given; otherwise `region`/`edge` (or
    `TWILIO_REGION`/`TWILIO_EDGE`) select Twilio's host. `timeout` is seconds or an
    `httpx.Timeout`, never unlimited; `attempt_timeout` (default twice the read timeout)
    bounds each attempt as a whole, so a trickled response cannot hold it, and
    `max_response_bytes` caps every response body. `transport` replaces the network layer
    only (tests and the emulator inject one); auth, headers, timeouts and retries stay here.
    An `http://` base URL is refused unless its host is loopback, or `allow_insecure_http=True`.
    """

    def __init__(
        self,
        account_sid: str | None = None,
        auth_token: str | None = None,
        *,
        api_key: str | None = None,
        api_secret: str | None = None,
        base_url: str | None = None,
        region: str | None = None,
        edge: str | None = None,
        retry: RetryPolicy | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_connections: int = 100,
        adaptive_concurrency: bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
        attempt_timeout: float | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        allow_insecure_http: bool = False,
    ) -> None:
        credentials = resolve_credentials(
            account_sid=account_sid,
            auth_token=auth_token,
            api_key=api_key,
            api_secret=api_secret,
            environ=os.environ,
        )
        self._base_url = resolve_base_url(
            base_url=base_url, region=region, edge=edge, environ=os.environ
        )
        resolved_timeout = resolve_timeout(timeout)
        self._attempt_timeout = resolve_attempt_timeout(attempt_timeout, resolved_timeout)
        check_int(max_connections, "max_connections", 1)
        check_int(max_response_bytes, "max_response_bytes", 1)
        check_transport_security(
            self._base_url, network=is_network_transport(transport), allowed=allow_insecure_http
        )
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise ConfigurationError("retry must be a RetryPolicy")
        self.account_sid = credentials.account_sid
        self._loop: asyncio.AbstractEventLoop | None = None
        self._credential_kind = credentials.kind
        self._retry = retry or RetryPolicy()
        self._budget = RetryBudget(self._retry.budget, self._retry.retry_cost)
        self._retryable_create = functools.partial(
            retryable_create, retry_ambiguous=self._retry.retry_ambiguous
        )
        self._limiter = AdaptiveLimiter(max_connections) if adaptive_concurrency else None
        self._deadlines = Deadlines()
        # The AsyncClient holds the configuration and the transport (with any proxy mounts);
        # requests bypass its send() (see `_direct.py`), so it has no auth and no hooks.
        self._http = httpx.AsyncClient(
            base_url=self._base_url,
            headers={
                "Accept": "application/json",
                "Accept-Encoding": _ACCEPT_ENCODING,
                "User-Agent": _user_agent(),
            },
            timeout=resolved_timeout,
            transport=transport or default_transport(max_connections, max_response_bytes),
        )
        self._direct = DirectSender(
            self._http,
            authorization=basic_authorization(credentials.username, credentials.secret),
            max_response_bytes=max_response_bytes,
        )

    def __repr__(self) -> str:
        return (
            f"ChatClient(account_sid={self.account_sid!r}, "
            f"credentials={self._credential_kind!r}, base_url={self._base_url!r})"
        )

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def timeout(self) -> httpx.Timeout:
        """The timeouts of every request (connect, read, write, pool)."""
        return self._http.timeout

    @property
    def limiter(self) -> AdaptiveLimiter | None:
        """The adaptive concurrency limiter shared by every create on this client."""
        return self._limiter

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool. Safe to call more than once."""
        await self._http.aclose()

    def _check_open(self) -> None:
        """Misuse is refused before anything is sent: a closed client, or a client moved to
        another event loop (its connections belong to the first one)."""
        if self._http.is_closed:
            raise ConfigurationError("this ChatClient is closed: create a new one")
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif loop is not self._loop:
            raise ConfigurationError(
                "this ChatClient belongs to another event loop: create one per loop"
            )

    # --- Create ------------------------------------------------------------------------------

    async def create_service(self, friendly_name: str) -> Service:
        """Create a Chat service and return it (the generated `Service` model).

        Retries what is safe to retry (429, 503 with Retry-After, connection failures before
        sending). Raises `AmbiguousCreateError` when the service may or may not have been
        created. If the calling task is cancelled mid-request, the service may likewise have
        been created: the `CancelledError` propagates unchanged.
        """
        check_friendly_name(friendly_name)
        self._check_open()
        kwargs = create_service._get_kwargs(body=CreateServiceRequest(friendly_name=friendly_name))
        return await self._call(
            CREATE,
            kwargs,
            functools.partial(_read_created, friendly_name),
            self._retryable_create,
            maybe_sent=lambda reason: AmbiguousCreateError(friendly_name, reason=reason),
        )

    # --- Many creates -------------------------------------------------------------------------

    async def create_services(
        self,
        names: Collection[str],
        *,
        concurrency: int = 100,
        on_existing: Literal["adopt", "fail"] = "adopt",
        repair: bool = True,
        settle: float | None = None,
        reconcile_delay: float | None = None,
    ) -> list[ServiceResult]:
        """Create one service per name, never twice even under faults; one `ServiceResult`
        per name, in input order. The account is listed first: a name that exists is adopted
        (`EXISTING`), so calling this twice creates nothing the second time. A failed name
        never cancels the others. Names must be unique. For large runs,
        `twilio_chat.provision` streams results instead; it documents the options."""
        from .provisioning import create_services  # provisioning is built on this client

        return await create_services(
            self,
            names,
            concurrency=concurrency,
            on_existing=on_existing,
            repair=repair,
            settle=settle,
            reconcile_delay=reconcile_delay,
        )

    # --- Fetch, update, delete ----------------------------------------------------------------

    async def fetch_service(self, sid: str) -> Service:
        """The service with this SID. `NotFoundError` when there is none; every transient
        failure (429, 5xx, network) is retried, since a read changes nothing."""
        check_service_sid(sid)
        self._check_open()
        kwargs = fetch_service._get_kwargs(sid)
        return await self._call(FETCH, kwargs, _read_service, retryable_read)

    async def update_service(self, sid: str, **settings: object) -> Service:
        """Change the given settings of a service and return it as updated.

        Keywords are the generated `UpdateServiceRequest` fields, one per form parameter of
        Twilio's UpdateService (`friendly_name`, `read_status_enabled`, `limits_user_channels`,
        `notifications_new_message_enabled`, `webhook_filters`, ...); an unknown keyword or a
        value of the wrong type is a `ConfigurationError` before any request. Sending the same
        settings twice gives the same result, so every transient failure is retried.
        `NotFoundError` when the service does not exist.
        """
        check_service_sid(sid)
        body = update_request(settings)
        self._check_open()
        kwargs = update_service._get_kwargs(sid, body=body)
        return await self._call(UPDATE, kwargs, _read_service, retryable_read)

    async def delete_service(self, sid: str) -> None:
        """Delete a service. Retried on every transient failure: a retry that finds the
        service gone after an attempt that may have deleted it has succeeded. A 404 on the
        first attempt (or after attempts that certainly changed nothing) is `NotFoundError`."""
        check_service_sid(sid)
        self._check_open()
        kwargs = delete_service._get_kwargs(sid)
        maybe_deleted = False

        async def attempt(seconds_left: float) -> None:
            nonlocal maybe_deleted
            try:
                await self._attempt(DELETE, kwargs, _read_nothing, None, seconds_left)
            except NotFoundError:
                if not maybe_deleted:
                    raise
            except TwilioChatError as error:
                maybe_deleted = maybe_deleted or may_have_happened(error)
                raise

        await call_with_retries(
            attempt, policy=self._retry, budget=self._budget, retryable=retryable_read
        )

    # --- List --------------------------------------------------------------------------------

    async def list_services(
        self, *, page_size: int = 100, limit: int | None = None
    ) -> AsyncIterator[Service]:
        """Yield the account's services (at most `limit`), following `meta.next_page_url`.

        A read is idempotent, so every transient failure (429, 5xx, network) is retried, page
        by page.
        """
        check_int(page_size, "page_size", 1, 100)
        if limit is not None:
            check_int(limit, "limit", 1)
        self._check_open()
        query: dict[str, Any] = {"page_size": page_size}
        seen: set[str] = set()
        remaining = limit
        while True:
            kwargs = list_service._get_kwargs(**query)
            services, next_url = await self._call(LIST, kwargs, _read_page, retryable_read)
            for service in services:
                if remaining is not None:
                    if remaining == 0:
                        return
                    remaining -= 1
                yield service
            if next_url is None or remaining == 0:
                return
            if next_url in seen:
                raise UnexpectedResponseError(
                    status=200, method="GET", url=next_url, message="next_page_url repeats"
                )
            seen.add(next_url)
            query = _page_query(next_url, page_size)

    # --- What every call shares: retries, the limiter, the network ---------------------------

    def _call(
        self,
        operation: Operation,
        kwargs: dict[str, Any],
        read: Callable[[Operation, httpx.Response], T],
        retryable: Callable[[TwilioChatError], bool],
        *,
        maybe_sent: Callable[[str], TwilioChatError] | None = None,
    ) -> Awaitable[T]:
        """Attempts of the generated call `kwargs` until one succeeds or retries end: the
        retry loop's coroutine itself (not awaited here: one frame less on every resumption
        of the call)."""
        return call_with_retries(
            # The function, not a bound method: one object less held by every call in flight
            # (objects held across the wait are what the cyclic GC scans, again and again).
            functools.partial(ChatClient._attempt, self, operation, kwargs, read, maybe_sent),
            policy=self._retry,
            budget=self._budget,
            retryable=retryable,
        )

    async def _attempt(
        self,
        operation: Operation,
        kwargs: dict[str, Any],
        read: Callable[[Operation, httpx.Response], T],
        maybe_sent: Callable[[str], TwilioChatError] | None,
        seconds_left: float,
    ) -> T:
        """One attempt, in one coroutine (it runs on every call): a slot from the adaptive
        limiter (a 429 shrinks it, a success grows it), the request, and `read(operation,
        response)`, which returns the result or raises the typed error for the response.

        The request goes out on the direct path and is cut off after `attempt_timeout`, or
        earlier when the retry deadline is `seconds_left` away. Network failures become
        `TransportError`, or `maybe_sent`'s error when the request may have been sent. They
        are raised outside the `except` blocks: nothing that holds the request is chained.
        """
        limiter = self._limiter
        ticket = None
        if limiter is not None:
            ticket = limiter.try_acquire()
            if ticket is None:  # wait in line; the wait counts against the deadline
                loop = asyncio.get_running_loop()
                queued = loop.time()
                ticket = await limiter.acquire()
                seconds_left -= loop.time() - queued
        signal = Signal.NEUTRAL
        try:
            limit = min(self._attempt_timeout, seconds_left)
            if limit <= 0:
                raise TransportError(
                    "request not sent: the retry deadline has passed",
                    method=operation.method,
                    url=self._url_for(operation),
                )
            direct = self._direct
            request = direct.build(kwargs)
            cutoff = self._deadlines.cutoff(limit)
            failure: TwilioChatError | None = None
            try:
                with cutoff:
                    response = await direct.transport(request).handle_async_request(request)
                    if not direct.complete(request, response):
                        await direct.finish(response)
            except httpx.RequestError as exc:
                failure = self._network_error(exc, operation, maybe_sent)
            except Exception as exc:  # noqa: BLE001 - the boundary: every failure gets typed
                if cutoff.expired:  # ours: say what the cutoff means
                    cut = httpx.ReadTimeout(f"no complete response within {limit:.3g} s")
                    failure = self._network_error(cut, operation, maybe_sent)
                else:  # a transport that raised something other than httpx's
                    failure = self._network_error(exc, operation, maybe_sent)
            if failure is not None:
                raise failure
            result = read(operation, response)
        except RateLimitError:
            signal = Signal.THROTTLED
            raise
        else:
            signal = Signal.SUCCESS
            return result
        finally:
            if limiter is not None and ticket is not None:
                limiter.release(ticket, signal)

    def _network_error(
        self,
        exc: Exception,
        operation: Operation,
        maybe_sent: Callable[[str], TwilioChatError] | None,
    ) -> TwilioChatError:
        return network_error(exc, operation.method, self._url_for(operation), maybe_sent)

    def _url_for(self, operation: Operation) -> str:
        """The operation's URL template, for error messages (no SID of the call in it)."""
        return self._base_url.rstrip("/") + operation.path


def _read_service(operation: Operation, response: httpx.Response) -> Service:
    """The service a fetch or update answered, or the typed error for the response."""
    return _read_parsed(operation, response, parse_service)


def _read_parsed(
    operation: Operation, response: httpx.Response, parse: Callable[[object], T | None]
) -> T:
    """`parse` of a success body, else the typed error for the response (an unparseable
    success body is `UnexpectedResponseError`)."""
    if response.status_code != operation.success:
        raise api_error(response)
    parsed = parse(json_body(response))
    if parsed is None:
        raise _unexpected(response)
    return parsed


def _read_created(friendly_name: str, operation: Operation, response: httpx.Response) -> Service:
    """The service a create answered. Any answer that leaves in doubt whether it was created
    (a 201 that cannot be parsed, a 5xx other than a retryable 503, a status the spec does
    not know) is `AmbiguousCreateError`."""
    if response.status_code == operation.success:
        service = parse_service(json_body(response))
        if service is not None:
            return service
        raise AmbiguousCreateError(
            friendly_name, reason="the 201 body could not be parsed", status=201
        ) from _unexpected(response)
    error = api_error(response)
    if isinstance(error, UnexpectedResponseError) or (
        isinstance(error, ServerError) and not is_retryable_503(error)
    ):
        raise AmbiguousCreateError(
            friendly_name, reason=error.message or "server error", status=error.status
        ) from error
    raise error


def _read_nothing(operation: Operation, response: httpx.Response) -> None:
    """A delete's answer: nothing on success, else the typed error for the response."""
    if response.status_code != operation.success:
        raise api_error(response)


def _read_page(operation: Operation, response: httpx.Response) -> tuple[list[Service], str | None]:
    """A listing page's services and next page URL, or the typed error for the response."""
    return _read_parsed(operation, response, parse_service_page)


def _unexpected(response: httpx.Response) -> UnexpectedResponseError:
    return UnexpectedResponseError(
        status=response.status_code,
        method=response.request.method,
        url=str(response.request.url),
        message=f"body does not match the spec: {excerpt(response)}",
        request_id=response.headers.get("Twilio-Request-Id"),
    )


def _page_query(next_url: str, page_size: int) -> dict[str, Any]:
    """The generated list call's arguments for Twilio's next_page_url."""
    try:
        params = httpx.URL(next_url).params
    except httpx.InvalidURL:
        raise UnexpectedResponseError(
            status=200, method="GET", url=next_url, message="next_page_url is not a URL"
        ) from None
    query: dict[str, Any] = {"page_size": page_size}
    # isdecimal, not isdigit: int() refuses digits such as "²" that isdigit accepts.
    if "PageSize" in params and params["PageSize"].isdecimal():
        query["page_size"] = int(params["PageSize"])
    if "Page" in params and params["Page"].isdecimal():
        query["page"] = int(params["Page"])
    if "PageToken" in params:
        query["page_token"] = params["PageToken"]
    return query


def _user_agent() -> str:
    return (
        f"twilio-chat/{__version__} (python {platform.python_version()}; "
        f"httpx {httpx.__version__}; {platform.system()} {platform.machine()})"
    )
