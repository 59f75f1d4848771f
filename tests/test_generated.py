"""The generated client parses Twilio's bodies and sends the request Twilio expects."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx
from twilio_chat_api import AuthenticatedClient
from twilio_chat_api.api.services import create_service, update_service
from twilio_chat_api.models import (
    CreateServiceRequest,
    Service,
    ServiceLimits,
    ServiceLinks,
    UpdateServiceRequest,
    UpdateServiceRequestWebhookMethod,
)
from twilio_chat_api.types import UNSET

from twilio_chat._responses import parse_service

# Optional fields Twilio may send as null (the typed core is never null: see parse_service).
NULLABLE = [
    "default_service_role_sid",
    "default_channel_role_sid",
    "default_channel_creator_role_sid",
    "read_status_enabled",
    "reachability_enabled",
    "pre_webhook_url",
    "post_webhook_url",
    "webhook_method",
    "webhook_filters",
]
OBJECTS = ["limits", "notifications", "media", "links"]
CORE = ["sid", "account_sid", "friendly_name", "date_created", "date_updated", "url"]


def test_service_parses_twilio_example(service_example: dict[str, Any]) -> None:
    """SIDs, tz-aware datetimes, typed nested limits, notifications, media and links."""
    service = parse_service(service_example)
    assert service is not None
    assert service.sid == "ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    assert service.account_sid == "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    assert service.date_created == datetime.datetime(2015, 7, 30, 20, tzinfo=datetime.UTC)
    assert service.date_created.tzinfo is not None
    assert isinstance(service.limits, ServiceLimits)
    assert (service.limits.channel_members, service.limits.user_channels) == (100, 250)
    assert isinstance(service.links, ServiceLinks)
    assert service.links.channels.endswith("/Channels")
    assert service.links.users.endswith("/Users")
    assert service.media.size_limit_mb == 150
    assert service.notifications.new_message.enabled is False
    assert service.typing_indicator_timeout == 100
    assert service.webhook_filters == ["webhook_filters"]


def test_service_parses_null_in_every_nullable_field(service_example: dict[str, Any]) -> None:
    """Twilio sends null for unset fields; none of them crashes the parser, and a null
    nested object reads as an empty one (`service.limits.user_channels` always works)."""
    body = {**service_example, **dict.fromkeys(NULLABLE + OBJECTS)}
    service = parse_service(body)
    assert service is not None
    for name in NULLABLE:
        assert getattr(service, name) is None, name
    assert service.limits.user_channels is UNSET
    assert service.links.channels is UNSET


@pytest.mark.parametrize("name", CORE)
def test_service_without_its_typed_core_is_not_a_service(
    service_example: dict[str, Any], name: str
) -> None:
    """A body without (or with null for) a field of the typed core is refused, not returned
    with a lie in a field typed `str` or `datetime`."""
    missing = {key: value for key, value in service_example.items() if key != name}
    assert parse_service(missing) is None
    assert parse_service({**service_example, name: None}) is None
    assert parse_service({**service_example, name: 12345}) is None


def test_service_keeps_unknown_fields(service_example: dict[str, Any]) -> None:
    """A field Twilio adds later is kept, not dropped."""
    service = parse_service({**service_example, "brand_new": {"x": 1}})
    assert service is not None
    assert service.additional_properties == {"brand_new": {"x": 1}}
    assert service.to_dict()["brand_new"] == {"x": 1}


def test_service_missing_optional_fields_are_unset(service_example: dict[str, Any]) -> None:
    """Optional fields Twilio stops sending are UNSET, never a
    made-up value, and the service is still returned."""
    body = {key: service_example[key] for key in CORE}
    service = parse_service(body)
    assert service is not None
    assert service.pre_webhook_url is UNSET
    assert service.pre_webhook_retry_count is UNSET
    assert service.limits.channel_members is UNSET


def test_service_wrong_nested_types_are_refused(service_example: dict[str, Any]) -> None:
    """A nested value of the wrong JSON type is refused (typed results never lie)."""
    assert parse_service({**service_example, "limits": {"user_channels": "many"}}) is None
    assert parse_service({**service_example, "limits": "none"}) is None
    assert parse_service({**service_example, "links": {"channels": 5}}) is None
    assert parse_service({**service_example, "read_status_enabled": "yes"}) is None


async def test_update_service_request_shape(service_example: dict[str, Any]) -> None:
    """POST /v2/Services/{Sid}: dotted names, booleans as true/false, WebhookFilters repeated."""
    client = AuthenticatedClient(base_url="https://ip-messaging.twilio.com", token="x")
    sid = "IS" + "a" * 32
    body = UpdateServiceRequest(
        read_status_enabled=False,
        limits_user_channels=500,
        notifications_new_message_enabled=True,
        webhook_method=UpdateServiceRequestWebhookMethod.GET,
        webhook_filters=["onMessageSend", "onChannelAdded"],
    )
    with respx.mock(using="httpx", assert_all_called=True) as mock:
        route = mock.post(f"https://ip-messaging.twilio.com/v2/Services/{sid}").mock(
            return_value=httpx.Response(200, json=service_example)
        )
        await update_service.asyncio_detailed(sid, client=client, body=body)
    form = parse_qs(route.calls.last.request.content.decode("ascii"), strict_parsing=True)
    assert form == {
        "ReadStatusEnabled": ["false"],
        "Limits.UserChannels": ["500"],
        "Notifications.NewMessage.Enabled": ["true"],
        "WebhookMethod": ["GET"],
        "WebhookFilters": ["onMessageSend", "onChannelAdded"],
    }


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("plain", id="plain"),
        pytest.param("Tom & Jerry = friends?", id="ampersand-equals"),
        pytest.param("Zürich 東京 🚀", id="non-ascii"),
    ],
)
async def test_create_service_request_shape(name: str, service_example: dict[str, Any]) -> None:
    """POST /v2/Services with a form body and the Authorization header given to the client."""
    client = AuthenticatedClient(
        base_url="https://ip-messaging.twilio.com",
        token="dXNlcjpwYXNz",
        prefix="Basic",
    )
    with respx.mock(using="httpx", assert_all_called=True) as mock:
        route = mock.post("https://ip-messaging.twilio.com/v2/Services").mock(
            return_value=httpx.Response(201, json=service_example)
        )
        response = await create_service.asyncio_detailed(
            client=client, body=CreateServiceRequest(friendly_name=name)
        )
    assert response.status_code == 201
    assert isinstance(response.parsed, Service)
    request = route.calls.last.request
    assert request.headers["Authorization"] == "Basic dXNlcjpwYXNz"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.content.decode("ascii"), strict_parsing=True) == {
        "FriendlyName": [name]
    }
