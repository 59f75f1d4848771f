"""The emulator in-process: auth, create, list, routing, headers and recorded state."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.testing.conftest import BASE_URL, KEY_SECRET, KEY_SID, client_for, create
from twilio_chat.testing import (
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    ChatEmulator,
    ServiceRecord,
)

SID = re.compile(r"IS[0-9a-f]{32}")
ROLE = re.compile(r"RL[0-9a-f]{32}")
REQUEST_ID = re.compile(r"RQ[0-9a-f]{32}")
CORS = {
    "access-control-allow-origin",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-allow-credentials",
    "access-control-expose-headers",
}


def _basic(raw: bytes) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def _assert_error(response: httpx.Response, status: int, code: int) -> dict[str, Any]:
    assert response.status_code == status
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    return body


# -- auth ------------------------------------------------------------------------------------


async def test_auth_account_sid_and_token_accepted(emulator: ChatEmulator) -> None:
    """The account SID with its auth token creates a service."""
    async with client_for(emulator, auth=(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN)) as client:
        response = await create(client, "by-account")
    assert response.status_code == 201
    assert response.json()["account_sid"] == TEST_ACCOUNT_SID


async def test_auth_api_key_and_secret_accepted(emulator: ChatEmulator) -> None:
    """An API key SID with its secret creates a service in the same account."""
    async with client_for(emulator, auth=(KEY_SID, KEY_SECRET)) as client:
        response = await create(client, "by-key")
    assert response.status_code == 201
    assert response.json()["account_sid"] == TEST_ACCOUNT_SID


async def test_auth_lenient_header_forms_accepted(emulator: ChatEmulator) -> None:
    """A lowercase scheme and extra spaces still authenticate, as HTTP allows."""
    token = base64.b64encode(f"{TEST_ACCOUNT_SID}:{TEST_AUTH_TOKEN}".encode()).decode()
    async with client_for(emulator, auth=None) as client:
        response = await client.post(
            "/v2/Services",
            data={"FriendlyName": "lenient"},
            headers={"Authorization": f"basic  {token}"},
        )
    assert response.status_code == 201


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing"),
        pytest.param(_basic(f"{TEST_ACCOUNT_SID}:wrong-token".encode()), id="wrong-token"),
        pytest.param(_basic(f"{KEY_SID}:{TEST_AUTH_TOKEN}".encode()), id="key-with-token"),
        pytest.param(_basic(f"{TEST_ACCOUNT_SID}:{KEY_SECRET}".encode()), id="account-key-secret"),
        pytest.param(_basic(("SK" + "6" * 32 + ":x").encode()), id="unknown-key"),
        pytest.param(_basic(TEST_ACCOUNT_SID.encode()), id="no-colon"),
        pytest.param(_basic(b"\xff\xfe:" + TEST_AUTH_TOKEN.encode()), id="non-utf8-user"),
        pytest.param({"Authorization": "Basic %%%not-base64"}, id="bad-base64"),
        pytest.param({"Authorization": f"Bearer {TEST_AUTH_TOKEN}"}, id="bearer"),
    ],
)
async def test_auth_bad_credentials_rejected(
    emulator: ChatEmulator, headers: dict[str, str]
) -> None:
    """Anything but a known SID with its own secret is 401 code 20003, and creates nothing."""
    async with client_for(emulator, auth=None) as client:
        response = await client.post("/v2/Services", data={"FriendlyName": "nope"}, headers=headers)
    body = _assert_error(response, 401, 20003)
    assert body["message"] == "Authenticate"
    assert response.headers["www-authenticate"] == 'Basic realm="Twilio API"'
    assert emulator.service_count == 0
    assert emulator.stats.unauthorized == 1


def test_auth_invalid_configuration_rejected() -> None:
    """Malformed SIDs and empty secrets are refused when the emulator is built."""
    with pytest.raises(ValueError, match="account_sid"):
        ChatEmulator("AC123")
    with pytest.raises(ValueError, match="auth_token"):
        ChatEmulator(TEST_ACCOUNT_SID, "")
    with pytest.raises(ValueError, match="API key"):
        ChatEmulator(api_keys={"AK" + "0" * 32: "secret"})
    with pytest.raises(ValueError, match="secret"):
        ChatEmulator(api_keys={KEY_SID: ""})


def test_auth_secrets_hidden_from_repr() -> None:
    """The emulator's repr names the account but never a token or secret."""
    text = repr(ChatEmulator(api_keys={KEY_SID: KEY_SECRET}))
    assert TEST_ACCOUNT_SID in text
    assert TEST_AUTH_TOKEN not in text
    assert KEY_SECRET not in text


