"""Provisioning that converges: observe, act, verify, repair; exactly one service per name.

Twilio has no idempotency key for a create, so a run can only converge by looking at the
account. **Observe**: one listing before any create; a name with one service is adopted
(`EXISTING`), with several is a `CONFLICT`, with none is created. **Act**: creates through the
adaptive limiter; an ambiguous create is looked up (one listing) and adopted if found, created
again if not. **Verify**: after the work (and a settle time when something was ambiguous) the
account is listed again and every name checked. **Repair**: a name this run created more than
once keeps its oldest service and the extras are deleted (`REPAIRED`).

Which services are ours: those with the name whose `date_created` is at or after the run's
start (the journal's first line, for a resumed run) minus `CLOCK_SKEW`, for a name that had
no service when the run first looked. Every run ranks a name's services the same way (oldest,
then first listed), so two runs that repair the same name keep the same service.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Callable, Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Literal, Protocol

import attrs

from .._client import ChatClient
from .._errors import (
    AmbiguousCreateError,
    AuthenticationError,
    NameTakenError,
    NotFoundError,
    TwilioChatError,
)
from ._create import CredentialGate, create_all
from ._journal import JournalEntry, now
from ._observe import ListedService, Observation, observe
from ._outcomes import DONE, Outcome, ServiceResult

__all__ = ["CLOCK_SKEW", "OnExisting", "RunRecord", "converge", "default_settle", "verify"]

OnExisting = Literal["adopt", "fail"]

CLOCK_SKEW = timedelta(minutes=5)
"""How far the server's clock (it stamps `date_created`) may be behind this machine's."""

RECONCILE_ROUNDS = 3
"""How often an ambiguous create that is not found is looked up and created again."""


class RunRecord(Protocol):
    """What the loop reads and writes about its run: a `Journal`, or `MemoryRecord`."""

    @property
    def started(self) -> datetime: ...
    @property
    def resumed(self) -> bool: ...
    @property
    def entries(self) -> Mapping[str, JournalEntry]: ...
    @property
    def unsettled_since(self) -> datetime | None: ...

    def record(self, result: ServiceResult, *, ours: bool) -> None: ...
    def note_acting(self) -> None: ...
    def note_ambiguous(self, name: str) -> None: ...
    def note_deleting(self, name: str, sid: str) -> None: ...
    def note_deleted(self, sid: str) -> None: ...
    def note_verified(self) -> None: ...


class MemoryRecord:
    """A run without a journal (the Python API): it starts now and remembers nothing."""

    def __init__(self) -> None:
        self.started = now()
        self.resumed = False
        self.entries: Mapping[str, JournalEntry] = {}
        self.unsettled_since: datetime | None = None
        self.verified = False

    def record(self, result: ServiceResult, *, ours: bool) -> None:
        pass

    def note_acting(self) -> None:
        pass

    def note_ambiguous(self, name: str) -> None:
        pass

    def note_deleting(self, name: str, sid: str) -> None:
        pass

    def note_deleted(self, sid: str) -> None:
        pass

    def note_verified(self) -> None:
        self.verified = True


def default_settle(client: ChatClient) -> float:
    """Twice the client's read timeout: a create Twilio processes that late after the client
    gave up on it is seen by the verification."""
    read = client.timeout.read
    return 2 * read if read is not None else 60.0


@attrs.define
class _Known:
    """What the run knows of one name: its latest outcome, SID, and whether it is ours."""

    outcome: Outcome
    sid: str | None
    ours: bool
    reported: bool = True
    """False while the name waits for the verification to get its first result."""


_Verdict = ServiceResult | tuple[ListedService, tuple[ListedService, ...]] | None
"""A result to report, (service to keep, extras to delete), or None: nothing to change."""


async def converge(
    client: ChatClient,
    names: Collection[str],
    record: RunRecord,
    *,
    concurrency: int,
    on_existing: OnExisting = "adopt",
    recreate_missing: bool = False,
    repair: bool = True,
    settle: float | None = None,
    reconcile_delay: float | None = None,
    reconcile_rounds: int = RECONCILE_ROUNDS,
    on_settle: Callable[[float], None] | None = None,
) -> AsyncGenerator[ServiceResult, None]:
    """Observe, act, verify, repair; yield each result journaled. Names already done (and
    still there, alone) yield nothing. `on_settle(seconds)` is told before a settle wait.
    `reconcile_delay` is the wait before looking up ambiguous creates (None: `settle`)."""
    settle_seconds = default_settle(client) if settle is None else settle
    threshold = record.started - CLOCK_SKEW
    known: dict[str, _Known] = {}

    def report(result: ServiceResult, *, ours: bool) -> ServiceResult:
        record.record(result, ours=ours)
        known[result.friendly_name] = _Known(result.outcome, result.sid, ours)
        return result

    try:
        census = await _observe(client)
    except AuthenticationError as refused:  # the same credentials would be refused for all
        for name in names:
            result = ServiceResult(friendly_name=name, outcome=Outcome.NOT_ATTEMPTED, error=refused)
            yield report(result, ours=False)
        return
    to_create: list[str] = []
    died = record.unsettled_since
    window = timedelta(seconds=settle_seconds) + CLOCK_SKEW
    in_flight_until = died + window if record.resumed and died is not None else None
    for name in names:
        entry = record.entries.get(name)
        listed = census.services(name)
        first = _first_look(
            name, listed, entry, record.resumed, threshold, on_existing, in_flight_until
        )
        if first == "skip":
            continue
        if first == "create" or (first == "missing" and recreate_missing):
            to_create.append(name)
        elif first == "missing":
            assert entry is not None
            yield report(
                ServiceResult(friendly_name=name, outcome=Outcome.MISSING, sid=entry.sid),
                ours=entry.ours,
            )
        elif first == "defer":
            known[name] = _Known(Outcome.UNKNOWN, None, ours=True, reported=False)
        else:
            yield report(first, ours=first.outcome is Outcome.ADOPTED)
    del census

    gate = CredentialGate()
    last_ambiguous: datetime | None = None
    todo: Iterable[str] = to_create
    if to_create:
        record.note_acting()
    for round_number in range(reconcile_rounds + 1):
        ambiguous: dict[str, AmbiguousCreateError] = {}
        async with contextlib.aclosing(
            create_all(client, todo, concurrency, ambiguous, gate)
        ) as creating:
            async for result in creating:
                yield report(result, ours=True)
        if ambiguous:
            last_ambiguous = now()
            for name in ambiguous:
                record.note_ambiguous(name)
        if not ambiguous:
            break
        if gate.refused is not None or round_number == reconcile_rounds:
            for name, error in ambiguous.items():  # no more lookups: a refused login each
                result = ServiceResult(friendly_name=name, outcome=Outcome.UNKNOWN, error=error)
                yield report(result, ours=True)
            break
        # Let creates Twilio is still processing land first (None: the settle time), so they
        # are adopted rather than made again and repaired.
        delay = settle_seconds if reconcile_delay is None else reconcile_delay
        if delay > 0:
            await asyncio.sleep(delay)
        try:
            found = await _observe(client)
        except TwilioChatError as error:  # cannot tell now: the verification will look again
            for name in ambiguous:
                result = ServiceResult(friendly_name=name, outcome=Outcome.UNKNOWN, error=error)
                yield report(result, ours=True)
            break
        retry: list[str] = []
        for name in ambiguous:
            listed = found.services(name)
            if not listed:
                retry.append(name)  # maybe not landed yet: the verification repairs a double
            elif len(listed) == 1 and listed[0].date_created >= threshold:
                result = ServiceResult(
                    friendly_name=name, outcome=Outcome.ADOPTED, sid=listed[0].sid
                )
                yield report(result, ours=True)
            else:
                known[name] = _Known(Outcome.UNKNOWN, None, ours=True, reported=False)
        todo = retry

    if gate.refused is not None:
        for name, state in known.items():  # a listing would be one more refused login
            if not state.reported:
                result = ServiceResult(
                    friendly_name=name, outcome=Outcome.UNKNOWN, error=gate.refused
                )
                yield report(result, ours=True)
        return

    risks = [moment for moment in (last_ambiguous, record.unsettled_since) if moment]
    if risks and settle_seconds > 0:
        wait = (max(risks) + timedelta(seconds=settle_seconds) - now()).total_seconds()
        if wait > 0:
            if on_settle is not None:
                on_settle(wait)
            await asyncio.sleep(wait)
    checking = verify(client, names, record, known, repair=repair, concurrency=concurrency)
    try:
        async with contextlib.aclosing(checking) as results:
            async for result in results:
                yield result
    except TwilioChatError as error:  # the verifying listing failed: not verified
        for name, state in known.items():
            if not state.reported:
                result = ServiceResult(friendly_name=name, outcome=Outcome.UNKNOWN, error=error)
                yield report(result, ours=True)


def _first_look(
    name: str,
    listed: tuple[ListedService, ...],
    entry: JournalEntry | None,
    resumed: bool,
    threshold: datetime,
    on_existing: OnExisting,
    in_flight_until: datetime | None,
) -> Literal["skip", "create", "missing", "defer"] | ServiceResult:
    """What to do with a name, from the first listing and what the journal says of it.

    A name the journal has no line for is ours only if an earlier run died while acting
    (`in_flight_until` is then the latest its in-flight creates could land) and every service
    with the name was created in that window: otherwise no run of this journal sent it.
    """
    if entry is not None and entry.done and len(listed) == 1 and listed[0].sid == entry.sid:
        return "skip"  # done by an earlier run, and still the name's one service
    if entry is not None:
        ours = resumed and entry.ours
    else:
        ours = in_flight_until is not None and all(
            service.date_created <= in_flight_until for service in listed
        )
    if not listed:
        return "missing" if entry is not None and entry.done else "create"
    if not ours or any(service.date_created < threshold for service in listed):
        if len(listed) > 1:
            sids = tuple(service.sid for service in listed)
            error = NameTakenError(name, sids, reason=f"{len(sids)} services have this name")
            return ServiceResult(
                friendly_name=name, outcome=Outcome.CONFLICT, error=error, conflicting=sids
            )
        sid = listed[0].sid
        if on_existing == "fail":
            error = NameTakenError(name, (sid,), reason="a service already has this name")
            return ServiceResult(friendly_name=name, outcome=Outcome.FAILED, error=error)
        return ServiceResult(friendly_name=name, outcome=Outcome.EXISTING, sid=sid)
    if len(listed) == 1:  # created by the run this journal belongs to, not journaled as done
        return ServiceResult(friendly_name=name, outcome=Outcome.ADOPTED, sid=listed[0].sid)
    return "defer"  # ours, more than once: the verification repairs it


async def verify(
    client: ChatClient,
    names: Collection[str],
    record: RunRecord,
    known: dict[str, _Known] | None = None,
    *,
    repair: bool = True,
    concurrency: int = 100,
) -> AsyncGenerator[ServiceResult, None]:
    """List the account and check every name: yield a result for each name whose state is not
    the one reported (repairs included); journal a completed verification.

    `known` is what this run learned; names it does not hold are judged by the journal. A
    listing that fails raises its error before anything is yielded.
    """
    known = {} if known is None else known
    threshold = record.started - CLOCK_SKEW
    census = await _observe(client)
    repairs: list[tuple[str, ListedService, tuple[ListedService, ...]]] = []
    for name in names:
        state = known.get(name)
        if state is None:
            entry = record.entries.get(name)
            if entry is None:
                continue
            state = _Known(Outcome(entry.status), entry.sid, entry.ours)
        verdict = _judge(name, census.services(name), state, threshold, repair=repair)
        if isinstance(verdict, ServiceResult):
            record.record(verdict, ours=state.ours and verdict.outcome is not Outcome.EXISTING)
            yield verdict
        elif verdict is not None:
            repairs.append((name, *verdict))
    del census
    if repairs:
        async for result in _repair_all(client, repairs, record, concurrency):
            yield result
    record.note_verified()


def _judge(
    name: str,
    listed: tuple[ListedService, ...],
    state: _Known,
    threshold: datetime,
    *,
    repair: bool,
) -> _Verdict:
    """What the verification makes of one name."""
    sids = tuple(service.sid for service in listed)
    reported_done = state.reported and state.outcome in DONE
    if not state.ours:
        if not reported_done:
            return None  # a conflict or a refusal we reported: nothing of ours to check
        if len(listed) == 1:
            if sids[0] == state.sid:
                return None
            return ServiceResult(friendly_name=name, outcome=Outcome.EXISTING, sid=sids[0])
        if not listed:
            return ServiceResult(friendly_name=name, outcome=Outcome.MISSING, sid=state.sid)
        return _conflict(name, sids, f"{len(sids)} services have this name")
    if any(service.date_created < threshold for service in listed):
        if len(listed) == 1:  # ours is gone; an older service has the name now
            return ServiceResult(friendly_name=name, outcome=Outcome.EXISTING, sid=sids[0])
        return _conflict(name, sids, f"{len(sids)} services have this name, some older")
    if not listed:
        if reported_done:
            return ServiceResult(friendly_name=name, outcome=Outcome.MISSING, sid=state.sid)
        if not state.reported:
            error = AmbiguousCreateError(name, reason="not found by the verification")
            return ServiceResult(friendly_name=name, outcome=Outcome.UNKNOWN, error=error)
        return None
    if len(listed) == 1:
        if reported_done and sids[0] == state.sid:
            return None
        return ServiceResult(friendly_name=name, outcome=Outcome.ADOPTED, sid=sids[0])
    ranked = sorted(listed, key=_age)
    if not repair:
        return _conflict(name, sids, f"this run created it {len(sids)} times (not repaired)")
    return ranked[0], tuple(ranked[1:])


def _age(service: ListedService) -> datetime:
    """Oldest first. `date_created` has one-second grain; the sort is stable, so within one
    second the service listed first (Twilio lists oldest first) wins. Every run that lists
    the same services ranks them alike, so two runs repairing one name keep the same one."""
    return service.date_created


async def _observe(client: ChatClient) -> Observation:
    """One listing of the account, names -> services; no settings kept (not needed here)."""
    return await observe(client, settings=())


def _conflict(name: str, sids: tuple[str, ...], reason: str) -> ServiceResult:
    return ServiceResult(
        friendly_name=name,
        outcome=Outcome.CONFLICT,
        error=NameTakenError(name, sids, reason=reason),
        conflicting=sids,
    )


async def _repair_all(
    client: ChatClient,
    repairs: list[tuple[str, ListedService, tuple[ListedService, ...]]],
    record: RunRecord,
    concurrency: int,
) -> AsyncGenerator[ServiceResult, None]:
    """Delete the extras of each name (each delete journaled first; a 404 is success)."""
    pending = iter(repairs)
    done: asyncio.Queue[ServiceResult | Exception] = asyncio.Queue()

    async def worker() -> None:
        try:
            await repair_each()
        except Exception as exc:  # noqa: BLE001 - a bug, not an API failure: re-raised below
            await done.put(exc)

    async def repair_each() -> None:
        for name, keep, extras in pending:
            deleted: list[str] = []
            failure: TwilioChatError | None = None
            for extra in extras:
                record.note_deleting(name, extra.sid)
                try:
                    await client.delete_service(extra.sid)
                except NotFoundError:
                    pass  # deleted already (by another run's repair, or before a kill)
                except TwilioChatError as error:
                    failure = error
                    break
                record.note_deleted(extra.sid)
                deleted.append(extra.sid)
            if failure is None:
                result = ServiceResult(
                    friendly_name=name,
                    outcome=Outcome.REPAIRED,
                    sid=keep.sid,
                    deleted=tuple(deleted),
                )
            else:
                left = (keep.sid, *(extra.sid for extra in extras if extra.sid not in deleted))
                result = ServiceResult(
                    friendly_name=name,
                    outcome=Outcome.CONFLICT,
                    error=failure,
                    conflicting=left,
                )
            record.record(result, ours=True)
            await done.put(result)

    workers = [asyncio.create_task(worker()) for _ in range(min(concurrency, len(repairs)))]
    try:
        for _ in repairs:
            result = await done.get()
            if isinstance(result, Exception):
                raise result
            yield result
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
