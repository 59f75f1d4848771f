"""Runtime checks that a parsed model holds the types its annotations promise.

The generated `from_dict` converts dates and nested objects but copies strings, numbers and
lists as they come, so `"sid": 5` would sit in a field typed `str`. The facade checks every
parsed model against its own annotations once, so what it returns is what mypy was told.
"""

from __future__ import annotations

import datetime
import types
import typing
from collections.abc import Callable
from typing import Any

import attrs
import twilio_chat_api.models
from twilio_chat_api.types import Unset

__all__ = ["conforms"]

_Check = Callable[[object], bool]


def conforms(model: object) -> bool:
    """Whether every field of an attrs model (recursively) holds a value of its declared type."""
    return all(check(getattr(model, name)) for name, check in _checks(type(model)))


_CHECKS: dict[type, tuple[tuple[str, _Check], ...]] = {}


def _checks(cls: type) -> tuple[tuple[str, _Check], ...]:
    checks = _CHECKS.get(cls)
    if checks is None:
        checks = _CHECKS[cls] = _build_checks(cls)
    return checks


def _build_checks(cls: type) -> tuple[tuple[str, _Check], ...]:
    hints = typing.get_type_hints(cls, localns=vars(twilio_chat_api.models))
    return tuple(
        (field.name, _check_for(hints[field.name]))
        for field in attrs.fields(cls)
        if field.name != "additional_properties"
    )


def _check_for(hint: Any) -> _Check:
    """A predicate for one annotation: unions, None, Unset, primitives, lists, models."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        options = tuple(_check_for(arg) for arg in typing.get_args(hint))
        return lambda value: any(option(value) for option in options)
    if hint is type(None):
        return lambda value: value is None
    if hint is int:  # bool is an int subclass, but JSON's true is not a number
        return lambda value: isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return lambda value: isinstance(value, int | float) and not isinstance(value, bool)
    if typing.get_origin(hint) is list:
        (item_hint,) = typing.get_args(hint)
        item = _check_for(item_hint)
        return lambda value: isinstance(value, list) and all(item(entry) for entry in value)
    if attrs.has(hint):
        return lambda value: isinstance(value, hint) and conforms(value)
    if isinstance(hint, type) and hint in (str, bool, Unset, datetime.datetime):
        return lambda value: isinstance(value, hint)
    if isinstance(hint, type) and issubclass(hint, dict):
        return lambda value: isinstance(value, dict)
    raise TypeError(f"no runtime check for annotation {hint!r}")  # a new generator construct
