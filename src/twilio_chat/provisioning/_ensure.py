"""The seam between `apply` and the provisioning engine: "make these names exist exactly
once, journaled, and tell me their SIDs", plus what the journal says this job created.

`apply` works out which names to create from its own observation; everything about creating
them exactly once (the adaptive limiter, ambiguous creates looked up instead of retried, the
journal a killed run resumes from) belongs to the engine behind this module. Keeping the
seam this narrow means the engine can change without `apply` changing.
"""

from __future__ import annotations

import enum
import os
from collections.abc import AsyncGenerator, Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from .._bulk import RECONCILE_DELAY, Outcome, provision
from .._errors import ConfigurationError, TwilioChatError
from .._journal import Journal

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
    Outcome.FAILED: EnsureOutcome.FAILED,
    Outcome.NOT_ATTEMPTED: EnsureOutcome.FAILED,
    Outcome.UNKNOWN: EnsureOutcome.UNKNOWN,
}


class RunJournal:
    """The job's journal: what the engine records its creates in, and what `apply` reads to
    know which services this job created (the only ones `--prune` may delete)."""

    def __init__(self, path: str | os.PathLike[str], client: ChatClient) -> None:
        self.path = Path(path)
        del client  # the engine's next journal belongs to one account and host
        self._journal = Journal(self.path)

    def open(self) -> None:
        """Open for appending, before any request; `ConfigurationError` if it cannot be."""
        try:
            self._journal.open()
        except OSError as exc:
            raise ConfigurationError(f"journal {self.path}: {exc.strerror}") from None

    def close(self) -> None:
        """Sync to disk and close (an `OSError` here means the last records may be lost)."""
        self._journal.close()

    def created(self) -> dict[str, str]:
        """Name -> SID of every service this journal records as created by its job."""
        return {
            name: entry.sid
            for name, entry in self._journal.entries.items()
            if entry.done and entry.sid is not None
        }

    def note_deleting(self, name: str, sid: str) -> None:
        """Before a prune deletes `sid` (the engine's journal keeps no deletes yet: a
        rerun finds the service still listed and deletes it again)."""
        del name, sid

    def note_deleted(self, name: str, sid: str) -> None:
        """After a prune deleted `sid`."""
        del name, sid

    @property
    def engine_journal(self) -> Journal:
        return self._journal


def read_created(path: str | os.PathLike[str], client: ChatClient) -> dict[str, str]:
    """What `RunJournal.created` would say, read without opening the journal for writing
    (`--plan` writes nothing); empty when there is no such file."""
    if not Path(path).exists():
        return {}
    return RunJournal(path, client).created()


async def ensure_exist(
    client: ChatClient,
    names: Collection[str],
    *,
    journal: RunJournal | None,
    concurrency: int,
    settle: float | None,
) -> AsyncGenerator[Ensured, None]:
    """Create one service per name (names the caller observed as absent), exactly once,
    journaling each outcome before yielding it. `settle`: seconds to wait before looking
    up an ambiguous create (None: the engine's default)."""
    delay = RECONCILE_DELAY if settle is None else settle
    stream = provision(client, names, concurrency=concurrency, reconcile_delay=delay)
    try:
        async for result in stream:
            if journal is not None:
                journal.engine_journal.record(result)
            yield Ensured(
                result.friendly_name,
                _OUTCOMES[result.outcome],
                sid=result.sid,
                error=result.error,
            )
    finally:
        await stream.aclose()
