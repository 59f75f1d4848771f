"""Retries for a non-idempotent create: what is retried, how long it waits, when it stops."""

from __future__ import annotations

import email.utils
import logging
import math
import time
from collections.abc import Callable
from typing import Any

import attrs
import httpx
import pytest
import respx

from tests._bodies import service_body
from tests.conftest import SleepRecorder, TestCredentials, offline_transport
from twilio_chat import (
    AmbiguousCreateError,
    ApiError,
    AuthenticationError,
    ChatClient,
    ConfigurationError,
    NotFoundError,
    RateLimitError,
    RetryEvent,
    RetryPolicy,
    ServerError,
    Service,
    TransportError,
)
from twilio_chat._retry import RetryBudget

pytestmark = pytest.mark.usefixtures("secrets_stay_hidden")

URL = "https://ip-messaging.twilio.com/v2/Services"
SID = "IS" + "0123456789abcdef" * 2


def created() -> httpx.Response:
    return httpx.Response(201, json=service_body(SID))


def throttled(retry_after: str | None = None, **headers: str) -> httpx.Response:
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    body = {
        "code": 20429,
        "message": "Too Many Requests",
        "more_info": "https://www.twilio.com/docs/errors/20429",
        "status": 429,
    }
    return httpx.Response(429, json=body, headers=headers)


def status(code: int, **headers: str) -> httpx.Response:
    return httpx.Response(code, text="upstream trouble", headers=headers)


def chat_client(creds: TestCredentials, sleeps: SleepRecorder, **policy: Any) -> ChatClient:
    """A client whose retries never really sleep: waits go to `sleeps`, time is its clock."""
    policy.setdefault("base_delay", 0)
    retry = RetryPolicy(sleep=sleeps, clock=sleeps.clock, **policy)
    return ChatClient(
        creds.account_sid, creds.auth_token, retry=retry, transport=offline_transport()
    )


# --- What is retried -------------------------------------------------------------------------


async def test_retry_429_then_success(creds: TestCredentials, sleeps: SleepRecorder) -> None:
    """A 429 is retried, and the next success is returned."""
    with respx.mock(using="httpx") as mock:
        route = mock.post(URL).mock(side_effect=[throttled(), throttled(), created()])
        async with chat_client(creds, sleeps) as chat:
            service = await chat.create_service("x")
    assert isinstance(service, Service)
    assert service.sid == SID
    assert route.call_count == 3
    assert len(sleeps.waits) == 2


async def test_retry_429_every_time_raises_rate_limit_error(
    creds: TestCredentials,
    sleeps: SleepRecorder,
    assert_no_secret: Callable[[object], None],
) -> None:
    """Once attempts run out after 429s, the last RateLimitError is raised with its fields."""
    with respx.mock(using="httpx") as mock:
        route = mock.post(URL).mock(return_value=throttled("1"))
        async with chat_client(creds, sleeps, max_attempts=4) as chat:
            with pytest.raises(RateLimitError) as info:
                await chat.create_service("x")
    assert route.call_count == 4
    assert sleeps.waits == [1.0, 1.0, 1.0]
    error = info.value
    assert (error.status, error.code, error.retry_after) == (429, 20429, 1.0)
    assert (error.method, error.url) == ("POST", URL)
    assert_no_secret(error)


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Retry-After": "0"}, id="retry-after-0"),
        pytest.param({"Retry-After": "2"}, id="retry-after-2"),
        pytest.param({"retry-after-ms": "300"}, id="retry-after-ms"),
    ],
)
async def test_retry_503_with_retry_after_is_retried(
    creds: TestCredentials, sleeps: SleepRecorder, headers: dict[str, str]
) -> None:
    """A 503 carrying Retry-After was not processed, so it is retried."""
    with respx.mock(using="httpx") as mock:
        route = mock.post(URL).mock(side_effect=[status(503, **headers), created()])
        async with chat_client(creds, sleeps) as chat:
            service = await chat.create_service("x")
    assert service.sid == SID
    assert route.call_count == 2


