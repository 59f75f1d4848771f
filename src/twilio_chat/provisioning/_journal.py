"""The journal: a record of one provisioning run of one account, locked while a run uses it.

The first line is a header (`{"journal": 2, "account_sid", "base_url", "started"}`): a journal
for another account or host is refused before any request, and `started` is when the run that
owns it began, so a resumed run knows which services it may have created. Then one JSON line
per event, appended and flushed to the operating system before it counts (synced on close):

- an outcome: `name`, `sid`, `status` (an `Outcome` value), `ours` (this journal's run created
  or adopted it, so a duplicate is ours to repair), `error`, `time`;
- `{"ambiguous": name}` before an ambiguous create is looked up, `{"acting": time}` before
  creates start, `{"deleting": sid, "name"}` before a repair deletes and `{"deleted": sid}`
  after, `{"verified": time}` when a verification completed.

An exclusive `flock` is held from opening to closing: a second process is refused at once. A
line cut short by a kill is ignored on reading. Writes are unbuffered, so a full disk fails on
the record that did not fit.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Self

import attrs

from .._errors import ConfigurationError
from ._outcomes import Outcome, ServiceResult

if sys.platform != "win32":
    import fcntl

__all__ = ["Journal", "JournalEntry"]

VERSION = 2
_STATUSES = frozenset(outcome.value for outcome in Outcome)
_DONE = frozenset(
    outcome.value
    for outcome in (Outcome.CREATED, Outcome.EXISTING, Outcome.ADOPTED, Outcome.REPAIRED)
)


@attrs.frozen(kw_only=True)
class JournalEntry:
    """The last outcome journaled for a name."""

    name: str
    status: str
    sid: str | None = None
    ours: bool = False
    error: str | None = None

    @property
    def done(self) -> bool:
        return self.status in _DONE and self.sid is not None


def now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_time(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


class Journal:
    """One run's record for one account; open it with `with journal:` (locks, checks, reads).

    Reading happens under the lock, so what a run reads is what no other run is writing.
    """

    def __init__(self, path: str | os.PathLike[str], *, account_sid: str, base_url: str) -> None:
        self.path = Path(path)
        self.account_sid = account_sid
        self.base_url = base_url
        moment = now()  # to the millisecond, as the header keeps it
        self.started: datetime = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
        self.resumed = False
        self.entries: dict[str, JournalEntry] = {}
        self.ambiguous: set[str] = set()
        """Names with an ambiguous create journaled since the last completed verification."""
        self.deleting: dict[str, str] = {}
        """SID -> name: deletes journaled as started and not as finished."""
        self.unsettled_since: datetime | None = None
        """When an earlier run that sent creates and did not complete a verification wrote
        its last line: creates it had in flight may still land after that."""
        self._acted = False
        self.verified = False
        """True once this run completed a verification."""
        self._file: BinaryIO | None = None

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

    @classmethod
    def peek(cls, path: str | os.PathLike[str], *, account_sid: str, base_url: str) -> Journal:
        """Read and check a journal without locking or writing it (for plans)."""
        journal = cls(path, account_sid=account_sid, base_url=base_url)
        journal._load(journal.path.read_bytes())
        return journal

    def open(self) -> None:
        """Lock the file (a ConfigurationError at once if another run holds it), read and
        check it (account, host, version), and start it with a header if it is new. No
        request is needed for any of this."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = self.path.open("a+b", buffering=0)
        try:
            _lock(file, self.path)
            file.seek(0)
            data = file.read()
            self._load(data)
            if not self.resumed:
                if data:  # a header cut short by a kill: nothing was sent after it
                    file.truncate(0)
                self._file = file
                self._append(
                    {
                        "journal": VERSION,
                        "account_sid": self.account_sid,
                        "base_url": self.base_url,
                        "started": _stamp(self.started),
                    }
                )
            else:
                self._file = file
                if not data.endswith(b"\n"):
                    _write(file, b"\n")  # end a line cut short by a kill
        except BaseException:
            self._file = None
            file.close()  # releases the lock
            raise

    def close(self) -> None:
        """Sync to disk, release the lock and close; safe to call more than once."""
        if self._file is not None:
            file, self._file = self._file, None
            with file:
                os.fsync(file.fileno())

    # -- what a run writes ---------------------------------------------------------------

    def record(self, result: ServiceResult, *, ours: bool) -> None:
        """Append an outcome and flush it to the OS before returning."""
        error = result.error
        entry = JournalEntry(
            name=result.friendly_name,
            status=result.outcome.value,
            sid=result.sid,
            ours=ours,
            error=f"{type(error).__name__}: {error}" if error is not None else None,
        )
        line: dict[str, Any] = {
            "name": entry.name,
            "sid": entry.sid,
            "status": entry.status,
            "ours": ours,
            "error": entry.error,
        }
        if result.conflicting:
            line["conflicting"] = list(result.conflicting)
        if result.deleted:
            line["deleted_sids"] = list(result.deleted)
        self._append(line)
        self.entries[entry.name] = entry

    def note_acting(self) -> None:
        """Creates are about to be sent: from here on, a kill may leave some in flight."""
        self._append({"acting": True})

    def note_ambiguous(self, name: str) -> None:
        """A create of `name` may have happened: its name must be verified later."""
        self._append({"ambiguous": name})
        self.ambiguous.add(name)

    def note_deleting(self, name: str, sid: str) -> None:
        """Written before a repair deletes `sid`, so a kill mid-repair is resumed."""
        self._append({"deleting": sid, "name": name})
        self.deleting[sid] = name

    def note_deleted(self, sid: str) -> None:
        self._append({"deleted": sid})
        self.deleting.pop(sid, None)

    def forget(self, name: str) -> None:
        """The name is no longer this job's (its service was pruned)."""
        self._append({"forget": name})
        self.entries.pop(name, None)

    def note_verified(self) -> None:
        """A verification completed: every name checked, every repair done."""
        self._append({"verified": True})
        self.verified = True
        self.ambiguous.clear()
        self.unsettled_since = None

    # -- reading -----------------------------------------------------------------------------

    def _load(self, data: bytes) -> None:
        lines = data.decode("utf-8", errors="replace").split("\n")
        records: list[dict[str, Any]] = []
        for line in lines:
            try:
                raw = json.loads(line)
            except ValueError:
                continue  # a line cut short by a kill, or the empty tail
            if isinstance(raw, dict):
                records.append(raw)
        if not records:
            return  # a new journal (or one killed while writing its header: nothing was sent)
        header = records[0]
        if "journal" not in header:
            raise ConfigurationError(
                f"--journal {self.path} was written by an older twilio-chat (no header naming "
                "its account): use a new journal file"
            )
        if header.get("journal") != VERSION:
            raise ConfigurationError(
                f"--journal {self.path} has version {header.get('journal')!r}, this "
                f"twilio-chat writes version {VERSION}: use a new journal file"
            )
        if header.get("account_sid") != self.account_sid:
            raise ConfigurationError(
                f"--journal {self.path} belongs to account {header.get('account_sid')}, not "
                f"{self.account_sid}: use a new journal file for this account"
            )
        if header.get("base_url") != self.base_url:
            raise ConfigurationError(
                f"--journal {self.path} belongs to {header.get('base_url')}, not "
                f"{self.base_url}: use a new journal file for this host"
            )
        started = _parse_time(header.get("started"))
        if started is None:
            raise ConfigurationError(f"--journal {self.path}: its header has no valid start time")
        self.started = started
        self.resumed = True
        last = started
        for raw in records[1:]:
            last = _parse_time(raw.get("time")) or last
            self._replay(raw)
        self.unsettled_since = last if self._acted else None

    def _replay(self, raw: dict[str, Any]) -> None:
        if "verified" in raw:
            self.ambiguous.clear()
            self._acted = False
        elif "acting" in raw:
            self._acted = True
        elif isinstance(raw.get("ambiguous"), str):
            self.ambiguous.add(raw["ambiguous"])
            self._acted = True
        elif isinstance(raw.get("deleting"), str) and isinstance(raw.get("name"), str):
            self.deleting[raw["deleting"]] = raw["name"]
        elif isinstance(raw.get("deleted"), str):
            self.deleting.pop(raw["deleted"], None)
        elif isinstance(raw.get("forget"), str):
            self.entries.pop(raw["forget"], None)
        elif isinstance(raw.get("name"), str) and "status" in raw:
            status, sid, error = raw.get("status"), raw.get("sid"), raw.get("error")
            self.entries[raw["name"]] = JournalEntry(
                name=raw["name"],
                status=status if status in _STATUSES else Outcome.UNKNOWN.value,
                sid=sid if isinstance(sid, str) else None,
                ours=raw.get("ours") is True,
                error=error if isinstance(error, str) else None,
            )

    def _append(self, line: dict[str, Any]) -> None:
        if self._file is None:
            raise RuntimeError("Journal written outside `with journal:`")
        line["time"] = _stamp(now())
        _write(self._file, (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))


def _lock(file: BinaryIO, path: Path) -> None:
    if sys.platform == "win32":
        return
    try:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise ConfigurationError(
            f"--journal {path} is in use by another run (it is locked): wait for that run to "
            "finish, or use another journal"
        ) from None


def _write(file: BinaryIO, data: bytes) -> None:
    view = memoryview(data)
    while view:  # an unbuffered write may be partial
        view = view[file.write(view) or 0 :]
