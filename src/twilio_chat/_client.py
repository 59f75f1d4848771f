"""ChatClient: one account's connection pool, and the calls into the generated client.

The facade adds what `generated/` lacks: credentials, headers, a finite timeout, retries that
never duplicate a create, adaptive concurrency, and typed errors for every response, including
ones the generated parser cannot handle (HTML bodies, unknown status codes).
"""

from __future__ import annotations

import asyncio
import functools
import os
import platform
from collections.abc import AsyncIterator, Callable, Collection
from contextvars import ContextVar
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpx
from twilio_chat_api import AuthenticatedClient
from twilio_chat_api.api.services import create_service, list_service
from twilio_chat_api.models import CreateServiceRequest, PageMeta, Service, ServicePage

from ._auth import resolve_credentials
from ._classify import is_retryable_503, network_error, retryable_create, retryable_read
from ._config import (
    DEFAULT_TIMEOUT,
    check_friendly_name,
    check_int,
    resolve_base_url,
    resolve_timeout,
)
from ._errors import (
    AmbiguousCreateError,
    ConfigurationError,
    RateLimitError,
    ServerError,
    TwilioChatError,
    UnexpectedResponseError,
)
from ._limiter import AdaptiveLimiter, Signal
from ._responses import api_error, excerpt, is_usable_service
from ._retry import RetryBudget, RetryPolicy, call_with_retries
from ._transport import default_transport
from ._version import __version__

if TYPE_CHECKING:
    from ._bulk import ServiceResult

__all__ = ["ChatClient"]


# The response of the current attempt, captured by an httpx event hook before the generated
# code parses it, so a parser crash still leaves a response to report. Each task has its own.
_last_response: ContextVar[httpx.Response | None] = ContextVar("_last_response", default=None)


async def _capture(response: httpx.Response) -> None:
    await response.aread()
    _last_response.set(response)


