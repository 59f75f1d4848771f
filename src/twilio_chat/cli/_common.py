"""What every `twilio-chat` command shares: exit codes, connection flags, the client, and an
event loop that treats SIGTERM the way Ctrl+C is treated."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable
from typing import TypeVar

from .._client import ChatClient

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


def _with_client(args: argparse.Namespace, call: Callable[[ChatClient], Awaitable[T]]) -> T:
    """Run one call on a client built from the flags, closing it afterwards."""

    async def work() -> T:
        async with _client(args) as chat:
            return await call(chat)

    return _run_async(work)


def _work_options(parser: argparse.ArgumentParser, what: str) -> None:
    """`--concurrency` and `--progress`, for the commands that work on many services."""
    parser.add_argument(
        "--concurrency",
        type=_positive_int,
        default=100,
        help=f"most {what} in flight; fewer while Twilio answers 429 (default: 100)",
    )
    parser.add_argument(
        "--progress",
        choices=("auto", "bar", "lines", "none"),
        default="auto",
        help="a bar on a terminal, periodic lines otherwise (default: auto)",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be >= 1")
    return value
