"""The `twilio-chat` command end to end, as a subprocess against the emulator on loopback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from twilio_chat.testing import (
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    ChatEmulator,
    EmulatorServer,
    Faults,
)

CLI = str(Path(sys.executable).parent / "twilio-chat")


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(ChatEmulator()) as running:
        yield running


def _env(server: EmulatorServer, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    env.update(
        TWILIO_ACCOUNT_SID=TEST_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=TEST_AUTH_TOKEN,
        TWILIO_CHAT_BASE_URL=server.base_url,
    )
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_cli_create_service_prints_json(server: EmulatorServer) -> None:
    """create-service prints the created service as JSON and exits 0."""
    done = _run(["create-service", "Tom & Jerry 東京"], _env(server))
    assert done.returncode == 0, done.stderr
    service = json.loads(done.stdout)
    assert service["friendly_name"] == "Tom & Jerry 東京"
    assert service["sid"].startswith("IS")
    assert server.emulator.created_count("Tom & Jerry 東京") == 1


def test_cli_create_service_table_format(server: EmulatorServer) -> None:
    """--format table prints one field per line."""
    done = _run(["create-service", "Desk", "--format", "table"], _env(server))
    assert done.returncode == 0, done.stderr
    fields = dict(line.split(maxsplit=1) for line in done.stdout.splitlines())
    assert fields["friendly_name"] == "Desk"
    assert fields["sid"].startswith("IS")


def test_cli_bad_credentials_exit_3_without_secret(server: EmulatorServer) -> None:
    """A refused token: one stderr line, exit code 3, the token printed nowhere."""
    token = "f" * 32
    done = _run(["create-service", "x"], _env(server, TWILIO_AUTH_TOKEN=token))
    assert done.returncode == 3
    assert done.stderr.startswith("AuthenticationError: HTTP 401 (Twilio error 20003)")
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr
    assert token not in done.stdout + done.stderr
    assert TEST_AUTH_TOKEN not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        pytest.param(["create-service", ""], "must not be empty", id="empty-name"),
        pytest.param(["create-service", "n" * 65], "at most 64", id="long-name"),
        pytest.param(["create-service"], "usage:", id="missing-argument"),
        pytest.param(["bogus"], "usage:", id="unknown-command"),
    ],
)
def test_cli_usage_errors_exit_2(server: EmulatorServer, args: list[str], needle: str) -> None:
    """Bad names and bad usage exit 2 before any request."""
    done = _run(args, _env(server))
    assert done.returncode == 2
    assert needle in done.stderr
    assert server.emulator.stats.requests == 0


def test_cli_missing_credentials_exit_2(server: EmulatorServer) -> None:
    """No auth token anywhere: a configuration error naming what is missing."""
    env = _env(server)
    del env["TWILIO_AUTH_TOKEN"]
    done = _run(["create-service", "x"], env)
    assert done.returncode == 2
    assert "TWILIO_AUTH_TOKEN" in done.stderr


def test_cli_ambiguous_create_exit_4() -> None:
    """A 500 after the create: the service may exist, so exit 4, not 3."""
    emulator = ChatEmulator(faults=Faults(error_after_create=1.0))
    with EmulatorServer(emulator) as server:
        done = _run(["create-service", "maybe"], _env(server))
    assert done.returncode == 4
    assert done.stderr.startswith("AmbiguousCreateError:")
    assert emulator.created_count("maybe") == 1


def test_cli_help_shows_examples() -> None:
    """Every command's --help shows examples."""
    for args in ([], ["create-service"], ["provision"], ["emulator"]):
        done = subprocess.run(
            [CLI, *args, "--help"], capture_output=True, text=True, timeout=30, check=False
        )
        assert done.returncode == 0
        assert "examples:" in done.stdout


