"""A record of a provisioning run, so a killed run can resume without duplicates.

One JSON line per finished name (`name`, `sid`, `status`, `error`), appended and flushed to the
operating system before the name counts as done, so it survives the process being killed (it
is synced to disk on close). Writes are unbuffered: when the disk is full the failing record
raises `OSError` at once, and nothing is left in a buffer to fail again on close. A line cut
short by a kill is ignored on reading. If the file exists at all, the run is a resume: names
recorded as created or adopted are skipped, and every other name may have been in flight when
the run died, so it is looked up in the account before anything is created.
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Self

import attrs

from ._bulk import Outcome, ServiceResult

__all__ = ["Journal", "JournalEntry"]

_DONE = frozenset({Outcome.CREATED.value, Outcome.ADOPTED.value})
_STATUSES = frozenset(outcome.value for outcome in Outcome)


@attrs.frozen(kw_only=True)
class JournalEntry:
    name: str
    status: str
    sid: str | None = None
    error: str | None = None

    @property
    def done(self) -> bool:
        return self.status in _DONE


class Journal:
    """Append-only JSON-lines record of outcomes; the last entry per name wins."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._existed = self.path.exists()
        self.entries: dict[str, JournalEntry] = _read(self.path)
        self._file: BinaryIO | None = None

    @property
    def resumed(self) -> bool:
        """True when the file already existed: an earlier run may have sent requests, even if
        it died before writing its first line."""
        return self._existed

    def done(self) -> set[str]:
        return {name for name, entry in self.entries.items() if entry.done}

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def open(self) -> None:
        """Open for appending (creating the file and its folder as needed)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("ab", buffering=0)
        if self._file.tell() and not _ends_with_newline(self.path):
            _write(self._file, b"\n")  # end a line cut short by a kill, so the next one parses

    def close(self) -> None:
        """Sync to disk and close; safe to call more than once."""
        if self._file is not None:
            file, self._file = self._file, None
            with file:
                os.fsync(file.fileno())

    def record(self, result: ServiceResult) -> None:
        """Append the outcome and flush it to the OS before returning."""
        if self._file is None:
            raise RuntimeError("Journal.record() outside `with journal:`")
        entry = JournalEntry(
            name=result.friendly_name,
            status=result.outcome.value,
            sid=result.sid,
            error=f"{type(result.error).__name__}: {result.error}" if result.error else None,
        )
        line = {
            "name": entry.name,
            "sid": entry.sid,
            "status": entry.status,
            "error": entry.error,
            "time": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        _write(self._file, (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
        self.entries[entry.name] = entry


def _read(path: Path) -> dict[str, JournalEntry]:
    entries: dict[str, JournalEntry] = {}
    if not path.exists():
        return entries
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                raw = json.loads(line)
            except ValueError:
                continue  # a line cut short by a kill
            if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
                continue
            status = raw.get("status")
            sid = raw.get("sid")
            error = raw.get("error")
            entries[raw["name"]] = JournalEntry(
                name=raw["name"],
                status=status if status in _STATUSES else Outcome.UNKNOWN.value,
                sid=sid if isinstance(sid, str) else None,
                error=error if isinstance(error, str) else None,
            )
    return entries


def _write(file: BinaryIO, data: bytes) -> None:
    view = memoryview(data)
    while view:  # an unbuffered write may be partial
        view = view[file.write(view) or 0 :]


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) == b"\n"
