"""Twilio-style paging of the service list: query parameters, page position and `meta`.

Page tokens point at a service, not at an offset: `PA<sid>` starts after that service and
`PB<sid>` ends before it. Services are only ever appended, so a reader following
`next_page_url` sees every service exactly once while creates continue.
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
    records: Sequence[ServiceRecord],
    positions: Mapping[str, int],
    list_url: str,
) -> Page:
    """Cut the page `query` asks for out of `records` (oldest first).

    `positions` maps each sid to its index in `records`; `list_url` is the absolute URL of the
    list endpoint, on which every `meta` URL is built.
    """
    size, page, token = query
    if token is None:
        start = page * size
        end = start + size
    else:
        position = positions.get(token[2:])
        if position is None or token[:2] not in (_AFTER, _BEFORE):
            raise InvalidPageQuery(f"Invalid PageToken {token!r}")
        if token[:2] == _AFTER:
            start = position + 1
            end = start + size
        else:
            end = position
            start = max(0, end - size)
    services = records[start:end]
    total = len(records)

    def url(page: int, token: str | None) -> str:
        tail = f"&PageToken={token}" if token else ""
        return f"{list_url}?PageSize={size}&Page={page}{tail}"

    next_url = url(page + 1, _AFTER + services[-1].sid) if services and end < total else None
    previous_url = (
        url(max(page - 1, 0), _BEFORE + services[0].sid) if services and start > 0 else None
    )
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
