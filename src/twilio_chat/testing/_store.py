"""The account's services: the order they were created in, lookup by SID, counts by name.

Services are appended in creation order; a deleted service leaves a hole (None) in that
order, so page tokens that point at it, or past it, stay valid while a reader pages through.
"""

from __future__ import annotations

import collections

from ._resources import ServiceRecord

__all__ = ["ServiceStore"]


class ServiceStore:
    """Every service of the emulated account, live or deleted, with the indexes the API needs."""

    __slots__ = ("created", "holes", "names", "positions", "records")

    def __init__(self) -> None:
        self.records: list[ServiceRecord | None] = []
        """Creation order; None where a service was deleted."""
        self.positions: dict[str, int] = {}
        """sid -> index in `records` (deleted sids included)."""
        self.names: collections.Counter[str] = collections.Counter()
        """How many live services have each friendly name."""
        self.created: collections.Counter[str] = collections.Counter()
        """How many services were created through the API with each name (deletes aside)."""
        self.holes = 0
        """How many records were deleted."""

    def __len__(self) -> int:
        return len(self.records) - self.holes

    def __repr__(self) -> str:
        return f"ServiceStore(services={len(self)}, deleted={self.holes})"

    def live(self) -> tuple[ServiceRecord, ...]:
        """Live services, oldest first."""
        if not self.holes:
            return tuple(self.records)  # type: ignore[arg-type]
        return tuple(record for record in self.records if record is not None)

    def add(self, record: ServiceRecord, *, created: bool = True) -> None:
        """Append a new service (`created=False`: seeded, not counted as an API create)."""
        self.positions[record.sid] = len(self.records)
        self.records.append(record)
        self.names[record.friendly_name] += 1
        if created:
            self.created[record.friendly_name] += 1

    def get(self, sid: str) -> ServiceRecord | None:
        """The live service with this SID, or None."""
        position = self.positions.get(sid)
        return None if position is None else self.records[position]

    def replace(self, record: ServiceRecord) -> None:
        """Store an updated version of a live service (same SID)."""
        position = self.positions[record.sid]
        old = self.records[position]
        assert old is not None
        self.records[position] = record
        if old.friendly_name != record.friendly_name:
            self._forget_name(old.friendly_name)
            self.names[record.friendly_name] += 1

    def delete(self, sid: str) -> bool:
        """Delete a live service; False if there is none with this SID."""
        position = self.positions.get(sid)
        record = None if position is None else self.records[position]
        if position is None or record is None:
            return False
        self.records[position] = None
        self.holes += 1
        self._forget_name(record.friendly_name)
        return True

    def _forget_name(self, name: str) -> None:
        count = self.names[name] - 1
        if count:
            self.names[name] = count
        else:
            del self.names[name]
