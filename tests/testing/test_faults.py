"""Fault injection: configuration checks, each fault on the wire, seeded repeatability."""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

import httpx
import pytest

from tests.testing.conftest import client_for, create
from twilio_chat.testing import ChatEmulator, Faults, Operation
from twilio_chat.testing._faults import Admission, AfterProcessing, FaultDice


def test_faults_default_all_off() -> None:
    """Faults() injects nothing: no cap, zero fractions, no latency."""
    faults = Faults()
    assert faults.max_concurrency is None
    assert faults.rate_limit == faults.unavailable == 0.0
    assert faults.error_after_create == faults.drop_after_create == faults.hang_after_create == 0.0
    assert faults.latency == 0.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        pytest.param({"rate_limit": 1.5}, "rate_limit must be a fraction", id="fraction>1"),
        pytest.param({"unavailable": -0.1}, "unavailable must be a fraction", id="fraction<0"),
        pytest.param({"drop_after_create": float("nan")}, "drop_after_create", id="nan"),
        pytest.param({"latency_jitter": 2.0}, "latency_jitter", id="jitter>1"),
        pytest.param({"latency": -1.0}, "latency must be a finite", id="negative-latency"),
        pytest.param({"hang_seconds": float("inf")}, "hang_seconds", id="infinite-hang"),
        pytest.param({"rate_limit_retry_after": -1.0}, "rate_limit_retry_after", id="retry<0"),
        pytest.param({"max_concurrency": 0}, "max_concurrency", id="cap-0"),
        pytest.param({"max_concurrency": 2.5}, "max_concurrency", id="cap-float"),
        pytest.param({"rate_limit": 0.6, "unavailable": 0.5}, "rate_limit \\+", id="sum-admit"),
        pytest.param(
            {"error_after_create": 0.5, "hang_after_create": 0.6},
            "error_after_create \\+",
            id="sum",
        ),
    ],
)
def test_faults_invalid_values_rejected(kwargs: dict[str, Any], match: str) -> None:
    """Out-of-range values raise ValueError naming the field."""
    with pytest.raises(ValueError, match=match):
        Faults(**kwargs)


def test_faults_frozen_and_keyword_only() -> None:
    """Faults is immutable and takes keywords only."""
    faults = Faults(rate_limit=0.5)
    with pytest.raises(AttributeError):
        faults.rate_limit = 0.1  # type: ignore[misc]
    with pytest.raises(TypeError):
        Faults(1)  # type: ignore[call-arg]


@pytest.mark.parametrize(("retry_after", "header"), [(2.0, "2"), (0.25, "0.25"), (None, None)])
async def test_fault_rate_limit_answers_429(retry_after: float | None, header: str | None) -> None:
    """rate_limit=1 answers 429 code 20429 with the configured Retry-After, creating nothing."""
    emulator = ChatEmulator(faults=Faults(rate_limit=1.0, rate_limit_retry_after=retry_after))
    async with client_for(emulator) as client:
        response = await create(client, "limited")
        listed = await client.get("/v2/Services")
    assert response.status_code == 429
    assert response.json()["code"] == 20429
    assert response.headers.get("retry-after") == header
    assert listed.status_code == 429
    assert emulator.service_count == 0
    assert emulator.stats.rate_limited == 2


async def test_fault_unavailable_answers_503() -> None:
    """unavailable=1 answers 503 with Twilio's error and Retry-After, creating nothing."""
    faults = Faults(unavailable=1.0, unavailable_retry_after=1.5)
    emulator = ChatEmulator(faults=faults)
    async with client_for(emulator) as client:
        response = await create(client, "down")
    assert response.status_code == 503
    assert response.json()["code"] == 20503
    assert response.headers["retry-after"] == "1.5"
    assert emulator.service_count == 0
    assert emulator.stats.unavailable == 1


async def test_fault_error_after_create_json() -> None:
    """error_after_create=1 creates the service, then answers 500 with Twilio's JSON error."""
    emulator = ChatEmulator(faults=Faults(error_after_create=1.0))
    async with client_for(emulator) as client:
        response = await create(client, "ambiguous")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    assert response.json()["code"] == 20500
    assert emulator.created_count("ambiguous") == 1
    assert emulator.stats.errors_after_create == 1


async def test_fault_error_after_create_html() -> None:
    """With error_html the 500 after a create is an HTML page, not JSON."""
    emulator = ChatEmulator(faults=Faults(error_after_create=1.0, error_html=True))
    async with client_for(emulator) as client:
        response = await create(client, "ambiguous")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<html>")
    assert emulator.created_count("ambiguous") == 1


