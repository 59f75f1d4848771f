"""`twilio-chat provision`: one service per name in a file, resumably, with a journal."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import Any

from .._client import ChatClient
from .._errors import ConfigurationError
from .._progress import Progress
from ..provisioning import load_desired
from ..provisioning._converge import converge
from ..provisioning._journal import Journal
from ._common import (
    _CONNECTION_EPILOG,
    _client,
    _connection_options,
    _run_async,
    _work_options,
    _WriteFailed,
)
from ._run import RESUME, Tally, check_writable, open_journal, settle_seconds, write_output


def add_commands(commands: Any) -> None:
    prov = commands.add_parser(
        "provision",
        help="create one service per name in a file, resumably",
        description="Create one service per line of NAMES_FILE (plain lines, or JSON lines "
        'with a "name" field), exactly once: the account is listed first (a name that has '
        "a service is adopted, one with several is a conflict), and again after the work "
        "(services this run created twice are deleted but the oldest). Every outcome is "
        "appended to the journal, which belongs to one account and one run and is locked "
        "while in use; running the same command again after a crash finishes the job.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
        "  twilio-chat provision names.txt --journal run.jsonl\n"
        "  twilio-chat provision names.jsonl --journal run.jsonl --output sids.json\n\n"
        + _CONNECTION_EPILOG,
    )
    prov.add_argument(
        "names_file",
        type=Path,
        metavar="NAMES_FILE",
        help='UTF-8, one name per line (or a JSON object with a "name" string per line); '
        "blank lines and spaces around a name are ignored, tabs and other control characters "
        "refused",
    )
    prov.add_argument(
        "--journal", type=Path, required=True, help="JSON-lines run record (required, no default)"
    )
    prov.add_argument(
        "--output",
        type=Path,
        help="write name, sid, outcome per name as .json or .csv (default: not written)",
    )
    prov.add_argument(
        "--on-existing",
        choices=("adopt", "fail"),
        default="adopt",
        help="a name that already has one service: adopt it, or report it as failed "
        "(default: adopt)",
    )
    prov.add_argument(
        "--recreate-missing",
        action="store_true",
        help="create again a name the journal says is done but whose service is gone "
        "(default: report it as missing)",
    )
    _verify_options(prov)
    _work_options(prov, "creates")
    _connection_options(prov)
    prov.set_defaults(run=_run_provision, interrupted=RESUME)


def _verify_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-repair",
        dest="repair",
        action="store_false",
        help="report services this run created more than once instead of deleting the "
        "extras (default: delete all but the oldest)",
    )
    parser.add_argument(
        "--settle",
        type=settle_seconds,
        default=None,
        metavar="SECONDS",
        help="after an ambiguous create, wait this long before the verifying listing, so "
        "creates Twilio processes late are seen (default: twice the read timeout, 60)",
    )


def _read_names(path: Path) -> list[str]:
    """The names in the file, read as `load_desired` reads a names file (lines end at \\n or
    \\r\\n only, BOM dropped, plain or JSON lines alike); every problem is reported with file
    and line before any request."""
    desired = load_desired(path, format="names")
    return [service.friendly_name for service in desired.services]


def _check_paths(names_file: Path, journal: Path, output: Path | None) -> None:
    """Before the first request: no output is an input, and every output can be written."""
    clobbered = [(journal, "--journal", names_file, "NAMES_FILE")]
    if output is not None:
        clobbered += [(output, "--output", names_file, "NAMES_FILE")]
        clobbered += [(output, "--output", journal, "--journal")]
    for path, flag, other, other_flag in clobbered:
        if _same_file(path, other):
            raise ConfigurationError(
                f"{flag} {path} is the same file as {other_flag}: it would be overwritten"
            )
    check_writable(journal, "--journal")
    if output is not None:
        check_writable(output, "--output")


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)  # hard links and symlinks included
    except OSError:  # one does not exist (yet)
        return one.resolve() == other.resolve()


def _run_provision(args: argparse.Namespace) -> int:
    names = _read_names(args.names_file)
    _check_paths(args.names_file, args.journal, args.output)
    mode = args.progress
    tty = sys.stderr.isatty() if mode == "auto" else mode == "bar"
    tally = Tally(names)
    progress: Progress | None = None

    async def run() -> None:
        nonlocal progress
        async with _client(args) as chat:
            journal = open_journal(args.journal, chat)  # locked and checked, nothing sent yet
            tally.journal = journal
            try:
                done = sum(1 for name in names if (e := journal.entries.get(name)) and e.done)
                print(
                    f"{len(names)} names: {done} journaled as done"
                    + (" (checked against the account first)" if journal.resumed else "")
                    + f", journal {args.journal}",
                    file=sys.stderr,
                )
                if mode != "none":
                    progress = Progress(len(names) - done, sys.stderr, tty=tty)
                await _record_all(chat, journal, names, args, tally, progress)
            except BaseException:
                with contextlib.suppress(OSError):
                    journal.close()
                raise
            try:
                journal.close()
            except OSError as exc:
                raise _WriteFailed(
                    f"cannot sync --journal {args.journal} to disk: {exc.strerror}; {RESUME}"
                ) from exc

    try:
        _run_async(run)
    finally:
        if progress is not None:
            progress.close()
        if tally.journal is not None:
            tally.report()
    if args.output is not None:
        write_output(args.output, names, tally.journal)
    return tally.exit_code()


async def _record_all(
    chat: ChatClient,
    journal: Journal,
    names: list[str],
    args: argparse.Namespace,
    tally: Tally,
    progress: Progress | None,
) -> None:
    stream = converge(
        chat,
        names,
        journal,
        concurrency=args.concurrency,
        on_existing=args.on_existing,
        recreate_missing=args.recreate_missing,
        repair=args.repair,
        settle=args.settle,
        on_settle=lambda seconds: print(
            f"waiting {seconds:.3g} s before verifying: a create that was ambiguous, or in "
            "flight when an earlier run stopped, may still land (--settle)",
            file=sys.stderr,
        ),
    )
    try:
        async with contextlib.aclosing(stream) as results:
            async for result in results:
                first = tally.add(result)
                if progress is not None and first:
                    progress.advance(ok=result.ok)
    except OSError as exc:  # only the journal writes files during the run
        raise _WriteFailed(
            f"cannot write --journal {args.journal}: {exc.strerror}; names not yet journaled "
            f"may exist and are looked up first: {RESUME}"
        ) from exc
