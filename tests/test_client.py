"""ChatClient: the request it sends, what it refuses, listing, cancellation, every httpx error."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx

import twilio_chat
from tests._bodies import service_body
from tests.conftest import SleepRecorder, TestCredentials, offline_transport
from twilio_chat import (
    AmbiguousCreateError,
    AuthenticationError,
    ChatClient,
    ConfigurationError,
    RetryPolicy,
    Service,
    TransportError,
    TwilioChatError,
    UnexpectedResponseError,
)

pytestmark = pytest.mark.usefixtures("secrets_stay_hidden")

BASE = "https://ip-messaging.twilio.com"
URL = f"{BASE}/v2/Services"
SID = "IS" + "0123456789abcdef" * 2


def _sid(n: int) -> str:
    return f"IS{n:032x}"


def chat_client(
    creds: TestCredentials,
    sleeps: SleepRecorder,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    **policy: Any,
) -> ChatClient:
    policy.setdefault("base_delay", 0)
    return ChatClient(
        creds.account_sid,
        creds.auth_token,
        retry=RetryPolicy(sleep=sleeps, clock=sleeps.clock, **policy),
        transport=transport or offline_transport(),
    )


# --- The request -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("My Service", id="spaces"),
        pytest.param("Tom & Jerry = friends?", id="ampersand-equals"),
        pytest.param("a+b%20c", id="plus-percent"),
        pytest.param("Zürich 東京 🚀", id="non-ascii"),
    ],
)
async def test_client_create_service_request_shape(
    creds: TestCredentials,
    sleeps: SleepRecorder,
    service_example: dict[str, Any],
    name: str,
) -> None:
    """POST {base}/v2/Services, form body FriendlyName, Basic auth, JSON Accept, our User-Agent."""
    with respx.mock(using="httpx") as mock:
        route = mock.post(URL).mock(return_value=httpx.Response(201, json=service_example))
        async with chat_client(creds, sleeps) as chat:
            service = await chat.create_service(name)
    assert route.call_count == 1
    request = route.calls.last.request
    assert request.method == "POST"
    assert str(request.url) == URL
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.content.decode("ascii"), strict_parsing=True) == {
        "FriendlyName": [name]
    }
    token = base64.b64encode(f"{creds.account_sid}:{creds.auth_token}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {token}"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["User-Agent"].startswith(f"twilio-chat/{twilio_chat.__version__}")
    assert isinstance(service, Service)
    assert service.sid == service_example["sid"]


async def test_client_sends_one_authorization_header(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """The generated client's own token does not add a second Authorization header."""
    with respx.mock(using="httpx") as mock:
        route = mock.post(URL).mock(return_value=httpx.Response(201, json=service_body(SID)))
        async with chat_client(creds, sleeps) as chat:
            await chat.create_service("x")
    headers = route.calls.last.request.headers
    assert len(headers.get_list("Authorization")) == 1
    assert headers["Authorization"].startswith("Basic ")


