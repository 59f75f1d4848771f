"""The UpdateService form: Twilio's 31 parameters, checked as Twilio checks them, and applied.

Each parameter name maps onto the resource field it sets: a dotted name walks the nested
objects (`Limits.UserChannels` -> `limits.user_channels`). A request is checked whole before
anything is applied, so a rejected update changes nothing. Unknown parameters are ignored, as
Twilio ignores them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, NamedTuple
from urllib.parse import urlsplit

__all__ = [
    "MAX_FRIENDLY_NAME",
    "MAX_LIMIT",
    "UPDATE_PARAMETERS",
    "InvalidParameter",
    "Update",
    "apply_update",
    "parse_update",
]

MAX_FRIENDLY_NAME: Final = 64
MAX_LIMIT: Final = 1000
"""Twilio's docs: `Limits.ChannelMembers` and `Limits.UserChannels` go up to 1,000."""
_MAX_INT: Final = 2**31 - 1
_ROLE_SID: Final = re.compile(r"RL[0-9a-fA-F]{32}")


class InvalidParameter(ValueError):
    """A parameter Twilio would reject with 400: its error code and message."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _invalid(name: str, value: str, expected: str) -> InvalidParameter:
    shown = value if len(value) <= 40 else value[:40] + "..."
    return InvalidParameter(20001, f"Invalid value {shown!r} for {name}: expected {expected}")


def _boolean(name: str, value: str) -> bool:
    lowered = value.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise _invalid(name, value, "true or false")


def _integer(low: int, high: int) -> Callable[[str, str], int]:
    def parse(name: str, value: str) -> int:
        digits = value[1:] if value.startswith("-") else value
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 10:
            raise _invalid(name, value, "an integer")
        number = int(value)
        if not low <= number <= high:
            raise _invalid(name, value, f"an integer from {low} to {high}")
        return number

    return parse


def _text(_name: str, value: str) -> str:
    return value


def _role_sid(name: str, value: str) -> str:
    if not _ROLE_SID.fullmatch(value):
        raise _invalid(name, value, "a role SID (RL + 32 hex digits)")
    return value


def _url(name: str, value: str) -> str | None:
    if not value:
        return None  # an empty value clears the webhook
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(c in value for c in " \t\r\n")
    ):
        raise _invalid(name, value, "an absolute http or https URL")
    return value


def _method(name: str, value: str) -> str:
    upper = value.upper()
    if upper not in ("GET", "POST"):
        raise _invalid(name, value, "GET or POST")
    return upper


_PARSERS: Final[dict[str, Callable[[str, str], Any]]] = {
    "DefaultServiceRoleSid": _role_sid,
    "DefaultChannelRoleSid": _role_sid,
    "DefaultChannelCreatorRoleSid": _role_sid,
    "ReadStatusEnabled": _boolean,
    "ReachabilityEnabled": _boolean,
    "TypingIndicatorTimeout": _integer(0, _MAX_INT),
    "ConsumptionReportInterval": _integer(0, _MAX_INT),
    "Notifications.NewMessage.Enabled": _boolean,
    "Notifications.NewMessage.Template": _text,
    "Notifications.NewMessage.Sound": _text,
    "Notifications.NewMessage.BadgeCountEnabled": _boolean,
    "Notifications.AddedToChannel.Enabled": _boolean,
    "Notifications.AddedToChannel.Template": _text,
    "Notifications.AddedToChannel.Sound": _text,
    "Notifications.RemovedFromChannel.Enabled": _boolean,
    "Notifications.RemovedFromChannel.Template": _text,
    "Notifications.RemovedFromChannel.Sound": _text,
    "Notifications.InvitedToChannel.Enabled": _boolean,
    "Notifications.InvitedToChannel.Template": _text,
    "Notifications.InvitedToChannel.Sound": _text,
    "PreWebhookUrl": _url,
    "PostWebhookUrl": _url,
    "WebhookMethod": _method,
    "Limits.ChannelMembers": _integer(1, MAX_LIMIT),
    "Limits.UserChannels": _integer(1, MAX_LIMIT),
    "Media.CompatibilityMessage": _text,
    "PreWebhookRetryCount": _integer(0, _MAX_INT),
    "PostWebhookRetryCount": _integer(0, _MAX_INT),
    "Notifications.LogEnabled": _boolean,
}


def _field_path(parameter: str) -> tuple[str, ...]:
    """`Notifications.NewMessage.Enabled` -> `("notifications", "new_message", "enabled")`."""
    return tuple(re.sub(r"(?<!^)(?=[A-Z])", "_", part).lower() for part in parameter.split("."))


UPDATE_PARAMETERS: Final[dict[str, tuple[str, ...]]] = {
    "FriendlyName": ("friendly_name",),
    **{name: _field_path(name) for name in _PARSERS},
    "WebhookFilters": ("webhook_filters",),
}
"""Every UpdateService parameter, with the path of the resource field it sets."""


class Update(NamedTuple):
    """A checked update: the new name (None: unchanged) and the field changes, in order."""

    friendly_name: str | None
    changes: Sequence[tuple[tuple[str, ...], Any]]


def parse_update(form: Mapping[str, Sequence[str]]) -> Update:
    """Check every known parameter in `form` (values as `parse_qs` gives them).

    Raises `InvalidParameter` for the first bad one. A parameter given twice uses its first
    value, except `WebhookFilters`, whose values (the key repeated) replace the list; one empty
    value clears it.
    """
    friendly_name = None
    names = form.get("FriendlyName")
    if names is not None:
        friendly_name = names[0]
        if not friendly_name:
            raise InvalidParameter(50000, "FriendlyName not provided")
        if len(friendly_name) > MAX_FRIENDLY_NAME:
            raise InvalidParameter(50003, "FriendlyName too long")
    changes: list[tuple[tuple[str, ...], Any]] = []
    for name, parse in _PARSERS.items():
        values = form.get(name)
        if values is not None:
            changes.append((UPDATE_PARAMETERS[name], parse(name, values[0])))
    filters = form.get("WebhookFilters")
    if filters is not None:
        changes.append((("webhook_filters",), [] if list(filters) == [""] else list(filters)))
    return Update(friendly_name, changes)


def apply_update(settings: Mapping[str, Any], update: Update) -> dict[str, Any]:
    """A copy of `settings` with the update's changes made (nested objects copied on write)."""
    result = dict(settings)
    for path, value in update.changes:
        node = result
        for key in path[:-1]:
            child = dict(node[key])
            node[key] = child
            node = child
        node[path[-1]] = value
    return result
