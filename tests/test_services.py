"""Fetch, update, delete and list: typed results, retries, NotFoundError, checked arguments,
and tolerance of a spec that evolves."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx
import yaml

from tests._bodies import service_body
from tests.conftest import SleepRecorder, TestCredentials, offline_transport
from twilio_chat import (
    AmbiguousCreateError,
    ChatClient,
    ConfigurationError,
    NotFoundError,
    RateLimitError,
    RetryPolicy,
    Service,
    ServiceLimits,
    TransportError,
    UnexpectedResponseError,
)
from twilio_chat._operations import OPERATIONS

pytestmark = pytest.mark.usefixtures("secrets_stay_hidden")

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://ip-messaging.twilio.com"
SID = "IS" + "0123456789abcdef" * 2
ITEM = f"{BASE}/v2/Services/{SID}"
NOT_FOUND = {
    "code": 20404,
    "message": f"The requested resource /Services/{SID} was not found",
    "more_info": "https://www.twilio.com/docs/errors/20404",
    "status": 404,
}
THROTTLED = httpx.Response(429, json={"code": 20429, "message": "Too Many Requests"})


def chat_client(creds: TestCredentials, sleeps: SleepRecorder, **policy: Any) -> ChatClient:
    policy.setdefault("base_delay", 0)
    return ChatClient(
        creds.account_sid,
        creds.auth_token,
        retry=RetryPolicy(sleep=sleeps, clock=sleeps.clock, **policy),
        transport=offline_transport(),
    )


# --- Fetch -----------------------------------------------------------------------------------


async def test_fetch_service_returns_typed_service(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """GET /v2/Services/{Sid} returns the service with its typed core and nested models."""
    with respx.mock(using="httpx") as mock:
        route = mock.get(ITEM).mock(return_value=httpx.Response(200, json=service_body(SID)))
        async with chat_client(creds, sleeps) as chat:
            service = await chat.fetch_service(SID)
    assert route.call_count == 1
    assert service.sid == SID
    assert isinstance(service.date_created, datetime.datetime)
    assert isinstance(service.limits, ServiceLimits)
    assert service.limits.user_channels == 250
    assert service.links.channels.endswith("/Channels")


async def test_fetch_service_unknown_sid_is_not_found(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """A 404 is NotFoundError with Twilio's code 20404, and is not retried."""
    with respx.mock(using="httpx") as mock:
        route = mock.get(ITEM).mock(return_value=httpx.Response(404, json=NOT_FOUND))
        async with chat_client(creds, sleeps) as chat:
            with pytest.raises(NotFoundError) as info:
                await chat.fetch_service(SID)
    assert route.call_count == 1
    assert (info.value.status, info.value.code) == (404, 20404)


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(THROTTLED, id="429"),
        pytest.param(httpx.Response(500, text="oops"), id="500"),
        pytest.param(httpx.Response(503, text="down"), id="503-no-retry-after"),
        pytest.param(httpx.ReadTimeout("slow"), id="read-timeout"),
        pytest.param(httpx.RemoteProtocolError("dropped"), id="dropped"),
    ],
)
async def test_fetch_and_update_retry_every_transient_failure(
    creds: TestCredentials, sleeps: SleepRecorder, failure: httpx.Response | Exception
) -> None:
    """Reads and updates are idempotent: 429, 5xx and network failures, sent or not, are
    retried (a create would be ambiguous on most of these)."""
    with respx.mock(using="httpx") as mock:
        ok = httpx.Response(200, json=service_body(SID))
        fetch = mock.get(ITEM).mock(side_effect=[failure, ok])
        async with chat_client(creds, sleeps) as chat:
            assert (await chat.fetch_service(SID)).sid == SID
        update = mock.post(ITEM).mock(side_effect=[failure, ok])
        async with chat_client(creds, sleeps) as chat:
            assert (await chat.update_service(SID, friendly_name="x")).sid == SID
    assert (fetch.call_count, update.call_count) == (2, 2)


