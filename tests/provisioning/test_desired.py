"""load_desired: the file format (YAML, JSON, names) and every kind of problem, with file,
line and key, reported before any request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from twilio_chat import (
    ConfigurationError,
    DesiredService,
    DesiredStateError,
    load_desired,
)
from twilio_chat.provisioning._desired import MAX_PROBLEMS
from twilio_chat.provisioning._fields import setting_fields

ROLE = "RL" + "0123456789abcdef" * 2


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[tuple[int, str, str]]:
    with pytest.raises(DesiredStateError) as caught:
        load_desired(path)
    for problem in caught.value.problems:
        assert problem.file == str(path)
    return [(p.line, p.key, p.message) for p in caught.value.problems]


# --- The format --------------------------------------------------------------------------------

ISSUE_EXAMPLE = """\
defaults:                      # applied to every service unless it says otherwise
  read_status_enabled: true
  reachability_enabled: true
  limits: {user_channels: 500, channel_members: 250}
  webhook_method: POST
  webhook_filters: [onMessageSend, onChannelAdded]
services:
  - friendly_name: tenant-0001
    pre_webhook_url: https://hooks.example.com/pre/0001
  - friendly_name: tenant-0002
    notifications: {new_message: {enabled: true, template: "New message"}}
"""


def test_desired_issue_example(tmp_path: Path) -> None:
    """The issue's example file loads: defaults merged into each entry, nested keys flattened."""
    state = load_desired(write(tmp_path, "services.yaml", ISSUE_EXAMPLE))
    assert state.names == ["tenant-0001", "tenant-0002"]
    first, second = state.services
    assert first.line == 8
    assert dict(first.settings) == {
        "read_status_enabled": True,
        "reachability_enabled": True,
        "pre_webhook_url": "https://hooks.example.com/pre/0001",
        "webhook_method": "POST",
        "webhook_filters": ["onMessageSend", "onChannelAdded"],
        "limits_channel_members": 250,
        "limits_user_channels": 500,
    }
    assert second.settings["notifications_new_message_enabled"] is True
    assert second.settings["notifications_new_message_template"] == "New message"
    assert "pre_webhook_url" not in second.settings


def _every_key_yaml() -> tuple[str, dict[str, object]]:
    """A service entry naming every writable setting, nested as the resource nests it."""
    values: dict[str, object] = {}
    tree: dict[str, object] = {}
    for field in setting_fields():
        if field.keyword == "friendly_name":
            continue
        if field.keyword.endswith("_role_sid"):
            value: object = ROLE
        elif field.keyword.endswith("_url"):
            value = f"https://hooks.example.com/{field.keyword}"
        elif field.kind is bool:
            value = True
        elif field.kind is int:
            value = 7
        elif field.kind is list:
            value = ["onMessageSend"]
        elif field.keyword == "webhook_method":
            value = "GET"
        else:
            value = f"text for {field.keyword}"
        values[field.keyword] = value
        node = tree
        for key in field.path[:-1]:
            node = node.setdefault(key, {})  # type: ignore[assignment,attr-defined]
        node[field.path[-1]] = value  # type: ignore[index]
    entry = {"friendly_name": "every-key", **tree}
    return json.dumps({"services": [entry]}, indent=2), values


def test_desired_every_key(tmp_path: Path) -> None:
    """Every writable setting of the resource is a key of the file, at its nested place."""
    text, expected = _every_key_yaml()
    (service,) = load_desired(write(tmp_path, "all.json", text)).services
    assert dict(service.settings) == expected
    assert len(expected) == len(setting_fields()) - 1  # all but friendly_name


def test_desired_defaults_merge_leaf_by_leaf(tmp_path: Path) -> None:
    """An entry's own value wins over the default for that leaf only; sibling defaults stay."""
    text = """\
defaults:
  limits: {user_channels: 500, channel_members: 250}
  notifications: {new_message: {enabled: true, template: "default"}}
  webhook_filters: [onMessageSend, onChannelAdded]
services:
  - friendly_name: a
    limits: {user_channels: 20}
    notifications: {new_message: {template: "own"}}
    webhook_filters: [onUserAdded]
  - friendly_name: b
"""
    a, b = load_desired(write(tmp_path, "s.yml", text)).services
    assert a.settings["limits_user_channels"] == 20
    assert a.settings["limits_channel_members"] == 250
    assert a.settings["notifications_new_message_enabled"] is True
    assert a.settings["notifications_new_message_template"] == "own"
    assert a.settings["webhook_filters"] == ["onUserAdded"]  # a list is one leaf: replaced
    assert b.settings["limits_user_channels"] == 500
    assert b.settings["notifications_new_message_template"] == "default"


