"""The settings a desired state may name, derived from the generated update model.

Each field of `UpdateServiceRequest` is one form parameter of Twilio's UpdateService; its form
name (the key `to_dict()` writes, e.g. `Notifications.NewMessage.BadgeCountEnabled`) maps to
the resource path by CamelCase -> snake_case per dotted segment
(`notifications.new_message.badge_count_enabled`). So a parameter added to the spec becomes a
key of the file after `make generate`, with no code here. The value rules that the types do not
carry (ranges, SID and URL shapes) follow naming conventions, so they cover new fields too.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlsplit

import attrs
from twilio_chat_api.types import Unset

from .._config import check_friendly_name
from .._errors import ConfigurationError
from .._settings import setting_types, update_request

__all__ = [
    "MAX_LIMIT",
    "SettingField",
    "check_name",
    "check_value",
    "field_tree",
    "read_path",
    "refuse_controls",
    "setting_fields",
    "snake_case",
]

MAX_LIMIT: Final = 1000
"""Twilio's docs: `Limits.ChannelMembers` and `Limits.UserChannels` go up to 1,000."""
_MAX_INT: Final = 2**31 - 1
_ROLE_SID: Final = re.compile(r"RL[0-9a-fA-F]{32}")
_CONTROL: Final = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_WORD: Final = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake_case(segment: str) -> str:
    """`BadgeCountEnabled` -> `badge_count_enabled` (`PreWebhookURL` -> `pre_webhook_url`)."""
    return _WORD.sub("_", segment).lower()


@attrs.frozen
class SettingField:
    """One writable setting: its `update_service` keyword, Twilio's form parameter, the path
    of the resource field it sets, and the Python type of its value."""

    keyword: str
    parameter: str
    path: tuple[str, ...]
    kind: type

    @property
    def dotted(self) -> str:
        """The path as the file and the plan write it: `limits.user_channels`."""
        return ".".join(self.path)


@functools.cache
def setting_fields() -> tuple[SettingField, ...]:
    """Every writable setting, in the generated model's order."""
    fields = []
    for keyword, kind in setting_types().items():
        form = update_request({keyword: _sample(kind)}).to_dict()
        (parameter,) = form  # each field writes exactly one form parameter
        path = tuple(snake_case(segment) for segment in parameter.split("."))
        fields.append(SettingField(keyword, parameter, path, kind))
    return tuple(fields)


def _sample(kind: type) -> object:
    """Any valid value of `kind`, only to learn the form name the model writes for it."""
    if issubclass(kind, enum.Enum):
        return next(iter(kind))
    samples: dict[type, object] = {bool: True, int: 1, str: "x", list: ["x"]}
    return samples[kind]


def check_value(field: SettingField, value: object) -> object:
    """The value as a desired state holds it (enums in Twilio's case, e.g. `POST`), or a
    `ConfigurationError` saying what is wrong: the generated types first, then Twilio's rules."""
    if issubclass(field.kind, enum.Enum) and isinstance(value, str):
        canonical = {str(member.value).upper(): member.value for member in field.kind}
        value = canonical.get(value.upper(), value)  # Twilio accepts any case
    try:
        update_request({field.keyword: value})
    except ConfigurationError as exc:
        message = str(exc).removeprefix(f"{field.keyword} ")  # the caller names the key
        raise ConfigurationError(message) from None
    if isinstance(value, str):
        refuse_controls(value)
    if field.kind is int:
        assert isinstance(value, int)
        low, high = (1, MAX_LIMIT) if field.path[0] == "limits" else (0, _MAX_INT)
        if not low <= value <= high:
            raise ConfigurationError(f"must be an integer from {low} to {high}, got {value}")
    elif field.keyword.endswith("_role_sid"):
        assert isinstance(value, str)
        if not _ROLE_SID.fullmatch(value):
            raise ConfigurationError(f"must be a role SID (RL + 32 hex digits), got {value!r}")
    elif field.keyword.endswith("_url"):
        assert isinstance(value, str)
        _check_url(value)
    elif field.kind is list:
        assert isinstance(value, list)
        _check_items(value)
    return value


def check_name(name: object) -> None:
    """A friendly name Twilio accepts (1 to 64 characters, encodable) with no control
    character; `ConfigurationError` otherwise."""
    check_friendly_name(name)
    assert isinstance(name, str)
    refuse_controls(name)


def refuse_controls(value: str) -> None:
    """`ConfigurationError` for a control character (C0, C1, U+2028, U+2029) in `value`."""
    found = _CONTROL.search(value)
    if found is not None:
        raise ConfigurationError(f"control character U+{ord(found[0]):04X} in {value!r}")


def _check_url(value: str) -> None:
    """An absolute http(s) URL, or "" (no webhook)."""
    if not value:
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in value:
        raise ConfigurationError(f"must be an absolute http or https URL, got {value!r}")


def _check_items(items: list[Any]) -> None:
    seen: set[str] = set()
    for item in items:
        if not item:
            raise ConfigurationError("an empty string is not an event name")
        refuse_controls(item)
        if item in seen:
            raise ConfigurationError(f"{item!r} is listed twice")
        seen.add(item)


def read_path(resource: object, path: tuple[str, ...]) -> object:
    """The value at `path` in a parsed resource (attrs models, with a property the model does
    not know read from `additional_properties`); None when absent, null or `Unset`."""
    node: object = resource
    for key in path:
        if isinstance(node, Mapping):
            node = node.get(key)
        elif attrs.has(type(node)):
            if key in attrs.fields_dict(type(node)) and key != "additional_properties":  # type: ignore[arg-type]  # narrowed by attrs.has
                node = getattr(node, key)
            else:
                node = getattr(node, "additional_properties", {}).get(key)
        else:
            return None
        if node is None or isinstance(node, Unset):
            return None
    return node


def field_tree() -> Mapping[str, Any]:
    """The settings as the file nests them: `{"limits": {"user_channels": SettingField}}`."""
    return _field_tree()


@functools.cache
def _field_tree() -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for field in setting_fields():
        node = tree
        for key in field.path[:-1]:
            node = node.setdefault(key, {})
        node[field.path[-1]] = field
    return tree