@pytest.mark.parametrize(
    "sid",
    [
        pytest.param("IS123", id="short"),
        pytest.param("AC" + "0" * 32, id="account-sid"),
        pytest.param("IS" + "g" * 32, id="not-hex"),
        pytest.param("IS" + "0" * 31 + "/", id="slash"),
        pytest.param(None, id="none"),
    ],
)
async def test_service_sid_is_checked_before_any_request(
    creds: TestCredentials, sleeps: SleepRecorder, sid: Any
) -> None:
    """A malformed SID is a ConfigurationError for every operation, with nothing sent."""
    with respx.mock(using="httpx") as mock:
        async with chat_client(creds, sleeps) as chat:
            for call in (
                chat.fetch_service(sid),
                chat.update_service(sid, friendly_name="x"),
                chat.delete_service(sid),
            ):
                with pytest.raises(ConfigurationError, match="service SID"):
                    await call
        assert not mock.calls


# --- Update ----------------------------------------------------------------------------------


async def test_update_service_sends_only_the_given_settings(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """Keywords map to Twilio's form parameters (dotted names, repeated WebhookFilters)."""
    with respx.mock(using="httpx") as mock:
        route = mock.post(ITEM).mock(return_value=httpx.Response(200, json=service_body(SID)))
        async with chat_client(creds, sleeps) as chat:
            service = await chat.update_service(
                SID,
                read_status_enabled=False,
                limits_user_channels=500,
                notifications_new_message_enabled=True,
                notifications_new_message_template="New message",
                webhook_method="GET",
                webhook_filters=["onMessageSend", "onChannelAdded"],
                pre_webhook_url="https://hooks.example.com/pre",
            )
    assert isinstance(service, Service)
    form = parse_qs(route.calls.last.request.content.decode("ascii"), strict_parsing=True)
    assert form == {
        "ReadStatusEnabled": ["false"],
        "Limits.UserChannels": ["500"],
        "Notifications.NewMessage.Enabled": ["true"],
        "Notifications.NewMessage.Template": ["New message"],
        "WebhookMethod": ["GET"],
        "WebhookFilters": ["onMessageSend", "onChannelAdded"],
        "PreWebhookUrl": ["https://hooks.example.com/pre"],
    }


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        pytest.param({}, "at least one setting", id="none"),
        pytest.param({"limits_user_channel": 5}, "did you mean 'limits_user_channels'", id="typo"),
        pytest.param({"FriendlyName": "x"}, "unknown service setting", id="form-name"),
        pytest.param({"read_status_enabled": "true"}, "must be a bool", id="str-for-bool"),
        pytest.param({"limits_user_channels": True}, "must be an int", id="bool-for-int"),
        pytest.param({"limits_user_channels": "500"}, "must be an int", id="str-for-int"),
        pytest.param({"webhook_method": "PUT"}, "must be one of GET, POST", id="bad-enum"),
        pytest.param({"webhook_filters": "onMessageSend"}, "list of strings", id="str-for-list"),
        pytest.param({"webhook_filters": [1]}, "list of strings", id="int-in-list"),
        pytest.param({"friendly_name": ""}, "must not be empty", id="empty-name"),
        pytest.param({"friendly_name": "x" * 65}, "at most 64", id="long-name"),
        pytest.param({"pre_webhook_url": None}, "must be a str", id="none"),
        pytest.param({"media_compatibility_message": "a\ud800"}, "cannot be sent", id="surrogate"),
    ],
)
async def test_update_service_bad_settings_send_nothing(
    creds: TestCredentials, sleeps: SleepRecorder, settings: dict[str, Any], message: str
) -> None:
    """Unknown keywords and wrongly typed values are a ConfigurationError before any request."""
    with respx.mock(using="httpx") as mock:
        async with chat_client(creds, sleeps) as chat:
            with pytest.raises(ConfigurationError, match=message):
                await chat.update_service(SID, **settings)
        assert not mock.calls


