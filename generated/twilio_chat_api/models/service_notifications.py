from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.channel_notification import ChannelNotification
    from ..models.new_message_notification import NewMessageNotification


T = TypeVar("T", bound="ServiceNotifications")


@_attrs_define
class ServiceNotifications:
    """The push notification configuration of the Service instance.

    Attributes:
        log_enabled (bool | Unset): Whether notifications are logged.
        new_message (NewMessageNotification | Unset): The push notification sent for a new message.
        added_to_channel (ChannelNotification | Unset): The push notification sent when a user is added to, removed from
            or invited to a channel.
        removed_from_channel (ChannelNotification | Unset): The push notification sent when a user is added to, removed
            from or invited to a channel.
        invited_to_channel (ChannelNotification | Unset): The push notification sent when a user is added to, removed
            from or invited to a channel.
    """

    log_enabled: bool | Unset = UNSET
    new_message: NewMessageNotification | Unset = UNSET
    added_to_channel: ChannelNotification | Unset = UNSET
    removed_from_channel: ChannelNotification | Unset = UNSET
    invited_to_channel: ChannelNotification | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        log_enabled = self.log_enabled

        new_message: dict[str, Any] | Unset = UNSET
        if not isinstance(self.new_message, Unset):
            new_message = self.new_message.to_dict()

        added_to_channel: dict[str, Any] | Unset = UNSET
        if not isinstance(self.added_to_channel, Unset):
            added_to_channel = self.added_to_channel.to_dict()

        removed_from_channel: dict[str, Any] | Unset = UNSET
        if not isinstance(self.removed_from_channel, Unset):
            removed_from_channel = self.removed_from_channel.to_dict()

        invited_to_channel: dict[str, Any] | Unset = UNSET
        if not isinstance(self.invited_to_channel, Unset):
            invited_to_channel = self.invited_to_channel.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if log_enabled is not UNSET:
            field_dict["log_enabled"] = log_enabled
        if new_message is not UNSET:
            field_dict["new_message"] = new_message
        if added_to_channel is not UNSET:
            field_dict["added_to_channel"] = added_to_channel
        if removed_from_channel is not UNSET:
            field_dict["removed_from_channel"] = removed_from_channel
        if invited_to_channel is not UNSET:
            field_dict["invited_to_channel"] = invited_to_channel

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.channel_notification import ChannelNotification  # noqa: PLC0415
        from ..models.new_message_notification import NewMessageNotification  # noqa: PLC0415

        d = dict(src_dict)
        log_enabled = d.pop("log_enabled", UNSET)

        _new_message = d.pop("new_message", UNSET)
        new_message: NewMessageNotification | Unset
        if isinstance(_new_message, Unset):
            new_message = UNSET
        else:
            new_message = NewMessageNotification.from_dict(_new_message)

        _added_to_channel = d.pop("added_to_channel", UNSET)
        added_to_channel: ChannelNotification | Unset
        if isinstance(_added_to_channel, Unset):
            added_to_channel = UNSET
        else:
            added_to_channel = ChannelNotification.from_dict(_added_to_channel)

        _removed_from_channel = d.pop("removed_from_channel", UNSET)
        removed_from_channel: ChannelNotification | Unset
        if isinstance(_removed_from_channel, Unset):
            removed_from_channel = UNSET
        else:
            removed_from_channel = ChannelNotification.from_dict(_removed_from_channel)

        _invited_to_channel = d.pop("invited_to_channel", UNSET)
        invited_to_channel: ChannelNotification | Unset
        if isinstance(_invited_to_channel, Unset):
            invited_to_channel = UNSET
        else:
            invited_to_channel = ChannelNotification.from_dict(_invited_to_channel)

        service_notifications = cls(
            log_enabled=log_enabled,
            new_message=new_message,
            added_to_channel=added_to_channel,
            removed_from_channel=removed_from_channel,
            invited_to_channel=invited_to_channel,
        )

        service_notifications.additional_properties = d
        return service_notifications

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
