"""Provisioning converges: observe first, verify after, repair our own duplicates, never more."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from twilio_chat import ChatClient, NameTakenError, Outcome, ServiceResult, provision
from twilio_chat.provisioning._converge import converge, verify
from twilio_chat.provisioning._journal import Journal
from twilio_chat.testing import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, ChatEmulator, Faults

NAMES = [f"tenant-{i:04d}" for i in range(200)]
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def _client(emulator: ChatEmulator, **kwargs: object) -> ChatClient:
    return ChatClient(
        TEST_ACCOUNT_SID,
        TEST_AUTH_TOKEN,
        base_url="http://emulator.test",
        transport=emulator.transport(),
        **kwargs,  # type: ignore[arg-type]
    )


def _live(emulator: ChatEmulator) -> dict[str, list[str]]:
    by_name: dict[str, list[str]] = {}
    for record in emulator.services:
        by_name.setdefault(record.friendly_name, []).append(record.sid)
    return by_name


def _last(results: list[ServiceResult]) -> dict[str, ServiceResult]:
    return {result.friendly_name: result for result in results}


async def test_create_services_twice_creates_nothing_the_second_time() -> None:
    """The second call on the same names sends no create: every name exists, adopted."""
    emulator = ChatEmulator()
    async with _client(emulator) as chat:
        first = await chat.create_services(NAMES)
        creates = emulator.stats.create_requests
        second = await chat.create_services(NAMES)
    assert emulator.stats.create_requests == creates == len(NAMES)
    assert {r.outcome for r in second} == {Outcome.EXISTING}
    assert [r.sid for r in second] == [r.sid for r in first]
    assert max(emulator.existing_names().values()) == 1


async def test_create_services_then_provision_creates_nothing_twice() -> None:
    """The README's two snippets in a row: the second sends no create."""
    emulator = ChatEmulator()
    async with _client(emulator) as chat:
        await chat.create_services(NAMES[:50])
        results = [r async for r in provision(chat, NAMES[:50])]
    assert emulator.created_names() == dict.fromkeys(NAMES[:50], 1)
    assert {r.outcome for r in results} == {Outcome.EXISTING}


async def test_one_existing_service_is_adopted_without_a_create() -> None:
    """A name with one service (made by anyone, any time) is EXISTING: 0 creates, its SID."""
    emulator = ChatEmulator()
    seeded = {name: emulator.seed_service(name, date_created=LONG_AGO).sid for name in NAMES[:5]}
    async with _client(emulator) as chat:
        results = _last(await chat.create_services(NAMES[:10]))
    assert emulator.created_names() == dict.fromkeys(NAMES[5:10], 1)
    for name, sid in seeded.items():
        assert results[name].outcome is Outcome.EXISTING
        assert results[name].sid == sid
        assert results[name].ok


async def test_two_existing_services_are_a_conflict_never_picked_or_deleted() -> None:
    """A name two services share is a CONFLICT naming both; nothing created or deleted."""
    emulator = ChatEmulator()
    pair = [emulator.seed_service("shared", date_created=LONG_AGO).sid for _ in range(2)]
    recent = [emulator.seed_service("recent").sid for _ in range(2)]  # made seconds ago
    async with _client(emulator) as chat:
        results = _last(await chat.create_services(["shared", "recent", "fresh"]))
    for name, sids in (("shared", pair), ("recent", recent)):
        assert results[name].outcome is Outcome.CONFLICT
        assert sorted(results[name].conflicting) == sorted(sids)
        assert isinstance(results[name].error, NameTakenError)
        assert not results[name].ok
    assert emulator.stats.create_requests == 1
    assert emulator.stats.delete_requests == 0
    assert emulator.existing_names() == {"shared": 2, "recent": 2, "fresh": 1}