def test_desired_without_defaults_or_settings(tmp_path: Path) -> None:
    """`defaults:` is optional, and an entry may have no settings (create only)."""
    state = load_desired(write(tmp_path, "s.yaml", "services:\n  - friendly_name: bare\n"))
    assert state.services == (DesiredService("bare", {}, 2),)


def test_desired_webhook_method_any_case(tmp_path: Path) -> None:
    """`webhook_method: post` is read as POST, the way Twilio stores it."""
    text = "services:\n  - {friendly_name: a, webhook_method: post}\n"
    (service,) = load_desired(write(tmp_path, "s.yaml", text)).services
    assert service.settings["webhook_method"] == "POST"


def test_desired_clearing_values(tmp_path: Path) -> None:
    """ "" for a webhook URL and [] for the filters are valid: they mean none."""
    text = 'services:\n  - {friendly_name: a, pre_webhook_url: "", webhook_filters: []}\n'
    (service,) = load_desired(write(tmp_path, "s.yaml", text)).services
    assert service.settings["pre_webhook_url"] == ""
    assert service.settings["webhook_filters"] == []


def test_desired_yaml_anchors_and_merge_keys(tmp_path: Path) -> None:
    """YAML anchors and `<<` merge keys work, so a file can share a block among entries."""
    text = """\
services:
  - &base {friendly_name: a, limits: {user_channels: 9}}
  - <<: *base
    friendly_name: b
"""
    _, b = load_desired(write(tmp_path, "s.yaml", text)).services
    assert b.friendly_name == "b"
    assert b.settings["limits_user_channels"] == 9


def test_desired_json_form(tmp_path: Path) -> None:
    """A .json file is read the same way, tabs and escaped surrogate pairs included."""
    text = (
        '{\n\t"defaults": {"read_status_enabled": false},\n\t"services": [\n'
        '\t\t{"friendly_name": "caf\\u00e9 \\ud83d\\ude00", "limits": {"user_channels": 3}}\n\t]\n}'
    )
    (service,) = load_desired(write(tmp_path, "s.json", text)).services
    assert service.friendly_name == "café 😀"
    assert dict(service.settings) == {"read_status_enabled": False, "limits_user_channels": 3}
    assert service.line == 4


def test_desired_json_problems_have_lines(tmp_path: Path) -> None:
    """A JSON file's problems carry their line like YAML's."""
    text = (
        '{\n  "services": [\n    {"friendly_name": "a",\n'
        '     "limits": {"user_channels": 0}}\n  ]\n}'
    )
    assert problems(write(tmp_path, "s.json", text)) == [
        (4, "services[0].limits.user_channels", "must be an integer from 1 to 1000, got 0")
    ]


def test_desired_format_override(tmp_path: Path) -> None:
    """`format=` reads a file whatever its extension says."""
    path = write(tmp_path, "services.conf", "services:\n  - friendly_name: a\n")
    assert load_desired(path, format="yaml").names == ["a"]
    assert load_desired(path).names == ["services:", "- friendly_name: a"]  # a names file
    with pytest.raises(ConfigurationError, match="format must be"):
        load_desired(path, format="toml")  # type: ignore[arg-type]


# --- The names form ----------------------------------------------------------------------------


def test_desired_names_file(tmp_path: Path) -> None:
    """A names file: one per line, BOM dropped, \\r\\n accepted, blanks skipped, no settings."""
    path = tmp_path / "names.txt"
    path.write_bytes(b'\xef\xbb\xbfalpha\r\n\r\n  beta  \n{"name": "gamma"}\n')
    state = load_desired(path)
    assert state.names == ["alpha", "beta", "gamma"]
    assert [service.line for service in state.services] == [1, 3, 4]
    assert all(not service.settings for service in state.services)


