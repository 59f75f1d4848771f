"""Bulk provisioning: adaptive concurrency, exactly once under faults, observe first."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import parse_qs

import httpx
import pytest

from tests._bodies import service_body
from twilio_chat import (
    AmbiguousCreateError,
    ApiError,
    AuthenticationError,
    ChatClient,
    ConfigurationError,
    Outcome,
    RetryPolicy,
    provision,
)
from twilio_chat.testing import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, ChatEmulator, Faults

CAPPED = Faults(max_concurrency=20, latency=0.05, latency_jitter=0.25)
NAMES = [f"tenant-{i:05d}" for i in range(2000)]


EMPTY_LISTING = {"services": [], "meta": {"next_page_url": None}}


def _now_body(sid: str, name: str) -> dict[str, object]:
    """A service body created now (listings judge which services a run made by their date)."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return {**service_body(sid, name), "date_created": stamp, "date_updated": stamp}


def _client(emulator: ChatEmulator, **kwargs: object) -> ChatClient:
    return ChatClient(
        TEST_ACCOUNT_SID,
        TEST_AUTH_TOKEN,
        base_url="http://emulator.test",
        transport=emulator.transport(),
        **kwargs,  # type: ignore[arg-type]
    )


async def test_create_services_capped_server_throughput() -> None:
    """2,000 names against an untold cap of 20: each created once, few 429s, no collapse."""
    emulator = ChatEmulator(faults=CAPPED, seed=7)
    async with _client(emulator) as chat:
        started = time.perf_counter()
        results = await chat.create_services(NAMES, concurrency=100)
        wall = time.perf_counter() - started
    ideal = len(NAMES) / 20 * 0.05
    stats = emulator.stats
    assert [r.friendly_name for r in results] == NAMES
    assert all(r.outcome is Outcome.CREATED and r.sid for r in results)
    assert set(emulator.created_names().values()) == {1}
    assert emulator.service_count == len(NAMES)
    assert stats.concurrency_limited <= 0.05 * stats.requests, stats
    # Collapse guard only: `make bench` prints the real figure (goal >= 70 % of capacity).
    assert ideal / wall >= 0.35, f"{ideal / wall:.0%} of capacity"


FAULTY = Faults(
    max_concurrency=20,
    latency=0.02,
    latency_jitter=0.25,
    drop_after_create=0.01,
    error_after_create=0.01,
    hang_after_create=0.005,
    hang_seconds=1.0,
    unavailable=0.01,
    unavailable_retry_after=0.0,
)


async def test_create_services_exactly_once_under_faults() -> None:
    """Drops, 500s and hangs after create, and 503s: reconciled to zero duplicates, none missing."""
    emulator = ChatEmulator(faults=FAULTY, seed=11)
    names = NAMES[:1000]
    async with _client(emulator, timeout=httpx.Timeout(5.0, read=0.3)) as chat:
        # The emulator creates before it faults, so listing at once is safe here.
        results = await chat.create_services(names, concurrency=100, reconcile_delay=0.0)
    stats = emulator.stats
    assert stats.dropped
    assert stats.errors_after_create
    assert stats.hung
    assert stats.unavailable
    assert all(r.ok for r in results), [r for r in results if not r.ok][:3]
    adopted = [r for r in results if r.outcome is Outcome.ADOPTED]
    # Every create that faulted after the fact was adopted (a stalled loop may add a few more).
    assert len(adopted) >= stats.dropped + stats.errors_after_create + stats.hung
    counts = emulator.created_names()
    assert sorted(counts) == sorted(names)
    assert max(counts.values()) == 1
    by_name = {record.friendly_name: record.sid for record in emulator.services}
    assert all(r.sid == by_name[r.friendly_name] for r in results)


async def test_create_services_blind_retries_duplicate() -> None:
    """Control: retrying ambiguous creates blindly does create duplicates (the test can fail)."""
    emulator = ChatEmulator(faults=FAULTY, seed=11)
    policy = RetryPolicy(retry_ambiguous=True, base_delay=0.01)
    async with _client(emulator, timeout=httpx.Timeout(5.0, read=0.3), retry=policy) as chat:
        await chat.create_services(NAMES[:1000], concurrency=100)
    duplicates = sum(count - 1 for count in emulator.created_names().values())
    assert duplicates > 0