async def test_on_existing_fail_reports_the_existing_service_as_failed() -> None:
    """on_existing="fail": a name that exists is FAILED with its SID in the error; no create."""
    emulator = ChatEmulator()
    sid = emulator.seed_service("taken", date_created=LONG_AGO).sid
    async with _client(emulator) as chat:
        (result,) = await chat.create_services(["taken"], on_existing="fail")
    assert result.outcome is Outcome.FAILED
    assert isinstance(result.error, NameTakenError)
    assert result.error.sids == (sid,)
    assert emulator.stats.create_requests == 0


SLOW = Faults(slow_create_rate=0.1, slow_create_delay=1.0)


async def test_slow_creates_waited_for_are_adopted_not_made_twice() -> None:
    """By default the lookup of an ambiguous create waits the settle time: slow creates land
    first and are adopted; nothing is created twice or deleted."""
    emulator = ChatEmulator(faults=SLOW, seed=4)
    async with _client(emulator, timeout=httpx.Timeout(5.0, read=0.3)) as chat:
        results = _last([r async for r in provision(chat, NAMES, concurrency=20, settle=1.5)])
    assert emulator.stats.slow_creates > 0
    assert Outcome.ADOPTED in {r.outcome for r in results.values()}
    assert emulator.created_names() == dict.fromkeys(NAMES, 1)
    assert emulator.stats.delete_requests == 0


async def test_slow_creates_are_repaired_to_one_service_per_name() -> None:
    """A lookup that comes too early (reconcile_delay=0): the slow creates are made again,
    then the verification deletes the extras, keeping one per name."""
    emulator = ChatEmulator(faults=SLOW, seed=4)
    async with _client(emulator, timeout=httpx.Timeout(5.0, read=0.3)) as chat:
        results = _last(
            [r async for r in provision(chat, NAMES, concurrency=20, settle=1.5, reconcile_delay=0)]
        )
    assert emulator.stats.slow_creates > 0
    live = _live(emulator)
    assert sorted(live) == sorted(NAMES)
    assert {len(sids) for sids in live.values()} == {1}
    repaired = [r for r in results.values() if r.outcome is Outcome.REPAIRED]
    assert repaired  # the late ones did land after their names were created again
    assert sum(len(r.deleted) for r in repaired) == emulator.stats.deleted
    for name, result in results.items():
        assert result.ok, result
        assert result.sid == live[name][0]
    doubled = {name for name, count in emulator.created_names().items() if count > 1}
    assert doubled == {r.friendly_name for r in repaired}


async def test_slow_creates_without_repair_are_reported_not_deleted() -> None:
    """repair=False: the duplicates are CONFLICT results naming them, and nothing is deleted."""
    emulator = ChatEmulator(faults=SLOW, seed=4)
    async with _client(emulator, timeout=httpx.Timeout(5.0, read=0.3)) as chat:
        results = _last(
            [
                r
                async for r in provision(
                    chat, NAMES, concurrency=20, settle=1.5, repair=False, reconcile_delay=0
                )
            ]
        )
    doubled = {name for name, count in emulator.existing_names().items() if count > 1}
    assert doubled
    assert {n for n, r in results.items() if r.outcome is Outcome.CONFLICT} == doubled
    assert emulator.stats.delete_requests == 0


async def test_slow_creates_with_a_journal_journal_each_delete_first(tmp_path: Path) -> None:
    """Every repair delete is journaled before it is sent, and its end after; then verified."""
    emulator = ChatEmulator(faults=SLOW, seed=4)
    path = tmp_path / "run.jsonl"
    async with _client(emulator, timeout=httpx.Timeout(5.0, read=0.3)) as chat:
        with Journal(path, account_sid=chat.account_sid, base_url=chat.base_url) as journal:
            stream = converge(chat, NAMES, journal, concurrency=20, settle=1.5, reconcile_delay=0)
            [r async for r in stream]
    lines = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    deleting = [i for i, line in enumerate(lines) if "deleting" in line]
    deleted = [i for i, line in enumerate(lines) if "deleted" in line]
    assert len(deleting) == len(deleted) == emulator.stats.deleted > 0
    assert all(a < b for a, b in zip(deleting, deleted, strict=True))
    assert "verified" in lines[-1]
    assert max(emulator.existing_names().values()) == 1


