"""Slow creates: a create processed seconds after it arrived, while reads stay fast."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.testing.conftest import client_for, create
from twilio_chat.testing import (
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    ChatEmulator,
    EmulatorServer,
    Faults,
)

DELAY = 0.3


async def _wait_until_processed(emulator: ChatEmulator) -> None:
    for _ in range(200):
        if not emulator.pending_creates:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the slow create was never processed")


async def test_slow_create_times_out_then_appears() -> None:
    """The client's read timeout fires; the service is listed only once the delay has passed."""
    emulator = ChatEmulator(faults=Faults(slow_create_rate=1.0, slow_create_delay=DELAY))
    async with client_for(emulator, timeout=httpx.Timeout(5.0, read=0.05)) as client:
        with pytest.raises(httpx.ReadTimeout):
            await create(client, "late")
        assert emulator.pending_creates == 1
        early = await client.get("/v2/Services")
        assert early.status_code == 200
        assert early.json()["services"] == []
        assert emulator.existing_count("late") == 0
        await _wait_until_processed(emulator)
        listed = (await client.get("/v2/Services")).json()["services"]
    assert [service["friendly_name"] for service in listed] == ["late"]
    assert emulator.created_count("late") == 1
    assert (emulator.stats.slow_creates, emulator.stats.created) == (1, 1)
    assert emulator.in_flight == 0


async def test_slow_create_reads_are_not_delayed() -> None:
    """While a create is pending, a list and a fetch answer at once (before it is processed)."""
    emulator = ChatEmulator(faults=Faults(slow_create_rate=1.0, slow_create_delay=DELAY))
    sid = emulator.seed_service("old").sid
    async with client_for(emulator, timeout=None) as client:
        pending = asyncio.ensure_future(create(client, "late"))
        await asyncio.sleep(0)
        listed = await client.get("/v2/Services")
        fetched = await client.get(f"/v2/Services/{sid}")
        assert emulator.pending_creates == 1  # the reads finished before the create did
        response = await pending
    assert listed.status_code == fetched.status_code == 200
    assert [s["friendly_name"] for s in listed.json()["services"]] == ["old"]
    assert response.status_code == 201
    assert response.json()["sid"] == emulator.services[-1].sid


async def test_slow_create_held_response_is_the_created_service() -> None:
    """A client that waits long enough gets the 201 of the service created after the delay."""
    emulator = ChatEmulator(faults=Faults(slow_create_rate=1.0, slow_create_delay=0.05))
    async with client_for(emulator, timeout=None) as client:
        response = await create(client, "patient")
        fetched = await client.get(f"/v2/Services/{response.json()['sid']}")
    assert response.status_code == 201
    assert fetched.json() == response.json()
    assert emulator.pending_creates == 0


async def test_slow_create_invalid_name_rejected_at_once() -> None:
    """Validation is not delayed: a bad name is 400 at once and nothing is pending."""
    emulator = ChatEmulator(faults=Faults(slow_create_rate=1.0, slow_create_delay=30))
    async with client_for(emulator) as client:
        response = await create(client, "")
    assert response.status_code == 400
    assert emulator.pending_creates == 0
    assert emulator.stats.slow_creates == 0


async def test_slow_create_rate_is_seeded() -> None:
    """A partial slow_create_rate delays the same creates for the same seed."""

    async def delayed(seed: int) -> list[int]:
        emulator = ChatEmulator(
            faults=Faults(slow_create_rate=0.3, slow_create_delay=0.01), seed=seed
        )
        async with client_for(emulator, timeout=None) as client:
            return [
                emulator.stats.slow_creates
                for index in range(20)
                if (await create(client, f"n{index}")).status_code == 201
            ]

    first = await delayed(3)
    assert first == await delayed(3)
    assert 0 < first[-1] < 20


async def test_slow_create_over_loopback_survives_the_client_leaving() -> None:
    """Over TCP the client times out and disconnects; the service is still created later."""
    emulator = ChatEmulator(faults=Faults(slow_create_rate=1.0, slow_create_delay=DELAY))
    with EmulatorServer(emulator) as server:
        async with httpx.AsyncClient(
            base_url=server.base_url,
            auth=(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN),
            timeout=httpx.Timeout(5.0, read=0.05),
        ) as client:
            with pytest.raises(httpx.ReadTimeout):
                await create(client, "late")
            assert (await client.get("/v2/Services")).json()["services"] == []
            for _ in range(200):
                listed = (await client.get("/v2/Services")).json()["services"]
                if listed:
                    break
                await asyncio.sleep(0.01)
    assert [service["friendly_name"] for service in listed] == ["late"]
    assert emulator.created_count("late") == 1
