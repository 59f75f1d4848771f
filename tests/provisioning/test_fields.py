"""The field mapping: derived from the generated update model, one rule for every setting."""

from __future__ import annotations

import attrs
import pytest
from twilio_chat_api.models import UpdateServiceRequest

from twilio_chat import ServiceLimits
from twilio_chat.provisioning._fields import read_path, setting_fields, snake_case


def test_fields_cover_every_update_parameter() -> None:
    """Every field of UpdateServiceRequest is a setting, so a new spec parameter needs no code."""
    model = {field.name for field in attrs.fields(UpdateServiceRequest)}
    assert {field.keyword for field in setting_fields()} == model - {"additional_properties"}


def test_fields_map_form_names_to_resource_paths() -> None:
    """A dotted form name becomes the nested resource path, CamelCase -> snake_case."""
    by_parameter = {field.parameter: field for field in setting_fields()}
    badge = by_parameter["Notifications.NewMessage.BadgeCountEnabled"]
    assert badge.path == ("notifications", "new_message", "badge_count_enabled")
    assert badge.keyword == "notifications_new_message_badge_count_enabled"
    assert by_parameter["Limits.UserChannels"].dotted == "limits.user_channels"
    assert by_parameter["WebhookFilters"].kind is list
    assert by_parameter["PreWebhookUrl"].path == ("pre_webhook_url",)


def test_fields_paths_agree_with_keywords() -> None:
    """Each resource path joined by underscores is the update keyword (one naming, two shapes)."""
    for field in setting_fields():
        assert "_".join(field.path) == field.keyword


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        ("UserChannels", "user_channels"),
        ("LogEnabled", "log_enabled"),
        ("PreWebhookURL", "pre_webhook_url"),
        ("Media", "media"),
    ],
)
def test_fields_snake_case(segment: str, expected: str) -> None:
    """CamelCase segments, acronyms included, become snake_case."""
    assert snake_case(segment) == expected


def test_fields_read_path_walks_models_and_unknown_properties() -> None:
    """Nested models are walked; a property the model lacks comes from additional_properties."""
    limits = ServiceLimits(user_channels=10)
    limits.additional_properties["new_limit"] = 3
    assert read_path(limits, ("user_channels",)) == 10
    assert read_path(limits, ("channel_members",)) is None  # Unset
    assert read_path(limits, ("new_limit",)) == 3
    assert read_path(limits, ("user_channels", "deeper")) is None