async def test_fault_drop_after_create_in_process() -> None:
    """drop_after_create=1 creates the service, then the client sees RemoteProtocolError."""
    emulator = ChatEmulator(faults=Faults(drop_after_create=1.0))
    async with client_for(emulator) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await create(client, "dropped")
    assert emulator.created_count("dropped") == 1
    assert emulator.stats.dropped == 1
    assert emulator.in_flight == 0


async def test_fault_hang_after_create_read_timeout() -> None:
    """hang_after_create=1 creates the service; a short read timeout raises ReadTimeout."""
    emulator = ChatEmulator(faults=Faults(hang_after_create=1.0, hang_seconds=30.0))
    started = time.monotonic()
    async with client_for(emulator, timeout=httpx.Timeout(5.0, read=0.05)) as client:
        with pytest.raises(httpx.ReadTimeout):
            await create(client, "hung")
    assert time.monotonic() - started < 1.0
    assert emulator.created_count("hung") == 1
    assert emulator.stats.hung == 1
    assert emulator.in_flight == 0
    await asyncio.sleep(0)
    assert asyncio.all_tasks() == {asyncio.current_task()}


async def test_fault_hang_answers_after_hang_seconds() -> None:
    """Without a client timeout a hung create still answers 201 once hang_seconds pass."""
    emulator = ChatEmulator(faults=Faults(hang_after_create=1.0, hang_seconds=0.05))
    async with client_for(emulator, timeout=None) as client:
        started = time.monotonic()
        response = await create(client, "slow")
    assert response.status_code == 201
    assert time.monotonic() - started >= 0.045


async def test_fault_latency_delays_every_admitted_request() -> None:
    """latency makes a create and a list each wait about that long."""
    emulator = ChatEmulator(faults=Faults(latency=0.04))
    async with client_for(emulator) as client:
        started = time.monotonic()
        assert (await create(client, "slow")).status_code == 201
        assert (await client.get("/v2/Services")).status_code == 200
    assert time.monotonic() - started >= 0.075


def test_fault_latency_jitter_within_bounds() -> None:
    """Jittered latency stays within latency * (1 +- jitter) and varies."""
    dice = FaultDice(Faults(latency=1.0, latency_jitter=0.5), random.Random(3))
    delays = [dice.latency() for _ in range(200)]
    assert all(0.5 <= delay <= 1.5 for delay in delays)
    assert max(delays) - min(delays) > 0.5
    assert FaultDice(Faults(latency=0.2), random.Random(3)).latency() == 0.2


