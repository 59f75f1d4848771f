"""observe and plan against the emulator (in-process): one listing, the right action per
service, Terraform-style rendering, and never a write."""

from __future__ import annotations

from pathlib import Path

import pytest

from twilio_chat import (
    ChatClient,
    DesiredService,
    DesiredState,
    PlanAction,
    load_desired,
    observe,
    plan,
)
from twilio_chat.provisioning import plan_from
from twilio_chat.testing import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, ChatEmulator


def client(emulator: ChatEmulator) -> ChatClient:
    return ChatClient(
        TEST_ACCOUNT_SID,
        TEST_AUTH_TOKEN,
        base_url="http://emulator.test",
        transport=emulator.transport(),
    )


DESIRED = """\
defaults:
  read_status_enabled: true
  limits: {user_channels: 500}
  webhook_method: POST
services:
  - friendly_name: new
    pre_webhook_url: https://hooks.example.com/new
  - friendly_name: configured
  - friendly_name: drifted
    webhook_filters: [onMessageSend]
  - friendly_name: twice
"""


async def test_plan_actions_against_emulator(tmp_path: Path) -> None:
    """Create, update (differing fields only), no change, conflict: one listing, no write."""
    emulator = ChatEmulator()
    configured = emulator.seed_service("configured")
    drifted = emulator.seed_service("drifted")
    twins = [emulator.seed_service("twice"), emulator.seed_service("twice")]
    emulator.seed_service("unmanaged")
    async with client(emulator) as chat:
        await chat.update_service(configured.sid, limits_user_channels=500)
        await chat.update_service(drifted.sid, limits_user_channels=500, webhook_method="GET")
        path = tmp_path / "services.yaml"
        path.write_text(DESIRED, encoding="utf-8")
        before = emulator.stats
        result = await plan(chat, load_desired(path))
    after = emulator.stats
    assert after.write_requests == before.write_requests
    assert after.list_requests - before.list_requests == 1
    new, same, drift, twice = result.entries
    assert (new.action, new.sid) == (PlanAction.CREATE, None)
    assert new.settings == {
        "read_status_enabled": True,
        "pre_webhook_url": "https://hooks.example.com/new",
        "webhook_method": "POST",
        "limits_user_channels": 500,
    }
    assert (same.action, same.sid, same.changes) == (PlanAction.NO_CHANGE, configured.sid, ())
    assert (drift.action, drift.sid) == (PlanAction.UPDATE, drifted.sid)
    assert [(c.path, c.old, c.new) for c in drift.changes] == [
        ("webhook_method", "GET", "POST"),
        ("webhook_filters", [], ["onMessageSend"]),
    ]
    assert drift.settings == {"webhook_method": "POST", "webhook_filters": ["onMessageSend"]}
    assert twice.action is PlanAction.CONFLICT
    assert set(twice.conflict_sids) == {twin.sid for twin in twins}
    assert (result.count(PlanAction.CREATE), result.count(PlanAction.UPDATE)) == (1, 1)
    assert result.summary == "Plan: 1 to create, 1 to update, 1 unchanged, 1 conflicts"


async def test_plan_render_terraform_style() -> None:
    """+ create with its settings, ~ update with `field: old -> new`, ! conflict, then counts."""
    emulator = ChatEmulator()
    drifted = emulator.seed_service("drifted")
    twins = [emulator.seed_service("twice").sid, emulator.seed_service("twice").sid]
    emulator.seed_service("same")
    desired = DesiredState(
        "code",
        (
            DesiredService('new "one"', {"limits_user_channels": 9}),
            DesiredService("drifted", {"limits_user_channels": 9, "read_status_enabled": True}),
            DesiredService("twice", {}),
            DesiredService("same", {}),
        ),
    )
    async with client(emulator) as chat:
        text = (await plan(chat, desired)).render()
    listed_twins = next(line for line in text.splitlines() if line.startswith("!"))
    assert text.splitlines() == [
        '+ create "new \\"one\\""',
        "    limits.user_channels: 9",
        f'~ update "drifted" ({drifted.sid})',
        "    limits.user_channels: 250 -> 9",
        listed_twins,
        "Plan: 1 to create, 1 to update, 1 unchanged, 1 conflicts",
    ]
    assert listed_twins.startswith('! conflict "twice": 2 services have this name (')
    assert all(sid in listed_twins for sid in twins)
    assert emulator.stats.write_requests == 0


