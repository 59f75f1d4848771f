"""`twilio-chat provision` and `verify` as an attacker would run them: two at once, a journal
from elsewhere, kills while creates are pending, names that already exist."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from twilio_chat.testing import (
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    ChatEmulator,
    EmulatorServer,
    Faults,
)

CLI = str(Path(sys.executable).parent / "twilio-chat")
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


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


def _names(tmp_path: Path, count: int, prefix: str = "n") -> Path:
    path = tmp_path / "names.txt"
    path.write_text("".join(f"{prefix}-{i:04d}\n" for i in range(count)), "utf-8")
    return path


def _outcome_lines(journal: Path) -> int:
    return journal.read_bytes().count(b'"status": ') if journal.exists() else 0


def test_cli_second_process_on_a_journal_exits_2_and_sends_nothing(tmp_path: Path) -> None:
    """Two runs on one journal: the second is refused at once (lock) and sends nothing; the
    first finishes and every name exists once."""
    count = 600
    names = _names(tmp_path, count)
    journal = tmp_path / "run.jsonl"
    args = ["provision", str(names), "--journal", str(journal), "--progress", "none"]
    busy = ChatEmulator(faults=Faults(max_concurrency=10, latency=0.03))
    idle = ChatEmulator()
    with EmulatorServer(busy) as server, EmulatorServer(idle) as other:
        first = subprocess.Popen([CLI, *args], env=_env(server), stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _outcome_lines(journal) < 10:
            time.sleep(0.01)
        assert first.poll() is None, "the first run ended before the second started"
        # The same journal, the same account: against the same server ...
        second = _run(args, _env(server))
        # ... and against another one, which shows that nothing at all was sent.
        third = _run(args, _env(other))
        _, first_err = first.communicate(timeout=60)
    for refused in (second, third):
        assert refused.returncode == 2, refused.stderr
        assert refused.stderr.strip().splitlines() == [
            f"ConfigurationError: --journal {journal} is in use by another run (it is locked): "
            "wait for that run to finish, or use another journal"
        ]
    assert idle.stats.requests == 0
    assert first.returncode == 0, first_err
    assert busy.created_names() == {f"n-{i:04d}": 1 for i in range(count)}


def test_cli_journal_of_another_account_or_host_exits_2_before_any_request(
    tmp_path: Path,
) -> None:
    """A journal reused for another account, or another host, is refused with one line
    naming which, and no request is sent."""
    names = _names(tmp_path, 20)
    journal = tmp_path / "run.jsonl"
    args = ["provision", str(names), "--journal", str(journal)]
    home, elsewhere = ChatEmulator(), ChatEmulator()
    with EmulatorServer(home) as server, EmulatorServer(elsewhere) as other:
        urls = server.base_url, other.base_url
        assert _run(args, _env(server)).returncode == 0
        before = home.stats.requests
        other_account = "AC" + "b" * 32
        account = _run(args, _env(server, TWILIO_ACCOUNT_SID=other_account))
        host = _run(args, _env(other))
        assert home.stats.requests == before
    assert elsewhere.stats.requests == 0
    assert account.returncode == host.returncode == 2
    assert account.stderr.strip().splitlines() == [
        f"ConfigurationError: --journal {journal} belongs to account {TEST_ACCOUNT_SID}, not "
        f"{other_account}: use a new journal file for this account"
    ]
    assert host.stderr.strip().splitlines() == [
        f"ConfigurationError: --journal {journal} belongs to {urls[0]}, not "
        f"{urls[1]}: use a new journal file for this host"
    ]


def test_cli_old_journal_without_header_exits_2(tmp_path: Path) -> None:
    """A journal written before headers is refused: it cannot say which account it is for."""
    names = _names(tmp_path, 3)
    journal = tmp_path / "run.jsonl"
    journal.write_text('{"name": "n-0000", "sid": null, "status": "created"}\n', "utf-8")
    emulator = ChatEmulator()
    with EmulatorServer(emulator) as server:
        done = _run(["provision", str(names), "--journal", str(journal)], _env(server))
    assert done.returncode == 2
    assert "older twilio-chat" in done.stderr
    assert emulator.stats.requests == 0


def test_cli_sigkill_with_slow_creates_pending_then_rerun_repairs(tmp_path: Path) -> None:
    """SIGKILL while creates are still being processed, then the same command at once: the
    rerun creates those names again, waits the settle time, and deletes the late extras."""
    count = 300
    emulator = ChatEmulator(faults=Faults(slow_create_rate=0.2, slow_create_delay=2.0), seed=6)
    names = _names(tmp_path, count, "slow")
    journal = tmp_path / "run.jsonl"
    args = ["provision", str(names), "--journal", str(journal), "--concurrency", "20"]
    args += ["--progress", "none", "--settle", "3"]
    with EmulatorServer(emulator) as server:
        victim = subprocess.Popen(
            [CLI, *args], env=_env(server), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and victim.poll() is None:
            if emulator.pending_creates >= 10 and _outcome_lines(journal) >= 20:
                break
            time.sleep(0.01)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        assert emulator.pending_creates > 0  # creates the dead run sent are still landing
        emulator.faults = Faults()  # the rerun's own creates are quick: only settling helps
        done = _run(args, _env(server))
    assert done.returncode == 0, done.stderr
    assert "waiting" in done.stderr
    existing = emulator.existing_names()
    assert existing == {f"slow-{i:04d}": 1 for i in range(count)}
    assert emulator.stats.deleted > 0  # late landings were repaired ...
    assert "repaired" in done.stderr  # ... and said so
    final: dict[str, str] = {}
    for line in journal.read_text("utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if "status" in record:
            final[record["name"]] = record["sid"]
    live = {record.friendly_name: record.sid for record in emulator.services}
    assert final == live


def test_cli_verify_repairs_a_create_that_landed_after_the_run(tmp_path: Path) -> None:
    """A service our run created that lands after its verification: `verify --no-repair`
    reports it (exit 3), `verify` deletes it and keeps the journaled one (exit 0)."""
    emulator = ChatEmulator()
    names = _names(tmp_path, 5)
    journal = tmp_path / "run.jsonl"
    with EmulatorServer(emulator) as server:
        assert (
            _run(["provision", str(names), "--journal", str(journal)], _env(server)).returncode == 0
        )
        kept = {record.friendly_name: record.sid for record in emulator.services}
        late = _run(["create-service", "n-0003"], _env(server))  # the late landing
        late_sid = json.loads(late.stdout)["sid"]
        report = _run(["verify", "--journal", str(journal), "--no-repair"], _env(server))
        assert emulator.stats.delete_requests == 0
        repair = _run(
            ["verify", "--journal", str(journal), "--output", str(tmp_path / "o.csv")], _env(server)
        )
        again = _run(["verify", "--journal", str(journal)], _env(server))
    assert report.returncode == 3, report.stderr
    assert "1 conflict" in report.stderr
    assert late_sid in report.stderr
    assert repair.returncode == 0, repair.stderr
    assert "1 repaired" in repair.stderr
    assert f"kept {kept['n-0003']}, deleted {late_sid}" in repair.stderr
    assert {record.friendly_name: record.sid for record in emulator.services} == kept
    rows = (tmp_path / "o.csv").read_text("utf-8").splitlines()
    assert f"n-0003,{kept['n-0003']},repaired" in rows
    assert again.returncode == 0
    assert emulator.stats.deleted == 1


def test_cli_existing_names_adopted_conflicts_reported(tmp_path: Path) -> None:
    """One existing service: adopted, 0 creates; two: a conflict listing both, exit 3;
    --on-existing fail: the existing one is a failure, exit 3."""
    emulator = ChatEmulator()
    single = emulator.seed_service("n-0000", date_created=LONG_AGO).sid
    pair = [emulator.seed_service("n-0001", date_created=LONG_AGO).sid for _ in range(2)]
    names = _names(tmp_path, 3)
    with EmulatorServer(emulator) as server:
        done = _run(
            [
                "provision",
                str(names),
                "--journal",
                str(tmp_path / "a.jsonl"),
                "--output",
                str(tmp_path / "o.json"),
            ],
            _env(server),
        )
        strict = _run(
            [
                "provision",
                str(names),
                "--journal",
                str(tmp_path / "b.jsonl"),
                "--on-existing",
                "fail",
            ],
            _env(server),
        )
    assert done.returncode == 3, done.stderr
    assert "summary: 1 created, 1 existing, 1 conflict this run" in done.stderr
    assert f"services {pair[0]}, {pair[1]}: none picked" in done.stderr
    output = json.loads((tmp_path / "o.json").read_text("utf-8"))
    assert output["n-0000"] == {"sid": single, "outcome": "existing"}
    assert output["n-0001"] == {"sid": None, "outcome": "conflict"}
    assert strict.returncode == 3
    assert "0 created, 1 conflict, 2 failed this run" in strict.stderr  # n-0002 exists now
    assert emulator.stats.create_requests == 1
    assert emulator.stats.delete_requests == 0


def test_cli_missing_service_reported_then_recreated(tmp_path: Path) -> None:
    """A journaled service deleted since: `missing`, exit 3; --recreate-missing creates it."""
    emulator = ChatEmulator()
    names = _names(tmp_path, 3)
    args = ["provision", str(names), "--journal", str(tmp_path / "run.jsonl")]
    with EmulatorServer(emulator) as server:
        assert _run(args, _env(server)).returncode == 0
        gone = emulator.services[1].sid
        deleted = httpx.delete(
            f"{server.base_url}/v2/Services/{gone}", auth=(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN)
        )
        assert deleted.status_code == 204
        missing = _run(args, _env(server))
        recreated = _run([*args, "--recreate-missing"], _env(server))
    assert missing.returncode == 3
    assert f"journaled as {gone}, which no longer exists" in missing.stderr
    assert recreated.returncode == 0, recreated.stderr
    assert "summary: 1 created this run, 2 already done" in recreated.stderr
    assert emulator.existing_names() == {"n-0000": 1, "n-0001": 1, "n-0002": 1}


def test_cli_verify_refused_credentials_exit_3_and_change_nothing(tmp_path: Path) -> None:
    """`verify` with a wrong token: one listing refused, exit 3, the journal not marked."""
    emulator = ChatEmulator()
    names = _names(tmp_path, 2)
    journal = tmp_path / "run.jsonl"
    with EmulatorServer(emulator) as server:
        assert (
            _run(["provision", str(names), "--journal", str(journal)], _env(server)).returncode == 0
        )
        before = journal.read_bytes()
        refused = _run(
            ["verify", "--journal", str(journal)], _env(server, TWILIO_AUTH_TOKEN="f" * 32)
        )
    assert refused.returncode == 3
    assert refused.stderr.splitlines()[-1].startswith("AuthenticationError: ")
    assert "f" * 32 not in refused.stderr
    assert journal.read_bytes() == before
