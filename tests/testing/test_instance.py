"""Fetch, update and delete of one service (`/v2/Services/{Sid}`) in the emulator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.testing.conftest import client_for, create
from twilio_chat.testing import ChatEmulator

UNKNOWN_SID = "IS" + "0" * 32
ROLE = "RL" + "ab" * 16


class FakeClock:
    """A settable clock, so date_updated can move without sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC).timestamp()

    def __call__(self) -> float:
        return self.now


def _error(response: httpx.Response, status: int, code: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert (body["code"], body["status"]) == (code, status)
    return body


async def _new(client: httpx.AsyncClient, name: str = "svc") -> dict[str, Any]:
    response = await create(client, name)
    assert response.status_code == 201
    body: dict[str, Any] = response.json()
    return body


def _path(sid: str) -> str:
    return f"/v2/Services/{sid}"


def _get(body: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = body
    for key in path:
        node = node[key]
    return node


# -- fetch -----------------------------------------------------------------------------------


async def test_fetch_returns_the_created_service(client: httpx.AsyncClient) -> None:
    """GET /v2/Services/{Sid} answers 200 with exactly the body the create returned."""
    created = await _new(client)
    response = await client.get(_path(created["sid"]))
    assert response.status_code == 200
    assert response.json() == created


@pytest.mark.parametrize(
    "sid",
    [
        pytest.param(UNKNOWN_SID, id="unknown"),
        pytest.param("IS123", id="short"),
        pytest.param("XX" + "0" * 32, id="wrong-prefix"),
        pytest.param("IS" + "g" * 32, id="not-hex"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_instance_unknown_or_malformed_sid_is_404(
    emulator: ChatEmulator, client: httpx.AsyncClient, sid: str, method: str
) -> None:
    """Fetch, update or delete of an unknown or malformed SID is 404 code 20404."""
    await _new(client)
    response = await client.request(method, _path(sid), data={"FriendlyName": "x"})
    body = _error(response, 404, 20404)
    assert sid in body["message"]
    assert emulator.service_count == 1
    assert emulator.stats.not_found == 1


@pytest.mark.parametrize("method", ["PUT", "PATCH", "OPTIONS"])
async def test_instance_other_method_is_405(client: httpx.AsyncClient, method: str) -> None:
    """Methods other than GET, POST and DELETE on a service are 405, listing the allowed ones."""
    created = await _new(client)
    response = await client.request(method, _path(created["sid"]))
    _error(response, 405, 20004)
    assert response.headers["allow"] == "GET, POST, DELETE"


@pytest.mark.parametrize("path", ["/v2/Services//x", "/v2/Services/IS" + "0" * 32 + "/Channels"])
async def test_instance_sub_paths_are_404(client: httpx.AsyncClient, path: str) -> None:
    """Paths below a service (not emulated) are 404, not a fetch."""
    _error(await client.get(path), 404, 20404)


# -- update ----------------------------------------------------------------------------------

# (parameter, value sent, field path, value expected in the resource)
PARAMETERS: list[tuple[str, str, tuple[str, ...], Any]] = [
    ("FriendlyName", "renamed", ("friendly_name",), "renamed"),
    ("DefaultServiceRoleSid", ROLE, ("default_service_role_sid",), ROLE),
    ("DefaultChannelRoleSid", ROLE, ("default_channel_role_sid",), ROLE),
    ("DefaultChannelCreatorRoleSid", ROLE, ("default_channel_creator_role_sid",), ROLE),
    ("ReadStatusEnabled", "false", ("read_status_enabled",), False),
    ("ReachabilityEnabled", "true", ("reachability_enabled",), True),
    ("TypingIndicatorTimeout", "12", ("typing_indicator_timeout",), 12),
    ("ConsumptionReportInterval", "30", ("consumption_report_interval",), 30),
    ("Notifications.NewMessage.Enabled", "true", ("notifications", "new_message", "enabled"), True),
    ("Notifications.NewMessage.Template", "t1", ("notifications", "new_message", "template"), "t1"),
    ("Notifications.NewMessage.Sound", "s1", ("notifications", "new_message", "sound"), "s1"),
    (
        "Notifications.NewMessage.BadgeCountEnabled",
        "true",
        ("notifications", "new_message", "badge_count_enabled"),
        True,
    ),
    (
        "Notifications.AddedToChannel.Enabled",
        "true",
        ("notifications", "added_to_channel", "enabled"),
        True,
    ),
    (
        "Notifications.AddedToChannel.Template",
        "t2",
        ("notifications", "added_to_channel", "template"),
        "t2",
    ),
    (
        "Notifications.AddedToChannel.Sound",
        "s2",
        ("notifications", "added_to_channel", "sound"),
        "s2",
    ),
    (
        "Notifications.RemovedFromChannel.Enabled",
        "true",
        ("notifications", "removed_from_channel", "enabled"),
        True,
    ),
    (
        "Notifications.RemovedFromChannel.Template",
        "t3",
        ("notifications", "removed_from_channel", "template"),
        "t3",
    ),
    (
        "Notifications.RemovedFromChannel.Sound",
        "s3",
        ("notifications", "removed_from_channel", "sound"),
        "s3",
    ),
    (
        "Notifications.InvitedToChannel.Enabled",
        "true",
        ("notifications", "invited_to_channel", "enabled"),
        True,
    ),
    (
        "Notifications.InvitedToChannel.Template",
        "t4",
        ("notifications", "invited_to_channel", "template"),
        "t4",
    ),
    (
        "Notifications.InvitedToChannel.Sound",
        "s4",
        ("notifications", "invited_to_channel", "sound"),
        "s4",
    ),
    ("Notifications.LogEnabled", "true", ("notifications", "log_enabled"), True),
    ("PreWebhookUrl", "https://hooks.test/pre", ("pre_webhook_url",), "https://hooks.test/pre"),
    ("PostWebhookUrl", "http://hooks.test/post", ("post_webhook_url",), "http://hooks.test/post"),
    ("WebhookMethod", "GET", ("webhook_method",), "GET"),
    ("WebhookFilters", "onMessageSent", ("webhook_filters",), ["onMessageSent"]),
    ("Limits.ChannelMembers", "500", ("limits", "channel_members"), 500),
    ("Limits.UserChannels", "1000", ("limits", "user_channels"), 1000),
    ("Media.CompatibilityMessage", "see app", ("media", "compatibility_message"), "see app"),
    ("PreWebhookRetryCount", "2", ("pre_webhook_retry_count",), 2),
    ("PostWebhookRetryCount", "3", ("post_webhook_retry_count",), 3),
]


def test_update_parameters_cover_twilios_list() -> None:
    """The table below tests all 31 parameters Twilio's UpdateService defines, once each."""
    assert len(PARAMETERS) == 31
    assert len({row[0] for row in PARAMETERS}) == 31


@pytest.mark.parametrize(
    ("parameter", "sent", "path", "expected"), [pytest.param(*row, id=row[0]) for row in PARAMETERS]
)
async def test_update_parameter_sets_its_field(
    client: httpx.AsyncClient, parameter: str, sent: str, path: tuple[str, ...], expected: Any
) -> None:
    """Each parameter sets the (nested) field it names, and nothing else changes."""
    before = await _new(client)
    response = await client.post(_path(before["sid"]), data={parameter: sent})
    assert response.status_code == 200
    after = response.json()
    assert _get(after, path) == expected
    assert _get(before, path) != expected
    # Everything else is as before: put the one changed value back and compare.
    node = after
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = _get(before, path)
    after.pop("date_updated")
    before.pop("date_updated")
    assert after == before


async def test_update_all_parameters_at_once(client: httpx.AsyncClient) -> None:
    """One update may set all 31 parameters; fetch reads back every value."""
    created = await _new(client)
    data = {parameter: sent for parameter, sent, _, _ in PARAMETERS}
    assert (await client.post(_path(created["sid"]), data=data)).status_code == 200
    fetched = (await client.get(_path(created["sid"]))).json()
    for parameter, _, path, expected in PARAMETERS:
        assert _get(fetched, path) == expected, parameter


async def test_update_bumps_date_updated_only() -> None:
    """An update sets date_updated to now and keeps date_created; fetch and list agree."""
    clock = FakeClock()
    emulator = ChatEmulator(clock=clock)
    async with client_for(emulator) as client:
        created = await _new(client)
        clock.now += 90
        updated = (await client.post(_path(created["sid"]), data={})).json()
        listed = (await client.get("/v2/Services")).json()["services"]
    assert created["date_created"] == created["date_updated"] == "2024-05-01T12:00:00Z"
    assert updated["date_created"] == "2024-05-01T12:00:00Z"
    assert updated["date_updated"] == "2024-05-01T12:01:30Z"
    assert listed == [updated]


async def test_update_webhook_filters_replace_the_list(client: httpx.AsyncClient) -> None:
    """Repeated WebhookFilters keys set the list in order; the next update replaces it."""
    sid = (await _new(client))["sid"]
    first = await client.post(_path(sid), data={"WebhookFilters": ["onMessageSent", "onUserAdded"]})
    assert first.json()["webhook_filters"] == ["onMessageSent", "onUserAdded"]
    second = await client.post(_path(sid), data={"WebhookFilters": ["onChannelAdded"]})
    assert second.json()["webhook_filters"] == ["onChannelAdded"]
    cleared = await client.post(_path(sid), data={"WebhookFilters": ""})
    assert cleared.json()["webhook_filters"] == []


async def test_update_empty_webhook_url_clears_it(client: httpx.AsyncClient) -> None:
    """An empty PreWebhookUrl sets it back to null."""
    sid = (await _new(client))["sid"]
    await client.post(_path(sid), data={"PreWebhookUrl": "https://hooks.test/pre"})
    response = await client.post(_path(sid), data={"PreWebhookUrl": ""})
    assert response.json()["pre_webhook_url"] is None


@pytest.mark.parametrize(
    ("data", "path", "expected"),
    [
        pytest.param({"ReadStatusEnabled": "False"}, ("read_status_enabled",), False, id="False"),
        pytest.param({"ReachabilityEnabled": "TRUE"}, ("reachability_enabled",), True, id="TRUE"),
        pytest.param({"WebhookMethod": "get"}, ("webhook_method",), "GET", id="get"),
        pytest.param({"Limits.UserChannels": "1"}, ("limits", "user_channels"), 1, id="limit-1"),
        pytest.param({"TypingIndicatorTimeout": "0"}, ("typing_indicator_timeout",), 0, id="0"),
        pytest.param(
            {"Notifications.NewMessage.Template": ""},
            ("notifications", "new_message", "template"),
            "",
            id="empty-template",
        ),
    ],
)
async def test_update_lenient_forms_accepted(
    client: httpx.AsyncClient, data: dict[str, str], path: tuple[str, ...], expected: Any
) -> None:
    """Booleans and the method in any case, limit and timeout bounds, empty texts are accepted."""
    sid = (await _new(client))["sid"]
    response = await client.post(_path(sid), data=data)
    assert response.status_code == 200
    assert _get(response.json(), path) == expected


async def test_update_unknown_parameters_ignored(client: httpx.AsyncClient) -> None:
    """Parameters Twilio does not define are ignored, as Twilio ignores them."""
    created = await _new(client)
    response = await client.post(_path(created["sid"]), data={"Colour": "blue", "limits": "9"})
    assert response.status_code == 200
    assert response.json() == created


INVALID = [
    pytest.param("ReadStatusEnabled", "yes", 20001, id="bool-yes"),
    pytest.param("Notifications.LogEnabled", "1", 20001, id="bool-1"),
    pytest.param("ReachabilityEnabled", "", 20001, id="bool-empty"),
    pytest.param("TypingIndicatorTimeout", "five", 20001, id="int-word"),
    pytest.param("TypingIndicatorTimeout", "1.5", 20001, id="int-float"),
    pytest.param("PreWebhookRetryCount", "-1", 20001, id="int-negative"),
    pytest.param("ConsumptionReportInterval", "9" * 12, 20001, id="int-huge"),
    pytest.param("Limits.ChannelMembers", "0", 20001, id="limit-0"),
    pytest.param("Limits.UserChannels", "1001", 20001, id="limit-1001"),
    pytest.param("PreWebhookUrl", "not a url", 20001, id="url-text"),
    pytest.param("PostWebhookUrl", "ftp://hooks.test/x", 20001, id="url-ftp"),
    pytest.param("PostWebhookUrl", "/relative/path", 20001, id="url-relative"),
    pytest.param("DefaultServiceRoleSid", "RL123", 20001, id="sid-short"),
    pytest.param("DefaultChannelRoleSid", "IS" + "a" * 32, 20001, id="sid-prefix"),
    pytest.param("DefaultChannelCreatorRoleSid", "RL" + "z" * 32, 20001, id="sid-not-hex"),
    pytest.param("WebhookMethod", "PUT", 20001, id="method-put"),
    pytest.param("WebhookMethod", "", 20001, id="method-empty"),
    pytest.param("FriendlyName", "x" * 65, 50003, id="name-65"),
    pytest.param("FriendlyName", "", 50000, id="name-empty"),
]


@pytest.mark.parametrize(("parameter", "value", "code"), INVALID)
async def test_update_invalid_value_rejected_and_nothing_applied(
    emulator: ChatEmulator, client: httpx.AsyncClient, parameter: str, value: str, code: int
) -> None:
    """A bad value is 400 with a Twilio error; the valid parameters beside it are not applied."""
    created = await _new(client)
    data = {"ReadStatusEnabled": "false", "Limits.UserChannels": "7", parameter: value}
    if parameter in ("ReadStatusEnabled", "Limits.UserChannels"):
        data["ReachabilityEnabled"] = "true"
    response = await client.post(_path(created["sid"]), data=data)
    body = _error(response, 400, code)
    assert parameter in body["message"]
    assert (await client.get(_path(created["sid"]))).json() == created
    assert emulator.stats.updated == 0


async def test_update_malformed_body_rejected(client: httpx.AsyncClient) -> None:
    """An update body that is not strict UTF-8 form encoding is 400 code 20001."""
    created = await _new(client)
    response = await client.post(
        _path(created["sid"]),
        content=b"FriendlyName=%FF",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    _error(response, 400, 20001)
    assert (await client.get(_path(created["sid"]))).json() == created


async def test_update_rename_moves_the_existing_count(
    emulator: ChatEmulator, client: httpx.AsyncClient
) -> None:
    """Renaming moves the service from one name's existing count to the other's."""
    sid = (await _new(client, "old"))["sid"]
    await client.post(_path(sid), data={"FriendlyName": "new"})
    assert emulator.existing_names() == {"new": 1}
    assert emulator.created_names() == {"old": 1}
    assert emulator.service(sid) is not None
    assert emulator.service(sid).friendly_name == "new"  # type: ignore[union-attr]


async def test_update_of_one_service_leaves_others_alone(client: httpx.AsyncClient) -> None:
    """Nested settings are copied on write: updating one service changes no other."""
    first, second = await _new(client, "a"), await _new(client, "b")
    await client.post(_path(first["sid"]), data={"Notifications.NewMessage.Enabled": "true"})
    assert (await client.get(_path(second["sid"]))).json() == second
    third = await _new(client, "c")
    assert third["notifications"]["new_message"]["enabled"] is False


# -- delete ----------------------------------------------------------------------------------


async def test_delete_answers_204_without_body(
    emulator: ChatEmulator, client: httpx.AsyncClient
) -> None:
    """DELETE answers 204 with no body and no Content-Type, and the service is gone."""
    sid = (await _new(client))["sid"]
    response = await client.delete(_path(sid))
    assert response.status_code == 204
    assert response.content == b""
    assert "content-type" not in response.headers
    assert response.headers["twilio-request-id"].startswith("RQ")
    assert emulator.service_count == 0
    assert emulator.service(sid) is None
    assert emulator.stats.deleted == 1


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda c, p: c.get(p), id="fetch"),
        pytest.param(lambda c, p: c.post(p, data={"FriendlyName": "x"}), id="update"),
        pytest.param(lambda c, p: c.delete(p), id="delete"),
    ],
)
async def test_delete_then_every_operation_is_404(
    client: httpx.AsyncClient, call: Callable[[httpx.AsyncClient, str], Any]
) -> None:
    """After a delete, fetch, update and delete of that SID are 404 code 20404."""
    sid = (await _new(client))["sid"]
    await client.delete(_path(sid))
    _error(await call(client, _path(sid)), 404, 20404)


async def test_delete_counts_and_listing(emulator: ChatEmulator, client: httpx.AsyncClient) -> None:
    """A deleted service leaves the list and existing counts; created counts keep it."""
    sids = [(await _new(client, name))["sid"] for name in ("a", "a", "b")]
    await client.delete(_path(sids[0]))
    listed = (await client.get("/v2/Services")).json()["services"]
    assert [service["sid"] for service in listed] == sids[1:]
    assert emulator.existing_names() == {"a": 1, "b": 1}
    assert emulator.existing_count("a") == 1
    assert emulator.created_names() == {"a": 2, "b": 1}
    assert [record.sid for record in emulator.services] == sids[1:]
    assert emulator.service_count == 2


async def test_delete_while_paging_keeps_every_other_service(
    emulator: ChatEmulator, client: httpx.AsyncClient
) -> None:
    """Deleting services (the page's anchor included) between page reads skips no other one."""
    sids = [(await _new(client, f"s{index}"))["sid"] for index in range(9)]
    first = (await client.get("/v2/Services?PageSize=3")).json()
    for sid in (sids[2], sids[3], sids[5]):  # sids[2] is the next page's anchor
        assert (await client.delete(_path(sid))).status_code == 204
    seen = [service["sid"] for service in first["services"]]
    next_url = first["meta"]["next_page_url"]
    while next_url:
        page = (await client.get(next_url)).json()
        seen += [service["sid"] for service in page["services"]]
        next_url = page["meta"]["next_page_url"]
    assert seen == [*sids[:3], sids[4], *sids[6:]]


async def test_list_pages_skip_deleted_services(client: httpx.AsyncClient) -> None:
    """With holes, pages stay full, Page=N counts live services, and previous goes back."""
    sids = [(await _new(client, f"s{index}"))["sid"] for index in range(8)]
    for sid in (sids[0], sids[3], sids[7]):
        await client.delete(_path(sid))
    live = [sids[i] for i in (1, 2, 4, 5, 6)]
    page0 = (await client.get("/v2/Services?PageSize=2")).json()
    page1 = (await client.get(page0["meta"]["next_page_url"])).json()
    page2 = (await client.get(page1["meta"]["next_page_url"])).json()
    pages = [[s["sid"] for s in page["services"]] for page in (page0, page1, page2)]
    assert pages == [live[0:2], live[2:4], live[4:]]
    assert page2["meta"]["next_page_url"] is None
    assert page0["meta"]["previous_page_url"] is None
    offset = (await client.get("/v2/Services?PageSize=2&Page=1")).json()
    assert [s["sid"] for s in offset["services"]] == live[2:4]
    back = (await client.get(page1["meta"]["previous_page_url"])).json()
    assert [s["sid"] for s in back["services"]] == live[0:2]


async def test_delete_everything_lists_empty(client: httpx.AsyncClient) -> None:
    """When every service is deleted the list is one empty page."""
    sids = [(await _new(client, f"s{index}"))["sid"] for index in range(3)]
    for sid in sids:
        await client.delete(_path(sid))
    page = (await client.get("/v2/Services")).json()
    assert page["services"] == []
    assert page["meta"]["next_page_url"] is None