async def test_verify_resumes_a_repair_killed_midway(tmp_path: Path) -> None:
    """A journal whose run died mid-repair: verify deletes the rest, keeps the oldest."""
    emulator = ChatEmulator()
    path = tmp_path / "run.jsonl"
    async with _client(emulator) as chat:
        with Journal(path, account_sid=chat.account_sid, base_url=chat.base_url) as journal:
            [r async for r in converge(chat, ["a"], journal, concurrency=1)]
            kept = journal.entries["a"].sid
            extra = (await chat.create_service("a")).sid  # landed late
            journal.note_deleting("a", extra)  # ... and the kill came before the delete
        with Journal(path, account_sid=chat.account_sid, base_url=chat.base_url) as journal:
            assert journal.deleting == {extra: "a"}
            (result,) = [r async for r in verify(chat, ["a"], journal)]
            assert journal.deleting == {}
    assert result.outcome is Outcome.REPAIRED
    assert result.sid == kept
    assert result.deleted == (extra,)
    assert [record.sid for record in emulator.services] == [kept]


async def test_two_runs_at_once_on_the_same_names_leave_one_each() -> None:
    """Two independent runs (no shared journal) race on the same names: both verify, and
    the account ends with exactly one service per name, the one both runs report."""
    emulator = ChatEmulator(faults=Faults(latency=0.01, latency_jitter=0.5), seed=9)
    names = NAMES[:100]
    async with _client(emulator) as one, _client(emulator) as two:
        first, second = await asyncio.gather(
            one.create_services(names, concurrency=10, settle=0),
            two.create_services(names, concurrency=10, settle=0),
        )
    live = _live(emulator)
    assert max(emulator.created_names().values()) == 2  # they did race
    assert {len(sids) for sids in live.values()} == {1}
    assert sorted(live) == sorted(names)
    for results in (first, second):
        for result in results:
            assert result.ok, result
            assert result.sid == live[result.friendly_name][0], result


