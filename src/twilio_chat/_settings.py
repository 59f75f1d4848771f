"""Settings for `update_service`, checked against the generated update model before sending.

The keyword names are the fields of the generated `UpdateServiceRequest` (one per form
parameter of Twilio's UpdateService: `limits_user_channels` for `Limits.UserChannels`), so a
new parameter in the spec becomes a new keyword after `make generate`, with no code here.
"""

from __future__ import annotations

import difflib
import enum
import functools
import typing
from collections.abc import Mapping
from typing import Any

import attrs
import twilio_chat_api.models
from twilio_chat_api.models import UpdateServiceRequest
from twilio_chat_api.types import Unset

from ._config import check_friendly_name, check_text
from ._errors import ConfigurationError

__all__ = ["setting_types", "update_request"]


def update_request(settings: Mapping[str, object]) -> UpdateServiceRequest:
    """The generated request model for these settings, or `ConfigurationError` naming the
    first unknown keyword or wrongly typed value."""
    if not settings:
        raise ConfigurationError("update_service needs at least one setting")
    kinds = setting_types()
    values: dict[str, Any] = {}
    for name, value in settings.items():
        kind = kinds.get(name)
        if kind is None:
            close = difflib.get_close_matches(name, kinds, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigurationError(f"unknown service setting {name!r}{hint}")
        values[name] = _coerce(name, kind, value)
    return UpdateServiceRequest(**values)


@functools.cache
def setting_types() -> dict[str, type]:
    """Each update keyword and the one Python type its value has (`list` for lists of
    strings, an `enum.Enum` subclass for a closed set of strings)."""
    hints = typing.get_type_hints(UpdateServiceRequest, localns=vars(twilio_chat_api.models))
    kinds: dict[str, type] = {}
    for field in attrs.fields(UpdateServiceRequest):
        if field.name == "additional_properties":
            continue
        options = [arg for arg in typing.get_args(hints[field.name]) if arg is not Unset] or [
            hints[field.name]
        ]
        (kind,) = options  # the generator makes each optional field `T | Unset`
        kinds[field.name] = typing.get_origin(kind) or kind
    return kinds


def _coerce(name: str, kind: type, value: object) -> object:
    """The value as the generated model wants it, or a `ConfigurationError`."""
    if issubclass(kind, enum.Enum):
        allowed = [member.value for member in kind]
        if isinstance(value, kind):
            return value
        if isinstance(value, str) and value in allowed:
            return kind(value)
        raise ConfigurationError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigurationError(f"{name} must be a bool, got {type(value).__name__}")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigurationError(f"{name} must be an int, got {type(value).__name__}")
        return value
    if kind is list:
        items = list(value) if isinstance(value, list | tuple) else None
        if items is None or not all(isinstance(item, str) for item in items):
            raise ConfigurationError(f"{name} must be a list of strings")
        for item in items:
            check_text(item, name)
        # A form cannot carry an empty list (the key would be left out, changing nothing):
        # one empty value is how the list is cleared.
        return items or [""]
    if kind is str:
        if name == "friendly_name":
            check_friendly_name(value)
        elif not isinstance(value, str):
            raise ConfigurationError(f"{name} must be a str, got {type(value).__name__}")
        else:
            check_text(value, name)
        return value
    raise ConfigurationError(f"{name}: unsupported setting type {kind!r}")  # pragma: no cover
