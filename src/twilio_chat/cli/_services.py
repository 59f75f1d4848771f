"""`twilio-chat create-service`, `list`, `get`, `update` and `delete`: one service at a time."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ._common import _CONNECTION_EPILOG, EXIT_OK, _client, _connection_options, _run_async


def add_commands(commands: Any) -> None:
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