async def test_update_service_unknown_sid_is_not_found(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """Updating a service that does not exist raises NotFoundError."""
    with respx.mock(using="httpx") as mock:
        mock.post(ITEM).mock(return_value=httpx.Response(404, json=NOT_FOUND))
        async with chat_client(creds, sleeps) as chat:
            with pytest.raises(NotFoundError):
                await chat.update_service(SID, read_status_enabled=True)


# --- Delete ----------------------------------------------------------------------------------


async def test_delete_service_204(creds: TestCredentials, sleeps: SleepRecorder) -> None:
    """DELETE answers 204 with no body; the call returns None."""
    with respx.mock(using="httpx") as mock:
        route = mock.delete(ITEM).mock(return_value=httpx.Response(204))
        async with chat_client(creds, sleeps) as chat:
            assert await chat.delete_service(SID) is None
    assert route.call_count == 1


async def test_delete_service_404_first_is_not_found(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """A 404 on the first attempt means there was nothing to delete: NotFoundError."""
    with respx.mock(using="httpx") as mock:
        mock.delete(ITEM).mock(return_value=httpx.Response(404, json=NOT_FOUND))
        async with chat_client(creds, sleeps) as chat:
            with pytest.raises(NotFoundError):
                await chat.delete_service(SID)


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(httpx.ReadTimeout("slow"), id="read-timeout"),
        pytest.param(httpx.RemoteProtocolError("dropped"), id="dropped"),
        pytest.param(httpx.Response(500, text="oops"), id="500"),
        pytest.param(httpx.Response(502, text="bad gateway"), id="502"),
    ],
)
async def test_delete_service_404_after_a_maybe_deleted_attempt_succeeds(
    creds: TestCredentials, sleeps: SleepRecorder, failure: httpx.Response | Exception
) -> None:
    """A retry that finds the service gone after an attempt that may have deleted it has
    succeeded: the delete is not reported as a failure."""
    with respx.mock(using="httpx") as mock:
        route = mock.delete(ITEM).mock(side_effect=[failure, httpx.Response(404, json=NOT_FOUND)])
        async with chat_client(creds, sleeps) as chat:
            assert await chat.delete_service(SID) is None
    assert route.call_count == 2


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(THROTTLED, id="429"),
        pytest.param(
            httpx.Response(503, headers={"Retry-After": "0"}, text="busy"), id="503-retry-after"
        ),
        pytest.param(httpx.ConnectError("refused"), id="connect-error"),
    ],
)
async def test_delete_service_404_after_a_certainly_unprocessed_attempt_is_not_found(
    creds: TestCredentials, sleeps: SleepRecorder, failure: httpx.Response | Exception
) -> None:
    """After attempts that certainly changed nothing (429, 503 with Retry-After, not sent),
    a 404 still means the service did not exist."""
    with respx.mock(using="httpx") as mock:
        mock.delete(ITEM).mock(side_effect=[failure, httpx.Response(404, json=NOT_FOUND)])
        async with chat_client(creds, sleeps) as chat:
            with pytest.raises(NotFoundError):
                await chat.delete_service(SID)


