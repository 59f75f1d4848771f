"""`twilio-chat apply` against the emulator on a loopback port: --plan sends nothing and shows
exactly the changes, a rerun writes nothing, SIGKILL then rerun converges, --prune deletes only
what the journal created, and files are checked before any request."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.provisioning._apply_helpers import assert_as_desired, services_yaml, stored_as_desired
from twilio_chat import load_desired
from twilio_chat.cli import main
from twilio_chat.testing import (
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    ChatEmulator,
    EmulatorServer,
    Faults,
)

CLI = str(Path(sys.executable).parent / "twilio-chat")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    with EmulatorServer(ChatEmulator()) as running:
        monkeypatch.setenv("TWILIO_ACCOUNT_SID", TEST_ACCOUNT_SID)
        monkeypatch.setenv("TWILIO_AUTH_TOKEN", TEST_AUTH_TOKEN)
        monkeypatch.setenv("TWILIO_CHAT_BASE_URL", running.base_url)
        yield running


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_apply_then_rerun_then_plan_of_two_changes(
    server: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """apply creates and configures; the rerun sends 0 writes; after two settings change in
    the file, --plan shows exactly those two updates (old -> new) and sends nothing."""
    emulator = server.emulator
    services = _write(tmp_path / "services.yaml", services_yaml(30))
    journal, output = tmp_path / "run.jsonl", tmp_path / "out.csv"
    args = ["apply", str(services), "--journal", str(journal), "--progress", "none"]
    assert main([*args, "--output", str(output)]) == 0
    err = capsys.readouterr().err
    assert "summary: 30 created, 0 updated, 0 unchanged, 0 pruned, 0 conflicts, 0 failed" in err
    assert_as_desired(emulator, load_desired(services))
    with output.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["name", "sid", "outcome"]
    assert [(row[0], row[2]) for row in rows[1:]] == [
        (f"tenant-{i:04d}", "created") for i in range(30)
    ]
    assert {row[1] for row in rows[1:]} == {record.sid for record in emulator.services}

    writes = emulator.stats.write_requests
    assert main(args) == 0
    assert "0 created, 0 updated, 30 unchanged" in capsys.readouterr().err
    assert emulator.stats.write_requests == writes

    text = services.read_text("utf-8")
    text = text.replace("pre/0004", "pre/changed")
    text = text.replace(
        "  - friendly_name: tenant-0007\n",
        "  - friendly_name: tenant-0007\n    limits: {user_channels: 42}\n",
    )
    services.write_text(text, "utf-8")
    before = emulator.stats
    assert main(["apply", str(services), "--plan"]) == 0
    out = capsys.readouterr().out.splitlines()
    sid = {record.friendly_name: record.sid for record in emulator.services}
    assert out == [
        f'~ update "tenant-0004" ({sid["tenant-0004"]})',
        '    pre_webhook_url: "https://hooks.example.com/pre/0004" -> '
        '"https://hooks.example.com/pre/changed"',
        f'~ update "tenant-0007" ({sid["tenant-0007"]})',
        "    limits.user_channels: 500 -> 42",
        "Plan: 0 to create, 2 to update, 28 unchanged, 0 conflicts",
    ]
    after = emulator.stats
    assert after.requests - before.requests == after.list_requests - before.list_requests == 1


def test_cli_apply_plan_sends_only_listings(
    server: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--plan on an empty account: every service `+ create` with its settings, exit 0, and
    not one request other than the listing."""
    services = _write(
        tmp_path / "s.yaml", "services:\n  - friendly_name: a\n    webhook_method: get\n"
    )
    assert main(["apply", str(services), "--plan"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        '+ create "a"',
        '    webhook_method: "GET"',
        "Plan: 1 to create, 0 to update, 0 unchanged, 0 conflicts",
    ]
    stats = server.emulator.stats
    assert stats.requests == stats.list_requests == 1


def test_cli_apply_prune_only_what_the_journal_created(
    server: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Dropped from the file: listed as unmanaged (plan and apply), deleted with --prune; a
    service the journal did not create survives every step."""
    emulator = server.emulator
    unrelated = emulator.seed_service("unrelated").sid
    journal = tmp_path / "run.jsonl"
    both = _write(
        tmp_path / "both.yaml", "services:\n  - friendly_name: keep\n  - friendly_name: drop\n"
    )
    assert main(["apply", str(both), "--journal", str(journal), "--progress", "none"]) == 0
    drop_sid = next(r.sid for r in emulator.services if r.friendly_name == "drop")
    one = _write(tmp_path / "one.yaml", "services:\n  - friendly_name: keep\n")
    capsys.readouterr()

    assert main(["apply", str(one), "--journal", str(journal), "--plan", "--prune"]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        f'- delete "drop" ({drop_sid})',
        "Plan: 0 to create, 0 to update, 1 unchanged, 0 conflicts, 1 to prune",
    ]
    args = ["apply", str(one), "--journal", str(journal), "--progress", "none"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "1 unmanaged" in err
    assert 'unmanaged "drop"' in err
    assert emulator.existing_names() == {"unrelated": 1, "keep": 1, "drop": 1}

    output = tmp_path / "out.json"
    assert main([*args, "--prune", "--output", str(output)]) == 0
    assert "0 unchanged" not in capsys.readouterr().err
    assert json.loads(output.read_text("utf-8")) == [
        {
            "name": "keep",
            "sid": next(r.sid for r in emulator.services if r.friendly_name == "keep"),
            "outcome": "unchanged",
        },
        {"name": "drop", "sid": drop_sid, "outcome": "pruned"},
    ]
    assert emulator.existing_names() == {"unrelated": 1, "keep": 1}
    assert emulator.service(unrelated) is not None


def test_cli_apply_conflict_exits_3(
    server: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A name two services share is a conflict: listed with both SIDs, untouched, exit 3."""
    sids = [server.emulator.seed_service("twice").sid for _ in range(2)]
    services = _write(
        tmp_path / "s.yaml", "services:\n  - friendly_name: twice\n    reachability_enabled: true\n"
    )
    code = main(
        ["apply", str(services), "--journal", str(tmp_path / "j.jsonl"), "--progress", "none"]
    )
    err = capsys.readouterr().err
    assert code == 3
    assert "1 conflicts" in err
    assert f'conflict "twice": 2 services have this name ({sids[0]}, {sids[1]})' in err
    assert server.emulator.stats.write_requests == 0


@pytest.mark.parametrize(
    ("text", "extra", "needle"),
    [
        pytest.param(
            "services:\n  - friendly_name: a\n    limits: {user_channels: 5000}\n",
            [],
            "s.yaml:3: services[0].limits.user_channels:",
            id="out-of-range",
        ),
        pytest.param(
            "services:\n  - friendly_name: a\n    colour: red\n",
            [],
            "s.yaml:3: services[0].colour: unknown key",
            id="unknown-key",
        ),
        pytest.param(
            "services:\n  - friendly_name: a\n",
            ["--no-journal"],
            "needs --journal",
            id="no-journal",
        ),
        pytest.param(
            "services:\n  - friendly_name: a\n", ["--same-output"], "same file", id="clobber"
        ),
        pytest.param(
            "services:\n  - friendly_name: a\n",
            ["--plan-prune"],
            "--prune needs",
            id="prune-no-journal",
        ),
    ],
)
def test_cli_apply_usage_errors_exit_2_before_any_request(
    server: EmulatorServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    extra: list[str],
    needle: str,
) -> None:
    """A bad file (with file, line and key), a missing journal, an output that would
    overwrite the input, --prune without a journal: exit 2, nothing sent."""
    services = _write(tmp_path / "s.yaml", text)
    args = ["apply", str(services), "--journal", str(tmp_path / "j.jsonl")]
    if extra == ["--no-journal"]:
        args = ["apply", str(services)]
    elif extra == ["--same-output"]:
        args += ["--output", str(services)]
    elif extra == ["--plan-prune"]:
        args = ["apply", str(services), "--plan", "--prune"]
    assert main(args) == 2
    assert needle in capsys.readouterr().err
    assert server.emulator.stats.requests == 0


def _env(server: EmulatorServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    env.update(
        TWILIO_ACCOUNT_SID=TEST_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=TEST_AUTH_TOKEN,
        TWILIO_CHAT_BASE_URL=server.base_url,
    )
    return env


def test_cli_apply_sigkill_then_rerun_converges(tmp_path: Path) -> None:
    """SIGKILL mid-apply, then the same command: exit 0, every service once with exactly
    the desired settings (created-but-unconfigured ones updated), nothing created twice."""
    emulator = ChatEmulator(
        faults=Faults(max_concurrency=10, latency=0.02, latency_jitter=0.5), seed=4
    )
    count = 300
    services = _write(tmp_path / "services.yaml", services_yaml(count))
    journal = tmp_path / "run.jsonl"
    args = [CLI, "apply", str(services), "--journal", str(journal), "--concurrency", "20"]
    args += ["--settle", "0"]  # the emulator answers every create it received at once
    with EmulatorServer(emulator) as server:
        victim = subprocess.Popen(
            args, env=_env(server), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and victim.poll() is None:
            if emulator.stats.update_requests >= count // 4:
                break
            time.sleep(0.01)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        assert victim.returncode == -signal.SIGKILL
        while emulator.in_flight and time.monotonic() < deadline:
            time.sleep(0.01)  # requests the victim sent may still land after its death
        created = emulator.service_count
        desired = {service.friendly_name: service for service in load_desired(services)}
        unconfigured = sum(
            not stored_as_desired(emulator, record.sid, desired[record.friendly_name])
            for record in emulator.services
        )
        done = subprocess.run(
            args, env=_env(server), capture_output=True, text=True, timeout=60, check=False
        )
    assert done.returncode == 0, done.stderr
    assert 0 < unconfigured < created < count  # killed between creates and their updates
    summary = (
        f"{count - created} created, {unconfigured} updated, {created - unconfigured} unchanged"
    )
    assert summary in done.stderr
    assert max(emulator.created_names().values()) == 1
    assert_as_desired(emulator, load_desired(services))
