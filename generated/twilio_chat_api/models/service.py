from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.service_links import ServiceLinks


T = TypeVar("T", bound="Service")


@_attrs_define
class Service:
    """A Chat Service instance (Twilio's `ip_messaging.v2.service`).

    Attributes:
        sid (None | str | Unset): The unique string that we created to identify the Service resource.
        account_sid (None | str | Unset): The SID of the Account that created the Service resource.
        friendly_name (None | str | Unset): The string that you assigned to describe the resource.
        date_created (datetime.datetime | None | Unset): The date and time in GMT when the resource was created, in ISO
            8601 format.
        date_updated (datetime.datetime | None | Unset): The date and time in GMT when the resource was last updated, in
            ISO 8601 format.
        default_service_role_sid (None | str | Unset): The service role assigned to users when they are added to the
            Service.
        default_channel_role_sid (None | str | Unset): The channel role assigned to users when they are added to a
            channel.
        default_channel_creator_role_sid (None | str | Unset): The channel role assigned to a channel creator when they
            join a new channel.
        read_status_enabled (bool | None | Unset): Whether the Message Consumption Horizon feature is enabled. The
            default is `true`.
        reachability_enabled (bool | None | Unset): Whether the Reachability Indicator is enabled for this Service
            instance. The default is `false`.
        typing_indicator_timeout (int | Unset): How long in seconds after a `started typing` event until clients should
            assume that the user is no longer typing. Default: 0.
        consumption_report_interval (int | Unset): DEPRECATED. The interval in seconds between consumption reports.
            Default: 0.
        limits (Any | Unset): The limits of the service instance: `channel_members` and `user_channels`.
        pre_webhook_url (None | str | Unset): The URL for pre-event webhooks, called by using the `webhook_method`.
        post_webhook_url (None | str | Unset): The URL for post-event webhooks, called by using the `webhook_method`.
        webhook_method (None | str | Unset): The HTTP method to use for calls to the `pre_webhook_url` and
            `post_webhook_url` webhooks: `POST` or `GET`, default `POST`.
        webhook_filters (list[str] | None | Unset): The list of webhook events that are enabled for this Service
            instance.
        pre_webhook_retry_count (int | Unset): The number of times to retry a call to the `pre_webhook_url` if the
            request times out (after 5 seconds) or receives a 429, 503, or 504 HTTP response. Default: 0.
        post_webhook_retry_count (int | Unset): The number of times to retry a call to the `post_webhook_url` if the
            request times out (after 5 seconds) or receives a 429, 503, or 504 HTTP response. Default: 0.
        notifications (Any | Unset): The notification configuration for the Service instance.
        media (Any | Unset): The properties of media that the service supports: `size_limit_mb` and
            `compatibility_message`.
        url (None | str | Unset): The absolute URL of the Service resource.
        links (None | ServiceLinks | Unset): The absolute URLs of the Service's Channels, Roles, Bindings and Users.
    """

    sid: None | str | Unset = UNSET
    account_sid: None | str | Unset = UNSET
    friendly_name: None | str | Unset = UNSET
    date_created: datetime.datetime | None | Unset = UNSET
    date_updated: datetime.datetime | None | Unset = UNSET
    default_service_role_sid: None | str | Unset = UNSET
    default_channel_role_sid: None | str | Unset = UNSET
    default_channel_creator_role_sid: None | str | Unset = UNSET
    read_status_enabled: bool | None | Unset = UNSET
    reachability_enabled: bool | None | Unset = UNSET
    typing_indicator_timeout: int | Unset = 0
    consumption_report_interval: int | Unset = 0
    limits: Any | Unset = UNSET
    pre_webhook_url: None | str | Unset = UNSET
    post_webhook_url: None | str | Unset = UNSET
    webhook_method: None | str | Unset = UNSET
    webhook_filters: list[str] | None | Unset = UNSET
    pre_webhook_retry_count: int | Unset = 0
    post_webhook_retry_count: int | Unset = 0
    notifications: Any | Unset = UNSET
    media: Any | Unset = UNSET
    url: None | str | Unset = UNSET
    links: None | ServiceLinks | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.service_links import ServiceLinks  # noqa: PLC0415

        sid: None | str | Unset
        if isinstance(self.sid, Unset):
            sid = UNSET
        else:
            sid = self.sid

        account_sid: None | str | Unset
        if isinstance(self.account_sid, Unset):
            account_sid = UNSET
        else:
            account_sid = self.account_sid

        friendly_name: None | str | Unset
        if isinstance(self.friendly_name, Unset):
            friendly_name = UNSET
        else:
            friendly_name = self.friendly_name

        date_created: None | str | Unset
        if isinstance(self.date_created, Unset):
            date_created = UNSET
        elif isinstance(self.date_created, datetime.datetime):
            date_created = self.date_created.isoformat()
        else:
            date_created = self.date_created

        date_updated: None | str | Unset
        if isinstance(self.date_updated, Unset):
            date_updated = UNSET
        elif isinstance(self.date_updated, datetime.datetime):
            date_updated = self.date_updated.isoformat()
        else:
            date_updated = self.date_updated

        default_service_role_sid: None | str | Unset
        if isinstance(self.default_service_role_sid, Unset):
            default_service_role_sid = UNSET
        else:
            default_service_role_sid = self.default_service_role_sid

        default_channel_role_sid: None | str | Unset
        if isinstance(self.default_channel_role_sid, Unset):
            default_channel_role_sid = UNSET
        else:
            default_channel_role_sid = self.default_channel_role_sid

        default_channel_creator_role_sid: None | str | Unset
        if isinstance(self.default_channel_creator_role_sid, Unset):
            default_channel_creator_role_sid = UNSET
        else:
            default_channel_creator_role_sid = self.default_channel_creator_role_sid

        read_status_enabled: bool | None | Unset
        if isinstance(self.read_status_enabled, Unset):
            read_status_enabled = UNSET
        else:
            read_status_enabled = self.read_status_enabled

        reachability_enabled: bool | None | Unset
        if isinstance(self.reachability_enabled, Unset):
            reachability_enabled = UNSET
        else:
            reachability_enabled = self.reachability_enabled

        typing_indicator_timeout = self.typing_indicator_timeout

        consumption_report_interval = self.consumption_report_interval

        limits = self.limits

        pre_webhook_url: None | str | Unset
        if isinstance(self.pre_webhook_url, Unset):
            pre_webhook_url = UNSET
        else:
            pre_webhook_url = self.pre_webhook_url

        post_webhook_url: None | str | Unset
        if isinstance(self.post_webhook_url, Unset):
            post_webhook_url = UNSET
        else:
            post_webhook_url = self.post_webhook_url

        webhook_method: None | str | Unset
        if isinstance(self.webhook_method, Unset):
            webhook_method = UNSET
        else:
            webhook_method = self.webhook_method

        webhook_filters: list[str] | None | Unset
        if isinstance(self.webhook_filters, Unset):
            webhook_filters = UNSET
        elif isinstance(self.webhook_filters, list):
            webhook_filters = self.webhook_filters

        else:
            webhook_filters = self.webhook_filters

        pre_webhook_retry_count = self.pre_webhook_retry_count

        post_webhook_retry_count = self.post_webhook_retry_count

        notifications = self.notifications

        media = self.media

        url: None | str | Unset
        if isinstance(self.url, Unset):
            url = UNSET
        else:
            url = self.url

        links: dict[str, Any] | None | Unset
        if isinstance(self.links, Unset):
            links = UNSET
        elif isinstance(self.links, ServiceLinks):
            links = self.links.to_dict()
        else:
            links = self.links

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if sid is not UNSET:
            field_dict["sid"] = sid
        if account_sid is not UNSET:
            field_dict["account_sid"] = account_sid
        if friendly_name is not UNSET:
            field_dict["friendly_name"] = friendly_name
        if date_created is not UNSET:
            field_dict["date_created"] = date_created
        if date_updated is not UNSET:
            field_dict["date_updated"] = date_updated
        if default_service_role_sid is not UNSET:
            field_dict["default_service_role_sid"] = default_service_role_sid
        if default_channel_role_sid is not UNSET:
            field_dict["default_channel_role_sid"] = default_channel_role_sid
        if default_channel_creator_role_sid is not UNSET:
            field_dict["default_channel_creator_role_sid"] = default_channel_creator_role_sid
        if read_status_enabled is not UNSET:
            field_dict["read_status_enabled"] = read_status_enabled
        if reachability_enabled is not UNSET:
            field_dict["reachability_enabled"] = reachability_enabled
        if typing_indicator_timeout is not UNSET:
            field_dict["typing_indicator_timeout"] = typing_indicator_timeout
        if consumption_report_interval is not UNSET:
            field_dict["consumption_report_interval"] = consumption_report_interval
        if limits is not UNSET:
            field_dict["limits"] = limits
        if pre_webhook_url is not UNSET:
            field_dict["pre_webhook_url"] = pre_webhook_url
        if post_webhook_url is not UNSET:
            field_dict["post_webhook_url"] = post_webhook_url
        if webhook_method is not UNSET:
            field_dict["webhook_method"] = webhook_method
        if webhook_filters is not UNSET:
            field_dict["webhook_filters"] = webhook_filters
        if pre_webhook_retry_count is not UNSET:
            field_dict["pre_webhook_retry_count"] = pre_webhook_retry_count
        if post_webhook_retry_count is not UNSET:
            field_dict["post_webhook_retry_count"] = post_webhook_retry_count
        if notifications is not UNSET:
            field_dict["notifications"] = notifications
        if media is not UNSET:
            field_dict["media"] = media
        if url is not UNSET:
            field_dict["url"] = url
        if links is not UNSET:
            field_dict["links"] = links

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.service_links import ServiceLinks  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sid = _parse_sid(d.pop("sid", UNSET))

        def _parse_account_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        account_sid = _parse_account_sid(d.pop("account_sid", UNSET))

        def _parse_friendly_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        friendly_name = _parse_friendly_name(d.pop("friendly_name", UNSET))

        def _parse_date_created(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                date_created_type_0 = datetime.datetime.fromisoformat(data)

                return date_created_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        date_created = _parse_date_created(d.pop("date_created", UNSET))

        def _parse_date_updated(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                date_updated_type_0 = datetime.datetime.fromisoformat(data)

                return date_updated_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        date_updated = _parse_date_updated(d.pop("date_updated", UNSET))

        def _parse_default_service_role_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        default_service_role_sid = _parse_default_service_role_sid(d.pop("default_service_role_sid", UNSET))

        def _parse_default_channel_role_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        default_channel_role_sid = _parse_default_channel_role_sid(d.pop("default_channel_role_sid", UNSET))

        def _parse_default_channel_creator_role_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        default_channel_creator_role_sid = _parse_default_channel_creator_role_sid(
            d.pop("default_channel_creator_role_sid", UNSET)
        )

        def _parse_read_status_enabled(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        read_status_enabled = _parse_read_status_enabled(d.pop("read_status_enabled", UNSET))

        def _parse_reachability_enabled(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        reachability_enabled = _parse_reachability_enabled(d.pop("reachability_enabled", UNSET))

        typing_indicator_timeout = d.pop("typing_indicator_timeout", UNSET)

        consumption_report_interval = d.pop("consumption_report_interval", UNSET)

        limits = d.pop("limits", UNSET)

        def _parse_pre_webhook_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        pre_webhook_url = _parse_pre_webhook_url(d.pop("pre_webhook_url", UNSET))

        def _parse_post_webhook_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        post_webhook_url = _parse_post_webhook_url(d.pop("post_webhook_url", UNSET))

        def _parse_webhook_method(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        webhook_method = _parse_webhook_method(d.pop("webhook_method", UNSET))

        def _parse_webhook_filters(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                webhook_filters_type_0 = cast(list[str], data)

                return webhook_filters_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        webhook_filters = _parse_webhook_filters(d.pop("webhook_filters", UNSET))

        pre_webhook_retry_count = d.pop("pre_webhook_retry_count", UNSET)

        post_webhook_retry_count = d.pop("post_webhook_retry_count", UNSET)

        notifications = d.pop("notifications", UNSET)

        media = d.pop("media", UNSET)

        def _parse_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        url = _parse_url(d.pop("url", UNSET))

        def _parse_links(data: object) -> None | ServiceLinks | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                links_type_0 = ServiceLinks.from_dict(data)

                return links_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ServiceLinks | Unset, data)

        links = _parse_links(d.pop("links", UNSET))

        service = cls(
            sid=sid,
            account_sid=account_sid,
            friendly_name=friendly_name,
            date_created=date_created,
            date_updated=date_updated,
            default_service_role_sid=default_service_role_sid,
            default_channel_role_sid=default_channel_role_sid,
            default_channel_creator_role_sid=default_channel_creator_role_sid,
            read_status_enabled=read_status_enabled,
            reachability_enabled=reachability_enabled,
            typing_indicator_timeout=typing_indicator_timeout,
            consumption_report_interval=consumption_report_interval,
            limits=limits,
            pre_webhook_url=pre_webhook_url,
            post_webhook_url=post_webhook_url,
            webhook_method=webhook_method,
            webhook_filters=webhook_filters,
            pre_webhook_retry_count=pre_webhook_retry_count,
            post_webhook_retry_count=post_webhook_retry_count,
            notifications=notifications,
            media=media,
            url=url,
            links=links,
        )

        service.additional_properties = d
        return service

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
