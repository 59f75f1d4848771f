"""`twilio-chat create-service`, `list`, `get`, `update` and `delete`: one service at a time.

Services print as JSON (the resource as Twilio returns it), a short table, or CSV for lists.
`update --set key=value` takes the keywords of `ChatClient.update_service`, each value typed
by the spec, and refuses a bad key or value before any request.
"""

from __future__ import annotations

import argparse
import csv
import enum
import json
import sys
from collections.abc import AsyncIterator
from typing import Any

from twilio_chat_api.models import Service

from .._errors import ConfigurationError
from .._settings import setting_types
from ._common import (
    _CONNECTION_EPILOG,
    EXIT_OK,
    _client,
    _connection_options,
    _positive_int,
    _run_async,
    _with_client,
)

# The columns of `--format table` and `--format csv`.
_COLUMNS = ("sid", "friendly_name", "date_created", "date_updated")
_READ_ONLY = "nothing was changed"


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
        interrupted="the service may or may not have been created: check with "
        "`twilio-chat list` before creating it again",
    )

    listing = commands.add_parser(
        "list",
        help="list the account's services",
        description="List the account's services, every page, as a JSON array, a table or CSV.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
        "  twilio-chat list --format table\n"
        "  twilio-chat list --limit 10 --format csv > services.csv\n\n" + _CONNECTION_EPILOG,
    )
    listing.add_argument(
        "--limit", type=_positive_int, help="at most this many services (default: all)"
    )
    listing.add_argument(
        "--format",
        choices=("json", "table", "csv"),
        default="json",
        help="output (default: json)",
    )
    _connection_options(listing)
    listing.set_defaults(run=_run_list, interrupted=_READ_ONLY)

    get = commands.add_parser(
        "get",
        help="print one service",
        description="Fetch one service by SID and print it.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  twilio-chat get ISxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n\n"
        + _CONNECTION_EPILOG,
    )
    get.add_argument("sid", metavar="SID", help="the service SID (IS + 32 hex digits)")
    get.add_argument(
        "--format", choices=("json", "table"), default="json", help="output (default: json)"
    )
    _connection_options(get)
    get.set_defaults(run=_run_get, interrupted=_READ_ONLY)

    update = commands.add_parser(
        "update",
        help="change settings of one service",
        description="Change the given settings of one service and print it as updated. Keys "
        "are ChatClient.update_service keywords (see README): "
        + ", ".join(sorted(setting_types())),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
        "  twilio-chat update ISxxx... --set read_status_enabled=true "
        "--set limits_user_channels=500\n"
        "  twilio-chat update ISxxx... --set webhook_filters=onMessageSend,onChannelAdded\n\n"
        "values: true/false for flags, integers for counts, comma-separated lists for\n"
        "webhook_filters (empty for none), text as given.\n\n" + _CONNECTION_EPILOG,
    )
    update.add_argument("sid", metavar="SID", help="the service SID (IS + 32 hex digits)")
    update.add_argument(
        "--set",
        dest="settings",
        action="append",
        required=True,
        metavar="KEY=VALUE",
        help="a setting to change; repeat for several (required, no default)",
    )
    update.add_argument(
        "--format", choices=("json", "table"), default="json", help="output (default: json)"
    )
    _connection_options(update)
    update.set_defaults(
        run=_run_update,
        interrupted="the update may or may not have been applied: running it again is safe",
    )

    delete = commands.add_parser(
        "delete",
        help="delete one service",
        description="Delete one service by SID. Retried on transient failures; a service "
        "found gone after an attempt that may have deleted it counts as deleted.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  twilio-chat delete ISxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n\n"
        + _CONNECTION_EPILOG,
    )
    delete.add_argument("sid", metavar="SID", help="the service SID (IS + 32 hex digits)")
    _connection_options(delete)
    delete.set_defaults(
        run=_run_delete,
        interrupted="the service may or may not have been deleted: running it again is safe",
    )


def _run_create(args: argparse.Namespace) -> int:
    _print_service(_with_client(args, lambda chat: chat.create_service(args.name)), args.format)
    return EXIT_OK


def _run_get(args: argparse.Namespace) -> int:
    _print_service(_with_client(args, lambda chat: chat.fetch_service(args.sid)), args.format)
    return EXIT_OK


def _run_update(args: argparse.Namespace) -> int:
    settings = dict(_setting(item) for item in args.settings)
    service = _with_client(args, lambda chat: chat.update_service(args.sid, **settings))
    _print_service(service, args.format)
    return EXIT_OK


def _run_delete(args: argparse.Namespace) -> int:
    _with_client(args, lambda chat: chat.delete_service(args.sid))
    print(f"deleted {args.sid}", file=sys.stderr)
    return EXIT_OK


def _run_list(args: argparse.Namespace) -> int:
    """Streams: each service is printed as its page arrives, so memory stays flat."""
    count = 0

    async def listing() -> None:
        nonlocal count
        writer = _ListWriter(args.format)
        async with _client(args) as chat:
            services: AsyncIterator[Service] = chat.list_services(limit=args.limit)
            async for service in services:
                writer.write(service)
                count += 1
        writer.close()

    _run_async(listing)
    print(f"{count} service{'' if count == 1 else 's'}", file=sys.stderr)
    return EXIT_OK


class _ListWriter:
    """Prints services one at a time as a JSON array, table rows or CSV rows."""

    def __init__(self, form: str) -> None:
        self._form = form
        self._first = True
        self._csv = csv.writer(sys.stdout) if form == "csv" else None

    def write(self, service: Service) -> None:
        row = service.to_dict()
        if self._form == "json":
            prefix = "[\n" if self._first else ",\n"
            print(prefix + _indent(json.dumps(row, indent=2, ensure_ascii=False)), end="")
        elif self._csv is not None:
            if self._first:
                self._csv.writerow(_COLUMNS)
            self._csv.writerow([row.get(key) for key in _COLUMNS])
        else:
            print("  ".join(str(row.get(key)) for key in _COLUMNS))
        self._first = False

    def close(self) -> None:
        if self._form == "json":
            print("[]" if self._first else "\n]")


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def _print_service(service: Service, form: str) -> None:
    row = service.to_dict()
    if form == "json":
        print(json.dumps(row, indent=2, ensure_ascii=False))
        return
    for key in ("sid", "friendly_name", "account_sid", "date_created", "date_updated", "url"):
        print(f"{key:<14} {row.get(key)}")


def _setting(item: str) -> tuple[str, object]:
    """`key=value` typed by the spec (the generated update model), or a ConfigurationError."""
    key, sep, text = item.partition("=")
    key = key.strip()
    kinds = setting_types()
    if not sep or not key:
        raise ConfigurationError(f"--set {item!r}: expected KEY=VALUE")
    kind = kinds.get(key)
    if kind is None:
        return key, text  # update_service names the unknown key and suggests the closest one
    if kind is bool:
        if text.lower() not in ("true", "false"):
            raise ConfigurationError(f"--set {key}: expected true or false, got {text!r}")
        return key, text.lower() == "true"
    if kind is int:
        try:
            return key, int(text)
        except ValueError:
            raise ConfigurationError(f"--set {key}: expected an integer, got {text!r}") from None
    if kind is list:
        return key, [part.strip() for part in text.split(",") if part.strip()]
    if issubclass(kind, enum.Enum):
        return key, text.upper()
    return key, text
