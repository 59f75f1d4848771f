"""Twilio-style paging of the service list: query parameters, page position and `meta`.

Page tokens point at a service, not at an offset: `PA<sid>` starts after that service and
`PB<sid>` ends before it. Services are only ever appended, and a deleted one leaves a hole that
keeps its place, so a reader following `next_page_url` sees every service that lives
throughout exactly once while creates and deletes continue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, NamedTuple
from urllib.parse import parse_qs

from ._resources import ServiceRecord

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "InvalidPageQuery",
    "Page",
    "PageQuery",
    "paginate",
]

DEFAULT_PAGE_SIZE: Final = 50
MAX_PAGE_SIZE: Final = 100
_AFTER: Final = "PA"
_BEFORE: Final = "PB"


class InvalidPageQuery(ValueError):
    """A list query Twilio would reject with 400; the message says which parameter."""


class PageQuery(NamedTuple):
    """The list query, validated."""

    page_size: int
    page: int
    token: str | None

    @classmethod
    def parse(cls, query_string: bytes) -> PageQuery:
        """Parse `PageSize`, `Page` and `PageToken` from a raw query string."""
        try:
            params = parse_qs(query_string.decode("ascii"), errors="strict")
        except (UnicodeError, ValueError) as exc:
            raise InvalidPageQuery("Invalid query string") from exc
        page_size = _integer(params, "PageSize", DEFAULT_PAGE_SIZE)
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise InvalidPageQuery(f"PageSize must be from 1 to {MAX_PAGE_SIZE}, got {page_size}")
        page = _integer(params, "Page", 0)
        tokens = params.get("PageToken")
        return cls(page_size, page, tokens[0] if tokens else None)


def _integer(params: Mapping[str, list[str]], name: str, default: int) -> int:
    values = params.get(name)
    if not values:
        return default
    if not values[0].isdigit() or not values[0].isascii():
        raise InvalidPageQuery(f"{name} must be a non-negative integer, got {values[0]!r}")
    return int(values[0])


class Page(NamedTuple):
    """One page of services and its `meta` block."""

    services: Sequence[ServiceRecord]
    meta: dict[str, Any]


def paginate(
    query: PageQuery,
    records: Sequence[ServiceRecord | None],
    positions: Mapping[str, int],
    list_url: str,
    *,
    holes: int = 0,
) -> Page:
    """Cut the page `query` asks for out of `records` (oldest first, None where deleted).

    `positions` maps each sid (deleted ones too) to its index in `records`; `holes` counts the
    Nones (0 allows plain slicing); `list_url` is the absolute URL of the list endpoint, on
    which every `meta` URL is built.
    """
    size, page, token = query
    if token is None:
        start = page * size if not holes else _skip(records, page * size)
        services, last = _forward(records, start, size)
    else:
        position = positions.get(token[2:])
        if position is None or token[:2] not in (_AFTER, _BEFORE):
            raise InvalidPageQuery(f"Invalid PageToken {token!r}")
        if token[:2] == _AFTER:
            services, last = _forward(records, position + 1, size)
        else:
            services, last = _backward(records, position - 1, size)

    def url(page: int, token: str | None) -> str:
        tail = f"&PageToken={token}" if token else ""
        return f"{list_url}?PageSize={size}&Page={page}{tail}"

    next_url = previous_url = None
    if services:
        first = positions[services[0].sid]
        if _forward(records, last + 1, 1)[0]:
            next_url = url(page + 1, _AFTER + services[-1].sid)
        if _backward(records, first - 1, 1)[0]:
            previous_url = url(max(page - 1, 0), _BEFORE + services[0].sid)
    meta = {
        "page": page,
        "page_size": size,
        "first_page_url": url(0, None),
        "previous_page_url": previous_url,
        "url": url(page, token),
        "next_page_url": next_url,
        "key": "services",
    }
    return Page(services, meta)


def _skip(records: Sequence[ServiceRecord | None], count: int) -> int:
    """The index of the live record after the first `count` live ones."""
    for index, record in enumerate(records):
        if record is not None:
            if not count:
                return index
            count -= 1
    return len(records)


def _forward(
    records: Sequence[ServiceRecord | None], start: int, size: int
) -> tuple[list[ServiceRecord], int]:
    """Up to `size` live records from `start` on, and the index of the last one looked at."""
    found: list[ServiceRecord] = []
    index = start - 1
    end = len(records)
    while len(found) < size and index + 1 < end:
        index += 1
        record = records[index]
        if record is not None:
            found.append(record)
    return found, index


def _backward(
    records: Sequence[ServiceRecord | None], start: int, size: int
) -> tuple[list[ServiceRecord], int]:
    """Up to `size` live records ending at `start` (oldest first), and the last index looked at."""
    found: list[ServiceRecord] = []
    index = start + 1
    while len(found) < size and index > 0:
        index -= 1
        record = records[index]
        if record is not None:
            found.append(record)
    found.reverse()
    return found, start