async def test_a_same_name_service_appearing_mid_run_is_never_picked_or_deleted() -> None:
    """Someone renames an old service to our name while our create is in flight: a CONFLICT
    naming both, nothing deleted (never an orphan adopted in silence)."""
    emulator = ChatEmulator(faults=Faults(drop_after_create=1.0))
    inner = emulator.transport()
    foreign: list[str] = []

    class Interloper(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "POST" and not foreign:
                foreign.append(emulator.seed_service("contested", date_created=LONG_AGO).sid)
            return await inner.handle_async_request(request)

    async with ChatClient(
        TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, base_url="http://emulator.test", transport=Interloper()
    ) as chat:
        (result,) = await chat.create_services(["contested"], settle=0)
    assert result.outcome is Outcome.CONFLICT
    assert foreign[0] in result.conflicting
    assert len(result.conflicting) == 2
    assert emulator.stats.delete_requests == 0


async def test_resumed_run_repairs_what_the_dead_run_left_twice(tmp_path: Path) -> None:
    """A dead run created a name twice (not journaled): the resumed run keeps the oldest."""
    emulator = ChatEmulator()
    path = tmp_path / "run.jsonl"
    async with _client(emulator) as chat:
        with Journal(path, account_sid=chat.account_sid, base_url=chat.base_url) as journal:
            journal.note_acting()
            older = (await chat.create_service("twice")).sid
            await chat.create_service("twice")
        with Journal(path, account_sid=chat.account_sid, base_url=chat.base_url) as journal:
            results = [r async for r in converge(chat, ["twice"], journal, concurrency=1, settle=0)]
    assert [(r.outcome, r.sid) for r in results] == [(Outcome.REPAIRED, older)]
    assert emulator.stats.create_requests == 2
    assert [record.sid for record in emulator.services] == [older]


async def test_resumed_run_never_deletes_services_older_than_its_journal(tmp_path: Path) -> None:
    """Two old services with a journaled name are a conflict on resume: never 'repaired'."""
    emulator = ChatEmulator()
    path = tmp_path / "run.jsonl"
    old = [emulator.seed_service("old", date_created=LONG_AGO).sid for _ in range(2)]
    async with _client(emulator) as chat:
        with Journal(path, account_sid=chat.account_sid, base_url=chat.base_url) as journal:
            journal.note_acting()
        with Journal(path, account_sid=chat.account_sid, base_url=chat.base_url) as journal:
            results = [r async for r in converge(chat, ["old"], journal, concurrency=1, settle=0)]
    assert [r.outcome for r in results] == [Outcome.CONFLICT]
    assert sorted(results[0].conflicting) == sorted(old)
    assert emulator.stats.delete_requests == 0


async def test_journaled_service_deleted_since_is_missing_then_recreated(tmp_path: Path) -> None:
    """A journaled SID that no longer exists is MISSING; with recreate_missing, created again."""
    emulator = ChatEmulator()
    path = tmp_path / "run.jsonl"
    async with _client(emulator) as chat:
        opened = Journal(path, account_sid=chat.account_sid, base_url=chat.base_url)
        with opened as journal:
            [r async for r in converge(chat, ["gone"], journal, concurrency=1)]
            sid = journal.entries["gone"].sid
        assert sid is not None
        await chat.delete_service(sid)
        with Journal(path, account_sid=chat.account_sid, base_url=chat.base_url) as journal:
            missing = [r async for r in converge(chat, ["gone"], journal, concurrency=1)]
        with Journal(path, account_sid=chat.account_sid, base_url=chat.base_url) as journal:
            stream = converge(chat, ["gone"], journal, concurrency=1, recreate_missing=True)
            recreated = [r async for r in stream]
    assert [(r.outcome, r.sid) for r in missing] == [(Outcome.MISSING, sid)]
    assert [r.outcome for r in recreated] == [Outcome.CREATED]
    assert emulator.existing_names() == {"gone": 1}


async def test_services_older_than_the_clock_skew_margin_are_never_ours() -> None:
    """A service with our name dated before the run (minus the margin) is never deleted."""
    emulator = ChatEmulator()
    async with _client(emulator) as chat:
        [r async for r in provision(chat, ["n"])]
        emulator.seed_service("n", date_created=datetime.now(UTC) - timedelta(hours=1))
        assert emulator.existing_count("n") == 2
        results = [r async for r in provision(chat, ["n"])]
    assert [r.outcome for r in results] == [Outcome.CONFLICT]
    assert emulator.stats.delete_requests == 0


async def test_resumed_run_does_not_claim_names_no_run_of_its_journal_sent(tmp_path: Path) -> None:
    """A journal whose last run was verified: a name it never reached, which others have
    since created twice, is a conflict on the next run, not a repair of someone else's."""
    emulator = ChatEmulator()
    path = tmp_path / "run.jsonl"
    async with _client(emulator) as chat:
        with Journal(path, account_sid=chat.account_sid, base_url=chat.base_url) as journal:
            [r async for r in converge(chat, ["first"], journal, concurrency=1)]
        theirs = [(await chat.create_service("later")).sid for _ in range(2)]
        with Journal(path, account_sid=chat.account_sid, base_url=chat.base_url) as journal:
            stream = converge(chat, ["first", "later"], journal, concurrency=1, settle=0)
            results = [r async for r in stream]
    assert [(r.friendly_name, r.outcome) for r in results] == [("later", Outcome.CONFLICT)]
    assert sorted(results[0].conflicting) == sorted(theirs)
    assert emulator.stats.delete_requests == 0
