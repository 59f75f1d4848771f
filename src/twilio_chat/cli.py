"""The `twilio-chat` command: create one service, provision many, or run the local emulator.

Credentials follow `ChatClient`'s rules; secrets are read from the environment only
(`TWILIO_AUTH_TOKEN` or `TWILIO_API_SECRET`), never from flags, and never printed.
Exit codes: 0 success, 2 usage or configuration error (a file that cannot be read or
written included), 3 API or network error, 4 ambiguous outcome (a service may or may not
exist), 130 interrupted. `--debug` adds the traceback, never changes the code.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import logging
import os
import signal
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._bulk import Outcome, provision
from ._client import ChatClient
from ._errors import AmbiguousCreateError, ConfigurationError, TwilioChatError
from ._journal import Journal
from ._progress import Progress
from ._version import __version__

__all__ = ["main"]

EXIT_OK, EXIT_USAGE, EXIT_API, EXIT_AMBIGUOUS, EXIT_INTERRUPTED = 0, 2, 3, 4, 130

_CONNECTION_EPILOG = """\
credentials (environment only for secrets):
  TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN, or TWILIO_API_KEY with TWILIO_API_SECRET
  TWILIO_CHAT_BASE_URL (or --base-url) targets another host, such as the local emulator
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (also used as the process exit status)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.debug:
        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")
    try:
        code: int = args.run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (TwilioChatError, OSError) as exc:
        if args.debug:
            traceback.print_exc()
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return _exit_code(exc)
    return code


def _exit_code(exc: TwilioChatError | OSError) -> int:
    if isinstance(exc, ConfigurationError | OSError):  # files: the journal, the output
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
    parser.set_defaults(debug=False)
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
    create.add_argument("--format", choices=("json", "table"), default="json")
    _connection_options(create)
    create.set_defaults(run=_run_create)

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
    prov.add_argument("names_file", type=Path, metavar="NAMES_FILE")
    prov.add_argument("--journal", type=Path, required=True, help="JSON-lines run record")
    prov.add_argument("--output", type=Path, help="write name -> sid as .json or .csv")
    prov.add_argument("--concurrency", type=_positive_int, default=100)
    prov.add_argument(
        "--progress",
        choices=("auto", "bar", "lines", "none"),
        default="auto",
        help="a bar on a terminal, periodic lines otherwise (default: auto)",
    )
    _connection_options(prov)
    prov.set_defaults(run=_run_provision)

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
    emu.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    emu.set_defaults(run=_run_emulator)
    return parser


def _connection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base-url", help="API base URL (default: Twilio's, or env)")
    parser.add_argument("--account-sid", help="account SID (default: TWILIO_ACCOUNT_SID)")
    parser.add_argument("--api-key", help="API key SID (default: TWILIO_API_KEY)")
    parser.add_argument("--region", help="Twilio region, e.g. ie1 (default: TWILIO_REGION)")
    parser.add_argument("--edge", help="Twilio edge, e.g. dublin (default: TWILIO_EDGE)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")


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

    service = asyncio.run(create())
    if args.format == "json":
        print(json.dumps(service, indent=2, ensure_ascii=False))
    else:
        for key in ("sid", "friendly_name", "account_sid", "date_created", "url"):
            print(f"{key:<14} {service.get(key)}")
    return EXIT_OK


# --- provision -----------------------------------------------------------------------------


def _read_names(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigurationError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigurationError(f"{path} is not UTF-8 text") from None
    names = []
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text:
            continue
        if text.startswith("{"):
            try:
                record = json.loads(text)
            except ValueError:
                raise ConfigurationError(f"{path}:{number}: invalid JSON line") from None
            if not isinstance(record, dict) or not isinstance(record.get("name"), str):
                raise ConfigurationError(f'{path}:{number}: expected a "name" string field')
            text = record["name"]
        names.append(text)
    return names


def _run_provision(args: argparse.Namespace) -> int:
    names = _read_names(args.names_file)
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

    async def run() -> None:
        async with _client(args) as chat:
            with journal:
                async for result in provision(
                    chat,
                    todo,
                    concurrency=args.concurrency,
                    reconcile=reconcile,
                ):
                    journal.record(result)
                    if progress is not None:
                        progress.advance(ok=result.ok)

    try:
        asyncio.run(run())
    finally:
        if progress is not None:
            progress.close()
    return _summarize(names, journal, args.output)


def _summarize(names: list[str], journal: Journal, output: Path | None) -> int:
    counts = {outcome: 0 for outcome in Outcome}
    reasons: dict[str, int] = {}
    for name in names:
        entry = journal.entries.get(name)
        if entry is None:
            continue
        counts[Outcome(entry.status)] += 1
        if entry.error and not entry.done:
            reason = entry.error.split(":", 1)[0]
            reasons[reason] = reasons.get(reason, 0) + 1
    print(
        "summary: " + ", ".join(f"{outcome.value} {count}" for outcome, count in counts.items()),
        file=sys.stderr,
    )
    for reason, count in sorted(reasons.items()):
        print(f"  {count} x {reason}", file=sys.stderr)
    if output is not None:
        _write_output(output, names, journal)
    if counts[Outcome.UNKNOWN]:
        return EXIT_AMBIGUOUS
    if counts[Outcome.FAILED]:
        return EXIT_API
    return EXIT_OK


def _write_output(path: Path, names: list[str], journal: Journal) -> None:
    sids = {
        name: entry.sid
        for name in names
        if (entry := journal.entries.get(name)) is not None and entry.done
    }
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
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port; 0 picks a free one")
    parser.add_argument(
        "--account-sid", help="the account it serves (default: TWILIO_ACCOUNT_SID, else test)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for fault decisions")
    for name, help_text in _FAULT_OPTIONS.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=float, help=help_text)
    parser.add_argument("--max-concurrency", type=int, help="answer 429 beyond N in flight")
    parser.add_argument(
        "--fault-operations",
        help="comma-separated operations the request faults hit: "
        "create,list,fetch,update,delete (default: all)",
    )


_FAULT_OPTIONS = {
    "latency": "seconds added to each request",
    "latency_jitter": "latency varies by this fraction (0.25 = ±25%%)",
    "rate_limit": "fraction of requests answered 429 before processing",
    "rate_limit_retry_after": "Retry-After seconds on those 429s",
    "unavailable": "fraction of requests answered 503 before processing",
    "unavailable_retry_after": "Retry-After seconds on those 503s",
    "error_after_create": "fraction answered 500 after the service was created",
    "drop_after_create": "fraction whose connection drops after the service was created",
    "hang_after_create": "fraction that hang after the service was created",
    "error_after_processing": "fraction answered 500 after taking effect (any operation)",
    "drop_after_processing": "fraction whose connection drops after taking effect",
    "hang_after_processing": "fraction that hang after taking effect",
    "hang_seconds": "how long those hang",
    "slow_create_rate": "fraction of creates processed only --slow-create-delay s later",
    "slow_create_delay": "seconds before a slow create is processed (reads stay fast)",
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
    active = {
        k: sorted(op.value for op in v) if k == "operations" else v
        for k, v in faults.changed().items()
    }
    server = EmulatorServer(emulator, host=args.host, port=args.port)
    try:
        server.start()
    except OSError as exc:
        raise ConfigurationError(f"cannot listen on {args.host}:{args.port}: {exc}") from None
    signal.signal(signal.SIGTERM, _interrupt)
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


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