async def test_retry_503_with_retry_after_exhausted_raises_server_error(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """After repeated 503s with Retry-After, the last one is raised as an ApiError."""
    with respx.mock(using="httpx") as mock:
        route = mock.post(URL).mock(return_value=status(503, **{"Retry-After": "1"}))
        async with chat_client(creds, sleeps, max_attempts=3) as chat:
            with pytest.raises(ServerError) as info:
                await chat.create_service("x")
    assert route.call_count == 3
    assert isinstance(info.value, ApiError)
    assert (info.value.status, info.value.retry_after) == (503, 1.0)


@pytest.mark.parametrize(
    "response",
    [
        pytest.param(status(500), id="500"),
        pytest.param(status(502), id="502"),
        pytest.param(status(503), id="503-without-retry-after"),
        pytest.param(status(503, **{"Retry-After": "later"}), id="503-garbage-retry-after"),
        pytest.param(status(504), id="504"),
        pytest.param(status(520), id="520-outside-httpstatus"),
        pytest.param(httpx.Response(500, json={"code": 20500, "message": "x"}), id="500-json"),
    ],
)
async def test_retry_server_errors_are_ambiguous(
    creds: TestCredentials,
    sleeps: SleepRecorder,
    response: httpx.Response,
    assert_no_secret: Callable[[object], None],
) -> None:
    """5xx that may follow a create raise AmbiguousCreateError after exactly one request."""
    with respx.mock(using="httpx") as mock:
        route = mock.post(URL).mock(return_value=response)
        async with chat_client(creds, sleeps) as chat:
            with pytest.raises(AmbiguousCreateError) as info:
                await chat.create_service("My Service")
    assert route.call_count == 1
    assert sleeps.waits == []
    error = info.value
    assert error.status == response.status_code
    assert error.friendly_name == "My Service"
    assert isinstance(error.__cause__, ApiError)
    assert error.__cause__.status == response.status_code
    assert_no_secret(error)


@pytest.mark.parametrize(
    "exc",
    [
        pytest.param(httpx.ConnectError, id="connect-error"),
        pytest.param(httpx.ConnectTimeout, id="connect-timeout"),
        pytest.param(httpx.PoolTimeout, id="pool-timeout"),
    ],
)
async def test_retry_not_sent_failures_are_retried(
    creds: TestCredentials, sleeps: SleepRecorder, exc: type[httpx.RequestError]
) -> None:
    """A failure before the request left the client is retried."""
    with respx.mock(using="httpx") as mock:
        route = mock.post(URL).mock(side_effect=[exc, created()])
        async with chat_client(creds, sleeps) as chat:
            service = await chat.create_service("x")
    assert service.sid == SID
    assert route.call_count == 2


@pytest.mark.parametrize(
    "exc",
    [
        pytest.param(httpx.ConnectError, id="connect-error"),
        pytest.param(httpx.ConnectTimeout, id="connect-timeout"),
        pytest.param(httpx.PoolTimeout, id="pool-timeout"),
    ],
)
async def test_retry_not_sent_failures_exhausted_raise_transport_error(
    creds: TestCredentials,
    sleeps: SleepRecorder,
    exc: type[httpx.RequestError],
    assert_no_secret: Callable[[object], None],
) -> None:
    """When retries run out, TransportError is raised with the httpx error as its cause."""
    with respx.mock(using="httpx") as mock:
        route = mock.post(URL).mock(side_effect=exc)
        async with chat_client(creds, sleeps, max_attempts=3) as chat:
            with pytest.raises(TransportError) as info:
                await chat.create_service("x")
    assert route.call_count == 3
    assert type(info.value.__cause__) is exc
    assert (info.value.method, info.value.url) == ("POST", URL)
    assert_no_secret(info.value)


MAYBE_SENT = [
    pytest.param(httpx.ReadTimeout, id="read-timeout"),
    pytest.param(httpx.WriteTimeout, id="write-timeout"),
    pytest.param(httpx.ReadError, id="read-error"),
    pytest.param(httpx.WriteError, id="write-error"),
    pytest.param(httpx.RemoteProtocolError, id="remote-protocol-error"),
]


@pytest.mark.parametrize("exc", MAYBE_SENT)
async def test_retry_maybe_sent_failures_are_ambiguous(
    creds: TestCredentials,
    sleeps: SleepRecorder,
    exc: type[httpx.RequestError],
    assert_no_secret: Callable[[object], None],
) -> None:
    """A failure after the request may have reached Twilio is not retried by default."""
    with respx.mock(using="httpx") as mock:
        route = mock.post(URL).mock(side_effect=exc)
        async with chat_client(creds, sleeps) as chat:
            with pytest.raises(AmbiguousCreateError) as info:
                await chat.create_service("x")
    assert route.call_count == 1
    assert type(info.value.__cause__) is exc
    assert info.value.status is None
    assert exc.__name__ in str(info.value)
    assert_no_secret(info.value)


@pytest.mark.parametrize(
    "failure",
    [*MAYBE_SENT, pytest.param(status(500), id="500"), pytest.param(status(502), id="502")],
)
async def test_retry_ambiguous_opt_in_retries(
    creds: TestCredentials, sleeps: SleepRecorder, failure: Any
) -> None:
    """`retry_ambiguous=True` retries failures that may have created the service."""
    with respx.mock(using="httpx") as mock:
        route = mock.post(URL).mock(side_effect=[failure, created()])
        async with chat_client(creds, sleeps, retry_ambiguous=True) as chat:
            service = await chat.create_service("x")
    assert service.sid == SID
    assert route.call_count == 2


async def test_retry_ambiguous_opt_in_exhausted_stays_ambiguous(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """With `retry_ambiguous=True`, running out of attempts still raises AmbiguousCreateError."""
    with respx.mock(using="httpx") as mock:
        route = mock.post(URL).mock(side_effect=httpx.ReadTimeout)
        async with chat_client(creds, sleeps, retry_ambiguous=True, max_attempts=3) as chat:
            with pytest.raises(AmbiguousCreateError):
                await chat.create_service("x")
    assert route.call_count == 3


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        pytest.param(400, ApiError, id="400"),
        pytest.param(401, AuthenticationError, id="401"),
        pytest.param(403, AuthenticationError, id="403"),
        pytest.param(404, NotFoundError, id="404"),
        pytest.param(409, ApiError, id="409"),
    ],
)
async def test_retry_client_errors_are_not_retried(
    creds: TestCredentials, sleeps: SleepRecorder, code: int, cls: type[ApiError]
) -> None:
    """Other 4xx are raised at once, typed by status."""
    body = {"code": 20003, "message": "Authenticate", "status": code}
    with respx.mock(using="httpx") as mock:
        route = mock.post(URL).mock(return_value=httpx.Response(code, json=body))
        async with chat_client(creds, sleeps) as chat:
            with pytest.raises(ApiError) as info:
                await chat.create_service("x")
    assert route.call_count == 1
    assert type(info.value) is cls
    assert (info.value.status, info.value.code) == (code, 20003)


