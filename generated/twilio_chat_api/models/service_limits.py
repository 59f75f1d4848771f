from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ServiceLimits")


@_attrs_define
class ServiceLimits:
    """The limits of the Service instance.

    Attributes:
        channel_members (int | Unset): The maximum number of Members in a Channel (Twilio's docs allow up to 1,000).
        user_channels (int | Unset): The maximum number of Channels a User can join (Twilio's docs allow up to 1,000).
    """

    channel_members: int | Unset = UNSET
    user_channels: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        channel_members = self.channel_members

        user_channels = self.user_channels

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if channel_members is not UNSET:
            field_dict["channel_members"] = channel_members
        if user_channels is not UNSET:
            field_dict["user_channels"] = user_channels

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        channel_members = d.pop("channel_members", UNSET)

        user_channels = d.pop("user_channels", UNSET)

        service_limits = cls(
            channel_members=channel_members,
            user_channels=user_channels,
        )

        service_limits.additional_properties = d
        return service_limits

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
