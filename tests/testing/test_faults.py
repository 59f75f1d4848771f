"""Fault injection: configuration checks, each fault on the wire, seeded repeatability."""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

import httpx
import pytest

from tests.testing.conftest import client_for, create
from twilio_chat.testing import ChatEmulator, Faults
from twilio_chat.testing._faults import FaultDice


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