async def test_retry_max_attempts_one_turns_retries_off(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """`RetryPolicy(max_attempts=1)` sends once, even for a 429."""
    with respx.mock(using="httpx") as mock:
        route = mock.post(URL).mock(return_value=throttled("0"))
        async with chat_client(creds, sleeps, max_attempts=1) as chat:
            with pytest.raises(RateLimitError):
                await chat.create_service("x")
    assert route.call_count == 1
    assert sleeps.waits == []


# --- How long it waits -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param({"Retry-After": "3"}, 3.0, id="seconds"),
        pytest.param({"retry-after-ms": "1500"}, 1.5, id="ms"),
        pytest.param({"Retry-After": "soon"}, 0.5, id="garbage-uses-backoff"),
    ],
)
async def test_retry_honours_retry_after_forms(
    creds: TestCredentials, sleeps: SleepRecorder, headers: dict[str, str], expected: float
) -> None:
    """The wait follows Retry-After in any form; an unparseable one falls back to backoff."""
    with respx.mock(using="httpx") as mock:
        mock.post(URL).mock(side_effect=[throttled(**headers), created()])
        async with chat_client(creds, sleeps, base_delay=0.5, random=lambda: 1.0) as chat:
            await chat.create_service("x")
    assert sleeps.waits == [pytest.approx(expected)]