class ChatClient:
    """An async client for one Twilio account's Chat services.

    Use `async with ChatClient(...) as chat:` (or `await chat.aclose()`); one client holds one
    connection pool and one adaptive concurrency limiter, so share it across tasks.

    Credentials are an account SID with its auth token, or an API key SID and secret with the
    account SID; missing ones come from the environment (`TWILIO_ACCOUNT_SID`,
    `TWILIO_AUTH_TOKEN`, `TWILIO_API_KEY`, `TWILIO_API_SECRET`). `base_url` (or
    `TWILIO_CHAT_BASE_URL`) is used exactly as given; otherwise `region`/`edge` (or
    `TWILIO_REGION`/`TWILIO_EDGE`) select Twilio's host. `timeout` is seconds or an
    `httpx.Timeout`, never unlimited. `transport` replaces the network layer only (tests and
    the emulator inject one); auth, headers, timeouts and retries stay here.
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
        check_int(max_connections, "max_connections", 1)
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise ConfigurationError("retry must be a RetryPolicy")
        self.account_sid = credentials.account_sid
        self._loop: asyncio.AbstractEventLoop | None = None
        self._credential_kind = credentials.kind
        self._retry = retry or RetryPolicy()
        self._budget = RetryBudget(self._retry.budget, self._retry.retry_cost)
        self._limiter = AdaptiveLimiter(max_connections) if adaptive_concurrency else None
        self._http = httpx.AsyncClient(
            base_url=self._base_url,
            auth=httpx.BasicAuth(credentials.username, credentials.secret),
            headers={"Accept": "application/json", "User-Agent": _user_agent()},
            timeout=resolved_timeout,
            transport=transport or default_transport(max_connections),
            event_hooks={"response": [_capture]},
        )
        self._api = AuthenticatedClient(base_url=self._base_url, token="").set_async_httpx_client(
            self._http
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
        return await call_with_retries(
            lambda: self._create_once(friendly_name),
            policy=self._retry,
            budget=self._budget,
            retryable=self._retryable_create,
        )

    def _retryable_create(self, error: TwilioChatError) -> bool:
        return retryable_create(error, retry_ambiguous=self._retry.retry_ambiguous)

    async def _create_once(self, friendly_name: str) -> Service:
        if self._limiter is None:
            return await self._send_create(friendly_name)
        ticket = await self._limiter.acquire()
        signal = Signal.NEUTRAL
        try:
            service = await self._send_create(friendly_name)
        except RateLimitError:
            signal = Signal.THROTTLED
            raise
        else:
            signal = Signal.SUCCESS
            return service
        finally:
            self._limiter.release(ticket, signal)

    async def _send_create(self, friendly_name: str) -> Service:
        body = CreateServiceRequest(friendly_name=friendly_name)
        response, parsed = await self._call(
            lambda: create_service.asyncio_detailed(client=self._api, body=body),
            "POST",
            "/v2/Services",
            maybe_sent=lambda reason: AmbiguousCreateError(friendly_name, reason=reason),
        )
        if response.status_code == 201:
            if isinstance(parsed, Service) and is_usable_service(parsed):
                return parsed
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

    # --- Many creates -------------------------------------------------------------------------

    async def create_services(
        self, names: Collection[str], *, concurrency: int = 100, reconcile_delay: float = 2.0
    ) -> list[ServiceResult]:
        """Create one service per name, never twice even under faults; one `ServiceResult`
        per name, in input order (`UNKNOWN` when an outcome could not be established). A
        failed name never cancels the others. Names must be unique. For large runs,
        `twilio_chat.provision` streams results instead."""
        from ._bulk import create_services  # bulk provisioning is built on this client

        return await create_services(
            self, names, concurrency=concurrency, reconcile_delay=reconcile_delay
        )

    # --- List --------------------------------------------------------------------------------

    async def list_services(self, *, page_size: int = 100) -> AsyncIterator[Service]:
        """Yield every service of the account, following `meta.next_page_url` to the end.

        A read is idempotent, so every transient failure (429, 5xx, network) is retried.
        """
        check_int(page_size, "page_size", 1, 100)
        self._check_open()
        query: dict[str, Any] = {"page_size": page_size}
        seen: set[str] = set()
        while True:
            page = await call_with_retries(
                functools.partial(self._list_once, query),
                policy=self._retry,
                budget=self._budget,
                retryable=retryable_read,
            )
            for service in page.services or ():
                yield service
            next_url = page.meta.next_page_url if isinstance(page.meta, PageMeta) else None
            if not isinstance(next_url, str) or not next_url:
                return
            if next_url in seen:
                raise UnexpectedResponseError(
                    status=200, method="GET", url=next_url, message="next_page_url repeats"
                )
            seen.add(next_url)
            query = _page_query(next_url, page_size)

    async def _list_once(self, query: dict[str, Any]) -> ServicePage:
        response, parsed = await self._call(
            lambda: list_service.asyncio_detailed(client=self._api, **query),
            "GET",
            "/v2/Services",
        )
        if response.status_code == 200:
            if isinstance(parsed, ServicePage) and isinstance(parsed.services, list):
                return parsed
            raise _unexpected(response)
        raise api_error(response)

    # --- The one boundary with the generated code and the network ----------------------------

    async def _call(
        self,
        send: Callable[[], Any],
        method: str,
        path: str,
        *,
        maybe_sent: Callable[[str], TwilioChatError] | None = None,
    ) -> tuple[httpx.Response, object]:
        """Run one generated call and return (raw response, parsed model or None).

        Network failures become `TransportError`, or the caller's ambiguous error when the
        request may have been sent. A generated parser that chokes on the status or the body
        leaves the raw response, so the caller can still type the failure.
        """
        _last_response.set(None)
        url = self._base_url.rstrip("/") + path
        try:
            detailed = await send()
        except httpx.RequestError as exc:
            raise network_error(exc, method, url, maybe_sent) from exc
        except Exception as exc:
            response = _last_response.get()
            if response is None:  # a transport that raised something other than httpx's errors
                raise network_error(exc, method, url, maybe_sent) from exc
            return response, None
        response = _last_response.get()
        if response is None:  # cannot happen with httpx's hooks; never call it "not sent"
            raise network_error(RuntimeError("no response captured"), method, url, maybe_sent)
        return response, detailed.parsed


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
