"""The generated client parses Twilio's bodies and sends the request Twilio expects."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx
from twilio_chat_api import AuthenticatedClient
from twilio_chat_api.api.services import create_service
from twilio_chat_api.models import CreateServiceRequest, Service, ServiceLinks
from twilio_chat_api.types import UNSET

NULLABLE = [
    "sid",
    "account_sid",
    "friendly_name",
    "date_created",
    "date_updated",
    "default_service_role_sid",
    "default_channel_role_sid",
    "default_channel_creator_role_sid",
    "read_status_enabled",
    "reachability_enabled",
    "limits",
    "pre_webhook_url",
    "post_webhook_url",
    "webhook_method",
    "webhook_filters",
    "notifications",
    "media",
    "url",
    "links",
]


def test_service_parses_twilio_example(service_example: dict[str, Any]) -> None:
    """SIDs, tz-aware datetimes, nested limits and links come through."""
    service = Service.from_dict(service_example)
    assert service.sid == "ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    assert service.account_sid == "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    assert service.date_created == datetime.datetime(2015, 7, 30, 20, tzinfo=datetime.UTC)
    assert isinstance(service.date_created, datetime.datetime)
    assert service.date_created.tzinfo is not None
    assert service.limits == {"channel_members": 100, "user_channels": 250}
    assert isinstance(service.links, ServiceLinks)
    assert service.links["users"].endswith("/Users")
    assert service.typing_indicator_timeout == 100
    assert service.webhook_filters == ["webhook_filters"]


def test_service_parses_null_in_every_nullable_field(service_example: dict[str, Any]) -> None:
    """Twilio sends null for unset fields; none of them crashes the parser."""
    body = {**service_example, **dict.fromkeys(NULLABLE)}
    service = Service.from_dict(body)
    for name in NULLABLE:
        assert getattr(service, name) is None, name


def test_service_keeps_unknown_fields(service_example: dict[str, Any]) -> None:
    """A field Twilio adds later is kept, not dropped."""
    service = Service.from_dict({**service_example, "brand_new": {"x": 1}})
    assert service.additional_properties == {"brand_new": {"x": 1}}
    assert service.to_dict()["brand_new"] == {"x": 1}


def test_service_missing_fields_are_unset() -> None:
    """An empty object parses; absent fields are UNSET, never a made-up value."""
    service = Service.from_dict({})
    assert service.sid is UNSET
    assert service.pre_webhook_retry_count is UNSET


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