async def test_retry_honours_retry_after_http_date(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """An HTTP-date Retry-After waits until that moment."""
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    with respx.mock(using="httpx") as mock:
        mock.post(URL).mock(side_effect=[throttled(when), created()])
        async with chat_client(creds, sleeps) as chat:
            await chat.create_service("x")
    assert len(sleeps.waits) == 1
    assert 27 <= sleeps.waits[0] <= 31


async def test_retry_after_beyond_cap_fails_at_once(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """A Retry-After beyond `max_retry_after` raises RateLimitError at once, carrying it."""
    with respx.mock(using="httpx") as mock:
        route = mock.post(URL).mock(side_effect=[throttled("11"), created()])
        async with chat_client(creds, sleeps, max_retry_after=10) as chat:
            with pytest.raises(RateLimitError) as info:
                await chat.create_service("x")
    assert route.call_count == 1
    assert sleeps.waits == []
    assert info.value.retry_after == 11.0


async def test_retry_after_at_cap_is_waited(creds: TestCredentials, sleeps: SleepRecorder) -> None:
    """A Retry-After equal to `max_retry_after` is still honoured."""
    with respx.mock(using="httpx") as mock:
        mock.post(URL).mock(side_effect=[throttled("10"), created()])
        async with chat_client(creds, sleeps, max_retry_after=10) as chat:
            await chat.create_service("x")
    assert sleeps.waits == [10.0]


async def test_retry_deadline_raises_instead_of_sleeping(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """A wait that would end past the deadline raises the failure instead of sleeping."""
    with respx.mock(using="httpx") as mock:
        route = mock.post(URL).mock(return_value=throttled("4"))
        async with chat_client(creds, sleeps, deadline=10, max_attempts=10) as chat:
            with pytest.raises(RateLimitError):
                await chat.create_service("x")
    assert sleeps.waits == [4.0, 4.0]  # a third wait would end at 12 > 10
    assert route.call_count == 3


async def test_retry_deadline_counts_time_spent_in_requests(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """Slow attempts use up the deadline too, not only the waits."""

    def slow_throttle(request: httpx.Request) -> httpx.Response:
        sleeps.now += 9.0  # the request itself took 9 s
        return throttled("0.5")

    with respx.mock(using="httpx") as mock:
        route = mock.post(URL).mock(side_effect=slow_throttle)
        async with chat_client(creds, sleeps, deadline=10, max_attempts=10) as chat:
            with pytest.raises(RateLimitError):
                await chat.create_service("x")
    assert route.call_count == 2
    assert sleeps.waits == [0.5]


@pytest.mark.parametrize(
    ("retry_after", "random", "expected"),
    [
        pytest.param(None, 1.0, [1.0, 2.0, 4.0, 5.0, 5.0], id="full-backoff"),
        pytest.param(None, 0.5, [0.5, 1.0, 2.0, 2.5, 2.5], id="half-jitter"),
        pytest.param(None, 0.0, [0.0] * 5, id="zero-jitter"),
        pytest.param("3", 1.0, [3.0, 3.0, 4.0, 5.0, 5.0], id="longer-retry-after-wins"),
    ],
)
async def test_retry_wait_formula(
    creds: TestCredentials,
    sleeps: SleepRecorder,
    retry_after: str | None,
    random: float,
    expected: list[float],
) -> None:
    """Waits are `random() * min(max_delay, base_delay * 2**n)`; a longer Retry-After wins."""
    with respx.mock(using="httpx") as mock:
        mock.post(URL).mock(return_value=throttled(retry_after))
        async with chat_client(
            creds,
            sleeps,
            base_delay=1.0,
            max_delay=5.0,
            max_attempts=6,
            random=lambda: random,
        ) as chat:
            with pytest.raises(RateLimitError):
                await chat.create_service("x")
    assert sleeps.waits == expected


def test_retry_policy_backoff_caps_large_retry_numbers() -> None:
    """Backoff for a huge retry number is `max_delay`, without overflow."""
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0, random=lambda: 1.0)
    assert policy.backoff(10_000) == 8.0
    assert policy.backoff(63) == 8.0
    assert policy.backoff(2) == 4.0


def test_retry_policy_wait_prefers_longer() -> None:
    """`wait` takes the longer of jittered backoff and Retry-After."""
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0, random=lambda: 1.0)
    assert policy.wait(2, None) == 4.0
    assert policy.wait(2, 1.0) == 4.0
    assert policy.wait(2, 6.0) == 6.0


def test_retry_policy_base_delay_zero_never_waits() -> None:
    """`RetryPolicy(base_delay=0)` makes every backoff zero."""
    policy = RetryPolicy(base_delay=0)
    assert [policy.wait(n, None) for n in range(10)] == [0.0] * 10
    assert policy.wait(3, 0.0) == 0.0


# --- The policy object -----------------------------------------------------------------------


def test_retry_policy_defaults() -> None:
    """The documented defaults: 6 attempts, ambiguous failures not retried."""
    policy = RetryPolicy()
    assert policy.max_attempts == 6
    assert policy.retry_ambiguous is False
    assert 0 < policy.base_delay <= policy.max_delay
    assert policy.max_retry_after <= policy.deadline


def test_retry_policy_is_frozen_and_compares_by_value() -> None:
    """RetryPolicy is immutable and equal policies compare equal."""
    policy = RetryPolicy(max_attempts=3)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        policy.max_attempts = 4  # type: ignore[misc]
    assert policy == RetryPolicy(max_attempts=3)
    assert policy != RetryPolicy(max_attempts=4)


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"max_attempts": 0}, id="zero-attempts"),
        pytest.param({"max_attempts": 2.0}, id="float-attempts"),
        pytest.param({"base_delay": -1}, id="negative-base-delay"),
        pytest.param({"max_delay": math.nan}, id="nan-max-delay"),
        pytest.param({"max_retry_after": -0.1}, id="negative-max-retry-after"),
        pytest.param({"deadline": -1}, id="negative-deadline"),
        pytest.param({"budget": -1}, id="negative-budget"),
        pytest.param({"retry_cost": -5}, id="negative-cost"),
    ],
)
def test_retry_policy_rejects_bad_values(kwargs: dict[str, Any]) -> None:
    """Nonsensical policy values raise ConfigurationError."""
    with pytest.raises(ConfigurationError):
        RetryPolicy(**kwargs)


