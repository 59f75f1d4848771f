"""A names file as a desired state without settings: one name per line, read as written.

Lines end at `\\n` or `\\r\\n` only (a form feed or U+2028 inside a line is a refused
character, not a line break); a UTF-8 BOM is dropped by the caller; whitespace around a name
is dropped; blank lines are skipped. A line may also be a JSON object with a `"name"` string, as
`twilio-chat provision` accepts. Problems are reported with their line, never raised here.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from .._errors import ConfigurationError
from ._fields import check_name, refuse_controls

__all__ = ["read_names"]


def read_names(
    text: str, file: str, report: Callable[[int, str, str], None]
) -> list[tuple[int, str]]:
    """(line, name) for every name in `text`; `report(line, key, message)` for each bad
    line (an invalid name, a control character, a duplicate)."""
    del file  # the reporter knows the file
    names: list[tuple[int, str]] = []
    first: dict[str, int] = {}
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.removesuffix("\r")
        try:
            refuse_controls(line)
        except ConfigurationError as exc:
            report(number, "", f"{exc} (one name per line)")
            continue
        name: object = line.strip()
        if not name:
            continue
        if line.strip().startswith("{"):
            try:
                record = json.loads(line)
            except ValueError:
                report(number, "", "not a name and not a valid JSON line")
                continue
            name = record.get("name") if isinstance(record, dict) else None
            if not isinstance(name, str):
                report(number, "name", 'expected a JSON object with a "name" string')
                continue
            name = name.strip()
        try:
            check_name(name)
        except ConfigurationError as exc:
            report(number, "", str(exc))
            continue
        assert isinstance(name, str)
        if name in first:
            report(number, "", f"{name!r} is already on line {first[name]}: names must be unique")
            continue
        first[name] = number
        names.append((number, name))
    return names
