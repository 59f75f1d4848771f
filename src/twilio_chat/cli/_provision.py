"""`twilio-chat provision`: one service per name in a file, resumably, with a journal."""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from .._bulk import Outcome, ServiceResult, provision
from .._client import ChatClient
from .._config import check_friendly_name
from .._errors import AuthenticationError, ConfigurationError
from .._journal import Journal
from .._progress import Progress
from ._common import (
    _CONNECTION_EPILOG,
    _FIX_CREDENTIALS,
    EXIT_AMBIGUOUS,
    EXIT_API,
    EXIT_OK,
    _client,
    _connection_options,
    _positive_int,
    _run_async,
    _WriteFailed,
)


def add_commands(commands: Any) -> None:
    prov = commands.add_parser(
        "provision",
        help="create one service per name in a file, resumably",
        description="Create one service per line of NAMES_FILE (plain lines, or JSON lines "
        'with a "name" field). Every outcome is appended to the journal; running the same '
        "command again after a crash finishes the job without creating anything twice.",
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
        help="write name -> sid as .json or .csv (default: not written)",
    )
    prov.add_argument(
        "--concurrency",
        type=_positive_int,
        default=100,
        help="most creates in flight; fewer while Twilio answers 429 (default: 100)",
    )
    prov.add_argument(
        "--progress",
        choices=("auto", "bar", "lines", "none"),
        default="auto",
        help="a bar on a terminal, periodic lines otherwise (default: auto)",
    )
    _connection_options(prov)
    prov.set_defaults(
        run=_run_provision,
        interrupted="run the same command again to resume; nothing is created twice",
    )


