"""`twilio-chat verify`: the verify-and-repair step of a provisioning run, alone.

For creates Twilio processes after the run's own verification: every name in the journal is
checked against one listing of the account, and services the journal's run created more
than once are deleted but the oldest.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from .._errors import ConfigurationError
from ..provisioning import Outcome
from ..provisioning._converge import verify
from ._common import _CONNECTION_EPILOG, _client, _connection_options, _run_async, _WriteFailed
from ._run import Tally, open_journal, write_output


def add_commands(commands: Any) -> None:
    check = commands.add_parser(
        "verify",
        help="check a provisioning run's names against the account, and repair its duplicates",
        description="List the account once and check every name in the journal: exactly one "
        "service per name done. Services the journal's run created more than once (a create "
        "Twilio processed after the run had looked) are deleted but the oldest. Exit 0 only "
        "when every journaled name has exactly one service.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
        "  twilio-chat verify --journal run.jsonl\n"
        "  twilio-chat verify --journal run.jsonl --no-repair --output state.csv\n\n"
        + _CONNECTION_EPILOG,
    )
    check.add_argument(
        "--journal",
        type=Path,
        required=True,
        help="the journal of a provision run (required, no default)",
    )
    check.add_argument(
        "--no-repair",
        dest="repair",
        action="store_false",
        help="report duplicates instead of deleting them (default: delete all but the oldest)",
    )
    check.add_argument(
        "--output",
        type=Path,
        help="write name, sid, outcome per name as .json or .csv (default: not written)",
    )
    _connection_options(check)
    check.set_defaults(run=_run_verify, interrupted="run the same command again")


def _run_verify(args: argparse.Namespace) -> int:
    if not args.journal.is_file() or args.journal.stat().st_size == 0:
        raise ConfigurationError(f"--journal {args.journal}: no such journal (or it is empty)")
    names: list[str] = []
    tally = Tally(names)

    async def run() -> None:
        async with _client(args) as chat:
            journal = open_journal(args.journal, chat)
            tally.journal = journal
            try:
                names.extend(journal.entries)
                print(f"verifying {len(names)} names of {args.journal}", file=sys.stderr)
                stream = verify(chat, names, journal, repair=args.repair)
                async with contextlib.aclosing(stream) as results:
                    async for result in results:
                        tally.add(result)
            except OSError as exc:
                raise _WriteFailed(
                    f"cannot write --journal {args.journal}: {exc.strerror}"
                ) from exc
            finally:
                with contextlib.suppress(OSError):
                    journal.close()

    try:
        _run_async(run)
    finally:
        if tally.journal is not None:
            tally.report()
    if args.output is not None:
        write_output(args.output, names, tally.journal)
    assert tally.journal is not None
    state = Counter(Outcome(entry.status) for entry in tally.journal.entries.values())
    return tally.exit_code(state)
