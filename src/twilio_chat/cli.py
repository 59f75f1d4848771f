"""The `twilio-chat` command: create one service, provision many, or run the local emulator.

Credentials follow `ChatClient`'s rules; secrets are read from the environment only
(`TWILIO_AUTH_TOKEN` or `TWILIO_API_SECRET`), never from flags, and never printed.
Exit codes: 0 success, 2 usage or configuration error (found before any request, files
included), 3 API or network error (refused credentials included), 4 ambiguous outcome (a
service may or may not exist), 5 a file could not be written after work started (the same
command resumes), 130 interrupted (Ctrl+C), 143 terminated (SIGTERM). `--debug` adds the
traceback, never changes the code.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import logging
import os
import re
import signal
import sys
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from ._bulk import Outcome, ServiceResult, provision
from ._client import ChatClient
from ._config import check_friendly_name
from ._errors import (
    AmbiguousCreateError,
    AuthenticationError,
    ConfigurationError,
    TwilioChatError,
)
from ._journal import Journal
from ._progress import Progress
from ._version import __version__

__all__ = ["main"]

EXIT_OK, EXIT_USAGE, EXIT_API, EXIT_AMBIGUOUS, EXIT_WRITE = 0, 2, 3, 4, 5
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 128 + signal.SIGTERM

T = TypeVar("T")

_FIX_CREDENTIALS = (
    "check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY / --api-key and "
    "TWILIO_API_SECRET)"
)

_CONNECTION_EPILOG = """\
credentials (environment only for secrets):
  TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN, or TWILIO_API_KEY with TWILIO_API_SECRET
  TWILIO_CHAT_BASE_URL (or --base-url) targets another host, such as the local emulator
"""


class _Terminated(KeyboardInterrupt):
    """SIGTERM (what process managers send), handled the way Ctrl+C is."""


class _WriteFailed(Exception):
    """A file could not be written after work started; the message says what to do."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (also used as the process exit status)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.debug:
        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        code: int = args.run(args)
    except KeyboardInterrupt as exc:
        print(f"interrupted: {args.interrupted}", file=sys.stderr)
        return EXIT_TERMINATED if isinstance(exc, _Terminated) else EXIT_INTERRUPTED
    except (TwilioChatError, OSError, _WriteFailed) as exc:
        if args.debug:
            traceback.print_exc()
        print(f"{type(exc).__name__.lstrip('_')}: {_for_cli(exc, args)}", file=sys.stderr)
        return _exit_code(exc)
    finally:
        signal.signal(signal.SIGTERM, previous)
    return code


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated


def _run_async(work: Callable[[], Awaitable[T]]) -> T:
    """`asyncio.run`, with SIGTERM handled inside the loop the way asyncio handles Ctrl+C: the
    work is cancelled (files are closed and synced on the way out), then `_Terminated`."""
    terminated = False

    async def guarded() -> T:
        nonlocal terminated
        loop, task = asyncio.get_running_loop(), asyncio.current_task()
        assert task is not None

        def on_sigterm() -> None:
            nonlocal terminated
            terminated = True
            task.cancel()

        with contextlib.suppress(NotImplementedError):  # no loop signal handlers on Windows
            loop.add_signal_handler(signal.SIGTERM, on_sigterm)
        return await work()

    try:
        return asyncio.run(guarded())
    except asyncio.CancelledError:
        if terminated:
            raise _Terminated from None
        raise
    finally:
        signal.signal(signal.SIGTERM, _terminate)  # the loop reset it to the default on close


# ConfigurationError speaks the library's language (`account_sid=`); the CLI's is flags and
# environment variables. One table translates, and drops values a user may have mistyped a
# secret into (`--region`).
_CLI_WORDING: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"pass account_sid= or set"), "pass --account-sid or set"),
    (re.compile(r"pass auth_token= \(or api_key= and api_secret=\), or set"), "set"),
    (
        re.compile(r"\bapi_key was given without api_secret \(argument\)"),
        "--api-key was given without TWILIO_API_SECRET",
    ),
    (
        re.compile(r"invalid (region|edge) .*: expected", re.DOTALL),
        lambda match: f"invalid --{match[1]} (or TWILIO_{match[1].upper()}): expected",
    ),
    (re.compile(r"\bbase_url\b"), "--base-url (or TWILIO_CHAT_BASE_URL)"),
    (re.compile(r"\bfriendly_name\b"), "the service name"),
)