# --- Reporting -------------------------------------------------------------------------------


async def test_retry_on_retry_hook_reports_before_sleeping(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """`on_retry` gets attempt, wait and error for each retry, before the sleep."""
    events: list[tuple[RetryEvent, int]] = []

    def hook(event: RetryEvent) -> None:
        events.append((event, len(sleeps.waits)))

    with respx.mock(using="httpx") as mock:
        mock.post(URL).mock(side_effect=[throttled("2"), throttled("3"), created()])
        async with chat_client(creds, sleeps, on_retry=hook) as chat:
            await chat.create_service("x")
    assert [(e.attempt, e.wait, slept) for e, slept in events] == [(1, 2.0, 0), (2, 3.0, 1)]
    assert all(isinstance(e.error, RateLimitError) for e, _ in events)
    assert events[1][0].error.retry_after == 3.0  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "kind", [pytest.param("auth_token", id="auth-token"), pytest.param("api_key", id="api-key")]
)
async def test_retry_logs_at_info_without_secrets(
    creds: TestCredentials,
    sleeps: SleepRecorder,
    caplog: pytest.LogCaptureFixture,
    kind: str,
) -> None:
    """Each retry is logged at INFO with attempt and cause; no record holds a secret."""
    kwargs = (
        {"auth_token": creds.auth_token}
        if kind == "auth_token"
        else {"api_key": creds.api_key, "api_secret": creds.api_secret}
    )
    retry = RetryPolicy(base_delay=0, sleep=sleeps, clock=sleeps.clock)
    caplog.set_level(logging.DEBUG)
    with respx.mock(using="httpx") as mock:
        mock.post(URL).mock(side_effect=[throttled("1"), httpx.ConnectError, created()])
        async with ChatClient(
            creds.account_sid, retry=retry, transport=offline_transport(), **kwargs
        ) as chat:
            await chat.create_service("x")
    retries = [r for r in caplog.records if r.name == "twilio_chat" and r.levelno == logging.INFO]
    assert len(retries) == 2
    assert "429" in retries[0].getMessage()
    assert "ConnectError" in retries[1].getMessage()
    for record in caplog.records:
        text = record.getMessage() + repr(record.args)
        for secret in creds.secrets:
            assert secret not in text