async def test_client_transport_sees_auth_and_headers(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """An injected transport receives requests that already carry auth, headers and timeout."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json=service_body(SID))

    async with chat_client(creds, sleeps, transport=httpx.MockTransport(handler)) as chat:
        await chat.create_service("x")
    (request,) = seen
    assert request.headers["Authorization"].startswith("Basic ")
    assert request.headers["Accept"] == "application/json"
    assert request.extensions["timeout"]["read"] == 30.0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param("x" * 65, "65 characters", id="65-chars"),
        pytest.param("é" * 65, "65 characters", id="65-non-ascii"),
        pytest.param(None, "must be a str", id="none"),
        pytest.param(42, "must be a str", id="int"),
        pytest.param(b"bytes", "must be a str", id="bytes"),
    ],
)
async def test_client_friendly_name_refused_before_request(
    creds: TestCredentials, sleeps: SleepRecorder, name: Any, message: str
) -> None:
    """An empty, non-str or over-64-character name raises ConfigurationError, sending nothing."""
    with respx.mock(using="httpx", assert_all_called=False) as mock:
        route = mock.post(URL).mock(return_value=httpx.Response(201, json=service_body(SID)))
        async with chat_client(creds, sleeps) as chat:
            with pytest.raises(ConfigurationError, match=message):
                await chat.create_service(name)
    assert not route.called


@pytest.mark.parametrize(
    "name",
    [pytest.param("x" * 64, id="64-ascii"), pytest.param("東" * 64, id="64-non-ascii")],
)
async def test_client_friendly_name_of_64_chars_accepted(
    creds: TestCredentials, sleeps: SleepRecorder, name: str
) -> None:
    """Exactly 64 characters (not bytes) is allowed."""
    with respx.mock(using="httpx") as mock:
        route = mock.post(URL).mock(return_value=httpx.Response(201, json=service_body(SID)))
        async with chat_client(creds, sleeps) as chat:
            await chat.create_service(name)
    assert route.call_count == 1


async def test_client_aclose_is_idempotent(creds: TestCredentials) -> None:
    """`aclose()` may be called again after `async with` closed the client."""
    async with ChatClient(
        creds.account_sid, creds.auth_token, transport=offline_transport()
    ) as chat:
        pass
    await chat.aclose()
    await chat.aclose()


def test_client_adaptive_concurrency_can_be_disabled(creds: TestCredentials) -> None:
    """`adaptive_concurrency=False` leaves no limiter; by default there is one."""
    on = ChatClient(creds.account_sid, creds.auth_token, transport=offline_transport())
    off = ChatClient(
        creds.account_sid,
        creds.auth_token,
        adaptive_concurrency=False,
        transport=offline_transport(),
    )
    assert on.limiter is not None
    assert off.limiter is None
    asyncio.run(on.aclose())
    asyncio.run(off.aclose())


# --- Concurrency and cancellation ------------------------------------------------------------


async def test_client_limiter_gates_requests_in_flight(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """Concurrent creates never exceed the limiter's initial limit at the transport."""
    gate = asyncio.Event()
    in_flight = peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await gate.wait()
        in_flight -= 1
        return httpx.Response(201, json=service_body(SID))

    async with chat_client(creds, sleeps, transport=httpx.MockTransport(handler)) as chat:
        tasks = [asyncio.create_task(chat.create_service(f"s{i}")) for i in range(10)]
        for _ in range(20):
            await asyncio.sleep(0)
        assert peak == 4
        assert chat.limiter is not None
        assert chat.limiter.in_flight == 4
        gate.set()
        results = await asyncio.gather(*tasks)
        assert chat.limiter.in_flight == 0
    assert len(results) == 10


async def test_client_backoff_holds_no_limiter_slot(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """While waiting to retry a 429, the create holds no concurrency slot."""
    during_sleep: list[int] = []

    async def sleep(seconds: float) -> None:
        assert chat.limiter is not None
        during_sleep.append(chat.limiter.in_flight)

    throttled = httpx.Response(429, json={"code": 20429, "message": "Too Many Requests"})
    with respx.mock(using="httpx") as mock:
        mock.post(URL).mock(side_effect=[throttled, httpx.Response(201, json=service_body(SID))])
        async with ChatClient(
            creds.account_sid,
            creds.auth_token,
            retry=RetryPolicy(base_delay=0, sleep=sleep),
            transport=offline_transport(),
        ) as chat:
            await chat.create_service("x")
            assert chat.limiter is not None
            assert chat.limiter.in_flight == 0
    assert during_sleep == [0]


async def test_client_cancellation_propagates_and_frees_slot(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """Cancelling a create mid-request raises CancelledError unchanged and frees the slot."""
    started = asyncio.Event()

    async def hang(request: httpx.Request) -> httpx.Response:
        started.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async with chat_client(creds, sleeps, transport=httpx.MockTransport(hang)) as chat:
        task = asyncio.create_task(chat.create_service("x"))
        await started.wait()
        assert chat.limiter is not None
        assert chat.limiter.in_flight == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert task.cancelled()
        assert chat.limiter.in_flight == 0


async def test_client_cancellation_during_backoff(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """Cancelling a create while it waits to retry raises CancelledError; no slot is held."""
    sleeping = asyncio.Event()

    async def sleep_forever(seconds: float) -> None:
        sleeping.set()
        await asyncio.Event().wait()

    throttled = httpx.Response(429, json={"code": 20429, "message": "Too Many Requests"})
    with respx.mock(using="httpx") as mock:
        route = mock.post(URL).mock(return_value=throttled)
        async with ChatClient(
            creds.account_sid,
            creds.auth_token,
            retry=RetryPolicy(base_delay=0, sleep=sleep_forever),
            transport=offline_transport(),
        ) as chat:
            task = asyncio.create_task(chat.create_service("x"))
            await sleeping.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert chat.limiter is not None
            assert chat.limiter.in_flight == 0
    assert route.call_count == 1


async def test_client_asyncio_timeout_works(creds: TestCredentials, sleeps: SleepRecorder) -> None:
    """`asyncio.timeout` around a hung create raises TimeoutError (cancellation not swallowed)."""

    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async with chat_client(creds, sleeps, transport=httpx.MockTransport(hang)) as chat:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.01):
                await chat.create_service("x")
        assert chat.limiter is not None
        assert chat.limiter.in_flight == 0


# --- Every lower-layer failure is typed ------------------------------------------------------


def _httpx_request_errors() -> list[type[httpx.RequestError]]:
    found = {
        obj
        for name in httpx.__all__
        if isinstance(obj := getattr(httpx, name), type) and issubclass(obj, httpx.RequestError)
    }
    return sorted(found, key=lambda cls: cls.__name__)


NOT_SENT_RETRIED = {httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout}
NOT_SENT_FATAL = {httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.ProxyError}


def test_client_knows_every_httpx_request_error() -> None:
    """The walk finds httpx's errors (guards against the completeness test passing vacuously)."""
    found = set(_httpx_request_errors())
    assert NOT_SENT_RETRIED | NOT_SENT_FATAL | {httpx.ReadTimeout, httpx.RequestError} <= found
    assert len(found) >= 19


@pytest.mark.parametrize(
    "exc_type", [pytest.param(cls, id=cls.__name__) for cls in _httpx_request_errors()]
)
async def test_client_maps_every_httpx_request_error(
    creds: TestCredentials,
    sleeps: SleepRecorder,
    exc_type: type[httpx.RequestError],
    assert_no_secret: Callable[[object], None],
) -> None:
    """Each httpx.RequestError a transport raises becomes TransportError or
    AmbiguousCreateError with a request-free copy of it as `__cause__`; none escapes raw."""
    raised: list[httpx.RequestError] = []

    def handler(request: httpx.Request) -> httpx.Response:
        exc = exc_type("simulated failure", request=request)
        raised.append(exc)
        raise exc

    transport = httpx.MockTransport(handler)
    async with chat_client(creds, sleeps, transport=transport, max_attempts=3) as chat:
        with pytest.raises(TwilioChatError) as info:
            await chat.create_service("x")
    error = info.value
    assert isinstance(error, TransportError | AmbiguousCreateError)
    assert type(error.__cause__) is exc_type
    assert str(error.__cause__) == "simulated failure"
    assert error.__context__ is None
    if exc_type in NOT_SENT_RETRIED:
        assert isinstance(error, TransportError)
        assert len(raised) == 3
    elif exc_type in NOT_SENT_FATAL:
        assert isinstance(error, TransportError)
        assert len(raised) == 1
    else:
        assert isinstance(error, AmbiguousCreateError)
        assert len(raised) == 1
    assert_no_secret(error)


@pytest.mark.parametrize(
    "exc",
    [
        pytest.param(OSError("socket gone"), id="oserror"),
        pytest.param(RuntimeError("transport bug"), id="runtime-error"),
        pytest.param(ValueError("bad value"), id="value-error"),
    ],
)
async def test_client_maps_foreign_transport_exceptions(
    creds: TestCredentials, sleeps: SleepRecorder, exc: Exception
) -> None:
    """A transport raising a non-httpx exception yields AmbiguousCreateError naming its type,
    with nothing chained (a foreign exception may hold the request and its credentials)."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    transport = httpx.MockTransport(handler)
    async with chat_client(creds, sleeps, transport=transport) as chat:
        with pytest.raises(AmbiguousCreateError) as info:
            await chat.create_service("x")
    assert type(exc).__name__ in str(info.value)
    assert info.value.__cause__ is None
    assert info.value.__context__ is None


# --- Listing ---------------------------------------------------------------------------------


def _page(sids: list[str], next_token: str | None, page: int = 0) -> httpx.Response:
    next_url = (
        f"{BASE}/v2/Services?PageSize=2&Page={page + 1}&PageToken={next_token}"
        if next_token
        else None
    )
    return httpx.Response(
        200,
        json={
            "services": [service_body(sid, sid[-4:]) for sid in sids],
            "meta": {"key": "services", "page": page, "page_size": 2, "next_page_url": next_url},
        },
    )


PAGES = {
    None: ([_sid(1), _sid(2)], "PT1", 0),
    "PT1": ([_sid(3), _sid(4)], "PT2", 1),
    "PT2": ([_sid(5)], None, 2),
}


def _paged(request: httpx.Request) -> httpx.Response:
    sids, next_token, page = PAGES[request.url.params.get("PageToken")]
    return _page(sids, next_token, page)


async def test_client_list_services_follows_next_page_url(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """Every service on every page is yielded, following meta.next_page_url to the end."""
    with respx.mock(using="httpx") as mock:
        route = mock.get(URL).mock(side_effect=_paged)
        async with chat_client(creds, sleeps) as chat:
            services = [service async for service in chat.list_services(page_size=2)]
    assert [s.sid for s in services] == [_sid(n) for n in range(1, 6)]
    assert all(isinstance(s, Service) for s in services)
    assert route.call_count == 3
    params = [call.request.url.params for call in route.calls]
    assert params[0]["PageSize"] == "2"
    assert "PageToken" not in params[0]
    assert (params[1]["PageToken"], params[1]["Page"]) == ("PT1", "1")
    assert (params[2]["PageToken"], params[2]["Page"]) == ("PT2", "2")
    assert all(call.request.headers["Authorization"].startswith("Basic ") for call in route.calls)


async def test_client_list_services_empty(creds: TestCredentials, sleeps: SleepRecorder) -> None:
    """An account without services yields nothing after one request."""
    with respx.mock(using="httpx") as mock:
        route = mock.get(URL).mock(return_value=_page([], None))
        async with chat_client(creds, sleeps) as chat:
            services = [service async for service in chat.list_services()]
    assert services == []
    assert route.call_count == 1
    assert route.calls.last.request.url.params["PageSize"] == "100"


async def test_client_list_services_retries_transient_failures(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """A read is idempotent: 5xx, 429 and network failures are retried on every page."""
    throttled = httpx.Response(429, json={"code": 20429, "message": "Too Many Requests"})
    failures: list[Any] = [
        httpx.Response(500, text="oops"),
        throttled,
        httpx.ReadTimeout,
        httpx.Response(503, text="unavailable"),
        httpx.Response(520, text="unknown"),
    ]
    pages = iter(
        [
            *failures,
            _page([_sid(1), _sid(2)], "PT1"),
            httpx.Response(502, text="bad gateway"),
            _page([_sid(3)], None, 1),
        ]
    )
    with respx.mock(using="httpx") as mock:
        route = mock.get(URL).mock(side_effect=pages)
        async with chat_client(creds, sleeps, max_attempts=6) as chat:
            services = [service async for service in chat.list_services(page_size=2)]
    assert [s.sid for s in services] == [_sid(1), _sid(2), _sid(3)]
    assert route.call_count == 8


async def test_client_list_services_does_not_retry_auth_failure(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """A 401 on a read raises AuthenticationError after one request."""
    body = {"code": 20003, "message": "Authenticate", "status": 401}
    with respx.mock(using="httpx") as mock:
        route = mock.get(URL).mock(return_value=httpx.Response(401, json=body))
        async with chat_client(creds, sleeps) as chat:
            with pytest.raises(AuthenticationError):
                [service async for service in chat.list_services()]
    assert route.call_count == 1


@pytest.mark.parametrize(
    "response",
    [
        pytest.param(httpx.Response(200, html="<html>maintenance</html>"), id="html"),
        pytest.param(httpx.Response(200, json=[]), id="array"),
        pytest.param(httpx.Response(200, json={"meta": {}}), id="no-services"),
        pytest.param(httpx.Response(200, json={"services": "nope"}), id="services-not-list"),
    ],
)
async def test_client_list_services_malformed_page(
    creds: TestCredentials, sleeps: SleepRecorder, response: httpx.Response
) -> None:
    """A 200 whose body is not a page raises UnexpectedResponseError, not a parser error."""
    with respx.mock(using="httpx") as mock:
        mock.get(URL).mock(return_value=response)
        async with chat_client(creds, sleeps) as chat:
            with pytest.raises(UnexpectedResponseError) as info:
                [service async for service in chat.list_services()]
    assert info.value.status == 200


async def test_client_list_services_stops_on_repeated_next_page(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """A next_page_url that repeats raises instead of looping forever."""
    with respx.mock(using="httpx") as mock:
        mock.get(URL).mock(return_value=_page([_sid(1)], "SAME"))
        async with chat_client(creds, sleeps) as chat:
            with pytest.raises(UnexpectedResponseError, match="repeats"):
                [service async for service in chat.list_services()]


@pytest.mark.parametrize(
    "page_size",
    [
        pytest.param(0, id="zero"),
        pytest.param(101, id="101"),
        pytest.param(-1, id="negative"),
        pytest.param(True, id="bool"),
        pytest.param("10", id="string"),
    ],
)
async def test_client_list_services_rejects_page_size(
    creds: TestCredentials, sleeps: SleepRecorder, page_size: Any
) -> None:
    """`page_size` outside 1..100 raises ConfigurationError without a request."""
    with respx.mock(using="httpx", assert_all_called=False) as mock:
        route = mock.get(URL).mock(return_value=_page([], None))
        async with chat_client(creds, sleeps) as chat:
            with pytest.raises(ConfigurationError, match="page_size"):
                [service async for service in chat.list_services(page_size=page_size)]
    assert not route.called


@pytest.mark.parametrize(
    "next_page_url",
    [
        pytest.param("::::", id="not-a-url"),
        pytest.param("https://ip-messaging.twilio.com/v2/\x00", id="control-character"),
    ],
)
async def test_client_list_services_unparseable_next_page_url(
    creds: TestCredentials, sleeps: SleepRecorder, next_page_url: str
) -> None:
    """A next_page_url that is not a URL ends in UnexpectedResponseError, not InvalidURL."""
    body = {"services": [service_body(_sid(1))], "meta": {"next_page_url": next_page_url}}
    with respx.mock(using="httpx") as mock:
        route = mock.get(URL).mock(return_value=httpx.Response(200, json=body))
        async with chat_client(creds, sleeps) as chat:
            services = chat.list_services()
            first = await anext(services)
            with pytest.raises(UnexpectedResponseError, match="not a URL"):
                await anext(services)
    assert first.sid == _sid(1)
    assert route.call_count == 1


@pytest.mark.parametrize(
    ("query", "page_size"),
    [
        pytest.param("PageSize=²&Page=1&PageToken=PT1", "100", id="superscript-page-size"),
        pytest.param("PageSize=7&Page=³&PageToken=PT1", "7", id="superscript-page"),
    ],
)
async def test_client_list_services_odd_digits_in_next_page_url(
    creds: TestCredentials, sleeps: SleepRecorder, query: str, page_size: str
) -> None:
    """Non-decimal digits in PageSize/Page are ignored (no ValueError); the token is followed."""
    first = {"services": [service_body(_sid(1))], "meta": {"next_page_url": f"{URL}?{query}"}}
    last = {"services": [service_body(_sid(2))], "meta": {"next_page_url": None}}
    with respx.mock(using="httpx") as mock:
        route = mock.get(URL).mock(
            side_effect=[httpx.Response(200, json=first), httpx.Response(200, json=last)]
        )
        async with chat_client(creds, sleeps) as chat:
            sids = [service.sid async for service in chat.list_services()]
    assert sids == [_sid(1), _sid(2)]
    params = route.calls.last.request.url.params
    assert (params["PageToken"], params["PageSize"]) == ("PT1", page_size)


async def test_client_list_services_ignores_next_page_host(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """Only the query of next_page_url is used: credentials never go to another host."""
    first = {
        "services": [service_body(_sid(1))],
        "meta": {"next_page_url": "https://evil.example/v2/Services?PageToken=PT1&Page=1"},
    }
    last = {"services": [service_body(_sid(2))], "meta": {"next_page_url": None}}
    with respx.mock(using="httpx") as mock:
        route = mock.get(URL).mock(
            side_effect=[httpx.Response(200, json=first), httpx.Response(200, json=last)]
        )
        async with chat_client(creds, sleeps) as chat:
            sids = [service.sid async for service in chat.list_services()]
    assert sids == [_sid(1), _sid(2)]
    assert [call.request.url.host for call in route.calls] == ["ip-messaging.twilio.com"] * 2


async def test_closed_client_refuses_calls_without_sending() -> None:
    """A call on a closed client is a clear ConfigurationError, not a maybe-created error."""
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(500)

    chat = ChatClient("AC" + "a" * 32, "token", transport=httpx.MockTransport(handler))
    await chat.aclose()
    with pytest.raises(ConfigurationError, match="closed"):
        await chat.create_service("x")
    with pytest.raises(ConfigurationError, match="closed"):
        [s async for s in chat.list_services()]
    assert calls == []


async def test_retry_ambiguous_never_retries_an_unparseable_201() -> None:
    """Even with retry_ambiguous, a 201 (proof of creation) is not retried into a duplicate."""
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(201, text="<html>created</html>")

    policy = RetryPolicy(retry_ambiguous=True, base_delay=0)
    async with ChatClient(
        "AC" + "a" * 32, "token", retry=policy, transport=httpx.MockTransport(handler)
    ) as chat:
        with pytest.raises(AmbiguousCreateError) as caught:
            await chat.create_service("x")
    assert caught.value.status == 201
    assert len(calls) == 1


def test_client_refuses_a_second_event_loop() -> None:
    """A client used from a second event loop says so, instead of a maybe-created error."""
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(201, json=service_body(SID))

    chat = ChatClient("AC" + "a" * 32, "token", transport=httpx.MockTransport(handler))
    asyncio.run(chat.create_service("first"))
    with pytest.raises(ConfigurationError, match="another event loop"):
        asyncio.run(chat.create_service("second"))
    asyncio.run(chat.aclose())
    assert len(calls) == 1