async def test_fault_concurrency_cap_rejects_the_excess() -> None:
    """With max_concurrency=4, 7 concurrent slow creates give exactly 3 unprocessed 429s."""
    emulator = ChatEmulator(faults=Faults(max_concurrency=4, latency=0.05))
    async with client_for(emulator) as client:
        responses = await asyncio.gather(*(create(client, f"c{i}") for i in range(7)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * 4 + [429] * 3
    for response in responses:
        if response.status_code == 429:
            assert response.json()["code"] == 20429
            assert response.json()["message"] == "Too many concurrent requests"
    created = {r.json()["friendly_name"] for r in responses if r.status_code == 201}
    assert set(emulator.created_names()) == created
    stats = emulator.stats
    assert (stats.concurrency_limited, stats.max_in_flight) == (3, 4)
    assert emulator.in_flight == 0


async def test_fault_concurrency_cap_frees_slots() -> None:
    """Slots free up when requests finish: sequential creates under a cap of 1 all succeed."""
    emulator = ChatEmulator(faults=Faults(max_concurrency=1, latency=0.001))
    async with client_for(emulator) as client:
        statuses = [(await create(client, f"s{i}")).status_code for i in range(3)]
    assert statuses == [201, 201, 201]


async def _statuses(seed: int, count: int) -> list[str]:
    faults = Faults(
        rate_limit=0.2,
        unavailable=0.1,
        error_after_create=0.2,
        drop_after_create=0.1,
        latency=0.0,
    )
    emulator = ChatEmulator(faults=faults, seed=seed)
    outcomes = []
    async with client_for(emulator) as client:
        for index in range(count):
            try:
                outcomes.append(str((await create(client, f"n{index}")).status_code))
            except httpx.RemoteProtocolError:
                outcomes.append("drop")
    stats = emulator.stats
    assert stats.rate_limited == outcomes.count("429")
    assert stats.unavailable == outcomes.count("503")
    assert stats.errors_after_create == outcomes.count("500")
    assert stats.dropped == outcomes.count("drop")
    assert emulator.service_count == count - stats.rate_limited - stats.unavailable
    return outcomes


async def test_fault_seeded_fractions_repeat() -> None:
    """Partial fractions give the same outcome sequence for the same seed, another for another."""
    first = await _statuses(seed=7, count=60)
    assert first == await _statuses(seed=7, count=60)
    assert first != await _statuses(seed=8, count=60)
    assert set(first) == {"201", "429", "503", "500", "drop"}


async def test_faults_can_change_mid_run(emulator: ChatEmulator) -> None:
    """Assigning emulator.faults switches faults on and off between requests."""
    async with client_for(emulator) as client:
        emulator.faults = Faults(rate_limit=1.0)
        assert (await create(client, "x")).status_code == 429
        emulator.faults = Faults()
        assert (await create(client, "x")).status_code == 201
    assert emulator.faults == Faults()


# -- per operation ---------------------------------------------------------------------------


async def _service(client: httpx.AsyncClient, name: str = "svc") -> str:
    response = await create(client, name)
    assert response.status_code == 201
    sid: str = response.json()["sid"]
    return sid


def test_faults_operations_default_to_all() -> None:
    """By default the request-level faults hit all five operations."""
    assert Faults().operations == frozenset(Operation)


@pytest.mark.parametrize(
    "given",
    [
        pytest.param({Operation.UPDATE, Operation.DELETE}, id="enums"),
        pytest.param(["update", "delete"], id="names"),
        pytest.param(("delete", Operation.UPDATE), id="mixed"),
    ],
)
def test_faults_operations_accept_names(given: Any) -> None:
    """operations takes Operation members or their names, and stores a frozenset."""
    faults = Faults(operations=given)
    assert faults.operations == frozenset({Operation.UPDATE, Operation.DELETE})
    assert Faults(operations="list").operations == frozenset({Operation.LIST})


def test_faults_operations_reject_unknown_names() -> None:
    """An unknown operation name is a ValueError naming the valid ones."""
    with pytest.raises(ValueError, match="create, list, fetch, update, delete"):
        Faults(operations=["remove"])


@pytest.mark.parametrize(
    ("kwargs", "ok"),
    [
        pytest.param(
            {"error_after_processing": 0.6, "drop_after_processing": 0.5}, False, id="sum"
        ),
        pytest.param({"error_after_create": 0.6, "hang_after_processing": 0.5}, False, id="create"),
        pytest.param(
            {"error_after_create": 0.6, "hang_after_processing": 0.5, "operations": ["update"]},
            True,
            id="create-not-selected",
        ),
        pytest.param({"slow_create_rate": 1.5}, False, id="slow-rate"),
        pytest.param({"slow_create_delay": -1}, False, id="slow-delay"),
    ],
)
def test_faults_after_processing_fractions_checked(kwargs: dict[str, Any], ok: bool) -> None:
    """The after-processing fractions that hit one operation may not sum above 1."""
    if ok:
        Faults(**kwargs)
    else:
        with pytest.raises(ValueError, match=r"after_processing|slow_create"):
            Faults(**kwargs)


def test_faults_changed_lists_non_defaults() -> None:
    """changed() shows only what differs from Faults(), operations included when narrowed."""
    assert Faults().changed() == {}
    assert Faults(rate_limit=0.5, operations=["delete"]).changed() == {
        "rate_limit": 0.5,
        "operations": frozenset({Operation.DELETE}),
    }


async def test_fault_rate_limit_only_on_selected_operations() -> None:
    """rate_limit with operations={delete} refuses deletes (unprocessed) and nothing else."""
    emulator = ChatEmulator(faults=Faults(rate_limit=1.0, operations=[Operation.DELETE]))
    async with client_for(emulator) as client:
        sid = await _service(client)
        assert (await client.get(f"/v2/Services/{sid}")).status_code == 200
        assert (await client.post(f"/v2/Services/{sid}", data={})).status_code == 200
        assert (await client.get("/v2/Services")).status_code == 200
        response = await client.delete(f"/v2/Services/{sid}")
    assert response.status_code == 429
    assert response.json()["code"] == 20429
    assert emulator.service_count == 1
    assert emulator.stats.rate_limited == 1


async def test_fault_unavailable_on_update_applies_nothing() -> None:
    """A 503 answers an update before processing: the service is unchanged."""
    emulator = ChatEmulator(faults=Faults(unavailable=1.0, operations=["update"]))
    async with client_for(emulator) as client:
        sid = await _service(client)
        response = await client.post(f"/v2/Services/{sid}", data={"FriendlyName": "new"})
    assert response.status_code == 503
    assert emulator.existing_names() == {"svc": 1}
    assert emulator.stats.updated == 0


async def test_fault_error_after_update_applies_the_change() -> None:
    """error_after_processing on update: the change is applied, then the answer is 500."""
    emulator = ChatEmulator(faults=Faults(error_after_processing=1.0, operations=["update"]))
    async with client_for(emulator) as client:
        sid = await _service(client)
        response = await client.post(f"/v2/Services/{sid}", data={"Limits.UserChannels": "9"})
        fetched = await client.get(f"/v2/Services/{sid}")
    assert response.status_code == 500
    assert response.json()["code"] == 20500
    assert fetched.json()["limits"]["user_channels"] == 9
    stats = emulator.stats
    assert (stats.errors_after_processing, stats.errors_after_create, stats.updated) == (1, 0, 1)


async def test_fault_error_after_delete_deletes() -> None:
    """A 500 after a delete: the service is gone all the same, and a retry gets 404."""
    emulator = ChatEmulator(faults=Faults(error_after_processing=1.0, operations=["delete"]))
    async with client_for(emulator) as client:
        sid = await _service(client)
        first = await client.delete(f"/v2/Services/{sid}")
        retry = await client.delete(f"/v2/Services/{sid}")
    assert first.status_code == 500
    assert retry.status_code == 404
    assert retry.json()["code"] == 20404
    assert emulator.service_count == 0


async def test_fault_drop_after_delete_deletes() -> None:
    """A dropped connection after a delete: RemoteProtocolError, and the service is gone."""
    emulator = ChatEmulator(faults=Faults(drop_after_processing=1.0, operations=["delete"]))
    async with client_for(emulator) as client:
        sid = await _service(client)
        with pytest.raises(httpx.RemoteProtocolError):
            await client.delete(f"/v2/Services/{sid}")
    assert emulator.service_count == 0
    assert emulator.stats.dropped == 1
    assert emulator.in_flight == 0


async def test_fault_hang_after_fetch_read_timeout() -> None:
    """hang_after_processing on fetch: a short read timeout raises ReadTimeout."""
    faults = Faults(hang_after_processing=1.0, hang_seconds=30.0, operations=["fetch"])
    emulator = ChatEmulator(faults=faults)
    async with client_for(emulator, timeout=httpx.Timeout(5.0, read=0.05)) as client:
        sid = await _service(client)
        with pytest.raises(httpx.ReadTimeout):
            await client.get(f"/v2/Services/{sid}")
    assert emulator.stats.hung == 1
    assert emulator.in_flight == 0


async def test_fault_error_after_list_is_html_when_asked() -> None:
    """error_after_processing on list with error_html answers an HTML 500."""
    faults = Faults(error_after_processing=1.0, error_html=True, operations=["list"])
    emulator = ChatEmulator(faults=faults)
    async with client_for(emulator) as client:
        response = await client.get("/v2/Services")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")


async def test_fault_after_processing_on_create_counts_as_after_create() -> None:
    """error_after_processing also hits creates when selected, counted in both counters."""
    emulator = ChatEmulator(faults=Faults(error_after_processing=1.0, operations=["create"]))
    async with client_for(emulator) as client:
        response = await create(client, "x")
    assert response.status_code == 500
    assert emulator.created_count("x") == 1
    assert (emulator.stats.errors_after_create, emulator.stats.errors_after_processing) == (1, 1)


async def test_fault_concurrency_cap_counts_every_operation() -> None:
    """The cap is per account: a slow list fills it and a concurrent delete gets 429."""
    emulator = ChatEmulator(
        faults=Faults(max_concurrency=1, latency=0.05, operations=[Operation.LIST])
    )
    async with client_for(emulator) as client:
        sid = await _service(client)
        listed, deleted = await asyncio.gather(
            client.get("/v2/Services"), client.delete(f"/v2/Services/{sid}")
        )
    assert listed.status_code == 200
    assert deleted.status_code == 429
    assert deleted.json()["message"] == "Too many concurrent requests"
    assert emulator.service_count == 1


def test_fault_latency_only_on_selected_operations() -> None:
    """latency with operations={create} delays creates and no other operation."""
    dice = FaultDice(Faults(latency=0.5, operations=["create"]), random.Random(1))
    assert dice.latency(Operation.CREATE) == 0.5
    assert [dice.latency(op) for op in Operation if op is not Operation.CREATE] == [0.0] * 4


def test_fault_dice_draw_nothing_for_unselected_operations() -> None:
    """Unselected operations draw no random number, so runs stay repeatable per seed."""
    rng = random.Random(5)
    dice = FaultDice(Faults(rate_limit=0.5, error_after_processing=0.5, operations=["delete"]), rng)
    state = rng.getstate()
    for operation in (Operation.CREATE, Operation.LIST, Operation.FETCH, Operation.UPDATE):
        assert dice.admission(operation) is Admission.ADMIT
        assert dice.after_processing(operation) is AfterProcessing.RESPOND
    assert rng.getstate() == state