def test_cli_provision_writes_journal_and_output(server: EmulatorServer, tmp_path: Path) -> None:
    """provision creates each name once, journals every outcome, and writes name -> sid."""
    names = tmp_path / "names.txt"
    names.write_text('alpha\n\n{"name": "beta"}\ngamma\n', "utf-8")
    journal, output = tmp_path / "run.jsonl", tmp_path / "sids.json"
    args = ["provision", str(names), "--journal", str(journal), "--output", str(output)]
    done = _run(args, _env(server))
    assert done.returncode == 0, done.stderr
    assert "summary: 3 created this run, 0 already done" in done.stderr
    sids = json.loads(output.read_text("utf-8"))
    assert sorted(sids) == ["alpha", "beta", "gamma"]
    lines = [json.loads(line) for line in journal.read_text("utf-8").splitlines()]
    assert {(line["name"], line["status"]) for line in lines} == {
        ("alpha", "created"),
        ("beta", "created"),
        ("gamma", "created"),
    }
    assert {line["sid"] for line in lines} == set(sids.values())
    again = _run(args, _env(server))
    assert again.returncode == 0
    assert "summary: 0 created this run, 3 already done" in again.stderr
    assert server.emulator.created_names() == {"alpha": 1, "beta": 1, "gamma": 1}


def test_cli_provision_killed_and_resumed_creates_each_once(tmp_path: Path) -> None:
    """SIGKILL mid-run, then the same command: every name exists exactly once, journal complete."""
    emulator = ChatEmulator(faults=Faults(latency=0.03, latency_jitter=0.5), seed=3)
    count = 600
    names = tmp_path / "names.txt"
    names.write_text("".join(f"kill-{i:04d}\n" for i in range(count)), "utf-8")
    journal = tmp_path / "run.jsonl"
    args = ["provision", str(names), "--journal", str(journal), "--concurrency", "20"]
    with EmulatorServer(emulator) as server:
        victim = subprocess.Popen(
            [CLI, *args],
            env=_env(server),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and victim.poll() is None:
            if journal.exists() and journal.read_bytes().count(b"\n") >= count // 3:
                break
            time.sleep(0.01)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        assert victim.returncode == -signal.SIGKILL
        journaled = journal.read_bytes().count(b"\n")
        assert 0 < journaled < count
        while emulator.in_flight and time.monotonic() < deadline:
            time.sleep(0.01)  # requests the victim sent may still land after its death
        created_before = emulator.service_count
        done = _run(args, _env(server))
    assert done.returncode == 0, done.stderr
    assert created_before >= journaled
    counts = emulator.created_names()
    assert len(counts) == count
    assert max(counts.values()) == 1
    final: dict[str, str] = {}
    for line in journal.read_text("utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue  # the line the kill cut short
        final[record["name"]] = record["status"]
    assert len(final) == count
    assert set(final.values()) <= {"created", "adopted"}
    # Names created but not journaled when the kill landed were adopted, not created again.
    assert list(final.values()).count("adopted") == created_before - journaled


def test_cli_emulator_serves_on_a_free_port_until_terminated() -> None:
    """`emulator --port 0` prints its URL first, serves creates, and exits 0 on SIGTERM."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    process = subprocess.Popen(
        [CLI, "emulator", "--port", "0", "--latency", "0.001"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        assert first.startswith("emulator listening on http://127.0.0.1:")
        url = first.rsplit(" ", 1)[1]
        done = _run(
            ["create-service", "via-cli-emulator", "--base-url", url],
            {**env, "TWILIO_ACCOUNT_SID": TEST_ACCOUNT_SID, "TWILIO_AUTH_TOKEN": TEST_AUTH_TOKEN},
        )
        assert done.returncode == 0, done.stderr
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--rate-limit", "2"], id="fraction-above-one"),
        pytest.param(["--account-sid", "ACbad"], id="bad-account-sid"),
    ],
)
def test_cli_emulator_bad_options_exit_2(args: list[str]) -> None:
    """Bad emulator options are one clear line and exit code 2, before listening."""
    done = subprocess.run(
        [CLI, "emulator", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("ConfigurationError: ")
    assert "Traceback" not in done.stderr


def test_cli_provision_unusable_journal_is_one_line_exit_2(
    server: EmulatorServer, tmp_path: Path
) -> None:
    """A journal path that is a directory: one clear line, exit 2, nothing created."""
    names = tmp_path / "names.txt"
    names.write_text("a\n", "utf-8")
    done = _run(["provision", str(names), "--journal", str(tmp_path)], _env(server))
    assert done.returncode == 2
    assert done.stderr == f"ConfigurationError: --journal {tmp_path}: not a regular file\n"
    assert "Traceback" not in done.stderr
    assert server.emulator.stats.requests == 0