def _for_cli(exc: BaseException, args: argparse.Namespace) -> str:
    """The error's message in the CLI's terms."""
    text = str(exc)
    if isinstance(exc, ConfigurationError):
        for pattern, replacement in _CLI_WORDING:
            text = pattern.sub(replacement, text)
    elif isinstance(exc, AuthenticationError):
        text += f"; {_FIX_CREDENTIALS}"
    return text


def _exit_code(exc: TwilioChatError | OSError | _WriteFailed) -> int:
    if isinstance(exc, _WriteFailed):
        return EXIT_WRITE
    if isinstance(exc, ConfigurationError | OSError):  # files, found before any request
        return EXIT_USAGE
    if isinstance(exc, AmbiguousCreateError):
        return EXIT_AMBIGUOUS
    return EXIT_API


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twilio-chat",
        description="Create Twilio Programmable Chat services.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
        "  twilio-chat create-service 'My Service'\n"
        "  twilio-chat provision names.txt --journal run.jsonl --output sids.csv\n"
        "  twilio-chat emulator --port 8080\n",
    )
    parser.add_argument("--version", action="version", version=f"twilio-chat {__version__}")
    parser.set_defaults(debug=False, interrupted="stopped")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    create = commands.add_parser(
        "create-service",
        help="create one service and print it",
        description="Create one Chat service and print it as JSON (or a short table).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
        "  twilio-chat create-service 'My Service'\n"
        "  TWILIO_CHAT_BASE_URL=http://127.0.0.1:8080 twilio-chat create-service Demo "
        "--format table\n\n" + _CONNECTION_EPILOG,
    )
    create.add_argument("name", help="the service's friendly name (1 to 64 characters)")
    create.add_argument(
        "--format", choices=("json", "table"), default="json", help="output (default: json)"
    )
    _connection_options(create)
    create.set_defaults(
        run=_run_create,
        interrupted="the service may or may not have been created: look before creating it again",
    )

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

    emu = commands.add_parser(
        "emulator",
        help="run the local Chat API emulator",
        description="Serve the Chat API emulator on a loopback port until interrupted. It "
        "accepts TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN from the environment, else the "
        "built-in test credentials (twilio_chat.testing.TEST_ACCOUNT_SID/TEST_AUTH_TOKEN).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
        "  twilio-chat emulator --port 8080\n"
        "  twilio-chat emulator --port 0 --max-concurrency 20 --latency 0.05\n",
    )
    _emulator_options(emu)
    emu.add_argument(
        "--debug", action="store_true", help="show tracebacks and debug logs (default: off)"
    )
    emu.set_defaults(run=_run_emulator)
    return parser


def _connection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--base-url",
        help="API base URL (default: TWILIO_CHAT_BASE_URL, else https://ip-messaging.twilio.com)",
    )
    parser.add_argument("--account-sid", help="account SID (default: TWILIO_ACCOUNT_SID)")
    parser.add_argument("--api-key", help="API key SID (default: TWILIO_API_KEY)")
    parser.add_argument("--region", help="Twilio region, e.g. ie1 (default: TWILIO_REGION)")
    parser.add_argument("--edge", help="Twilio edge, e.g. dublin (default: TWILIO_EDGE)")
    parser.add_argument(
        "--debug", action="store_true", help="show tracebacks and debug logs (default: off)"
    )


