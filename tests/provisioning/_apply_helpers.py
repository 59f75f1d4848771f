"""What the apply tests share: a file of configured services, running apply, and checking
the emulator's records field by field."""

from __future__ import annotations

from pathlib import Path

from twilio_chat import ApplyResult, ChatClient, DesiredService, DesiredState, apply, load_desired
from twilio_chat.provisioning import setting_fields
from twilio_chat.testing import ChatEmulator


def services_yaml(count: int, *, user_channels: int = 500) -> str:
    """A file of `count` configured services: shared defaults and per-service settings."""
    lines = [
        "defaults:",
        "  read_status_enabled: true",
        "  reachability_enabled: true",
        f"  limits: {{user_channels: {user_channels}, channel_members: 250}}",
        "  webhook_method: POST",
        "  webhook_filters: [onMessageSend, onChannelAdded]",
        "services:",
    ]
    for i in range(count):
        lines.append(f"  - friendly_name: tenant-{i:04d}")
        lines.append(f"    pre_webhook_url: https://hooks.example.com/pre/{i:04d}")
        if i % 3 == 0:
            lines.append('    notifications: {new_message: {enabled: true, template: "New"}}')
    return "\n".join(lines) + "\n"


def desired_file(tmp_path: Path, text: str) -> DesiredState:
    path = tmp_path / "services.yaml"
    path.write_text(text, encoding="utf-8")
    return load_desired(path)


async def run(chat: ChatClient, desired: DesiredState, **kwargs: object) -> dict[str, ApplyResult]:
    """Apply and keep the last result per service (the one that holds)."""
    final: dict[str, ApplyResult] = {}
    async for result in apply(chat, desired, **kwargs):  # type: ignore[arg-type]
        final[result.friendly_name] = result
    return final


def stored_as_desired(emulator: ChatEmulator, sid: str, service: DesiredService) -> bool:
    """Whether the emulator's record of `sid` holds every desired setting, field by field."""
    stored = emulator.service(sid)
    if stored is None or stored.friendly_name != service.friendly_name:
        return False
    for field in setting_fields():
        if field.keyword not in service.settings:
            continue
        value: object = stored.settings
        for key in field.path:
            if not isinstance(value, dict):
                return False
            value = value[key]
        if value != service.settings[field.keyword]:
            return False
    return True


def assert_as_desired(emulator: ChatEmulator, desired: DesiredState) -> None:
    """Every desired service exists exactly once, with exactly its desired settings."""
    existing = emulator.existing_names()
    by_name = {record.friendly_name: record.sid for record in emulator.services}
    for service in desired:
        assert existing[service.friendly_name] == 1, service.friendly_name
        assert stored_as_desired(emulator, by_name[service.friendly_name], service), service