def test_desired_names_file_splits_only_on_newline(tmp_path: Path) -> None:
    """U+2028 and a form feed do not end a line: they are refused characters, with the line."""
    path = write(tmp_path, "names.txt", "ok\nfirst\u2028second\nthird\x0c\n")
    found = problems(path)
    assert [line for line, _, _ in found] == [2, 3]
    assert "U+2028" in found[0][2]
    assert "U+000C" in found[1][2]


def test_desired_names_file_problems(tmp_path: Path) -> None:
    """Duplicates, over-long names and bad JSON lines are each reported with their line."""
    path = write(tmp_path, "names.txt", "a\n" + "x" * 65 + '\na\n{oops\n{"id": 1}\n')
    assert [(line, message.split(":")[0]) for line, _, message in problems(path)] == [
        (2, "friendly_name is 65 characters; Twilio allows at most 64"),
        (3, "'a' is already on line 1"),
        (4, "not a name and not a valid JSON line"),
        (5, 'expected a JSON object with a "name" string'),
    ]


# --- Problems: each kind, with file, line and key ---------------------------------------------


@pytest.mark.parametrize(
    ("entry", "key", "message"),
    [
        pytest.param(
            "read_status: true", "read_status", "did you mean 'read_status_enabled'?", id="unknown"
        ),
        pytest.param("sid: IS1", "sid", "read-only", id="read-only"),
        pytest.param(
            "media: {size_limit_mb: 5}", "media.size_limit_mb", "read-only", id="read-only-nested"
        ),
        pytest.param("limits: {users: 5}", "limits.users", "unknown key", id="unknown-nested"),
        pytest.param(
            "read_status_enabled: 1",
            "read_status_enabled",
            "must be a bool, got int",
            id="int-for-bool",
        ),
        pytest.param(
            'typing_indicator_timeout: "5"',
            "typing_indicator_timeout",
            "must be an int, got str",
            id="str-for-int",
        ),
        pytest.param(
            "typing_indicator_timeout: 5.0",
            "typing_indicator_timeout",
            "must be an int, got float",
            id="float-for-int",
        ),
        pytest.param(
            "typing_indicator_timeout: true",
            "typing_indicator_timeout",
            "must be an int, got bool",
            id="bool-for-int",
        ),
        pytest.param(
            "typing_indicator_timeout: -1",
            "typing_indicator_timeout",
            "from 0 to 2147483647",
            id="negative",
        ),
        pytest.param(
            "post_webhook_retry_count: 2147483648",
            "post_webhook_retry_count",
            "from 0 to",
            id="int32",
        ),
        pytest.param(
            "limits: {user_channels: 0}",
            "limits.user_channels",
            "from 1 to 1000, got 0",
            id="limit-low",
        ),
        pytest.param(
            "limits: {channel_members: 1001}",
            "limits.channel_members",
            "from 1 to 1000, got 1001",
            id="limit-high",
        ),
        pytest.param("limits: 5", "limits", "must be a mapping", id="scalar-for-branch"),
        pytest.param(
            "webhook_method: PUT", "webhook_method", "must be one of GET, POST", id="method"
        ),
        pytest.param(
            "pre_webhook_url: /relative",
            "pre_webhook_url",
            "absolute http or https URL",
            id="relative-url",
        ),
        pytest.param(
            "post_webhook_url: ftp://x.example",
            "post_webhook_url",
            "absolute http or https URL",
            id="ftp-url",
        ),
        pytest.param(
            "default_channel_role_sid: RL123",
            "default_channel_role_sid",
            "RL + 32 hex",
            id="role-sid",
        ),
        pytest.param(
            "default_service_role_sid: IS" + "0" * 32,
            "default_service_role_sid",
            "RL + 32 hex",
            id="role-sid-prefix",
        ),
        pytest.param(
            "webhook_filters: onMessageSend",
            "webhook_filters",
            "list of strings",
            id="str-for-list",
        ),
        pytest.param(
            "webhook_filters: [1]", "webhook_filters", "list of strings", id="int-in-list"
        ),
        pytest.param(
            "webhook_filters: [[a]]", "webhook_filters", "list of strings", id="nested-list"
        ),
        pytest.param(
            "webhook_filters: [a, a]", "webhook_filters", "'a' is listed twice", id="dup-filter"
        ),
        pytest.param('webhook_filters: [""]', "webhook_filters", "empty string", id="empty-filter"),
        pytest.param(
            "read_status_enabled: [true]", "read_status_enabled", "not a list", id="list-for-bool"
        ),
        pytest.param("read_status_enabled: null", "read_status_enabled", "not null", id="null"),
        pytest.param(
            "notifications: {new_message: {template: 2024-01-01}}",
            "notifications.new_message.template",
            "quote it",
            id="yaml-date",
        ),
        pytest.param(
            "notifications: {new_message: {template: yes}}",
            "notifications.new_message.template",
            "got bool (quote it",
            id="yaml-bool",
        ),
        pytest.param(
            'media: {compatibility_message: "a\\x01b"}',
            "media.compatibility_message",
            "control character U+0001",
            id="control",
        ),
        pytest.param(
            'media: {compatibility_message: "a\\u2028b"}',
            "media.compatibility_message",
            "U+2028",
            id="line-separator",
        ),
    ],
)
def test_desired_setting_problem(tmp_path: Path, entry: str, key: str, message: str) -> None:
    """Each bad setting is reported with the file, its line and its nested key."""
    text = f"services:\n  - friendly_name: a\n    {entry}\n"
    ((line, found_key, found_message),) = problems(write(tmp_path, "s.yaml", text))
    assert (line, found_key) == (3, f"services[0].{key}")
    assert message in found_message