# --- The budget ------------------------------------------------------------------------------


async def test_retry_budget_empty_stops_retrying(
    creds: TestCredentials, sleeps: SleepRecorder, caplog: pytest.LogCaptureFixture
) -> None:
    """Once the client-wide budget is empty, a retryable failure is raised at once."""
    caplog.set_level(logging.INFO, logger="twilio_chat")
    with respx.mock(using="httpx") as mock:
        route = mock.post(URL).mock(return_value=throttled("0"))
        async with chat_client(creds, sleeps, budget=10, retry_cost=5, max_attempts=10) as chat:
            with pytest.raises(RateLimitError):
                await chat.create_service("a")
            assert route.call_count == 3  # two retries paid for, the third refused
            with pytest.raises(RateLimitError):
                await chat.create_service("b")
            assert route.call_count == 4  # the budget is client-wide: no retry at all now
    assert len(sleeps.waits) == 2
    assert any("budget" in r.getMessage() for r in caplog.records)


async def test_retry_budget_refilled_by_successes(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """Each success returns a token, so enough successes pay for another retry."""
    with respx.mock(using="httpx") as mock:
        route = mock.post(URL)
        async with chat_client(creds, sleeps, budget=10, retry_cost=5, max_attempts=10) as chat:
            route.mock(return_value=throttled("0"))
            with pytest.raises(RateLimitError):
                await chat.create_service("drain")
            route.mock(return_value=created())
            for _ in range(4):
                await chat.create_service("refill")
            route.mock(side_effect=[throttled("0"), created()])
            with pytest.raises(RateLimitError):
                await chat.create_service("four tokens are not enough")
            await chat.create_service("refill")  # the fifth token
            route.mock(side_effect=[throttled("0"), created()])
            service = await chat.create_service("retried again")
    assert service.sid == SID


def test_retry_budget_unit() -> None:
    """The bucket takes `cost` per retry, gives one back per success, never above capacity."""
    budget = RetryBudget(capacity=10, cost=4)
    assert budget.acquire()
    assert budget.acquire()
    assert budget.available == 2
    assert not budget.acquire()
    assert budget.available == 2
    for _ in range(20):
        budget.record_success()
    assert budget.available == 10


async def test_retry_503_retry_after_beyond_cap_raises_rate_limit_error(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """A 503 asking for a wait beyond the cap fails at once as RateLimitError carrying it."""
    with respx.mock(using="httpx") as mock:
        route = mock.post(URL).mock(return_value=status(503, **{"Retry-After": "999"}))
        async with chat_client(creds, sleeps, max_retry_after=10) as chat:
            with pytest.raises(RateLimitError) as info:
                await chat.create_service("x")
    assert route.call_count == 1
    assert (info.value.status, info.value.retry_after) == (503, 999.0)
    assert isinstance(info.value.__cause__, ServerError)
    assert sleeps.waits == []