def _client(args: argparse.Namespace) -> ChatClient:
    return ChatClient(
        account_sid=args.account_sid,
        api_key=args.api_key,
        base_url=args.base_url,
        region=args.region,
        edge=args.edge,
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be >= 1")
    return value


# --- create-service ------------------------------------------------------------------------


def _run_create(args: argparse.Namespace) -> int:
    async def create() -> dict[str, Any]:
        async with _client(args) as chat:
            return (await chat.create_service(args.name)).to_dict()

    service = _run_async(create)
    if args.format == "json":
        print(json.dumps(service, indent=2, ensure_ascii=False))
    else:
        for key in ("sid", "friendly_name", "account_sid", "date_created", "url"):
            print(f"{key:<14} {service.get(key)}")
    return EXIT_OK


# --- provision ---------------------------------------------------------------------------

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


# --- emulator ------------------------------------------------------------------------------


def _emulator_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8080, help="port; 0 picks a free one (default: 8080)"
    )
    parser.add_argument(
        "--account-sid",
        help="the account it serves (default: TWILIO_ACCOUNT_SID, else the test account)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for fault decisions (default: 0)")
    for name, help_text in _FAULT_OPTIONS.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=float, help=help_text)
    parser.add_argument(
        "--max-concurrency", type=int, help="answer 429 beyond N in flight (default: no cap)"
    )
    parser.add_argument(
        "--fault-operations",
        help="comma-separated operations the request faults hit: "
        "create,list,fetch,update,delete (default: all)",
    )


_FAULT_OPTIONS = {
    "latency": "seconds added to each request (default: 0)",
    "latency_jitter": "latency varies by this fraction, 0.25 = ±25%% (default: 0)",
    "rate_limit": "fraction of requests answered 429 before processing (default: 0)",
    "rate_limit_retry_after": "Retry-After seconds on those 429s (default: no header)",
    "unavailable": "fraction of requests answered 503 before processing (default: 0)",
    "unavailable_retry_after": "Retry-After seconds on those 503s (default: no header)",
    "error_after_create": "fraction answered 500 after the service was created (default: 0)",
    "drop_after_create": "fraction whose connection drops after the create (default: 0)",
    "hang_after_create": "fraction that hang after the service was created (default: 0)",
    "error_after_processing": "fraction answered 500 after taking effect, any operation "
    "(default: 0)",
    "drop_after_processing": "fraction whose connection drops after taking effect (default: 0)",
    "hang_after_processing": "fraction that hang after taking effect (default: 0)",
    "hang_seconds": "how long those hang (default: 60)",
    "slow_create_rate": "fraction of creates processed only --slow-create-delay s later "
    "(default: 0)",
    "slow_create_delay": "seconds before a slow create is processed, reads stay fast (default: 34)",
}


def _run_emulator(args: argparse.Namespace) -> int:
    try:
        from .testing import (
            TEST_ACCOUNT_SID,
            TEST_AUTH_TOKEN,
            ChatEmulator,
            EmulatorServer,
            Faults,
        )
    except ImportError as exc:  # uvicorn comes with the `emulator` extra
        raise ConfigurationError(
            f"the emulator needs {exc.name}: pip install 'twilio-chat[emulator]'"
        ) from None

    settings = {name: getattr(args, name) for name in _FAULT_OPTIONS}
    settings["max_concurrency"] = args.max_concurrency
    if args.fault_operations is not None:
        settings["operations"] = [op.strip() for op in args.fault_operations.split(",")]
    try:
        faults = Faults(**{k: v for k, v in settings.items() if v is not None})
        emulator = ChatEmulator(
            account_sid=args.account_sid
            or os.environ.get("TWILIO_ACCOUNT_SID")
            or TEST_ACCOUNT_SID,
            auth_token=os.environ.get("TWILIO_AUTH_TOKEN") or TEST_AUTH_TOKEN,
            faults=faults,
            seed=args.seed,
        )
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(str(exc)) from None
    active = " ".join(  # the options that differ from the defaults, as they are typed
        f"--fault-operations {','.join(sorted(op.value for op in value))}"
        if name == "operations"
        else f"--{name.replace('_', '-')} {value:g}"
        for name, value in faults.changed().items()
    )
    server = EmulatorServer(emulator, host=args.host, port=args.port)
    try:
        server.start()
    except OSError as exc:
        raise ConfigurationError(f"cannot listen on {args.host}:{args.port}: {exc}") from None
    # The first stdout line is machine-readable: scripts start with --port 0 and read it.
    print(f"emulator listening on {server.base_url}", flush=True)
    print(f"emulator faults: {active or 'none'}; Ctrl+C stops it", file=sys.stderr, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return EXIT_OK
    finally:
        server.stop()
