from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ServiceLinks")


@_attrs_define
class ServiceLinks:
    """The absolute URLs of the Service's Channels, Roles, Bindings and Users.

    Attributes:
        channels (str | Unset):
        roles (str | Unset):
        users (str | Unset):
        bindings (str | Unset):
    """

    channels: str | Unset = UNSET
    roles: str | Unset = UNSET
    users: str | Unset = UNSET
    bindings: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        channels = self.channels

        roles = self.roles

        users = self.users

        bindings = self.bindings

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if channels is not UNSET:
            field_dict["channels"] = channels
        if roles is not UNSET:
            field_dict["roles"] = roles
        if users is not UNSET:
            field_dict["users"] = users
        if bindings is not UNSET:
            field_dict["bindings"] = bindings

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        channels = d.pop("channels", UNSET)

        roles = d.pop("roles", UNSET)

        users = d.pop("users", UNSET)

        bindings = d.pop("bindings", UNSET)

        service_links = cls(
            channels=channels,
            roles=roles,
            users=users,
            bindings=bindings,
        )

        service_links.additional_properties = d
        return service_links

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