# -- create ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({}, id="missing"),
        pytest.param({"FriendlyName": ""}, id="empty"),
        pytest.param({"Other": "x"}, id="other-field"),
    ],
)
async def test_create_without_name_rejected(
    emulator: ChatEmulator, client: httpx.AsyncClient, data: dict[str, str]
) -> None:
    """No FriendlyName is 400 code 50000, and nothing is created."""
    response = await client.post("/v2/Services", data=data)
    assert _assert_error(response, 400, 50000)["message"] == "FriendlyName not provided"
    assert emulator.service_count == 0


@pytest.mark.parametrize(
    ("name", "status"),
    [
        pytest.param("x", 201, id="1"),
        pytest.param("x" * 64, 201, id="64"),
        pytest.param("x" * 65, 400, id="65"),
        pytest.param("é" * 64, 201, id="64-non-ascii"),
        pytest.param("é" * 65, 400, id="65-non-ascii"),
    ],
)
async def test_create_name_length_limit(
    emulator: ChatEmulator, client: httpx.AsyncClient, name: str, status: int
) -> None:
    """FriendlyName may have up to 64 characters (not bytes); longer is 400 code 50003."""
    response = await create(client, name)
    if status == 201:
        assert response.status_code == 201
        assert response.json()["friendly_name"] == name
        assert emulator.created_count(name) == 1
    else:
        assert _assert_error(response, 400, 50003)["message"] == "FriendlyName too long"
        assert emulator.service_count == 0