@pytest.mark.parametrize(
    ("text", "line", "key", "message"),
    [
        pytest.param("", 1, "", "the file is empty", id="empty"),
        pytest.param("- a\n- b\n", 1, "(top level)", "must be a mapping", id="top-list"),
        pytest.param("defaults: {}\n", 1, "services", "missing", id="no-services"),
        pytest.param("services: {a: 1}\n", 1, "services", "must be a list", id="services-map"),
        pytest.param(
            "service: []\nservices: []\n",
            1,
            "service",
            "did you mean 'services'?",
            id="unknown-top",
        ),
        pytest.param(
            "services:\n  - a\n", 2, "services[0]", "must be a mapping", id="entry-scalar"
        ),
        pytest.param(
            "services:\n  - {limits: {}}\n", 2, "services[0].friendly_name", "missing", id="no-name"
        ),
        pytest.param(
            "services:\n  - friendly_name: ''\n",
            2,
            "services[0].friendly_name",
            "must not be empty",
            id="empty-name",
        ),
        pytest.param(
            "services:\n  - friendly_name: 0001\n",
            2,
            "services[0].friendly_name",
            "must be a str",
            id="int-name",
        ),
        pytest.param(
            "services:\n  - friendly_name: [a]\n",
            2,
            "services[0].friendly_name",
            "must be a string",
            id="list-name",
        ),
        pytest.param(
            'services:\n  - friendly_name: "a\\tb"\n',
            2,
            "services[0].friendly_name",
            "U+0009",
            id="tab-name",
        ),
        pytest.param(
            "services:\n  - friendly_name: " + "n" * 65 + "\n",
            2,
            "services[0].friendly_name",
            "at most 64",
            id="long-name",
        ),
        pytest.param(
            "defaults: {friendly_name: x}\nservices: []\n",
            1,
            "defaults.friendly_name",
            "cannot be a default",
            id="name-default",
        ),
        pytest.param(
            "defaults: {limits: {user_channels: 0}}\nservices: []\n",
            1,
            "defaults.limits.user_channels",
            "from 1 to 1000",
            id="bad-default",
        ),
        pytest.param(
            "services:\n  - {friendly_name: a, 1: b}\n",
            2,
            "services[0]",
            "every key must be a string",
            id="int-key",
        ),
        pytest.param(
            "services:\n  - friendly_name: a\n  - friendly_name: a\n",
            3,
            "services[1].friendly_name",
            "already on line 2",
            id="dup-name",
        ),
        pytest.param(
            "services:\n  - friendly_name: a\n    friendly_name: b\n",
            3,
            "services[0].friendly_name",
            "duplicate key (first on line 2)",
            id="dup-key",
        ),
        pytest.param(
            "services:\n  - friendly_name: a\n   bad: [\n", 3, "", "not valid YAML", id="syntax"
        ),
        pytest.param(
            "services: []\n---\nservices: []\n", 2, "", "not valid YAML", id="two-documents"
        ),
        pytest.param(
            "services:\n  - friendly_name: a\x01\n", 2, "", "not valid YAML", id="raw-control"
        ),
        pytest.param(
            'services:\n  - friendly_name: "a\\ud800"\n', 2, "", "not valid YAML", id="surrogate"
        ),
    ],
)
def test_desired_file_problem(tmp_path: Path, text: str, line: int, key: str, message: str) -> None:
    """Problems of the file's shape are reported with their line and key."""
    ((found_line, found_key, found_message),) = problems(write(tmp_path, "s.yaml", text))
    assert (found_line, found_key) == (line, key)
    assert message in found_message