async def test_plan_after_apply_shows_nothing_to_do() -> None:
    """Once the changes a plan lists are made, a second plan finds every service unchanged."""
    emulator = ChatEmulator()
    emulator.seed_service("a")
    desired = DesiredState(
        "code",
        (
            DesiredService(
                "a",
                {
                    "webhook_method": "GET",
                    "webhook_filters": [],
                    "pre_webhook_url": "",
                    "notifications_new_message_template": "t",
                    "limits_channel_members": 1000,
                },
            ),
        ),
    )
    async with client(emulator) as chat:
        first = await plan(chat, desired)
        (entry,) = first.entries
        assert entry.action is PlanAction.UPDATE
        assert {c.keyword for c in entry.changes} == {
            "webhook_method",
            "notifications_new_message_template",
            "limits_channel_members",
        }
        assert entry.sid is not None
        await chat.update_service(entry.sid, **entry.settings)
        second = await plan(chat, desired)
    assert [e.action for e in second.entries] == [PlanAction.NO_CHANGE]


async def test_plan_names_file_creates_only_missing() -> None:
    """A names file plans creates for missing names and nothing for existing ones."""
    emulator = ChatEmulator()
    emulator.seed_service("b")
    desired = DesiredState("names", (DesiredService("a"), DesiredService("b")))
    async with client(emulator) as chat:
        result = await plan(chat, desired)
    assert [(e.friendly_name, e.action, e.settings) for e in result.entries] == [
        ("a", PlanAction.CREATE, {}),
        ("b", PlanAction.NO_CHANGE, {}),
    ]
    assert emulator.stats.write_requests == 0


async def test_observe_groups_by_name_across_pages() -> None:
    """One listing of every page: names -> services, conflicts found, settings kept."""
    emulator = ChatEmulator()
    for index in range(250):
        emulator.seed_service(f"tenant-{index:03d}")
    extra = emulator.seed_service("tenant-007")
    async with client(emulator) as chat:
        observation = await observe(chat)
    assert len(observation) == 251
    assert len(observation.names()) == 250
    assert list(observation.conflicts()) == ["tenant-007"]
    assert [s.sid for s in observation.services("tenant-007")][-1] == extra.sid
    assert observation.services("missing") == ()
    (one,) = observation.services("tenant-001")
    assert one.value("limits_user_channels") == 250
    assert one.value("webhook_method") == "POST"
    assert observation.account_sid == TEST_ACCOUNT_SID
    assert observation.seconds >= 0
    assert emulator.stats.list_requests == 3
    assert emulator.stats.write_requests == 0


async def test_plan_from_reuses_an_observation() -> None:
    """plan_from works on an observation already made, with no request at all."""
    emulator = ChatEmulator()
    emulator.seed_service("a")
    async with client(emulator) as chat:
        observation = await observe(chat)
    requests = emulator.stats.list_requests
    result = plan_from(DesiredState("code", (DesiredService("a"),)), observation)
    assert result.observation is observation
    assert [e.action for e in result.entries] == [PlanAction.NO_CHANGE]
    assert emulator.stats.list_requests == requests


async def test_observe_keeps_only_asked_settings() -> None:
    """observe(settings=...) keeps only those values; reading another is a typed error."""
    from twilio_chat import ConfigurationError

    emulator = ChatEmulator()
    emulator.seed_service("a")
    async with client(emulator) as chat:
        observation = await observe(chat, settings={"limits_user_channels"})
    (service,) = observation.services("a")
    assert service.values == (250,)
    assert service.value("limits_user_channels") == 250
    with pytest.raises(ConfigurationError, match="not kept"):
        service.value("read_status_enabled")
