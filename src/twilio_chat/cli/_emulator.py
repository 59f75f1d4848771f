"""`twilio-chat emulator`: the local Chat API emulator on a loopback port."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

from .._errors import ConfigurationError
from ._common import EXIT_OK


def add_commands(commands: Any) -> None:
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
        from ..testing import (
            TEST_ACCOUNT_SID,
            TEST_AUTH_TOKEN,
            ChatEmulator,
            EmulatorServer,
            Faults,
        )
    except ImportError as exc:  # uvicorn comes with the `emulator` extra
        raise ConfigurationError(
            f"the emulator needs {exc.name}: install this package with its emulator extra "
            "(from a clone: pip install '.[emulator]'; from a wheel: pip install "
            "'twilio_chat-<version>-py3-none-any.whl[emulator]')"
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