def test_desired_reports_every_problem_in_line_order(tmp_path: Path) -> None:
    """All problems are reported at once, sorted by line, not only the first."""
    text = """\
defaults:
  read_status: true
services:
  - friendly_name: a
    limits: {user_channels: 5000}
  - friendly_name: b
    webhook_method: PUT
  - friendly_name: a
"""
    assert [(line, key) for line, key, _ in problems(write(tmp_path, "s.yaml", text))] == [
        (2, "defaults.read_status"),
        (5, "services[0].limits.user_channels"),
        (7, "services[1].webhook_method"),
        (8, "services[2].friendly_name"),
    ]


def test_desired_problems_are_capped(tmp_path: Path) -> None:
    """A file with thousands of problems reports the first MAX_PROBLEMS and says it stopped."""
    entries = "".join(f"  - {{friendly_name: n{i}, bad: 1}}\n" for i in range(1000))
    with pytest.raises(DesiredStateError) as caught:
        load_desired(write(tmp_path, "s.yaml", "services:\n" + entries))
    assert len(caught.value.problems) == MAX_PROBLEMS
    assert caught.value.truncated
    assert "stopped after" in str(caught.value)


def test_desired_error_message_names_file_line_key(tmp_path: Path) -> None:
    """The error's text has one `file:line: key: message` line per problem."""
    path = write(tmp_path, "s.yaml", "services:\n  - {friendly_name: a, reachability: true}\n")
    with pytest.raises(DesiredStateError) as caught:
        load_desired(path)
    assert isinstance(caught.value, ConfigurationError)
    assert f"{path}:2: services[0].reachability: unknown key" in str(caught.value)


def test_desired_not_utf8(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 are reported with the line they are on."""
    path = tmp_path / "s.yaml"
    path.write_bytes(b"services:\n  - friendly_name: caf\xe9\n")
    assert problems(path) == [(2, "", "not UTF-8 text")]


def test_desired_unreadable_file(tmp_path: Path) -> None:
    """A missing file is a ConfigurationError naming it, not an OSError."""
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_desired(tmp_path / "missing.yaml")


def test_desired_alias_bomb_is_bounded(tmp_path: Path) -> None:
    """Aliases expanding exponentially under an unknown key are refused without expanding them."""
    text = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for level in range(1, 9):
        text += f"l{level}: &l{level} [*{'a' if level == 1 else f'l{level - 1}'}" * 1
        text += f",*{'a' if level == 1 else f'l{level - 1}'}" * 8 + "]\n"
    text = "defaults:\n  webhook_filters: [x]\nbomb:\n  " + text.replace("\n", "\n  ")
    text += "\nservices: []\n"
    found = problems(write(tmp_path, "s.yaml", text))
    assert [key for _, key, _ in found] == ["bomb"]


def test_desired_json_lone_surrogate(tmp_path: Path) -> None:
    """A JSON escape of a lone surrogate cannot be sent as UTF-8: reported with its line."""
    text = (
        '{"services": [\n  {"friendly_name": "a",'
        ' "media": {"compatibility_message": "\\ud800"}}\n]}'
    )
    ((line, key, message),) = problems(write(tmp_path, "s.json", text))
    assert (line, key) == (2, "services[0].media.compatibility_message")
    assert "cannot be sent" in message
