"""Response bodies shaped like Twilio's, for tests that fake the server."""

from __future__ import annotations

from typing import Any

DEFAULT_SID = "IS" + "0" * 32


def service_body(sid: str = DEFAULT_SID, friendly_name: str = "x") -> dict[str, Any]:
    """A complete service resource, as Twilio returns it from create, fetch and update."""
    url = f"https://ip-messaging.twilio.com/v2/Services/{sid}"
    off = {"enabled": False, "template": None, "sound": None}
    return {
        "sid": sid,
        "account_sid": "AC" + "a" * 32,
        "friendly_name": friendly_name,
        "date_created": "2015-07-30T20:00:00Z",
        "date_updated": "2015-07-30T20:00:00Z",
        "default_service_role_sid": "RL" + "a" * 32,
        "default_channel_role_sid": "RL" + "b" * 32,
        "default_channel_creator_role_sid": "RL" + "c" * 32,
        "read_status_enabled": True,
        "reachability_enabled": False,
        "typing_indicator_timeout": 5,
        "consumption_report_interval": 10,
        "limits": {"channel_members": 100, "user_channels": 250},
        "pre_webhook_url": None,
        "post_webhook_url": None,
        "webhook_method": "POST",
        "webhook_filters": [],
        "pre_webhook_retry_count": 0,
        "post_webhook_retry_count": 0,
        "notifications": {
            "log_enabled": False,
            "new_message": {**off, "badge_count_enabled": False},
            "added_to_channel": off,
            "removed_from_channel": off,
            "invited_to_channel": off,
        },
        "media": {"size_limit_mb": 150, "compatibility_message": None},
        "url": url,
        "links": {
            name: f"{url}/{name.title()}" for name in ("channels", "roles", "users", "bindings")
        },
    }
