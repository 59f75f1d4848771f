from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="NewMessageNotification")


@_attrs_define
class NewMessageNotification:
    """The push notification sent for a new message.

    Attributes:
        enabled (bool | Unset): Whether the notification is sent.
        template (None | str | Unset): The template of the notification's text.
        sound (None | str | Unset): The name of the sound played with the notification.
        badge_count_enabled (bool | Unset): Whether the badge count is updated with new messages.
    """

    enabled: bool | Unset = UNSET
    template: None | str | Unset = UNSET
    sound: None | str | Unset = UNSET
    badge_count_enabled: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        enabled = self.enabled

        template: None | str | Unset
        if isinstance(self.template, Unset):
            template = UNSET
        else:
            template = self.template

        sound: None | str | Unset
        if isinstance(self.sound, Unset):
            sound = UNSET
        else:
            sound = self.sound

        badge_count_enabled = self.badge_count_enabled

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if template is not UNSET:
            field_dict["template"] = template
        if sound is not UNSET:
            field_dict["sound"] = sound
        if badge_count_enabled is not UNSET:
            field_dict["badge_count_enabled"] = badge_count_enabled

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        enabled = d.pop("enabled", UNSET)

        def _parse_template(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        template = _parse_template(d.pop("template", UNSET))

        def _parse_sound(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sound = _parse_sound(d.pop("sound", UNSET))

        badge_count_enabled = d.pop("badge_count_enabled", UNSET)

        new_message_notification = cls(
            enabled=enabled,
            template=template,
            sound=sound,
            badge_count_enabled=badge_count_enabled,
        )

        new_message_notification.additional_properties = d
        return new_message_notification

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
