"""The seam between `apply` and the provisioning engine: "make these names exist exactly
once, journaled, and tell me their SIDs", plus what the journal says this job created.

`apply` works out which names to create from its own observation; everything about creating
them exactly once (the adaptive limiter, ambiguous creates looked up instead of retried, the
journal a killed run resumes from) belongs to the engine behind this module. Keeping the
seam this narrow means the engine can change without `apply` changing.
"""

from __future__ import annotations

import contextlib
import enum
import os
from collections.abc import AsyncGenerator, Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from .._errors import ConfigurationError, TwilioChatError
from ._converge import MemoryRecord, converge
from ._journal import Journal
from ._outcomes import Outcome

if TYPE_CHECKING:
    from .._client import ChatClient

__all__ = ["EnsureOutcome", "Ensured", "RunJournal", "ensure_exist", "read_created"]


class EnsureOutcome(enum.Enum):
    """What the engine did for one name, in the terms `apply` needs."""

    CREATED = "created"
    """Exactly one service has the name now, created by this job (`sid`)."""
    EXISTING = "existing"
    """A service already had the name (`sid`); the engine created nothing."""
    CONFLICT = "conflict"
    """Several services have the name; the engine created none of them on purpose."""
    FAILED = "failed"
    """Not created (`error` says why)."""
    UNKNOWN = "unknown"
    """May or may not exist: the create stayed ambiguous."""


@attrs.frozen
class Ensured:
    """One name's result from the engine."""

    friendly_name: str
    outcome: EnsureOutcome
    sid: str | None = None
    error: TwilioChatError | None = None
    conflict_sids: tuple[str, ...] = ()


_OUTCOMES: Mapping[Outcome, EnsureOutcome] = {
    Outcome.CREATED: EnsureOutcome.CREATED,
    Outcome.ADOPTED: EnsureOutcome.CREATED,  # found after an ambiguous create of ours
    Outcome.REPAIRED: EnsureOutcome.CREATED,  # ours, created more than once: the oldest kept
    Outcome.EXISTING: EnsureOutcome.EXISTING,  # appeared after the caller's listing
    Outcome.CONFLICT: EnsureOutcome.CONFLICT,
    Outcome.FAILED: EnsureOutcome.FAILED,
    Outcome.NOT_ATTEMPTED: EnsureOutcome.FAILED,
    Outcome.MISSING: EnsureOutcome.FAILED,  # not sent: names are created again (below)
    Outcome.UNKNOWN: EnsureOutcome.UNKNOWN,
}


class RunJournal:
    """The job's journal: what the engine records its creates in, and what `apply` reads to
    know which services this job created (the only ones `--prune` may delete). It belongs to
    one account and host and is locked while open (see `Journal`)."""

    def __init__(self, path: str | os.PathLike[str], client: ChatClient) -> None:
        self.path = Path(path)
        self._journal = Journal(self.path, account_sid=client.account_sid, base_url=client.base_url)

    def open(self) -> None:
        """Lock, check and open, before any request; `ConfigurationError` if it cannot be."""
        try:
            self._journal.open()
        except OSError as exc:
            raise ConfigurationError(f"journal {self.path}: {exc.strerror}") from None

    def close(self) -> None:
        """Sync to disk and close (an `OSError` here means the last records may be lost)."""
        self._journal.close()

    def created(self) -> dict[str, str]:
        """Name -> SID of every service this journal records as created by its job."""
        return _created(self._journal)

    def note_deleting(self, name: str, sid: str) -> None:
        """Before a prune deletes `sid`."""
        self._journal.note_deleting(name, sid)

    def note_deleted(self, name: str, sid: str) -> None:
        """After a prune deleted `sid`: the name is no longer this job's."""
        self._journal.note_deleted(sid)
        self._journal.forget(name)

    @property
    def engine_journal(self) -> Journal:
        return self._journal


def _created(journal: Journal) -> dict[str, str]:
    return {
        name: entry.sid
        for name, entry in journal.entries.items()
        if entry.done and entry.ours and entry.sid is not None
    }


def read_created(path: str | os.PathLike[str], client: ChatClient) -> dict[str, str]:
    """What `RunJournal.created` would say, read without locking or writing (`--plan` writes
    nothing); empty when there is no such file. A journal of another account or host is a
    `ConfigurationError`."""
    if not Path(path).exists():
        return {}
    return _created(Journal.peek(path, account_sid=client.account_sid, base_url=client.base_url))


async def ensure_exist(
    client: ChatClient,
    names: Collection[str],
    *,
    journal: RunJournal | None,
    concurrency: int,
    settle: float | None,
) -> AsyncGenerator[Ensured, None]:
    """Create one service per name (names the caller observed as absent), exactly once, with
    the converging engine (observe, act, verify, repair), journaling each outcome before
    yielding it. `settle`: seconds the verification waits after an ambiguous create (None: the
    engine's default). A later result for a name is yielded only when its SID changed (a
    repair kept another service than the one first reported)."""
    record = journal.engine_journal if journal is not None else MemoryRecord()
    stream = converge(
        client, names, record, concurrency=concurrency, settle=settle, recreate_missing=True
    )
    sids: dict[str, str | None] = {}
    async with contextlib.aclosing(stream) as results:
        async for result in results:
            name = result.friendly_name
            if name in sids and sids[name] == result.sid and result.ok:
                continue  # verified as first reported: nothing new for the caller
            sids[name] = result.sid
            yield Ensured(
                name,
                _OUTCOMES[result.outcome],
                sid=result.sid,
                error=result.error,
                conflict_sids=result.conflicting,
            )
