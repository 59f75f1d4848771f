"""`twilio-chat list`, `get`, `update` and `delete` against the emulator on a loopback port."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest

from twilio_chat.cli import main
from twilio_chat.testing import (
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    ChatEmulator,
    EmulatorServer,
    Faults,
)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    with EmulatorServer(ChatEmulator()) as running:
        monkeypatch.setenv("TWILIO_ACCOUNT_SID", TEST_ACCOUNT_SID)
        monkeypatch.setenv("TWILIO_AUTH_TOKEN", TEST_AUTH_TOKEN)
        monkeypatch.setenv("TWILIO_CHAT_BASE_URL", running.base_url)
        yield running


def _create(capsys: pytest.CaptureFixture[str], name: str) -> str:
    assert main(["create-service", name]) == 0
    sid: str = json.loads(capsys.readouterr().out)["sid"]
    return sid


def test_cli_list_formats(server: EmulatorServer, capsys: pytest.CaptureFixture[str]) -> None:
    """`list` prints every service as a JSON array, table rows or CSV; --limit bounds it."""
    sids = [_create(capsys, f"svc-{n}") for n in range(3)]
    assert main(["list"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [service["sid"] for service in listed] == sids
    assert main(["list", "--format", "csv", "--limit", "2"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["sid", "friendly_name", "date_created", "date_updated"]
    assert [row[0] for row in rows[1:]] == sids[:2]
    assert main(["list", "--format", "table"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == sids


def test_cli_list_empty_account_is_an_empty_array(
    server: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """An account with no services lists as `[]`, still valid JSON."""
    assert main(["list"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_cli_get_update_delete(server: EmulatorServer, capsys: pytest.CaptureFixture[str]) -> None:
    """get prints the service; update applies typed --set values; delete removes it (then get
    exits 3 with Twilio's 20404)."""
    sid = _create(capsys, "tenant")
    assert main(["get", sid]) == 0
    assert json.loads(capsys.readouterr().out)["friendly_name"] == "tenant"
    argv = [
        "update",
        sid,
        "--set",
        "read_status_enabled=false",
        "--set",
        "limits_user_channels=500",
        "--set",
        "webhook_method=get",
        "--set",
        "webhook_filters=onMessageSend,onChannelAdded",
        "--set",
        "notifications_new_message_template=Hi = there",
    ]
    assert main(argv) == 0
    updated = json.loads(capsys.readouterr().out)
    assert updated["read_status_enabled"] is False
    assert updated["limits"]["user_channels"] == 500
    assert updated["webhook_method"] == "GET"
    assert updated["webhook_filters"] == ["onMessageSend", "onChannelAdded"]
    assert updated["notifications"]["new_message"]["template"] == "Hi = there"
    assert main(["delete", sid]) == 0
    assert f"deleted {sid}" in capsys.readouterr().err
    assert server.emulator.existing_count("tenant") == 0
    assert main(["get", sid]) == 3
    assert "NotFoundError" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        pytest.param("read_status_enabled=yes", "expected true or false", id="bad-bool"),
        pytest.param("limits_user_channels=many", "expected an integer", id="bad-int"),
        pytest.param("webhook_method=PUT", "must be one of GET, POST", id="bad-enum"),
        pytest.param("limits_user_channel=5", "did you mean 'limits_user_channels'", id="typo"),
        pytest.param("no-equals-sign", "expected KEY=VALUE", id="no-equals"),
    ],
)
def test_cli_update_bad_setting_exit_2_before_any_request(
    server: EmulatorServer, capsys: pytest.CaptureFixture[str], setting: str, message: str
) -> None:
    """A bad key or value is exit 2 with one line, and nothing reaches the server."""
    before = server.emulator.stats.update_requests
    assert main(["update", "IS" + "0" * 32, "--set", setting]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert server.emulator.stats.update_requests == before


@pytest.mark.parametrize("command", ["get", "update", "delete"])
def test_cli_malformed_sid_exit_2(
    server: EmulatorServer, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """A malformed SID is a usage error (exit 2) for every command that takes one."""
    extra = ["--set", "friendly_name=x"] if command == "update" else []
    assert main([command, "IS123", *extra]) == 2
    assert "service SID" in capsys.readouterr().err


def test_cli_ambiguous_create_says_how_to_check(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 4 for a create that may have happened, and the message says how to look."""
    emulator = ChatEmulator(faults=Faults(error_after_create=1.0))
    with EmulatorServer(emulator) as running:
        monkeypatch.setenv("TWILIO_ACCOUNT_SID", TEST_ACCOUNT_SID)
        monkeypatch.setenv("TWILIO_AUTH_TOKEN", TEST_AUTH_TOKEN)
        monkeypatch.setenv("TWILIO_CHAT_BASE_URL", running.base_url)
        assert main(["create-service", "maybe"]) == 4
    assert "twilio-chat list" in capsys.readouterr().err
