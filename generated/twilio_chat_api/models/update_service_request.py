from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.update_service_request_webhook_method import UpdateServiceRequestWebhookMethod
from ..types import UNSET, Unset

T = TypeVar("T", bound="UpdateServiceRequest")


@_attrs_define
class UpdateServiceRequest:
    """The settings of a Service; only those sent are changed.

    Attributes:
        friendly_name (str | Unset): A descriptive string for the resource.
        default_service_role_sid (str | Unset): The service role assigned to users when they are added to the Service.
        default_channel_role_sid (str | Unset): The channel role assigned to users when they are added to a channel.
        default_channel_creator_role_sid (str | Unset): The channel role assigned to a channel creator when they join a
            new channel.
        read_status_enabled (bool | Unset): Whether the Message Consumption Horizon feature is enabled.
        reachability_enabled (bool | Unset): Whether the Reachability Indicator is enabled.
        typing_indicator_timeout (int | Unset): Seconds after a `started typing` event until clients assume the user
            stopped typing.
        consumption_report_interval (int | Unset): DEPRECATED.
        notifications_new_message_enabled (bool | Unset): Whether this push notification is sent.
        notifications_new_message_template (str | Unset): The template of this notification's text.
        notifications_new_message_sound (str | Unset): The sound played with this notification.
        notifications_new_message_badge_count_enabled (bool | Unset): Whether the badge count is updated with new
            messages.
        notifications_added_to_channel_enabled (bool | Unset): Whether this push notification is sent.
        notifications_added_to_channel_template (str | Unset): The template of this notification's text.
        notifications_added_to_channel_sound (str | Unset): The sound played with this notification.
        notifications_removed_from_channel_enabled (bool | Unset): Whether this push notification is sent.
        notifications_removed_from_channel_template (str | Unset): The template of this notification's text.
        notifications_removed_from_channel_sound (str | Unset): The sound played with this notification.
        notifications_invited_to_channel_enabled (bool | Unset): Whether this push notification is sent.
        notifications_invited_to_channel_template (str | Unset): The template of this notification's text.
        notifications_invited_to_channel_sound (str | Unset): The sound played with this notification.
        pre_webhook_url (str | Unset): The URL for pre-event webhooks.
        post_webhook_url (str | Unset): The URL for post-event webhooks.
        webhook_method (UpdateServiceRequestWebhookMethod | Unset): The HTTP method of the webhooks.
        webhook_filters (list[str] | Unset): The webhook events that are enabled; send the parameter once per value.
        limits_channel_members (int | Unset): The maximum number of Members in a Channel.
        limits_user_channels (int | Unset): The maximum number of Channels a User can join.
        media_compatibility_message (str | Unset): The message shown to clients that do not support media messages.
        pre_webhook_retry_count (int | Unset): How many times a pre-event webhook call is retried.
        post_webhook_retry_count (int | Unset): How many times a post-event webhook call is retried.
        notifications_log_enabled (bool | Unset): Whether notifications are logged.
    """

    friendly_name: str | Unset = UNSET
    default_service_role_sid: str | Unset = UNSET
    default_channel_role_sid: str | Unset = UNSET
    default_channel_creator_role_sid: str | Unset = UNSET
    read_status_enabled: bool | Unset = UNSET
    reachability_enabled: bool | Unset = UNSET
    typing_indicator_timeout: int | Unset = UNSET
    consumption_report_interval: int | Unset = UNSET
    notifications_new_message_enabled: bool | Unset = UNSET
    notifications_new_message_template: str | Unset = UNSET
    notifications_new_message_sound: str | Unset = UNSET
    notifications_new_message_badge_count_enabled: bool | Unset = UNSET
    notifications_added_to_channel_enabled: bool | Unset = UNSET
    notifications_added_to_channel_template: str | Unset = UNSET
    notifications_added_to_channel_sound: str | Unset = UNSET
    notifications_removed_from_channel_enabled: bool | Unset = UNSET
    notifications_removed_from_channel_template: str | Unset = UNSET
    notifications_removed_from_channel_sound: str | Unset = UNSET
    notifications_invited_to_channel_enabled: bool | Unset = UNSET
    notifications_invited_to_channel_template: str | Unset = UNSET
    notifications_invited_to_channel_sound: str | Unset = UNSET
    pre_webhook_url: str | Unset = UNSET
    post_webhook_url: str | Unset = UNSET
    webhook_method: UpdateServiceRequestWebhookMethod | Unset = UNSET
    webhook_filters: list[str] | Unset = UNSET
    limits_channel_members: int | Unset = UNSET
    limits_user_channels: int | Unset = UNSET
    media_compatibility_message: str | Unset = UNSET
    pre_webhook_retry_count: int | Unset = UNSET
    post_webhook_retry_count: int | Unset = UNSET
    notifications_log_enabled: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        friendly_name = self.friendly_name

        default_service_role_sid = self.default_service_role_sid

        default_channel_role_sid = self.default_channel_role_sid

        default_channel_creator_role_sid = self.default_channel_creator_role_sid

        read_status_enabled = self.read_status_enabled

        reachability_enabled = self.reachability_enabled

        typing_indicator_timeout = self.typing_indicator_timeout

        consumption_report_interval = self.consumption_report_interval

        notifications_new_message_enabled = self.notifications_new_message_enabled

        notifications_new_message_template = self.notifications_new_message_template

        notifications_new_message_sound = self.notifications_new_message_sound

        notifications_new_message_badge_count_enabled = self.notifications_new_message_badge_count_enabled

        notifications_added_to_channel_enabled = self.notifications_added_to_channel_enabled

        notifications_added_to_channel_template = self.notifications_added_to_channel_template

        notifications_added_to_channel_sound = self.notifications_added_to_channel_sound

        notifications_removed_from_channel_enabled = self.notifications_removed_from_channel_enabled

        notifications_removed_from_channel_template = self.notifications_removed_from_channel_template

        notifications_removed_from_channel_sound = self.notifications_removed_from_channel_sound

        notifications_invited_to_channel_enabled = self.notifications_invited_to_channel_enabled

        notifications_invited_to_channel_template = self.notifications_invited_to_channel_template

        notifications_invited_to_channel_sound = self.notifications_invited_to_channel_sound

        pre_webhook_url = self.pre_webhook_url

        post_webhook_url = self.post_webhook_url

        webhook_method: str | Unset = UNSET
        if not isinstance(self.webhook_method, Unset):
            webhook_method = self.webhook_method.value

        webhook_filters: list[str] | Unset = UNSET
        if not isinstance(self.webhook_filters, Unset):
            webhook_filters = self.webhook_filters

        limits_channel_members = self.limits_channel_members

        limits_user_channels = self.limits_user_channels

        media_compatibility_message = self.media_compatibility_message

        pre_webhook_retry_count = self.pre_webhook_retry_count

        post_webhook_retry_count = self.post_webhook_retry_count

        notifications_log_enabled = self.notifications_log_enabled

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if friendly_name is not UNSET:
            field_dict["FriendlyName"] = friendly_name
        if default_service_role_sid is not UNSET:
            field_dict["DefaultServiceRoleSid"] = default_service_role_sid
        if default_channel_role_sid is not UNSET:
            field_dict["DefaultChannelRoleSid"] = default_channel_role_sid
        if default_channel_creator_role_sid is not UNSET:
            field_dict["DefaultChannelCreatorRoleSid"] = default_channel_creator_role_sid
        if read_status_enabled is not UNSET:
            field_dict["ReadStatusEnabled"] = read_status_enabled
        if reachability_enabled is not UNSET:
            field_dict["ReachabilityEnabled"] = reachability_enabled
        if typing_indicator_timeout is not UNSET:
            field_dict["TypingIndicatorTimeout"] = typing_indicator_timeout
        if consumption_report_interval is not UNSET:
            field_dict["ConsumptionReportInterval"] = consumption_report_interval
        if notifications_new_message_enabled is not UNSET:
            field_dict["Notifications.NewMessage.Enabled"] = notifications_new_message_enabled
        if notifications_new_message_template is not UNSET:
            field_dict["Notifications.NewMessage.Template"] = notifications_new_message_template
        if notifications_new_message_sound is not UNSET:
            field_dict["Notifications.NewMessage.Sound"] = notifications_new_message_sound
        if notifications_new_message_badge_count_enabled is not UNSET:
            field_dict["Notifications.NewMessage.BadgeCountEnabled"] = notifications_new_message_badge_count_enabled
        if notifications_added_to_channel_enabled is not UNSET:
            field_dict["Notifications.AddedToChannel.Enabled"] = notifications_added_to_channel_enabled
        if notifications_added_to_channel_template is not UNSET:
            field_dict["Notifications.AddedToChannel.Template"] = notifications_added_to_channel_template
        if notifications_added_to_channel_sound is not UNSET:
            field_dict["Notifications.AddedToChannel.Sound"] = notifications_added_to_channel_sound
        if notifications_removed_from_channel_enabled is not UNSET:
            field_dict["Notifications.RemovedFromChannel.Enabled"] = notifications_removed_from_channel_enabled
        if notifications_removed_from_channel_template is not UNSET:
            field_dict["Notifications.RemovedFromChannel.Template"] = notifications_removed_from_channel_template
        if notifications_removed_from_channel_sound is not UNSET:
            field_dict["Notifications.RemovedFromChannel.Sound"] = notifications_removed_from_channel_sound
        if notifications_invited_to_channel_enabled is not UNSET:
            field_dict["Notifications.InvitedToChannel.Enabled"] = notifications_invited_to_channel_enabled
        if notifications_invited_to_channel_template is not UNSET:
            field_dict["Notifications.InvitedToChannel.Template"] = notifications_invited_to_channel_template
        if notifications_invited_to_channel_sound is not UNSET:
            field_dict["Notifications.InvitedToChannel.Sound"] = notifications_invited_to_channel_sound
        if pre_webhook_url is not UNSET:
            field_dict["PreWebhookUrl"] = pre_webhook_url
        if post_webhook_url is not UNSET:
            field_dict["PostWebhookUrl"] = post_webhook_url
        if webhook_method is not UNSET:
            field_dict["WebhookMethod"] = webhook_method
        if webhook_filters is not UNSET:
            field_dict["WebhookFilters"] = webhook_filters
        if limits_channel_members is not UNSET:
            field_dict["Limits.ChannelMembers"] = limits_channel_members
        if limits_user_channels is not UNSET:
            field_dict["Limits.UserChannels"] = limits_user_channels
        if media_compatibility_message is not UNSET:
            field_dict["Media.CompatibilityMessage"] = media_compatibility_message
        if pre_webhook_retry_count is not UNSET:
            field_dict["PreWebhookRetryCount"] = pre_webhook_retry_count
        if post_webhook_retry_count is not UNSET:
            field_dict["PostWebhookRetryCount"] = post_webhook_retry_count
        if notifications_log_enabled is not UNSET:
            field_dict["Notifications.LogEnabled"] = notifications_log_enabled

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        friendly_name = d.pop("FriendlyName", UNSET)

        default_service_role_sid = d.pop("DefaultServiceRoleSid", UNSET)

        default_channel_role_sid = d.pop("DefaultChannelRoleSid", UNSET)

        default_channel_creator_role_sid = d.pop("DefaultChannelCreatorRoleSid", UNSET)

        read_status_enabled = d.pop("ReadStatusEnabled", UNSET)

        reachability_enabled = d.pop("ReachabilityEnabled", UNSET)

        typing_indicator_timeout = d.pop("TypingIndicatorTimeout", UNSET)

        consumption_report_interval = d.pop("ConsumptionReportInterval", UNSET)

        notifications_new_message_enabled = d.pop("Notifications.NewMessage.Enabled", UNSET)

        notifications_new_message_template = d.pop("Notifications.NewMessage.Template", UNSET)

        notifications_new_message_sound = d.pop("Notifications.NewMessage.Sound", UNSET)

        notifications_new_message_badge_count_enabled = d.pop("Notifications.NewMessage.BadgeCountEnabled", UNSET)

        notifications_added_to_channel_enabled = d.pop("Notifications.AddedToChannel.Enabled", UNSET)

        notifications_added_to_channel_template = d.pop("Notifications.AddedToChannel.Template", UNSET)

        notifications_added_to_channel_sound = d.pop("Notifications.AddedToChannel.Sound", UNSET)

        notifications_removed_from_channel_enabled = d.pop("Notifications.RemovedFromChannel.Enabled", UNSET)

        notifications_removed_from_channel_template = d.pop("Notifications.RemovedFromChannel.Template", UNSET)

        notifications_removed_from_channel_sound = d.pop("Notifications.RemovedFromChannel.Sound", UNSET)

        notifications_invited_to_channel_enabled = d.pop("Notifications.InvitedToChannel.Enabled", UNSET)

        notifications_invited_to_channel_template = d.pop("Notifications.InvitedToChannel.Template", UNSET)

        notifications_invited_to_channel_sound = d.pop("Notifications.InvitedToChannel.Sound", UNSET)

        pre_webhook_url = d.pop("PreWebhookUrl", UNSET)

        post_webhook_url = d.pop("PostWebhookUrl", UNSET)

        _webhook_method = d.pop("WebhookMethod", UNSET)
        webhook_method: UpdateServiceRequestWebhookMethod | Unset
        if isinstance(_webhook_method, Unset):
            webhook_method = UNSET
        else:
            webhook_method = UpdateServiceRequestWebhookMethod(_webhook_method)

        webhook_filters = cast(list[str], d.pop("WebhookFilters", UNSET))

        limits_channel_members = d.pop("Limits.ChannelMembers", UNSET)

        limits_user_channels = d.pop("Limits.UserChannels", UNSET)

        media_compatibility_message = d.pop("Media.CompatibilityMessage", UNSET)

        pre_webhook_retry_count = d.pop("PreWebhookRetryCount", UNSET)

        post_webhook_retry_count = d.pop("PostWebhookRetryCount", UNSET)

        notifications_log_enabled = d.pop("Notifications.LogEnabled", UNSET)

        update_service_request = cls(
            friendly_name=friendly_name,
            default_service_role_sid=default_service_role_sid,
            default_channel_role_sid=default_channel_role_sid,
            default_channel_creator_role_sid=default_channel_creator_role_sid,
            read_status_enabled=read_status_enabled,
            reachability_enabled=reachability_enabled,
            typing_indicator_timeout=typing_indicator_timeout,
            consumption_report_interval=consumption_report_interval,
            notifications_new_message_enabled=notifications_new_message_enabled,
            notifications_new_message_template=notifications_new_message_template,
            notifications_new_message_sound=notifications_new_message_sound,
            notifications_new_message_badge_count_enabled=notifications_new_message_badge_count_enabled,
            notifications_added_to_channel_enabled=notifications_added_to_channel_enabled,
            notifications_added_to_channel_template=notifications_added_to_channel_template,
            notifications_added_to_channel_sound=notifications_added_to_channel_sound,
            notifications_removed_from_channel_enabled=notifications_removed_from_channel_enabled,
            notifications_removed_from_channel_template=notifications_removed_from_channel_template,
            notifications_removed_from_channel_sound=notifications_removed_from_channel_sound,
            notifications_invited_to_channel_enabled=notifications_invited_to_channel_enabled,
            notifications_invited_to_channel_template=notifications_invited_to_channel_template,
            notifications_invited_to_channel_sound=notifications_invited_to_channel_sound,
            pre_webhook_url=pre_webhook_url,
            post_webhook_url=post_webhook_url,
            webhook_method=webhook_method,
            webhook_filters=webhook_filters,
            limits_channel_members=limits_channel_members,
            limits_user_channels=limits_user_channels,
            media_compatibility_message=media_compatibility_message,
            pre_webhook_retry_count=pre_webhook_retry_count,
            post_webhook_retry_count=post_webhook_retry_count,
            notifications_log_enabled=notifications_log_enabled,
        )

        update_service_request.additional_properties = d
        return update_service_request

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