async def test_create_non_ascii_name_round_trips(
    emulator: ChatEmulator, client: httpx.AsyncClient
) -> None:
    """Names outside ASCII (accents, CJK, emoji, JSON specials) come back unchanged."""
    name = 'Café 会話 🚀 "quoted" \\ back'
    response = await create(client, name)
    assert response.status_code == 201
    assert response.json()["friendly_name"] == name
    assert emulator.services[0].friendly_name == name


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"FriendlyName=%FF%FE", id="not-utf8"),
        pytest.param(b'{"FriendlyName": "json"}', id="json"),
    ],
)
async def test_create_malformed_body_rejected(
    emulator: ChatEmulator, client: httpx.AsyncClient, body: bytes
) -> None:
    """A body that is not strict UTF-8 form encoding is 400, and nothing is created."""
    response = await client.post(
        "/v2/Services",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    _assert_error(response, 400, 20001)
    assert emulator.service_count == 0


async def test_create_returns_complete_service(
    emulator: ChatEmulator, client: httpx.AsyncClient
) -> None:
    """201 carries a full service: fresh sids, account, dates, URLs on the emulator, defaults."""
    before = datetime.now(UTC).replace(microsecond=0)
    response = await create(client, "shape")
    after = datetime.now(UTC)
    assert response.status_code == 201
    service = response.json()
    sid = service["sid"]
    assert SID.fullmatch(sid)
    assert service["account_sid"] == TEST_ACCOUNT_SID
    assert service["friendly_name"] == "shape"
    roles = [
        service["default_service_role_sid"],
        service["default_channel_role_sid"],
        service["default_channel_creator_role_sid"],
    ]
    assert all(ROLE.fullmatch(role) for role in roles)
    assert len(set(roles)) == 3
    created = datetime.strptime(service["date_created"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before <= created <= after + timedelta(seconds=1)
    assert service["date_updated"] == service["date_created"]
    url = f"{BASE_URL}/v2/Services/{sid}"
    assert service["url"] == url
    assert service["links"] == {
        "channels": f"{url}/Channels",
        "roles": f"{url}/Roles",
        "users": f"{url}/Users",
        "bindings": f"{url}/Bindings",
    }
    assert service["read_status_enabled"] is True
    assert service["reachability_enabled"] is False
    assert service["typing_indicator_timeout"] == 5
    assert service["consumption_report_interval"] == 10
    assert service["limits"] == {"channel_members": 100, "user_channels": 250}
    assert service["webhook_method"] == "POST"
    assert service["webhook_filters"] == []
    assert service["pre_webhook_url"] is None
    assert service["post_webhook_url"] is None
    assert service["pre_webhook_retry_count"] == 0
    assert service["post_webhook_retry_count"] == 0
    assert isinstance(service["notifications"], dict)
    assert service["media"]["size_limit_mb"] == 150


async def test_create_urls_follow_the_host(emulator: ChatEmulator) -> None:
    """Resource URLs use the scheme and Host the request came in on, port included."""
    async with client_for(emulator, base_url="https://chat.local:8443") as client:
        service = (await create(client, "hosted")).json()
    assert service["url"] == f"https://chat.local:8443/v2/Services/{service['sid']}"
    assert service["links"]["users"].startswith("https://chat.local:8443/v2/Services/IS")


async def test_create_roles_stable_in_list(client: httpx.AsyncClient) -> None:
    """A service reads back from the list exactly as it was created."""
    created = (await create(client, "same")).json()
    listed = (await client.get("/v2/Services")).json()["services"]
    assert listed == [created]


async def test_create_recorded_in_order(emulator: ChatEmulator, client: httpx.AsyncClient) -> None:
    """created_count, created_names, service_count and services track every create."""
    names = ["a", "b", "a", "c", "a"]
    sids = [(await create(client, name)).json()["sid"] for name in names]
    assert emulator.service_count == 5
    assert emulator.created_count("a") == 3
    assert emulator.created_count("missing") == 0
    assert emulator.created_names() == {"a": 3, "b": 1, "c": 1}
    assert [record.sid for record in emulator.services] == sids
    assert [record.friendly_name for record in emulator.services] == names
    assert all(isinstance(record, ServiceRecord) for record in emulator.services)
    assert len(set(sids)) == 5


async def test_create_names_copy_is_detached(
    emulator: ChatEmulator, client: httpx.AsyncClient
) -> None:
    """created_names() returns a copy that later creates do not change."""
    await create(client, "a")
    names = emulator.created_names()
    await create(client, "a")
    assert names["a"] == 1
    assert emulator.created_count("a") == 2


async def test_create_service_json_matches_response(
    emulator: ChatEmulator, client: httpx.AsyncClient
) -> None:
    """service_json renders a record the same way the create response did."""
    response = await create(client, "render")
    assert emulator.service_json(emulator.services[0], BASE_URL) == response.text


# -- list ------------------------------------------------------------------------------------


async def test_list_empty(client: httpx.AsyncClient) -> None:
    """With no services the list is one empty page with null next and previous URLs."""
    response = await client.get("/v2/Services")
    assert response.status_code == 200
    assert response.json() == {
        "services": [],
        "meta": {
            "page": 0,
            "page_size": 50,
            "first_page_url": f"{BASE_URL}/v2/Services?PageSize=50&Page=0",
            "previous_page_url": None,
            "url": f"{BASE_URL}/v2/Services?PageSize=50&Page=0",
            "next_page_url": None,
            "key": "services",
        },
    }


async def _read_all(client: httpx.AsyncClient, url: str) -> list[dict[str, Any]]:
    pages = []
    next_url: str | None = url
    while next_url is not None:
        response = await client.get(next_url)
        assert response.status_code == 200
        pages.append(response.json())
        next_url = response.json()["meta"]["next_page_url"]
    return pages


async def test_list_follows_next_page_url(
    emulator: ChatEmulator, client: httpx.AsyncClient
) -> None:
    """Following next_page_url from page 0 reads every service once, oldest first."""
    for index in range(23):
        await create(client, f"svc-{index}")
    pages = await _read_all(client, "/v2/Services?PageSize=10")
    assert [len(page["services"]) for page in pages] == [10, 10, 3]
    assert [page["meta"]["page"] for page in pages] == [0, 1, 2]
    sids = [service["sid"] for page in pages for service in page["services"]]
    assert sids == [record.sid for record in emulator.services]
    for page in pages[:-1]:
        next_url = page["meta"]["next_page_url"]
        assert next_url.startswith(f"{BASE_URL}/v2/Services?PageSize=10&Page=")
        assert "&PageToken=" in next_url
    assert pages[-1]["meta"]["next_page_url"] is None


async def test_list_full_last_page_has_no_next(client: httpx.AsyncClient) -> None:
    """When the services fill the last page exactly, its next_page_url is null."""
    for index in range(4):
        await create(client, f"svc-{index}")
    pages = await _read_all(client, "/v2/Services?PageSize=2")
    assert [len(page["services"]) for page in pages] == [2, 2]


async def test_list_default_page_size_is_50(client: httpx.AsyncClient) -> None:
    """Without PageSize a page holds 50 services."""
    for index in range(51):
        await create(client, f"svc-{index}")
    pages = await _read_all(client, "/v2/Services")
    assert [len(page["services"]) for page in pages] == [50, 1]
    assert pages[0]["meta"]["page_size"] == 50


async def test_list_previous_page_url_goes_back(client: httpx.AsyncClient) -> None:
    """previous_page_url on page 1 returns exactly page 0."""
    for index in range(5):
        await create(client, f"svc-{index}")
    first = (await client.get("/v2/Services?PageSize=2")).json()
    second = (await client.get(first["meta"]["next_page_url"])).json()
    assert first["meta"]["previous_page_url"] is None
    back = (await client.get(second["meta"]["previous_page_url"])).json()
    assert back["services"] == first["services"]
    assert back["meta"]["page"] == 0


async def test_list_page_without_token_is_an_offset(client: httpx.AsyncClient) -> None:
    """Page=N without a token starts at N * PageSize."""
    sids = [(await create(client, f"svc-{index}")).json()["sid"] for index in range(5)]
    page = (await client.get("/v2/Services?PageSize=2&Page=1")).json()
    assert [service["sid"] for service in page["services"]] == sids[2:4]


async def test_list_stable_while_creating(
    emulator: ChatEmulator, client: httpx.AsyncClient
) -> None:
    """Creates between page reads are neither skipped nor duplicated by the next pages."""
    for index in range(4):
        await create(client, f"old-{index}")
    first = (await client.get("/v2/Services?PageSize=3")).json()
    for index in range(4):
        await create(client, f"new-{index}")
    rest = await _read_all(client, first["meta"]["next_page_url"])
    sids = [s["sid"] for page in [first, *rest] for s in page["services"]]
    assert sids == [record.sid for record in emulator.services]


@pytest.mark.parametrize(
    ("size", "status"),
    [
        pytest.param("1", 200, id="1"),
        pytest.param("100", 200, id="100"),
        pytest.param("0", 400, id="0"),
        pytest.param("101", 400, id="101"),
        pytest.param("-1", 400, id="negative"),
        pytest.param("ten", 400, id="not-a-number"),
    ],
)
async def test_list_page_size_bounds(client: httpx.AsyncClient, size: str, status: int) -> None:
    """PageSize must be an integer from 1 to 100; otherwise 400 with a Twilio error."""
    response = await client.get("/v2/Services", params={"PageSize": size})
    if status == 200:
        assert response.status_code == 200
        assert response.json()["meta"]["page_size"] == int(size)
    else:
        assert "PageSize" in _assert_error(response, 400, 20001)["message"]


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"PageToken": "PAIS" + "0" * 32}, id="unknown-sid"),
        pytest.param({"PageToken": "garbage"}, id="garbage"),
        pytest.param({"Page": "-2"}, id="negative-page"),
    ],
)
async def test_list_invalid_paging_rejected(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    """An unknown page token or a negative page is 400 with a Twilio error."""
    await create(client, "one")
    response = await client.get("/v2/Services", params=params)
    _assert_error(response, 400, 20001)


# -- routing, headers, lifespan, stats -------------------------------------------------------


@pytest.mark.parametrize("path", ["/v2/Services/", "/v1/Services", "/v2/Services/IS" + "0" * 32])
async def test_route_unknown_path_is_404(client: httpx.AsyncClient, path: str) -> None:
    """Any other path is 404 code 20404."""
    response = await client.get(path)
    assert path in _assert_error(response, 404, 20404)["message"]


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "OPTIONS"])
async def test_route_other_method_is_405(
    emulator: ChatEmulator, client: httpx.AsyncClient, method: str
) -> None:
    """Methods other than GET and POST on /v2/Services are 405 with a Twilio error."""
    response = await client.request(method, "/v2/Services")
    _assert_error(response, 405, 20004)
    assert response.headers["allow"] == "GET, POST"
    assert emulator.service_count == 0


