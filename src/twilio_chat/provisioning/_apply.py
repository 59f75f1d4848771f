"""Apply: make the account match a desired state, and check that it does.

One listing of the account (`observe`) gives the plan (`plan_from`). The names to create go
to the provisioning engine (`_ensure`: exactly once, journaled); every service whose listed
settings differ gets one `update_service` with only the differing fields (a created service
gets all its settings), concurrently, through the client's adaptive limiter. With `prune`,
services the journal records as created by this job and the file no longer names are
deleted. Then, if anything was sent, the account is listed again and every service written
is compared with the file field by field. A rerun of the same file sends no write at all, and
a run killed at any point is just the next run's starting state: a service created but not
yet configured differs from the file, so the next plan updates it.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import os
from collections.abc import AsyncGenerator, Mapping
from typing import TYPE_CHECKING, Final

import attrs

from .._config import check_int
from .._errors import AuthenticationError, ConfigurationError, NotFoundError, TwilioChatError
from ._desired import DesiredService, DesiredState
from ._diff import FieldChange, diff, update_settings
from ._ensure import Ensured, EnsureOutcome, RunJournal, ensure_exist, read_created
from ._observe import Observation, observe
from ._plan import PlanAction, plan_from

if TYPE_CHECKING:
    from .._client import ChatClient

__all__ = ["ApplyOutcome", "ApplyResult", "apply", "managed_orphans", "read_created"]
# read_created is re-exported for the CLI's --plan (what --prune would delete)


class ApplyOutcome(enum.Enum):
    """What `apply` did for one service."""

    CREATED = "created"
    """Created by this run and given its settings (`changes`)."""
    UPDATED = "updated"
    """Existed; the settings in `changes` were changed (only those)."""
    UNCHANGED = "unchanged"
    """Existed with every desired setting: nothing sent."""
    PRUNED = "pruned"
    """Created by an earlier apply with this journal, no longer in the file: deleted."""
    UNMANAGED = "unmanaged"
    """Created by an earlier apply with this journal, no longer in the file, left alone
    (pass `prune=True` to delete it)."""
    CONFLICT = "conflict"
    """Several services have the name (`conflict_sids`): none was touched."""
    FAILED = "failed"
    """Not converged: `error` says why, or `changes` lists the settings that still differ
    from the file after the run. `sid` is set when the service exists."""
    UNKNOWN = "unknown"
    """A create stayed ambiguous (the service may exist), or the verifying listing failed
    (`error`). Run again: the next plan sees what exists."""


_CONVERGED: Final = frozenset(
    {
        ApplyOutcome.CREATED,
        ApplyOutcome.UPDATED,
        ApplyOutcome.UNCHANGED,
        ApplyOutcome.PRUNED,
        ApplyOutcome.UNMANAGED,
    }
)


@attrs.frozen(kw_only=True)
class ApplyResult:
    """The result for one service. A service written by the run may get a second result
    from the verification when it does not confirm the first (the later one holds)."""

    friendly_name: str
    outcome: ApplyOutcome
    sid: str | None = None
    changes: tuple[FieldChange, ...] = ()
    """CREATED / UPDATED: the settings changed. FAILED: the settings that still differ."""
    error: TwilioChatError | None = None
    conflict_sids: tuple[str, ...] = ()
    detail: str = ""
    """Why a FAILED result without an `error` failed (what the verification saw)."""

    @property
    def ok(self) -> bool:
        """True when the service is as the file says (or, for a pruned or unmanaged one,
        as this run left it on purpose)."""
        return self.outcome in _CONVERGED


async def apply(
    client: ChatClient,
    desired: DesiredState,
    *,
    journal: str | os.PathLike[str] | None = None,
    prune: bool = False,
    concurrency: int = 100,
    settle: float | None = None,
) -> AsyncGenerator[ApplyResult, None]:
    """Make the account match `desired`; yield a result per service as each is done.

    `journal` (a file path) records what this job creates, so a killed run resumes without a
    duplicate and `prune=True` (which needs it) deletes only services it created that
    `desired` no longer names; without `prune` those are reported `UNMANAGED`. `concurrency`
    bounds the workers (the client's adaptive limiter decides how many requests are in
    flight); `settle` is how long to wait before looking up an ambiguous create (None: the
    engine's default). Stopping early? Close the generator (`contextlib.aclosing`).
    """
    check_int(concurrency, "concurrency", 1)
    if not isinstance(desired, DesiredState):
        raise ConfigurationError("desired must be a DesiredState (from load_desired)")
    if prune and journal is None:
        raise ConfigurationError(
            "prune needs the journal of the earlier applies: only what they created is deleted"
        )
    if settle is not None and not settle >= 0:
        raise ConfigurationError("settle must be >= 0 seconds (or None for the default)")
    record = RunJournal(journal, client) if journal is not None else None
    if record is not None:
        record.open()  # before any request: an unusable journal costs nothing
    try:
        run = _Run(client, desired, record, prune=prune, concurrency=concurrency, settle=settle)
        async with contextlib.aclosing(run.results()) as results:
            async for result in results:
                yield result
    finally:
        if record is not None:
            record.close()


def managed_orphans(
    desired: DesiredState, observation: Observation, created: Mapping[str, str]
) -> list[tuple[str, str]]:
    """(name, SID) of the services the journal's job created (`created`: name -> SID) that
    `desired` does not name and that the observation still lists, by name."""
    wanted = set(desired.names)
    return sorted(
        (name, sid)
        for name, sid in created.items()
        if name not in wanted and any(item.sid == sid for item in observation.services(name))
    )


@attrs.frozen
class _Job:
    """One write for a worker: an update with `changes`, or (`delete`) a prune."""

    name: str
    sid: str
    changes: tuple[FieldChange, ...] = ()
    created: bool = False
    delete: bool = False


_DONE: Final = object()  # a worker finished


class _Run:
    """One apply: the plan, the writes, the verification."""

    def __init__(
        self,
        client: ChatClient,
        desired: DesiredState,
        record: RunJournal | None,
        *,
        prune: bool,
        concurrency: int,
        settle: float | None,
    ) -> None:
        self.client = client
        self.desired = desired
        self.record = record
        self.prune = prune
        self.concurrency = concurrency
        self.settle = settle
        self.keywords = {keyword for service in desired for keyword in service.settings}
        self.refused: AuthenticationError | None = None
        self.written: dict[str, ApplyResult] = {}
        self.fresh: set[str] = set()  # names this run created

    async def results(self) -> AsyncGenerator[ApplyResult, None]:
        observation = await observe(self.client, settings=self.keywords)
        plan = plan_from(self.desired, observation)
        created_before = self.record.created() if self.record is not None else {}
        orphans = managed_orphans(self.desired, observation, created_before)
        del observation
        jobs: list[_Job] = []
        creates: dict[str, tuple[FieldChange, ...]] = {}
        for entry in plan.entries:
            name = entry.friendly_name
            if entry.action is PlanAction.NO_CHANGE:
                yield ApplyResult(friendly_name=name, outcome=ApplyOutcome.UNCHANGED, sid=entry.sid)
            elif entry.action is PlanAction.CONFLICT:
                yield ApplyResult(
                    friendly_name=name,
                    outcome=ApplyOutcome.CONFLICT,
                    conflict_sids=entry.conflict_sids,
                )
            elif entry.action is PlanAction.UPDATE:
                assert entry.sid is not None
                jobs.append(_Job(name, entry.sid, entry.changes))
            else:
                creates[name] = entry.changes
        for name, sid in orphans:
            if self.prune:
                jobs.append(_Job(name, sid, delete=True))
            else:
                yield ApplyResult(friendly_name=name, outcome=ApplyOutcome.UNMANAGED, sid=sid)
        if not jobs and not creates:
            return  # the listing showed every service as the file says: nothing to verify
        async with contextlib.aclosing(self._write(jobs, creates)) as writing:
            async for result in writing:
                self.written[result.friendly_name] = result
                yield result
        async for result in self._verify():
            yield result

    async def _write(
        self, jobs: list[_Job], creates: dict[str, tuple[FieldChange, ...]]
    ) -> AsyncGenerator[ApplyResult, None]:
        """Run the creates (through the engine) and the writes (workers) concurrently."""
        queue: asyncio.Queue[_Job | None] = asyncio.Queue()
        for job in jobs:
            queue.put_nowait(job)
        out: asyncio.Queue[ApplyResult | BaseException | object] = asyncio.Queue()
        workers = min(self.concurrency, len(jobs) + len(creates))

        async def create_all() -> None:
            try:
                if creates:
                    await self._create(creates, queue, out)
            except Exception as exc:  # noqa: BLE001 - a journal write or a bug: raised below
                out.put_nowait(exc)
            finally:
                for _ in range(workers):
                    queue.put_nowait(None)

        async def work() -> None:
            try:
                while (job := await queue.get()) is not None:
                    out.put_nowait(await self._send(job))
            except Exception as exc:  # noqa: BLE001 - a journal write or a bug: raised below
                out.put_nowait(exc)
            out.put_nowait(_DONE)

        tasks = [asyncio.create_task(create_all())]
        tasks += [asyncio.create_task(work()) for _ in range(workers)]
        try:
            finished = 0
            while finished < workers:
                item = await out.get()
                if item is _DONE:
                    finished += 1
                elif isinstance(item, BaseException):
                    raise item
                else:
                    assert isinstance(item, ApplyResult)
                    yield item
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _create(
        self,
        creates: dict[str, tuple[FieldChange, ...]],
        queue: asyncio.Queue[_Job | None],
        out: asyncio.Queue[ApplyResult | BaseException | object],
    ) -> None:
        """Create through the engine; each created service's settings become a job."""
        stream = ensure_exist(
            self.client,
            list(creates),
            journal=self.record,
            concurrency=self.concurrency,
            settle=self.settle,
        )
        async with contextlib.aclosing(stream) as ensured_all:
            async for ensured in ensured_all:
                name = ensured.friendly_name
                changes = creates[name]
                if ensured.outcome is EnsureOutcome.CREATED and ensured.sid is not None:
                    self.fresh.add(name)
                    if changes:
                        queue.put_nowait(_Job(name, ensured.sid, changes, created=True))
                    else:
                        out.put_nowait(
                            ApplyResult(
                                friendly_name=name, outcome=ApplyOutcome.CREATED, sid=ensured.sid
                            )
                        )
                elif ensured.outcome is EnsureOutcome.EXISTING and ensured.sid is not None:
                    # It appeared after our listing: its settings are unknown, so send them all.
                    queue.put_nowait(_Job(name, ensured.sid, changes))
                else:
                    out.put_nowait(_not_created(ensured))

    async def _send(self, job: _Job) -> ApplyResult:
        """One update or delete; a failure is a result, never an exception."""
        name = job.name
        if self.refused is not None:  # the same credentials would be refused again
            return ApplyResult(
                friendly_name=name, outcome=ApplyOutcome.FAILED, sid=job.sid, error=self.refused
            )
        try:
            if job.delete:
                return await self._delete(job)
            await self.client.update_service(job.sid, **update_settings(job.changes))
        except AuthenticationError as error:
            self.refused = self.refused or error
            failure: TwilioChatError = error
        except TwilioChatError as error:
            failure = error
        else:
            outcome = ApplyOutcome.CREATED if job.created else ApplyOutcome.UPDATED
            return ApplyResult(
                friendly_name=name, outcome=outcome, sid=job.sid, changes=job.changes
            )
        return ApplyResult(
            friendly_name=name,
            outcome=ApplyOutcome.FAILED,
            sid=job.sid,
            changes=job.changes,
            error=failure,
        )

    async def _delete(self, job: _Job) -> ApplyResult:
        assert self.record is not None  # prune needs a journal
        self.record.note_deleting(job.name, job.sid)
        with contextlib.suppress(NotFoundError):  # deleted already: by us before a kill, or not
            await self.client.delete_service(job.sid)
        self.record.note_deleted(job.name, job.sid)
        return ApplyResult(friendly_name=job.name, outcome=ApplyOutcome.PRUNED, sid=job.sid)

    async def _verify(self) -> AsyncGenerator[ApplyResult, None]:
        """List again and check every service written; yield a result where the listing
        does not confirm the one reported."""
        try:
            after = await observe(self.client, settings=self.keywords)
        except TwilioChatError as error:
            for reported in self.written.values():
                if reported.ok:
                    yield attrs.evolve(reported, outcome=ApplyOutcome.UNKNOWN, error=error)
            return
        wanted = {service.friendly_name: service for service in self.desired}
        for name, reported in self.written.items():
            verdict = _judge(reported, wanted.get(name), after, created=name in self.fresh)
            if verdict is not None:
                yield verdict


def _not_created(ensured: Ensured) -> ApplyResult:
    outcome = {
        EnsureOutcome.CONFLICT: ApplyOutcome.CONFLICT,
        EnsureOutcome.UNKNOWN: ApplyOutcome.UNKNOWN,
    }.get(ensured.outcome, ApplyOutcome.FAILED)
    return ApplyResult(
        friendly_name=ensured.friendly_name,
        outcome=outcome,
        sid=ensured.sid,
        error=ensured.error,
        conflict_sids=ensured.conflict_sids,
    )


def _judge(
    reported: ApplyResult, desired: DesiredService | None, after: Observation, *, created: bool
) -> ApplyResult | None:
    """The verification's result for one written service, or None when it confirms."""
    listed = after.services(reported.friendly_name)
    if reported.outcome is ApplyOutcome.PRUNED:
        if any(item.sid == reported.sid for item in listed):
            detail = "still listed after its delete"
            return attrs.evolve(reported, outcome=ApplyOutcome.FAILED, detail=detail)
        return None
    if desired is None or reported.outcome in (ApplyOutcome.UNKNOWN, ApplyOutcome.CONFLICT):
        return None  # nothing this run can confirm; the next run's plan sees what exists
    if len(listed) > 1:
        return attrs.evolve(
            reported,
            outcome=ApplyOutcome.CONFLICT,
            conflict_sids=tuple(item.sid for item in listed),
        )
    if not listed or (reported.sid is not None and listed[0].sid != reported.sid):
        if reported.outcome is ApplyOutcome.FAILED and reported.sid is None:
            return None  # not created, and still not there: as reported
        detail = "not listed by the verification" if not listed else "listed with another SID"
        return attrs.evolve(reported, outcome=ApplyOutcome.FAILED, changes=(), detail=detail)
    remaining = tuple(diff(desired, listed[0]))
    if remaining:
        if reported.outcome is ApplyOutcome.FAILED:
            return None  # its error says why
        paths = ", ".join(change.path for change in remaining)
        detail = f"still differs after the update: {paths}"
        return attrs.evolve(reported, outcome=ApplyOutcome.FAILED, changes=remaining, detail=detail)
    if reported.outcome is ApplyOutcome.FAILED and reported.sid is not None:
        # The write failed on the client but took effect (a 500 after processing, a drop).
        outcome = ApplyOutcome.CREATED if created else ApplyOutcome.UPDATED
        return attrs.evolve(reported, outcome=outcome, error=None)
    return None
