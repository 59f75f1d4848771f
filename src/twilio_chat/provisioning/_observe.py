"""Observe: one listing of the account, kept as names -> services, small enough for 100,000.

Names are the keys provisioning works by (Twilio has no other key a client chooses): one
service with a name is that name's service, two or more are a conflict. Each listed service
keeps only what a diff or a repair needs: its SID, name, creation time and the values of the
settings asked for (a plan asks for those its desired state names), about 0.5 KB a service.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Collection, Iterator, KeysView, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs
from twilio_chat_api.models import Service

from .._errors import ConfigurationError
from ._fields import SettingField, read_path, setting_fields

if TYPE_CHECKING:
    from .._client import ChatClient

__all__ = ["ListedService", "Observation", "kept_settings", "observe"]


@functools.cache
def _positions(keywords: frozenset[str] | None) -> Mapping[str, int]:
    kept = [f.keyword for f in setting_fields() if keywords is None or f.keyword in keywords]
    return MappingProxyType({keyword: index for index, keyword in enumerate(kept)})


@functools.cache
def _by_keyword() -> dict[str, SettingField]:
    return {field.keyword: field for field in setting_fields()}


@attrs.frozen(slots=True)
class ListedService:
    """One service as a listing showed it: SID, name, creation time, and the values of the
    settings kept (None when Twilio sent none); read them with `value()`. `kept` maps each
    kept `update_service` keyword to its place in `values` (one mapping shared by a whole
    observation, so a service costs little more than its values)."""

    sid: str
    friendly_name: str
    date_created: datetime
    values: tuple[object, ...] = attrs.field(repr=False)
    kept: Mapping[str, int] = attrs.field(
        factory=functools.partial(_positions, None), repr=False, eq=False
    )

    @classmethod
    def from_service(cls, service: Service, kept: Mapping[str, int] | None = None) -> ListedService:
        """Keep what provisioning needs of a parsed service resource: the settings in `kept`
        (from `kept_settings`; every setting by default)."""
        kept = _positions(None) if kept is None else kept
        fields = _by_keyword()
        values = tuple(read_path(service, fields[keyword].path) for keyword in kept)
        return cls(service.sid, service.friendly_name, service.date_created, values, kept)

    def value(self, field: SettingField | str) -> object:
        """The listed value of a setting (a `SettingField` or its `update_service` keyword);
        `ConfigurationError` for a setting this observation did not keep."""
        keyword = field if isinstance(field, str) else field.keyword
        index = self.kept.get(keyword)
        if index is None:
            raise ConfigurationError(f"{keyword!r} was not kept by this observation")
        return self.values[index]


def kept_settings(keywords: Collection[str] | None) -> Mapping[str, int]:
    """The keep-map for these `update_service` keywords (None: every setting), in field
    order, to share among the services of one observation."""
    return _positions(None if keywords is None else frozenset(keywords))


@attrs.frozen
class Observation:
    """What one listing of the account showed: friendly name -> the services with it, in listing
    order. `started_at` is when the listing began (UTC) and `seconds` its wall time;
    a service created after `started_at` may or may not be in it."""

    account_sid: str
    started_at: datetime
    seconds: float
    by_name: Mapping[str, tuple[ListedService, ...]] = attrs.field(repr=False)
    service_count: int

    def services(self, friendly_name: str) -> tuple[ListedService, ...]:
        """The services listed with this name: none, one, or several (a conflict)."""
        return self.by_name.get(friendly_name, ())

    def names(self) -> KeysView[str]:
        """Every friendly name the listing showed."""
        return self.by_name.keys()

    def conflicts(self) -> Iterator[str]:
        """The names that two or more services share."""
        return (name for name, services in self.by_name.items() if len(services) > 1)

    def __iter__(self) -> Iterator[ListedService]:
        for services in self.by_name.values():
            yield from services

    def __len__(self) -> int:
        return self.service_count


async def observe(client: ChatClient, *, settings: Collection[str] | None = None) -> Observation:
    """List the account once (every page) and group its services by friendly name, keeping
    the values of `settings` (`update_service` keywords; None: every setting)."""
    kept = kept_settings(settings)
    started_at = datetime.now(UTC)
    start = time.perf_counter()
    grouped: dict[str, list[ListedService] | ListedService] = {}
    count = 0
    async for service in client.list_services():
        listed = ListedService.from_service(service, kept)
        count += 1
        known = grouped.get(listed.friendly_name)
        if known is None:  # the common case: one service per name, no list
            grouped[listed.friendly_name] = listed
        elif isinstance(known, list):
            known.append(listed)
        else:
            grouped[listed.friendly_name] = [known, listed]
    by_name = {
        name: tuple(found) if isinstance(found, list) else (found,)
        for name, found in grouped.items()
    }
    return Observation(client.account_sid, started_at, time.perf_counter() - start, by_name, count)
