from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.service_limits import ServiceLimits
    from ..models.service_links import ServiceLinks
    from ..models.service_media import ServiceMedia
    from ..models.service_notifications import ServiceNotifications


T = TypeVar("T", bound="Service")


@_attrs_define
class Service:
    """A Chat Service instance (Twilio's `ip_messaging.v2.service`). The fields every caller reads are required and typed
    for what Twilio always sends (see spec/deviations.yaml).

        Attributes:
            sid (str): The unique string that we created to identify the Service resource.
            account_sid (str): The SID of the Account that created the Service resource.
            friendly_name (str): The string that you assigned to describe the resource.
            date_created (datetime.datetime): The date and time in GMT when the resource was created, in ISO 8601 format.
            date_updated (datetime.datetime): The date and time in GMT when the resource was last updated, in ISO 8601
                format.
            limits (ServiceLimits): The limits of the Service instance.
            notifications (ServiceNotifications): The push notification configuration of the Service instance.
            media (ServiceMedia): The properties of media that the Service supports.
            url (str): The absolute URL of the Service resource.
            links (ServiceLinks): The absolute URLs of the Service's Channels, Roles, Bindings and Users.
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
    """

    sid: str
    account_sid: str
    friendly_name: str
    date_created: datetime.datetime
    date_updated: datetime.datetime
    limits: ServiceLimits
    notifications: ServiceNotifications
    media: ServiceMedia
    url: str
    links: ServiceLinks
    default_service_role_sid: None | str | Unset = UNSET
    default_channel_role_sid: None | str | Unset = UNSET
    default_channel_creator_role_sid: None | str | Unset = UNSET
    read_status_enabled: bool | None | Unset = UNSET
    reachability_enabled: bool | None | Unset = UNSET
    typing_indicator_timeout: int | Unset = 0
    consumption_report_interval: int | Unset = 0
    pre_webhook_url: None | str | Unset = UNSET
    post_webhook_url: None | str | Unset = UNSET
    webhook_method: None | str | Unset = UNSET
    webhook_filters: list[str] | None | Unset = UNSET
    pre_webhook_retry_count: int | Unset = 0
    post_webhook_retry_count: int | Unset = 0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        sid = self.sid

        account_sid = self.account_sid

        friendly_name = self.friendly_name

        date_created = self.date_created.isoformat()

        date_updated = self.date_updated.isoformat()

        limits = self.limits.to_dict()

        notifications = self.notifications.to_dict()

        media = self.media.to_dict()

        url = self.url

        links = self.links.to_dict()

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

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "sid": sid,
                "account_sid": account_sid,
                "friendly_name": friendly_name,
                "date_created": date_created,
                "date_updated": date_updated,
                "limits": limits,
                "notifications": notifications,
                "media": media,
                "url": url,
                "links": links,
            }
        )
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

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.service_limits import ServiceLimits  # noqa: PLC0415
        from ..models.service_links import ServiceLinks  # noqa: PLC0415
        from ..models.service_media import ServiceMedia  # noqa: PLC0415
        from ..models.service_notifications import ServiceNotifications  # noqa: PLC0415

        d = dict(src_dict)
        sid = d.pop("sid")

        account_sid = d.pop("account_sid")

        friendly_name = d.pop("friendly_name")

        date_created = datetime.datetime.fromisoformat(d.pop("date_created"))

        date_updated = datetime.datetime.fromisoformat(d.pop("date_updated"))

        limits = ServiceLimits.from_dict(d.pop("limits"))

        notifications = ServiceNotifications.from_dict(d.pop("notifications"))

        media = ServiceMedia.from_dict(d.pop("media"))

        url = d.pop("url")

        links = ServiceLinks.from_dict(d.pop("links"))

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

        service = cls(
            sid=sid,
            account_sid=account_sid,
            friendly_name=friendly_name,
            date_created=date_created,
            date_updated=date_updated,
            limits=limits,
            notifications=notifications,
            media=media,
            url=url,
            links=links,
            default_service_role_sid=default_service_role_sid,
            default_channel_role_sid=default_channel_role_sid,
            default_channel_creator_role_sid=default_channel_creator_role_sid,
            read_status_enabled=read_status_enabled,
            reachability_enabled=reachability_enabled,
            typing_indicator_timeout=typing_indicator_timeout,
            consumption_report_interval=consumption_report_interval,
            pre_webhook_url=pre_webhook_url,
            post_webhook_url=post_webhook_url,
            webhook_method=webhook_method,
            webhook_filters=webhook_filters,
            pre_webhook_retry_count=pre_webhook_retry_count,
            post_webhook_retry_count=post_webhook_retry_count,
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
