"""What `provision` and `verify` share: the journal, the summary, the exit code, `--output`."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections import Counter
from pathlib import Path

from .._client import ChatClient
from .._errors import AuthenticationError, ConfigurationError
from ..provisioning import Outcome, ServiceResult
from ..provisioning._journal import Journal
from ._common import _FIX_CREDENTIALS, EXIT_AMBIGUOUS, EXIT_API, EXIT_OK, _WriteFailed

RESUME = "run the same command again to resume; nothing is created twice"
_SHOWN = 10  # conflicts, repairs and missing names listed one per line, then counted


def open_journal(path: Path, chat: ChatClient) -> Journal:
    """The journal, locked and checked against the client's account and host: before any
    request, a journal of another account, another host or in use by another run is refused."""
    journal = Journal(path, account_sid=chat.account_sid, base_url=chat.base_url)
    try:
        journal.open()
    except OSError as exc:
        raise ConfigurationError(f"--journal {path}: {exc.strerror}") from None
    return journal


def settle_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError("must be a number of seconds >= 0")
    return value


def check_writable(path: Path, flag: str) -> None:
    """A regular file we may write, or a new one in a directory we may write (parents are
    created as needed): anything else would fail only after the work was done."""
    if path.exists():
        if not path.is_file():
            raise ConfigurationError(f"{flag} {path}: not a regular file")
        if not os.access(path, os.R_OK | os.W_OK):
            raise ConfigurationError(f"{flag} {path}: not writable")
        return
    folder = path.absolute().parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise ConfigurationError(f"{flag} {path}: {folder} is not a directory")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigurationError(f"{flag} {path}: cannot create files in {folder}")


class Tally:
    """What this run did: the last result per name (a verification may change an earlier
    one), counted per outcome at the end."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.journal: Journal | None = None
        self.final: dict[str, ServiceResult] = {}

    def add(self, result: ServiceResult) -> bool:
        """Keep the result; True when it is the name's first in this run."""
        first = result.friendly_name not in self.final
        self.final[result.friendly_name] = result
        return first

    def counts(self) -> Counter[Outcome]:
        return Counter(result.outcome for result in self.final.values())

    def report(self) -> None:
        counts = self.counts()
        journal = self.journal
        already = sum(
            1
            for name in self.names
            if name not in self.final
            and journal is not None
            and (entry := journal.entries.get(name)) is not None
            and entry.done
        )
        counted = [
            f"{count} {outcome.value.replace('_', ' ')}"
            for outcome in Outcome
            if (count := counts[outcome]) or outcome is Outcome.CREATED
        ]
        print(f"summary: {', '.join(counted)} this run, {already} already done", file=sys.stderr)
        self._details()
        reasons: Counter[str] = Counter()
        refused: AuthenticationError | None = None
        for result in self.final.values():
            if isinstance(result.error, AuthenticationError):
                refused = refused or result.error
            elif result.error is not None and not result.ok:
                reasons[type(result.error).__name__] += 1
        for reason, count in sorted(reasons.items()):
            print(f"  {count} x {reason}", file=sys.stderr)
        if refused is not None:
            code = f", Twilio error {refused.code}" if refused.code is not None else ""
            print(
                f"stopped: the credentials were refused (HTTP {refused.status}{code}), so "
                f"{counts[Outcome.NOT_ATTEMPTED]} names were not attempted; "
                f"{_FIX_CREDENTIALS}, then run the same command again",
                file=sys.stderr,
            )
        elif journal is not None and not journal.verified:
            print(
                "not verified: the run ended before its verifying listing completed; run "
                f"`twilio-chat verify --journal {journal.path}` (or the same command) to "
                "check and repair",
                file=sys.stderr,
            )

    def _details(self) -> None:
        shown = 0
        for result in self.final.values():
            if result.outcome is Outcome.REPAIRED:
                line = f"kept {result.sid}, deleted {', '.join(result.deleted)}"
            elif result.outcome is Outcome.CONFLICT:
                line = f"services {', '.join(result.conflicting)}: none picked"
                if result.error is not None and "not repaired" in str(result.error):
                    line += " (not repaired: --no-repair)"
            elif result.outcome is Outcome.MISSING:
                line = f"journaled as {result.sid}, which no longer exists (--recreate-missing)"
            else:
                continue
            shown += 1
            if shown <= _SHOWN:
                print(f"  {result.outcome.value} {result.friendly_name!r}: {line}", file=sys.stderr)
        if shown > _SHOWN:
            print(f"  ... and {shown - _SHOWN} more (see the journal)", file=sys.stderr)

    def exit_code(self, counts: Counter[Outcome] | None = None) -> int:
        """0 only when every name the run reports as done was verified as exactly one
        service; 4 when something may or may not exist (or was not verified); 3 for any
        other name not done (failed, conflict, missing, not attempted)."""
        counts = self.counts() if counts is None else counts
        if counts[Outcome.UNKNOWN]:
            return EXIT_AMBIGUOUS
        bad = (Outcome.FAILED, Outcome.NOT_ATTEMPTED, Outcome.CONFLICT, Outcome.MISSING)
        if any(counts[outcome] for outcome in bad):
            return EXIT_API
        if self.journal is not None and not self.journal.verified:
            return EXIT_AMBIGUOUS
        return EXIT_OK


def write_output(path: Path, names: list[str], journal: Journal | None) -> None:
    """name, sid, outcome per name (the journal's last word on each), as CSV or JSON."""
    if journal is None:
        return
    rows = [
        (name, entry.sid if entry.done else None, entry.status)
        for name in names
        if (entry := journal.entries.get(name)) is not None
    ]
    try:
        _write_rows(path, rows)
    except OSError as exc:
        raise _WriteFailed(
            f"cannot write --output {path}: {exc.strerror}; every outcome is in the journal: "
            f"{RESUME} to write it"
        ) from exc
    print(f"wrote {len(rows)} names (name, sid, outcome) to {path}", file=sys.stderr)


def _write_rows(path: Path, rows: list[tuple[str, str | None, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["name", "sid", "outcome"])
            writer.writerows((name, sid or "", outcome) for name, sid, outcome in rows)
    else:
        document = {name: {"sid": sid, "outcome": outcome} for name, sid, outcome in rows}
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