async def test_create_services_rejects_duplicate_names() -> None:
    """Duplicate names are refused before any request: the run reconciles by name."""
    emulator = ChatEmulator()
    async with _client(emulator) as chat:
        with pytest.raises(ConfigurationError, match="duplicate"):
            await chat.create_services(["a", "b", "a"])
        with pytest.raises(ConfigurationError):
            await chat.create_services(["ok", "x" * 65])
        with pytest.raises(ConfigurationError):
            await chat.create_services("abc")
    assert emulator.stats.requests == 0


async def test_create_services_failure_does_not_cancel_others() -> None:
    """A name Twilio refuses gets an error result; every other name is still created."""
    created: list[str] = []
    bodies: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={**EMPTY_LISTING, "services": bodies})
        name = parse_qs(request.content.decode())["FriendlyName"][0]
        if name == "bad":
            return httpx.Response(400, json={"code": 20002, "message": "Invalid FriendlyName"})
        created.append(name)
        bodies.append(_now_body(f"IS{len(created):032x}", name))
        return httpx.Response(201, json=bodies[-1])

    async with ChatClient(
        TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, transport=httpx.MockTransport(handler)
    ) as chat:
        results = await chat.create_services(["a", "bad", "c"], concurrency=2)
    assert [r.outcome for r in results] == [Outcome.CREATED, Outcome.FAILED, Outcome.CREATED]
    assert isinstance(results[1].error, ApiError)
    assert results[1].error.code == 20002
    assert sorted(created) == ["a", "c"]


