"""diff: only the settings the desired entry names, compared as Twilio stores them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from twilio_chat import DesiredService, FieldChange, ListedService
from twilio_chat.provisioning import diff, setting_fields, update_settings

SID = "IS" + "0" * 32


def listed(**values: object) -> ListedService:
    """A listed service whose settings are None except `values` (by keyword)."""
    row = tuple(values.get(field.keyword) for field in setting_fields())
    return ListedService(SID, "a", datetime(2026, 1, 1, tzinfo=UTC), row)


def test_diff_compares_only_named_settings() -> None:
    """Settings the entry does not name are left alone, whatever the listing shows."""
    current = listed(read_status_enabled=False, limits_user_channels=250)
    assert diff(DesiredService("a", {"limits_user_channels": 250}), current) == []


def test_diff_reports_path_old_new_in_field_order() -> None:
    """Each change carries the resource path, the keyword, the listed and desired values."""
    current = listed(read_status_enabled=True, limits_user_channels=250)
    desired = DesiredService("a", {"limits_user_channels": 500, "read_status_enabled": False})
    assert diff(desired, current) == [
        FieldChange("read_status_enabled", "read_status_enabled", True, False),
        FieldChange("limits.user_channels", "limits_user_channels", 250, 500),
    ]


def test_diff_absent_current_value_is_a_change() -> None:
    """A None (absent, null or Unset) listed value differs from any desired value."""
    desired = DesiredService("a", {"notifications_new_message_template": "hi"})
    assert [c.old for c in diff(desired, listed())] == [None]


def test_diff_type_matters() -> None:
    """1 is not true: a value of another type is a change."""
    desired = DesiredService("a", {"read_status_enabled": True})
    assert len(diff(desired, listed(read_status_enabled=1))) == 1


def test_diff_without_listing_is_every_setting() -> None:
    """For a service to create, every desired setting is a change from None."""
    desired = DesiredService("a", {"read_status_enabled": True, "limits_user_channels": 9})
    assert [(c.keyword, c.old) for c in diff(desired, None)] == [
        ("read_status_enabled", None),
        ("limits_user_channels", None),
    ]


@pytest.mark.parametrize(
    ("keyword", "current", "wanted", "changed"),
    [
        pytest.param("webhook_method", "post", "POST", False, id="method-case"),
        pytest.param("webhook_method", "GET", "POST", True, id="method-differs"),
        pytest.param("webhook_method", None, "POST", True, id="method-absent"),
        pytest.param("pre_webhook_url", None, "", False, id="no-url-is-empty"),
        pytest.param("pre_webhook_url", "", "", False, id="empty-url"),
        pytest.param("pre_webhook_url", "https://a.example/x", "", True, id="clear-url"),
        pytest.param(
            "pre_webhook_url",
            "https://a.example/x",
            "https://a.example/x/",
            True,
            id="url-as-given",
        ),
        pytest.param(
            "pre_webhook_url", "https://A.example/x", "https://a.example/x", True, id="url-case"
        ),
        pytest.param("webhook_filters", ["b", "a"], ["a", "b"], False, id="filters-order"),
        pytest.param("webhook_filters", ["a"], ["a", "b"], True, id="filters-added"),
        pytest.param("webhook_filters", None, [], False, id="filters-none-empty"),
        pytest.param("webhook_filters", [], ["a"], True, id="filters-from-empty"),
        pytest.param("webhook_filters", ["a"], [], True, id="filters-clear"),
    ],
)
def test_diff_normalisation(keyword: str, current: object, wanted: object, changed: bool) -> None:
    """Values are compared as Twilio stores them (method case, URL as given, filters a set)."""
    changes = diff(DesiredService("a", {keyword: wanted}), listed(**{keyword: current}))
    assert bool(changes) is changed


def test_update_settings_exactly_the_changes() -> None:
    """The update keywords are exactly the changed fields, with their desired values."""
    current = listed(read_status_enabled=True, limits_user_channels=250)
    desired = DesiredService("a", {"read_status_enabled": True, "limits_user_channels": 500})
    assert update_settings(diff(desired, current)) == {"limits_user_channels": 500}


def test_update_settings_clears_filters_with_one_empty_value() -> None:
    """Clearing the filters is an empty list, which update_service sends as WebhookFilters
    once, empty (a form cannot carry an empty list)."""
    from twilio_chat._settings import update_request

    changes = diff(DesiredService("a", {"webhook_filters": []}), listed(webhook_filters=["a"]))
    settings = update_settings(changes)
    assert settings == {"webhook_filters": []}
    assert update_request(settings).to_dict() == {"WebhookFilters": [""]}


@pytest.mark.parametrize("keyword", ["read_status", "friendly_name"])
def test_desired_service_refuses_unknown_settings(keyword: str) -> None:
    """A DesiredService built in code with a key that is no setting is a ConfigurationError."""
    from twilio_chat import ConfigurationError

    with pytest.raises(ConfigurationError, match=keyword):
        DesiredService("a", {keyword: True})
