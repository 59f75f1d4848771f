"""apply against the emulator (in-process): every service once with exactly the desired
settings under faults, a rerun that writes nothing, a verification that does not take the
server's word for it, conflicts left alone, and prune limited to what the journal created."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.provisioning._apply_helpers import assert_as_desired, desired_file, run, services_yaml
from twilio_chat import (
    ApplyOutcome,
    ApplyResult,
    ChatClient,
    ConfigurationError,
    DesiredService,
    DesiredState,
    RetryPolicy,
    ServerError,
    apply,
)
from twilio_chat.testing import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, ChatEmulator, Faults


def client(transport: httpx.AsyncBaseTransport, **kwargs: object) -> ChatClient:
    return ChatClient(
        TEST_ACCOUNT_SID,
        TEST_AUTH_TOKEN,
        base_url="http://emulator.test",
        transport=transport,
        **kwargs,  # type: ignore[arg-type]
    )


FAULTS = Faults(
    max_concurrency=8,
    latency=0.01,
    latency_jitter=0.5,
    rate_limit=0.01,
    unavailable=0.03,
    unavailable_retry_after=0.0,
    error_after_create=0.02,
    drop_after_create=0.02,
    error_after_processing=0.02,
    drop_after_processing=0.02,
    slow_create_rate=0.02,
    slow_create_delay=0.8,
)


async def test_apply_300_services_under_faults_then_rerun_writes_nothing(tmp_path: Path) -> None:
    """Cap, 429, 503, 500 after a write, drops, slow creates: each service exists once with
    exactly the desired settings; a second apply sends 0 writes and reports all unchanged."""
    emulator = ChatEmulator(faults=FAULTS, seed=21)
    desired = desired_file(tmp_path, services_yaml(300))
    journal = tmp_path / "run.jsonl"
    policy = RetryPolicy(base_delay=0.01, max_delay=0.2)
    timeout = httpx.Timeout(5.0, read=0.4)  # a slow create (0.8 s) times out: ambiguous
    async with client(emulator.transport(), timeout=timeout, retry=policy) as chat:
        first = await run(chat, desired, journal=journal, settle=1.5)
        stats = emulator.stats
        assert stats.concurrency_limited
        assert stats.rate_limited
        assert stats.unavailable
        assert stats.errors_after_create
        assert stats.dropped
        assert stats.slow_creates
        assert Counter(r.outcome for r in first.values()) == {ApplyOutcome.CREATED: 300}, [
            r for r in first.values() if r.outcome is not ApplyOutcome.CREATED
        ][:3]
        assert_as_desired(emulator, desired)
        assert max(emulator.created_names().values()) == 1
        second = await run(chat, desired, journal=journal)
    assert emulator.stats.write_requests == stats.write_requests
    assert {r.outcome for r in second.values()} == {ApplyOutcome.UNCHANGED}
    assert {name: r.sid for name, r in second.items()} == {name: r.sid for name, r in first.items()}


async def test_apply_updates_only_differing_fields(tmp_path: Path) -> None:
    """An existing service gets one update carrying exactly the fields that differ."""
    emulator = ChatEmulator()
    sid = emulator.seed_service("tenant-0000").sid
    sent: list[httpx.Request] = []

    class Recording(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "POST":
                await request.aread()
                sent.append(request)
            return await emulator.transport().handle_async_request(request)

    text = "services:\n  - friendly_name: tenant-0000\n    read_status_enabled: true\n"
    text += "    limits: {user_channels: 7}\n"
    async with client(Recording()) as chat:
        results = await run(chat, desired_file(tmp_path, text))
    (result,) = results.values()
    assert (result.outcome, result.sid) == (ApplyOutcome.UPDATED, sid)
    assert [(c.path, c.old, c.new) for c in result.changes] == [("limits.user_channels", 250, 7)]
    (request,) = sent  # read_status_enabled is already true: not sent
    assert request.content == b"Limits.UserChannels=7"


async def test_apply_verification_confirms_an_update_whose_answer_was_lost(
    tmp_path: Path,
) -> None:
    """An update answered 500 after it took effect is FAILED at first, then confirmed by the
    verifying listing (the later result holds)."""
    emulator = ChatEmulator(
        faults=Faults(error_after_processing=1.0, operations={"update"}), seed=1
    )
    emulator.seed_service("tenant-0000")
    text = "services:\n  - friendly_name: tenant-0000\n    typing_indicator_timeout: 9\n"
    seen: list[ApplyResult] = []
    async with client(emulator.transport(), retry=RetryPolicy(max_attempts=1)) as chat:
        async for result in apply(chat, desired_file(tmp_path, text)):
            seen.append(result)
    first, last = seen
    assert first.outcome is ApplyOutcome.FAILED
    assert isinstance(first.error, ServerError)
    assert (last.outcome, last.error) == (ApplyOutcome.UPDATED, None)


async def test_apply_verification_catches_an_update_the_server_did_not_keep(
    tmp_path: Path,
) -> None:
    """A server that answers 200 to an update without applying it: the verification reports
    the service FAILED with the settings that still differ."""
    emulator = ChatEmulator()
    emulator.seed_service("tenant-0000")

    class Forgetful(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "POST" and request.url.path.startswith("/v2/Services/IS"):
                request = httpx.Request("GET", request.url, headers=request.headers)
            return await emulator.transport().handle_async_request(request)

    text = "services:\n  - friendly_name: tenant-0000\n    typing_indicator_timeout: 9\n"
    async with client(Forgetful()) as chat:
        seen = [result async for result in apply(chat, desired_file(tmp_path, text))]
    assert [r.outcome for r in seen] == [ApplyOutcome.UPDATED, ApplyOutcome.FAILED]
    assert [(c.path, c.old, c.new) for c in seen[-1].changes] == [
        ("typing_indicator_timeout", 5, 9)
    ]
    assert "still differs" in seen[-1].detail


async def test_apply_conflict_is_never_touched(tmp_path: Path) -> None:
    """Two services with a desired name: CONFLICT with both SIDs, no write to either."""
    emulator = ChatEmulator()
    twins = {emulator.seed_service("twice").sid, emulator.seed_service("twice").sid}
    text = "services:\n  - friendly_name: twice\n    typing_indicator_timeout: 9\n"
    async with client(emulator.transport()) as chat:
        results = await run(chat, desired_file(tmp_path, text))
    assert results["twice"].outcome is ApplyOutcome.CONFLICT
    assert set(results["twice"].conflict_sids) == twins
    assert not results["twice"].ok
    assert emulator.stats.write_requests == 0


async def test_apply_prune_deletes_only_what_the_journal_created(tmp_path: Path) -> None:
    """Without prune, services the journal created and the file dropped are UNMANAGED and
    kept; with prune they are deleted, and never a service the journal did not create: an
    unrelated one, nor one re-created under a dropped name by someone else."""
    emulator = ChatEmulator()
    unrelated = emulator.seed_service("unrelated").sid
    journal = tmp_path / "run.jsonl"
    full = "services:\n" + "".join(f"  - friendly_name: s{i}\n" for i in range(4))
    async with client(emulator.transport()) as chat:
        created = await run(chat, desired_file(tmp_path, full), journal=journal)
        # s3 is deleted out of band and a service of someone else takes its name.
        await chat.delete_service(str(created["s3"].sid))
        stranger = emulator.seed_service("s3").sid
        smaller = desired_file(tmp_path, "services:\n  - friendly_name: s0\n")
        kept = await run(chat, smaller, journal=journal)
        assert {name: r.outcome for name, r in kept.items()} == {
            "s0": ApplyOutcome.UNCHANGED,
            "s1": ApplyOutcome.UNMANAGED,
            "s2": ApplyOutcome.UNMANAGED,
        }
        assert emulator.stats.delete_requests == 1  # ours, out of band
        pruned = await run(chat, smaller, journal=journal, prune=True)
        assert {name: r.outcome for name, r in pruned.items()} == {
            "s0": ApplyOutcome.UNCHANGED,
            "s1": ApplyOutcome.PRUNED,
            "s2": ApplyOutcome.PRUNED,
        }
        writes = emulator.stats.write_requests
        again = await run(chat, smaller, journal=journal, prune=True)
    assert emulator.stats.write_requests == writes  # nothing left to prune: no write
    assert {r.outcome for r in again.values()} == {ApplyOutcome.UNCHANGED}
    assert emulator.existing_names() == {"unrelated": 1, "s0": 1, "s3": 1}
    assert emulator.service(unrelated) is not None
    assert emulator.service(stranger) is not None


async def test_apply_prune_without_journal_is_refused_before_any_request() -> None:
    """prune=True with no journal cannot know what apply created: ConfigurationError."""
    emulator = ChatEmulator()
    desired = DesiredState("memory", (DesiredService("a"),))
    async with client(emulator.transport()) as chat:
        with pytest.raises(ConfigurationError, match="journal"):
            await run(chat, desired, prune=True)
    assert emulator.stats.requests == 0


async def test_apply_unconfigured_service_from_a_killed_run_is_updated(tmp_path: Path) -> None:
    """A service created by an earlier run that died before configuring it differs from the
    file, so the next apply updates it (and creates nothing)."""
    emulator = ChatEmulator()
    journal = tmp_path / "run.jsonl"
    names = "services:\n  - friendly_name: half\n"
    async with client(emulator.transport()) as chat:
        await run(chat, desired_file(tmp_path, names), journal=journal)  # created, bare
        configured = names + "    reachability_enabled: true\n"
        results = await run(chat, desired_file(tmp_path, configured), journal=journal)
    assert results["half"].outcome is ApplyOutcome.UPDATED
    assert emulator.created_names() == {"half": 1}