async def test_provision_unknown_when_reconciliation_cannot_tell() -> None:
    """A create that stays ambiguous and is not listed is reported unknown, never created."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={"services": [], "meta": {"next_page_url": None}})
        raise httpx.ReadTimeout("no answer", request=request)

    async with ChatClient(
        TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, transport=httpx.MockTransport(handler)
    ) as chat:
        stream = provision(chat, ["x"], reconcile_rounds=2, settle=0)
        results = [r async for r in stream]
    assert [r.outcome for r in results] == [Outcome.UNKNOWN]
    assert isinstance(results[0].error, AmbiguousCreateError)
    assert results[0].service is None


async def test_provision_observes_before_creating() -> None:
    """A name that already has a service is adopted (EXISTING) without a create."""
    emulator = ChatEmulator()
    async with _client(emulator) as chat:
        first = await chat.create_service("already-there")
        results = {
            r.friendly_name: r async for r in provision(chat, ["already-there", "never-sent"])
        }
    assert results["already-there"].outcome is Outcome.EXISTING
    assert results["already-there"].sid == first.sid
    assert results["never-sent"].outcome is Outcome.CREATED
    assert emulator.created_names() == {"already-there": 1, "never-sent": 1}


async def test_provision_streams_with_bounded_concurrency() -> None:
    """In-flight requests never exceed `concurrency`, and results stream before the run ends."""
    emulator = ChatEmulator(faults=Faults(latency=0.005))
    seen_before_end = 0
    async with _client(emulator) as chat:
        async for _ in provision(chat, [f"s{i}" for i in range(200)], concurrency=8):
            if emulator.service_count < 200:
                seen_before_end += 1
    assert emulator.stats.max_in_flight <= 8
    assert seen_before_end > 0


async def test_provision_last_result_per_name_matches_the_server() -> None:
    """Names retried in later rounds: the last result per name is what the account holds."""
    faults = Faults(latency=0.1, latency_jitter=0.5, operations={"create"})  # listings answer
    emulator = ChatEmulator(faults=faults, seed=5)
    names = [f"slow-{i}" for i in range(50)]
    async with _client(emulator, timeout=httpx.Timeout(5.0, read=0.1)) as chat:
        results = {r.friendly_name: r async for r in provision(chat, names, concurrency=50)}
    assert sorted(results) == sorted(names)
    outcomes = {r.outcome for r in results.values()}
    assert outcomes & {Outcome.ADOPTED, Outcome.REPAIRED, Outcome.UNKNOWN}  # rounds did happen
    existing = emulator.existing_names()
    by_name = {record.friendly_name: record.sid for record in emulator.services}
    for name, result in results.items():
        if result.ok:
            assert existing[name] == 1, result
            assert by_name[name] == result.sid, result
    assert max(existing.values()) == 1


async def test_provision_listing_failure_after_work_reports_unknown() -> None:
    """If the account cannot be listed after the work, ambiguous names are unknown; it ends."""
    listings = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal listings
        if request.method == "GET":
            listings += 1
            if listings == 1:
                return httpx.Response(200, json=EMPTY_LISTING)
            return httpx.Response(400, json={"code": 20001, "message": "no"})
        return httpx.Response(502, text="<html>Bad Gateway</html>")

    async with ChatClient(
        TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, transport=httpx.MockTransport(handler)
    ) as chat:
        results = [r async for r in provision(chat, ["a", "b"], settle=0)]
    assert sorted((r.friendly_name, r.outcome) for r in results) == [
        ("a", Outcome.UNKNOWN),
        ("b", Outcome.UNKNOWN),
    ]
    assert all(type(r.error).__name__ == "ApiError" for r in results)


async def test_provision_first_listing_failure_creates_nothing() -> None:
    """If the account cannot be listed before the work, the run raises and sends no create."""
    methods: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        methods.append(request.method)
        return httpx.Response(400, json={"code": 20001, "message": "no"})

    async with ChatClient(
        TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, transport=httpx.MockTransport(handler)
    ) as chat:
        with pytest.raises(ApiError):
            [r async for r in provision(chat, ["a", "b"])]
    assert set(methods) == {"GET"}


async def test_provision_rejects_iterators_and_bad_rounds() -> None:
    """A one-shot iterator would be consumed by validation: it is refused, as are bad rounds."""
    emulator = ChatEmulator()
    async with _client(emulator) as chat:
        with pytest.raises(ConfigurationError, match="collection"):
            [r async for r in provision(chat, (n for n in ["a", "b"]))]  # type: ignore[arg-type]
        with pytest.raises(ConfigurationError, match="reconcile_rounds"):
            [r async for r in provision(chat, ["a"], reconcile_rounds=-1)]
        with pytest.raises(ConfigurationError, match="reconcile_delay"):
            [r async for r in provision(chat, ["a"], reconcile_delay=-1.0)]
    assert emulator.stats.requests == 0


async def test_provision_closed_early_leaves_no_create_running() -> None:
    """Closing the stream stops the workers: nothing is created after the consumer left."""
    emulator = ChatEmulator(faults=Faults(latency=0.01))
    async with _client(emulator) as chat:
        stream = provision(chat, [f"e{i}" for i in range(200)], concurrency=10)
        async for _ in stream:
            break
        await stream.aclose()
        created = emulator.service_count
        await asyncio.sleep(0.1)
    assert emulator.service_count == created < 200


async def test_provision_wrong_token_stops_after_one_request() -> None:
    """A refused token ends the run at its first listing: one request, nothing attempted."""
    emulator = ChatEmulator()
    async with ChatClient(
        TEST_ACCOUNT_SID,
        "f" * 32,
        base_url="http://emulator.test",
        transport=emulator.transport(),
    ) as chat:
        results = await chat.create_services(NAMES, concurrency=100)
    assert emulator.stats.requests == 1
    assert emulator.stats.created == 0
    assert [r.outcome for r in results] == [Outcome.NOT_ATTEMPTED] * len(NAMES)
    assert all(isinstance(r.error, AuthenticationError) for r in results)


async def test_provision_refused_mid_run_sends_nothing_new() -> None:
    """Credentials revoked mid-run: fewer than `concurrency` creates follow the first 401."""
    sent: list[str] = []
    refused_at: list[int] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json=EMPTY_LISTING)
        name = parse_qs(request.content.decode())["FriendlyName"][0]
        sent.append(name)
        number = len(sent)
        await asyncio.sleep(0.001)
        if number > 40:
            refused_at.append(len(sent))  # requests sent when the first 401 is answered
            return httpx.Response(401, json={"code": 20003, "message": "Authenticate"})
        return httpx.Response(201, json=service_body(f"IS{number:032x}", name))

    async with ChatClient(
        TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, transport=httpx.MockTransport(handler)
    ) as chat:
        results = await chat.create_services(NAMES[:500], concurrency=8)
    outcomes = [r.outcome for r in results]
    assert outcomes.count(Outcome.CREATED) == 40
    # At most the creates already inside the client (`concurrency`) go out after the first 401.
    assert len(sent) - refused_at[0] < 8
    assert outcomes.count(Outcome.NOT_ATTEMPTED) == 500 - len(sent)


async def test_provision_refused_listing_sends_nothing_else() -> None:
    """Credentials refused on the first listing: one request, every name not attempted."""
    methods: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        methods.append(request.method)
        return httpx.Response(403, json={"code": 20003, "message": "Forbidden"})

    async with ChatClient(
        TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, transport=httpx.MockTransport(handler)
    ) as chat:
        results = await chat.create_services(["old", "a", "b"])
    assert methods == ["GET"]
    assert [r.outcome for r in results] == [Outcome.NOT_ATTEMPTED] * 3
    assert all(isinstance(r.error, AuthenticationError) for r in results)


async def test_provision_refused_creates_do_not_verify() -> None:
    """A key that may list but not create: one create refused, no verifying listing after."""
    methods: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        methods.append(request.method)
        if request.method == "GET":
            return httpx.Response(200, json=EMPTY_LISTING)
        return httpx.Response(403, json={"code": 70051, "message": "Authorization failed"})

    async with ChatClient(
        TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, transport=httpx.MockTransport(handler)
    ) as chat:
        results = await chat.create_services(["a", "b", "c"])
    assert methods == ["GET", "POST"]
    assert sorted(r.outcome.value for r in results) == ["failed", "not_attempted", "not_attempted"]


async def test_provision_unencodable_name_refused_before_any_request() -> None:
    """A lone surrogate cannot be sent as UTF-8: a ConfigurationError, not an ambiguous create."""
    emulator = ChatEmulator()
    async with _client(emulator) as chat:
        with pytest.raises(ConfigurationError, match="UTF-8"):
            await chat.create_services(["fine", "bad\ud800x"])
        with pytest.raises(ConfigurationError, match="UTF-8"):
            await chat.create_service("bad\ud800x")
    assert emulator.stats.requests == 0


async def test_provision_refused_after_ambiguous_creates_reports_every_name() -> None:
    """Credentials revoked after some creates were ambiguous: those names are UNKNOWN, none
    is lost, and no listing follows the refusal."""
    methods: list[str] = []
    sent = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal sent
        methods.append(request.method)
        if request.method == "GET":
            return httpx.Response(200, json=EMPTY_LISTING)
        sent += 1
        if sent == 1:
            name = parse_qs(request.content.decode())["FriendlyName"][0]
            return httpx.Response(201, json=_now_body(f"IS{1:032x}", name))
        if sent <= 4:
            return httpx.Response(502, text="Bad Gateway")  # ambiguous
        return httpx.Response(401, json={"code": 20003, "message": "Authenticate"})

    names = [f"r{i}" for i in range(20)]
    async with ChatClient(
        TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, transport=httpx.MockTransport(handler)
    ) as chat:
        results = await chat.create_services(names, concurrency=1, settle=0)
    outcomes = [r.outcome for r in results]
    assert outcomes.count(Outcome.UNKNOWN) == 3
    assert outcomes.count(Outcome.CREATED) == 1
    assert outcomes.count(Outcome.FAILED) == 1
    assert outcomes.count(Outcome.NOT_ATTEMPTED) == 15
    assert methods.count("GET") == 1
