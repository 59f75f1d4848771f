"""One listing of the account, kept as friendly name -> (SID, creation time), small per service.

Names are the keys provisioning works by: Twilio has no other key a client chooses. The shape
follows `Observation.services(name)` (a tuple of entries with `sid`, `friendly_name`,
`date_created`), so the richer observation of desired-state provisioning can stand in for it.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from .._client import ChatClient

__all__ = ["Census", "Listed", "take_census"]


@attrs.frozen(slots=True)
class Listed:
    """One listed service: what judging and repairing a name need, nothing more."""

    sid: str
    friendly_name: str
    date_created: datetime
    position: int
    """Where the listing showed it (Twilio lists oldest first)."""

    @property
    def order(self) -> tuple[datetime, int, str]:
        """Oldest first; within one second (`date_created` has no finer grain) the one listed
        first. Every run that lists the same services ranks them alike."""
        return (self.date_created, self.position, self.sid)


@attrs.frozen
class Census:
    """What one listing showed. `started_at` is when it began; `seconds` its wall time."""

    started_at: datetime
    seconds: float
    service_count: int
    by_name: dict[str, tuple[Listed, ...]] = attrs.field(repr=False)

    def services(self, friendly_name: str) -> tuple[Listed, ...]:
        """The services listed with this name: none, one, or several."""
        return self.by_name.get(friendly_name, ())


async def take_census(client: ChatClient, names: Collection[str] | None = None) -> Census:
    """List the account once (every page); keep the services whose name is in `names` (all
    when None), so memory follows the names of interest, not the size of the account."""
    started_at = datetime.now(UTC)
    start = time.perf_counter()
    by_name: dict[str, tuple[Listed, ...]] = {}
    count = 0
    async for service in client.list_services(page_size=100):
        name = service.friendly_name
        count += 1
        if names is not None and name not in names:
            continue
        listed = Listed(service.sid, name, service.date_created, count)
        by_name[name] = (*by_name.get(name, ()), listed)
    return Census(started_at, time.perf_counter() - start, count, by_name)