@pytest.mark.parametrize(
    ("method", "path", "data", "auth", "status"),
    [
        pytest.param("POST", "/v2/Services", {"FriendlyName": "h"}, True, 201, id="201"),
        pytest.param("GET", "/v2/Services", None, True, 200, id="200"),
        pytest.param("POST", "/v2/Services", {}, True, 400, id="400"),
        pytest.param("POST", "/v2/Services", None, False, 401, id="401"),
        pytest.param("GET", "/v2/Nope", None, True, 404, id="404"),
        pytest.param("PUT", "/v2/Services", None, True, 405, id="405"),
    ],
)
async def test_headers_on_every_response(
    emulator: ChatEmulator,
    method: str,
    path: str,
    data: dict[str, str] | None,
    auth: bool,
    status: int,
) -> None:
    """Every answer is JSON with the five CORS headers and a fresh Twilio-Request-Id."""
    credentials = (TEST_ACCOUNT_SID, TEST_AUTH_TOKEN) if auth else None
    async with client_for(emulator, auth=credentials) as client:
        responses = [await client.request(method, path, data=data) for _ in range(2)]
    for response in responses:
        assert response.status_code == status
        assert response.headers["content-type"] == "application/json"
        assert set(response.headers) >= CORS
        assert response.headers["access-control-allow-origin"] == "*"
        assert response.headers["access-control-allow-credentials"] == "true"
        assert REQUEST_ID.fullmatch(response.headers["twilio-request-id"])
        assert int(response.headers["content-length"]) == len(response.content)
    ids = {response.headers["twilio-request-id"] for response in responses}
    assert len(ids) == 2


async def test_lifespan_startup_and_shutdown_complete(emulator: ChatEmulator) -> None:
    """The lifespan protocol completes startup and shutdown, then returns."""
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: Any) -> None:
        sent.append(dict(message))

    await emulator({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)
    assert sent == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]


async def test_stats_count_requests_and_outcomes(
    emulator: ChatEmulator, client: httpx.AsyncClient
) -> None:
    """stats counts requests, creates, list pages, 401s and 400s."""
    await create(client, "one")
    await create(client, "")
    await client.get("/v2/Services")
    await client.get("/v2/Services", auth=(TEST_ACCOUNT_SID, "wrong"))
    stats = emulator.stats
    assert (stats.requests, stats.created, stats.listed) == (4, 1, 1)
    assert (stats.invalid, stats.unauthorized) == (1, 1)
    assert stats.max_in_flight == 1
    assert emulator.in_flight == 0
