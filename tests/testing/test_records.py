"""What the emulator records for tests: seeded services, counts per name, requests per operation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from tests.testing.conftest import client_for, create
from twilio_chat.testing import TEST_ACCOUNT_SID, ChatEmulator, Faults


async def test_seed_service_exists_without_a_request(emulator: ChatEmulator) -> None:
    """A seeded service is listed and fetched, counts as existing, and costs no request."""
    record = emulator.seed_service("pre-existing")
    assert emulator.stats.requests == 0
    assert emulator.existing_count("pre-existing") == 1
    assert emulator.created_count("pre-existing") == 0
    assert emulator.services == (record,)
    async with client_for(emulator) as client:
        listed = (await client.get("/v2/Services")).json()["services"]
        fetched = (await client.get(f"/v2/Services/{record.sid}")).json()
    assert [service["sid"] for service in listed] == [record.sid]
    assert fetched["friendly_name"] == "pre-existing"
    assert emulator.stats.created == 0


async def test_seed_service_keeps_its_creation_date(emulator: ChatEmulator) -> None:
    """date_created is the given moment, converted to UTC."""
    moment = datetime(2023, 1, 2, 5, 6, 7, tzinfo=timezone(timedelta(hours=2)))
    record = emulator.seed_service("old", date_created=moment)
    assert record.date_created == "2023-01-02T03:06:07Z"
    async with client_for(emulator) as client:
        fetched = (await client.get(f"/v2/Services/{record.sid}")).json()
    assert fetched["date_created"] == fetched["date_updated"] == "2023-01-02T03:06:07Z"


def test_seed_service_rejects_bad_input(emulator: ChatEmulator) -> None:
    """An empty name or a naive date_created is a ValueError."""
    with pytest.raises(ValueError, match="friendly_name"):
        emulator.seed_service("")
    with pytest.raises(ValueError, match="timezone"):
        emulator.seed_service("x", date_created=datetime(2023, 1, 1))
    assert emulator.service_count == 0


async def test_seeded_duplicates_count_per_name(
    emulator: ChatEmulator, client: httpx.AsyncClient
) -> None:
    """Two seeded services and one created one with the same name: three exist, one created."""
    emulator.seed_service("dup")
    emulator.seed_service("dup")
    await create(client, "dup")
    assert emulator.existing_names() == {"dup": 3}
    assert emulator.created_names() == {"dup": 1}
    assert emulator.stats.created == 1


async def test_stats_count_requests_per_operation(
    emulator: ChatEmulator, client: httpx.AsyncClient
) -> None:
    """Each operation has its own request counter; write_requests sums the three writes."""
    sid = (await create(client, "a")).json()["sid"]
    await client.get("/v2/Services")
    await client.get("/v2/Services")
    await client.get(f"/v2/Services/{sid}")
    await client.post(f"/v2/Services/{sid}", data={"ReadStatusEnabled": "nope"})
    await client.post(f"/v2/Services/{sid}", data={})
    await client.delete(f"/v2/Services/{sid}")
    await client.delete(f"/v2/Services/{sid}")
    stats = emulator.stats
    counts = (
        stats.create_requests,
        stats.list_requests,
        stats.fetch_requests,
        stats.update_requests,
        stats.delete_requests,
    )
    assert counts == (1, 2, 1, 2, 2)
    assert stats.write_requests == 5
    assert (stats.created, stats.listed, stats.fetched, stats.updated, stats.deleted) == (
        1,
        2,
        1,
        1,
        1,
    )
    assert (stats.invalid, stats.not_found) == (1, 1)


async def test_stats_reads_only_means_zero_writes(emulator: ChatEmulator) -> None:
    """A client that only lists and fetches leaves write_requests at 0, even when refused."""
    emulator.seed_service("x")
    emulator.faults = Faults(rate_limit=1.0, operations=["fetch"])
    async with client_for(emulator) as client:
        await client.get("/v2/Services")
        await client.get(f"/v2/Services/{emulator.services[0].sid}")
    stats = emulator.stats
    assert (stats.list_requests, stats.fetch_requests, stats.write_requests) == (1, 1, 0)


async def test_stats_unauthenticated_requests_count_for_no_operation(
    emulator: ChatEmulator,
) -> None:
    """A request refused with 401 counts as a request but not as any operation."""
    async with client_for(emulator, auth=(TEST_ACCOUNT_SID, "wrong")) as client:
        await create(client, "x")
    stats = emulator.stats
    assert (stats.requests, stats.unauthorized, stats.create_requests) == (1, 1, 0)


def test_existing_names_copy_is_detached(emulator: ChatEmulator) -> None:
    """existing_names() returns a copy that later changes do not touch."""
    emulator.seed_service("a")
    names = emulator.existing_names()
    emulator.seed_service("a")
    assert names == {"a": 1}
    assert emulator.existing_count("a") == 2


def test_clock_stamps_creation(emulator: ChatEmulator) -> None:
    """The injected clock decides date_created."""
    moment = datetime(2030, 6, 7, 8, 9, 10, tzinfo=UTC)
    emulator = ChatEmulator(clock=moment.timestamp)
    assert emulator.seed_service("x").date_created == "2030-06-07T08:09:10Z"
