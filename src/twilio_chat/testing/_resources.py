"""Services as compact records, and the JSON bodies Twilio answers with.

A record keeps only what varies (sid, name, creation second, and the settings of a service
that was updated); everything else is rendered on demand, so a hundred thousand services fit
in a few tens of megabytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping
from typing import Any, Final, NamedTuple

__all__ = [
    "SERVICE_DEFAULTS",
    "ServiceRecord",
    "UtcClock",
    "error_body",
    "initial_settings",
    "new_sid",
    "render_service",
    "role_sids",
]


class ServiceRecord(NamedTuple):
    """One service, as the emulator stores it (replaced, never changed, by an update)."""

    sid: str
    """`IS` + 32 lowercase hex digits."""
    friendly_name: str
    date_created: str
    """UTC, `YYYY-MM-DDTHH:MM:SSZ`."""
    date_updated: str | None = None
    """UTC, like `date_created`; None until the first update (then it equals `date_created`)."""
    settings: Mapping[str, Any] | None = None
    """Every other field as Twilio renders it, role SIDs first; None: the defaults."""


SERVICE_DEFAULTS: Final[dict[str, Any]] = {
    "read_status_enabled": True,
    "reachability_enabled": False,
    "typing_indicator_timeout": 5,
    "consumption_report_interval": 10,
    "limits": {"channel_members": 100, "user_channels": 250},
    "pre_webhook_url": None,
    "post_webhook_url": None,
    "webhook_method": "POST",
    "webhook_filters": [],
    "pre_webhook_retry_count": 0,
    "post_webhook_retry_count": 0,
    "notifications": {
        "log_enabled": False,
        "new_message": {
            "enabled": False,
            "template": None,
            "sound": None,
            "badge_count_enabled": False,
        },
        "added_to_channel": {"enabled": False, "template": None, "sound": None},
        "removed_from_channel": {"enabled": False, "template": None, "sound": None},
        "invited_to_channel": {"enabled": False, "template": None, "sound": None},
    },
    "media": {"size_limit_mb": 150, "compatibility_message": None},
}
"""The settings Twilio gives every new service (create takes only `FriendlyName`)."""

_DEFAULTS_JSON: Final = json.dumps(SERVICE_DEFAULTS, separators=(",", ":"))[1:-1]


def new_sid(prefix: str) -> str:
    """A fresh SID: `prefix` + 32 random lowercase hex digits (not from the seeded generator)."""
    return prefix + os.urandom(16).hex()


def role_sids(service_sid: str) -> tuple[str, str, str]:
    """The service's default service, channel and channel-creator role SIDs.

    Derived from the service SID rather than stored: stable across responses, distinct per
    service, and free in memory.
    """
    digest = hashlib.blake2b(service_sid.encode(), digest_size=48, person=b"chat-rl").hexdigest()
    return "RL" + digest[:32], "RL" + digest[32:64], "RL" + digest[64:]


def initial_settings(service_sid: str) -> dict[str, Any]:
    """The settings a new service has, role SIDs first, as a fresh nested dict to update."""
    service_role, channel_role, creator_role = role_sids(service_sid)
    settings: dict[str, Any] = {
        "default_service_role_sid": service_role,
        "default_channel_role_sid": channel_role,
        "default_channel_creator_role_sid": creator_role,
    }
    settings.update(json.loads(json.dumps(SERVICE_DEFAULTS)))  # a deep copy
    return settings


def render_service(record: ServiceRecord, account_sid: str, base_url: str) -> str:
    """The service resource as Twilio's JSON, with URLs on `base_url` (already JSON-safe)."""
    sid, name, created, updated, settings = record
    url = f"{base_url}/v2/Services/{sid}"
    if settings is None:
        service_role, channel_role, creator_role = role_sids(sid)
        rest = (
            f'"default_service_role_sid":"{service_role}",'
            f'"default_channel_role_sid":"{channel_role}",'
            f'"default_channel_creator_role_sid":"{creator_role}",{_DEFAULTS_JSON}'
        )
    else:
        rest = json.dumps(settings, ensure_ascii=False, separators=(",", ":"))[1:-1]
    return (
        f'{{"sid":"{sid}","account_sid":"{account_sid}",'
        f'"friendly_name":{json.dumps(name, ensure_ascii=False)},'
        f'"date_created":"{created}","date_updated":"{updated or created}",'
        f'{rest},"url":"{url}",'
        f'"links":{{"channels":"{url}/Channels","roles":"{url}/Roles",'
        f'"users":"{url}/Users","bindings":"{url}/Bindings"}}}}'
    )


def error_body(status: int, code: int, message: str) -> bytes:
    """Twilio's error body: `{"code", "message", "more_info", "status"}`."""
    return json.dumps(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        separators=(",", ":"),
    ).encode()


class UtcClock:
    """Current UTC time as Twilio writes it, formatted once per second.

    Records created in the same second share one string object.
    """

    __slots__ = ("_second", "_stamp", "_time")

    def __init__(self, time_source: Callable[[], float] = time.time) -> None:
        self._time = time_source
        self._second = -1
        self._stamp = ""

    def now(self) -> str:
        """`YYYY-MM-DDTHH:MM:SSZ` for the current second."""
        second = int(self._time())
        if second != self._second:
            self._stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second))
            self._second = second
        return self._stamp
