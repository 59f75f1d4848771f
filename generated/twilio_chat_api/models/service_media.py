from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ServiceMedia")


@_attrs_define
class ServiceMedia:
    """The properties of media that the Service supports.

    Attributes:
        size_limit_mb (int | Unset): The maximum size of a media file in megabytes.
        compatibility_message (None | str | Unset): The message shown to clients that do not support media messages.
    """

    size_limit_mb: int | Unset = UNSET
    compatibility_message: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        size_limit_mb = self.size_limit_mb

        compatibility_message: None | str | Unset
        if isinstance(self.compatibility_message, Unset):
            compatibility_message = UNSET
        else:
            compatibility_message = self.compatibility_message

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if size_limit_mb is not UNSET:
            field_dict["size_limit_mb"] = size_limit_mb
        if compatibility_message is not UNSET:
            field_dict["compatibility_message"] = compatibility_message

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        size_limit_mb = d.pop("size_limit_mb", UNSET)

        def _parse_compatibility_message(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        compatibility_message = _parse_compatibility_message(d.pop("compatibility_message", UNSET))

        service_media = cls(
            size_limit_mb=size_limit_mb,
            compatibility_message=compatibility_message,
        )

        service_media.additional_properties = d
        return service_media

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
