"""Diff: which of a desired service's settings differ from the listed service.

Only the settings the desired entry names are compared; everything else is left as it is.
Values are compared the way Twilio stores them:

- an enum (`webhook_method`) in any case: Twilio upper-cases it;
- a webhook URL exactly as given; "" (no webhook) equals an absent one;
- `webhook_filters` as a set: the events enabled, whatever their order (a reordered list in
  the file is no change); an empty list equals an absent one;
- everything else exactly, type included (`1` is not `true`);
- an absent, null or `Unset` current value differs from any desired value.
"""

from __future__ import annotations

import enum
import functools

import attrs

from ._desired import DesiredService
from ._fields import SettingField, setting_fields
from ._observe import ListedService

__all__ = ["FieldChange", "diff", "update_settings"]


@attrs.frozen
class FieldChange:
    """One setting to change: its resource path (`limits.user_channels`), its
    `update_service` keyword, the listed value (None when absent) and the desired one."""

    path: str
    keyword: str
    old: object
    new: object


def diff(desired: DesiredService, listed: ListedService | None) -> list[FieldChange]:
    """The changes that make `listed` have `desired`'s settings, in field order. With no
    listed service (one to create), every desired setting is a change from None."""
    changes = []
    for field in setting_fields():
        if field.keyword not in desired.settings:
            continue
        new = desired.settings[field.keyword]
        old = None if listed is None else listed.value(field)
        if listed is None or not same(field, old, new):
            changes.append(FieldChange(field.dotted, field.keyword, old, new))
    return changes


def update_settings(changes: list[FieldChange] | tuple[FieldChange, ...]) -> dict[str, object]:
    """The `update_service` keywords that make exactly these changes (an empty list clears
    one: `update_service` sends it as one empty value)."""
    return {change.keyword: change.new for change in changes}


def same(field: SettingField, old: object, new: object) -> bool:
    """Whether a listed value already is the desired one, as Twilio normalises values."""
    if field.kind is list:
        if old is None:
            old = []
        return isinstance(old, list) and isinstance(new, list) and set(old) == set(new)
    if issubclass(field.kind, enum.Enum):
        return isinstance(old, str) and isinstance(new, str) and old.upper() == new.upper()
    if field.keyword.endswith("_url") and new == "":
        return old is None or old == ""
    return type(old) is type(new) and old == new


@functools.cache
def _by_keyword() -> dict[str, SettingField]:
    return {field.keyword: field for field in setting_fields()}
