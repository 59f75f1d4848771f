"""Wiring: each command family adds its commands; failures become one line and an exit code
(the codes are listed in the package docstring)."""

from __future__ import annotations

import argparse
import logging
import re
import signal
import sys
import traceback
from collections.abc import Callable, Sequence

from .._errors import AmbiguousCreateError, AuthenticationError, ConfigurationError, TwilioChatError
from .._version import __version__
from . import _apply, _emulator, _provision, _services, _verify
from ._common import (
    _FIX_CREDENTIALS,
    EXIT_AMBIGUOUS,
    EXIT_API,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    EXIT_USAGE,
    EXIT_WRITE,
    _terminate,
    _Terminated,
    _WriteFailed,
)

__all__ = ["main"]


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
    elif isinstance(exc, AmbiguousCreateError):
        text += (
            f"; check whether {exc.friendly_name!r} exists with `twilio-chat list` "
            "before creating it again"
        )
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
        "  twilio-chat verify --journal run.jsonl\n"
        "  twilio-chat emulator --port 8080\n",
    )
    parser.add_argument("--version", action="version", version=f"twilio-chat {__version__}")
    parser.set_defaults(debug=False, interrupted="stopped")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    _services.add_commands(commands)
    _provision.add_commands(commands)
    _verify.add_commands(commands)
    _apply.add_commands(commands)
    _emulator.add_commands(commands)
    return parser