# C0 and C1 controls (tab, form feed, \x1c-\x1e, \x85 ...), line and paragraph separators, and
# lone surrogates (a JSON escape such as "\ud800", which no UTF-8 request can carry).
_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _read_names(path: Path) -> list[str]:
    """The names in the file, read as written: lines end at \\n or \\r\\n only, a UTF-8 BOM is
    dropped, and both forms (plain or JSON lines) lose the spaces around a name. A control
    character, an unencodable or invalid name, or a duplicate is refused with file and line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"cannot read {path}: {exc.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data.count(b"\n", 0, exc.start) + 1
        raise ConfigurationError(f"{path}:{bad}: not UTF-8 text") from None
    names: list[str] = []
    first_seen: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), 1):
        name = _name_in(line.removesuffix("\r"), f"{path}:{number}")
        if name is None:
            continue
        if name in first_seen:
            raise ConfigurationError(
                f"{path}:{number}: {name!r} is already on line {first_seen[name]}: "
                "names must be unique"
            )
        first_seen[name] = number
        names.append(name)
    return names


def _name_in(line: str, where: str) -> str | None:
    """The name a line holds (None for a blank line), or a ConfigurationError naming `where`."""
    _refuse_characters(line, where)
    text = line.strip()
    if not text:
        return None
    if text.startswith("{"):
        try:
            record = json.loads(text)
        except ValueError:
            raise ConfigurationError(f"{where}: invalid JSON line") from None
        if not isinstance(record, dict) or not isinstance(record.get("name"), str):
            raise ConfigurationError(f'{where}: expected a "name" string field')
        _refuse_characters(record["name"], where)  # escapes such as "\t" or "\ud800"
        text = record["name"].strip()
    try:
        check_friendly_name(text)
    except ConfigurationError as exc:
        raise ConfigurationError(f"{where}: {exc}") from None
    return text


def _refuse_characters(text: str, where: str) -> None:
    found = _REFUSED.search(text)
    if found is None:
        return
    code = f"U+{ord(found[0]):04X}"
    if "\ud800" <= found[0] <= "\udfff":
        raise ConfigurationError(f"{where}: a lone surrogate ({code}) cannot be sent as UTF-8")
    raise ConfigurationError(
        f"{where}: control character {code} in a name (one name per line; tabs and other "
        "control characters are refused)"
    )


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
    _check_writable(journal, "--journal")
    if output is not None:
        _check_writable(output, "--output")


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)  # hard links and symlinks included
    except OSError:  # one does not exist (yet)
        return one.resolve() == other.resolve()


def _check_writable(path: Path, flag: str) -> None:
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


class _Tally:
    """What this run did: a count per outcome, and why names failed."""

    def __init__(self) -> None:
        self.outcomes: Counter[Outcome] = Counter()
        self.reasons: Counter[str] = Counter()
        self.refused: AuthenticationError | None = None

    def add(self, result: ServiceResult) -> None:
        self.outcomes[result.outcome] += 1
        if result.outcome is Outcome.NOT_ATTEMPTED and isinstance(
            result.error, AuthenticationError
        ):
            self.refused = self.refused or result.error
        elif result.error is not None and not result.ok:
            self.reasons[type(result.error).__name__] += 1

    def report(self, already_done: int) -> None:
        counted = [
            f"{count} {outcome.value.replace('_', ' ')}"
            for outcome in Outcome
            if (count := self.outcomes[outcome]) or outcome is Outcome.CREATED
        ]
        print(
            f"summary: {', '.join(counted)} this run, {already_done} already done",
            file=sys.stderr,
        )
        refused = self.refused
        for reason, count in sorted(self.reasons.items()):
            if refused is None or reason != "AuthenticationError":
                print(f"  {count} x {reason}", file=sys.stderr)
        if refused is not None:
            code = f", Twilio error {refused.code}" if refused.code is not None else ""
            print(
                f"stopped: the credentials were refused (HTTP {refused.status}{code}), so "
                f"{self.outcomes[Outcome.NOT_ATTEMPTED]} names were not attempted; "
                f"{_FIX_CREDENTIALS}, then run the same command again",
                file=sys.stderr,
            )


def _run_provision(args: argparse.Namespace) -> int:
    names = _read_names(args.names_file)
    _check_paths(args.names_file, args.journal, args.output)
    journal = Journal(args.journal)
    done = journal.done()
    todo = [name for name in names if name not in done]
    # After a crash, anything not recorded as done may have been in flight: look it up first.
    reconcile = todo if journal.resumed else []
    print(
        f"{len(names)} names: {len(names) - len(todo)} already done"
        + (f", {len(todo)} to reconcile and create" if journal.resumed else "")
        + f", journal {args.journal}",
        file=sys.stderr,
    )
    mode = args.progress
    tty = sys.stderr.isatty() if mode == "auto" else mode == "bar"
    progress = Progress(len(todo), sys.stderr, tty=tty) if mode != "none" else None
    tally = _Tally()
    resume = "run the same command again to resume; nothing is created twice"

    async def record_all(chat: ChatClient) -> None:
        stream = provision(chat, todo, concurrency=args.concurrency, reconcile=reconcile)
        async with contextlib.aclosing(stream) as results:
            async for result in results:
                try:
                    journal.record(result)
                except OSError as exc:
                    raise _WriteFailed(
                        f"cannot write --journal {args.journal}: {exc.strerror}; "
                        f"names not yet journaled may exist and are looked up first: {resume}"
                    ) from exc
                tally.add(result)
                if progress is not None:
                    progress.advance(ok=result.ok)

    async def run() -> None:
        async with _client(args) as chat:
            try:
                journal.open()  # before the first request
            except OSError as exc:
                raise ConfigurationError(f"--journal {args.journal}: {exc.strerror}") from None
            try:
                await record_all(chat)
            except BaseException:
                with contextlib.suppress(OSError):
                    journal.close()
                raise
            try:
                journal.close()
            except OSError as exc:
                raise _WriteFailed(
                    f"cannot sync --journal {args.journal} to disk: {exc.strerror}; {resume}"
                ) from exc

    try:
        _run_async(run)
    except (KeyboardInterrupt, _WriteFailed):
        if progress is not None:
            progress.close()
        tally.report(len(names) - len(todo))
        raise
    if progress is not None:
        progress.close()
    tally.report(len(names) - len(todo))
    if args.output is not None:
        try:
            _write_output(args.output, names, journal)
        except OSError as exc:
            raise _WriteFailed(
                f"cannot write --output {args.output}: {exc.strerror}; every outcome is in "
                f"the journal: run the same command again to write it (nothing is created twice)"
            ) from exc
    if tally.outcomes[Outcome.UNKNOWN]:
        return EXIT_AMBIGUOUS
    if tally.outcomes[Outcome.FAILED] or tally.outcomes[Outcome.NOT_ATTEMPTED]:
        return EXIT_API
    return EXIT_OK


def _write_output(path: Path, names: list[str], journal: Journal) -> None:
    sids = {
        name: entry.sid
        for name in names
        if (entry := journal.entries.get(name)) is not None and entry.done
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["name", "sid"])
            writer.writerows(sids.items())
    else:
        path.write_text(json.dumps(sids, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {len(sids)} name -> sid pairs to {path}", file=sys.stderr)