async def test_delete_service_unexpected_success_status_is_typed(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """A 2xx other than the spec's 204 is an UnexpectedResponseError, never silent success."""
    with respx.mock(using="httpx") as mock:
        mock.delete(ITEM).mock(return_value=httpx.Response(200, json={}))
        async with chat_client(creds, sleeps) as chat:
            with pytest.raises(UnexpectedResponseError):
                await chat.delete_service(SID)


# --- List ------------------------------------------------------------------------------------


def _page(sids: list[str], next_url: str | None) -> dict[str, Any]:
    return {
        "services": [service_body(sid, sid[-4:]) for sid in sids],
        "meta": {"next_page_url": next_url, "page_size": len(sids), "key": "services"},
    }


async def test_list_services_limit_stops_reading_pages(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """`limit` yields at most that many services and reads no page beyond them."""
    first = _page([f"IS{n:032x}" for n in range(2)], f"{BASE}/v2/Services?PageSize=2&Page=1")
    second = _page([f"IS{n:032x}" for n in range(2, 4)], f"{BASE}/v2/Services?PageSize=2&Page=2")
    with respx.mock(using="httpx") as mock:
        route = mock.get(f"{BASE}/v2/Services").mock(
            side_effect=[
                httpx.Response(200, json=first),
                httpx.Response(200, json=second),
                httpx.Response(200, json=first),
            ]
        )
        async with chat_client(creds, sleeps) as chat:
            services = [s async for s in chat.list_services(page_size=2, limit=3)]
            exact = [s async for s in chat.list_services(page_size=2, limit=2)]
    assert [s.sid for s in services] == [f"IS{n:032x}" for n in range(3)]
    assert len(exact) == 2
    assert route.call_count == 3  # two pages for limit=3, one for limit=2


@pytest.mark.parametrize("limit", [0, -1, True, 1.5])
async def test_list_services_bad_limit(
    creds: TestCredentials, sleeps: SleepRecorder, limit: Any
) -> None:
    """A limit that is not a positive integer is refused before any request."""
    async with chat_client(creds, sleeps) as chat:
        with pytest.raises(ConfigurationError, match="limit"):
            [s async for s in chat.list_services(limit=limit)]


# --- Every operation shares the limiter ------------------------------------------------------


async def test_every_operation_passes_the_adaptive_limiter(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """A 429 on a fetch, update, delete or list cuts the same limiter creates use."""
    operations: list[Callable[[ChatClient], Awaitable[object]]] = [
        lambda chat: chat.fetch_service(SID),
        lambda chat: chat.update_service(SID, friendly_name="y"),
        lambda chat: chat.delete_service(SID),
        lambda chat: _drain(chat.list_services()),
    ]
    with respx.mock(using="httpx") as mock:
        ok = httpx.Response(200, json=service_body(SID))
        mock.get(ITEM).mock(side_effect=[THROTTLED, ok])
        mock.post(ITEM).mock(side_effect=[THROTTLED, ok])
        mock.delete(ITEM).mock(side_effect=[THROTTLED, httpx.Response(204)])
        mock.get(f"{BASE}/v2/Services").mock(
            side_effect=[THROTTLED, httpx.Response(200, json=_page([SID], None))]
        )
        for operation in operations:
            async with chat_client(creds, sleeps) as chat:
                assert chat.limiter is not None
                before = chat.limiter.limit
                await operation(chat)
                assert chat.limiter.limit < before  # the 429 cut the shared limit


async def _drain(services: AsyncIterator[Service]) -> list[Service]:
    return [service async for service in services]


async def test_rate_limit_after_retries_is_raised(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """When every attempt is throttled, the read ends with RateLimitError."""
    with respx.mock(using="httpx") as mock:
        mock.get(ITEM).mock(return_value=THROTTLED)
        async with chat_client(creds, sleeps, max_attempts=3) as chat:
            with pytest.raises(RateLimitError):
                await chat.fetch_service(SID)


# --- Tolerant of a spec that evolves ---------------------------------------------------------

EVOLVED = [
    pytest.param({"webhook_method": "PATCH"}, "webhook_method", "PATCH", id="new-enum-value"),
    pytest.param({"brand_new": {"x": 1}}, "brand_new", {"x": 1}, id="new-property"),
    pytest.param({"consumption_report_interval": None}, None, None, id="dropped-deprecated"),
    pytest.param({"webhook_filters": None}, "webhook_filters", None, id="null-filters"),
    pytest.param({"limits": None}, None, None, id="null-limits"),
]


def _evolve(change: dict[str, Any], sid: str = SID) -> dict[str, Any]:
    """A service body with `change` applied; a None for a key Twilio stopped sending drops it."""
    body = service_body(sid)
    for key, value in change.items():
        if value is None and key in ("consumption_report_interval",):
            del body[key]
        else:
            body[key] = value
    return body


def _check_evolved(service: Service, field: str | None, value: object) -> None:
    assert service.sid == SID
    if field is None:
        return
    if field in service.additional_properties:
        assert service.additional_properties[field] == value
    else:
        assert getattr(service, field) == value


@pytest.mark.parametrize(("change", "field", "value"), EVOLVED)
async def test_evolved_bodies_pass_through_every_operation(
    creds: TestCredentials,
    sleeps: SleepRecorder,
    change: dict[str, Any],
    field: str | None,
    value: object,
) -> None:
    """A new enum value (kept as a string), a new property (in additional_properties) or a
    property Twilio stops sending never turns a success into an error: create, fetch, update
    and list all return the service."""
    body = _evolve(change)
    with respx.mock(using="httpx") as mock:
        mock.post(f"{BASE}/v2/Services").mock(return_value=httpx.Response(201, json=body))
        mock.get(ITEM).mock(return_value=httpx.Response(200, json=body))
        mock.post(ITEM).mock(return_value=httpx.Response(200, json=body))
        page = {"services": [body], "meta": {"next_page_url": None}}
        mock.get(f"{BASE}/v2/Services").mock(return_value=httpx.Response(200, json=page))
        async with chat_client(creds, sleeps) as chat:
            results = [
                await chat.create_service("x"),
                await chat.fetch_service(SID),
                await chat.update_service(SID, friendly_name="x"),
                *[s async for s in chat.list_services()],
            ]
    assert len(results) == 4
    for service in results:
        _check_evolved(service, field, value)


async def test_unparseable_success_bodies_are_typed_per_operation(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """A success status with a body that is not a service: ambiguous for a create (201 proves
    it happened), UnexpectedResponseError for the others; never a parser's exception."""
    html = httpx.Response(200, text="<html>proxy</html>")
    with respx.mock(using="httpx") as mock:
        mock.post(f"{BASE}/v2/Services").mock(return_value=httpx.Response(201, text="<html>"))
        mock.get(ITEM).mock(return_value=html)
        mock.post(ITEM).mock(return_value=html)
        mock.get(f"{BASE}/v2/Services").mock(return_value=html)
        async with chat_client(creds, sleeps, max_attempts=1) as chat:
            with pytest.raises(AmbiguousCreateError) as created:
                await chat.create_service("x")
            assert created.value.status == 201
            with pytest.raises(UnexpectedResponseError):
                await chat.fetch_service(SID)
            with pytest.raises(UnexpectedResponseError):
                await chat.update_service(SID, friendly_name="x")
            with pytest.raises(UnexpectedResponseError):
                [s async for s in chat.list_services()]


async def test_network_failure_on_read_is_transport_error(
    creds: TestCredentials, sleeps: SleepRecorder
) -> None:
    """A read that keeps failing on the network ends with TransportError."""
    with respx.mock(using="httpx") as mock:
        mock.get(ITEM).mock(side_effect=httpx.ReadTimeout("slow"))
        async with chat_client(creds, sleeps, max_attempts=2) as chat:
            with pytest.raises(TransportError):
                await chat.fetch_service(SID)


# --- The facade follows the spec -------------------------------------------------------------


def test_success_statuses_come_from_the_spec() -> None:
    """The one success status the facade accepts per operation is the spec's 2xx response;
    an operation in the spec that the facade does not know fails here too."""
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text("utf-8"))
    in_spec = {}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            successes = [int(code) for code in operation["responses"] if code.startswith("2")]
            assert len(successes) == 1, f"{operation['operationId']}: {successes}"
            in_spec[operation["operationId"]] = (method.upper(), path, successes[0])
    in_facade = {op.operation_id: (op.method, op.path, op.success) for op in OPERATIONS}
    assert in_facade == in_spec


def test_response_schemas_have_no_enums() -> None:
    """Response enums stay plain strings in openapi.yaml: a generated enum would turn every
    value Twilio adds later into a parse failure (Twilio's 'ienum' changes)."""
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text("utf-8"))
    schemas = spec["components"]["schemas"]
    request_schemas = {"CreateServiceRequest", "UpdateServiceRequest"}
    found = [
        name
        for name, schema in schemas.items()
        if name not in request_schemas and "enum" in json.dumps(schema)
    ]
    assert found == []


USER_SCRIPT = """
import asyncio

from twilio_chat import ChatClient, Service, Unset


async def main() -> None:
    async with ChatClient() as chat:
        service: Service = await chat.fetch_service("IS" + "0" * 32)
        print(service.sid.upper(), service.date_created.year, service.limits.user_channels)
        channels = service.links.channels
        if isinstance(channels, str):
            print(channels.startswith("https://"), service.account_sid.lower())
        print(service.url.rstrip("/"), service.friendly_name.strip(), service.date_updated.day)
        print(service.notifications.log_enabled, service.media.size_limit_mb)
        timeout = service.typing_indicator_timeout
        if not isinstance(timeout, Unset):
            print(timeout + 1)
        updated = await chat.update_service(service.sid, limits_user_channels=500)
        await chat.delete_service(updated.sid)
        async for listed in chat.list_services(limit=5):
            print(listed.sid.lower())


asyncio.run(main())
"""


def test_typed_results_pass_mypy_strict_without_casts(tmp_path: Path) -> None:
    """A user script that reads the typed core and nested models passes mypy --strict."""
    script = tmp_path / "user_script.py"
    script.write_text(USER_SCRIPT, "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


async def test_update_service_empty_webhook_filters_clears_them() -> None:
    """`webhook_filters=[]` is sent as one empty value (a form cannot carry an empty list), and
    the emulator, like Twilio, clears the filters."""
    from twilio_chat.testing import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, ChatEmulator

    emulator = ChatEmulator()
    async with ChatClient(
        TEST_ACCOUNT_SID,
        TEST_AUTH_TOKEN,
        base_url="http://emulator.test",
        transport=emulator.transport(),
    ) as chat:
        service = await chat.create_service("filters")
        await chat.update_service(service.sid, webhook_filters=["onMessageSend"])
        cleared = await chat.update_service(service.sid, webhook_filters=[])
    assert cleared.webhook_filters == []
