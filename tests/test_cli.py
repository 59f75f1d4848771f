"""The `twilio-chat` command end to end, as a subprocess against the emulator on loopback."""

from __future__ import annotations

import argparse
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


def _outcome_lines(journal: Path) -> int:
    """How many outcome lines the journal holds (not its header, notes or a line cut short)."""
    return journal.read_bytes().count(b'"status": ')


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
    written = json.loads(output.read_text("utf-8"))
    assert sorted(written) == ["alpha", "beta", "gamma"]
    assert {row["outcome"] for row in written.values()} == {"created"}
    lines = [json.loads(line) for line in journal.read_text("utf-8").splitlines()]
    assert lines[0]["journal"] == 2
    assert lines[0]["account_sid"] == TEST_ACCOUNT_SID
    assert lines[0]["base_url"] == server.base_url
    outcomes = [line for line in lines if "status" in line]
    assert {(line["name"], line["status"]) for line in outcomes} == {
        ("alpha", "created"),
        ("beta", "created"),
        ("gamma", "created"),
    }
    assert {line["sid"] for line in outcomes} == {row["sid"] for row in written.values()}
    assert "verified" in lines[-1]
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
    args += ["--settle", "0"]  # the emulator answers every create it received at once
    with EmulatorServer(emulator) as server:
        victim = subprocess.Popen(
            [CLI, *args],
            env=_env(server),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and victim.poll() is None:
            if journal.exists() and _outcome_lines(journal) >= count // 3:
                break
            time.sleep(0.01)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        assert victim.returncode == -signal.SIGKILL
        journaled = _outcome_lines(journal)
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
        if "status" in record:
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
    assert "emulator faults: --latency 0.001; Ctrl+C stops it" in stderr  # not a Python dict


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


def _names_file(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "names.txt"
    if isinstance(text, str):
        path.write_text(text, "utf-8", newline="")
    else:
        path.write_bytes(text)
    return path


def test_cli_provision_wrong_token_stops_at_once(server: EmulatorServer, tmp_path: Path) -> None:
    """2,000 names and a wrong token: a handful of requests, exit 3, one line saying what to fix."""
    names = _names_file(tmp_path, "".join(f"n{i}\n" for i in range(2000)))
    args = ["provision", str(names), "--journal", str(tmp_path / "run.jsonl")]
    done = _run([*args, "--progress", "none"], _env(server, TWILIO_AUTH_TOKEN="f" * 32))
    assert done.returncode == 3
    assert server.emulator.stats.requests == 1  # the first listing, refused
    lines = done.stderr.splitlines()
    assert "2000 not attempted this run" in lines[1]
    stopped = [line for line in lines if "credentials were refused" in line]
    assert len(stopped) == 1
    assert "TWILIO_AUTH_TOKEN" in stopped[0]
    assert "f" * 32 not in done.stderr


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        pytest.param("ok\nalpha\x0cbeta\n", "names.txt:2: control character U+000C", id="ff"),
        pytest.param("a\tb\n", "names.txt:1: control character U+0009", id="tab"),
        pytest.param("ok\nx\x1cy\n", "names.txt:2: control character U+001C", id="x1c"),
        pytest.param("x\x85y\n", "names.txt:1: control character U+0085", id="nel"),
        pytest.param("x\u2028y\n", "names.txt:1: control character U+2028", id="u2028"),
        pytest.param("x\ry\n", "names.txt:1: control character U+000D", id="lone-cr"),
        pytest.param('{"name": "a\\tb"}\n', "names.txt:1: control character U+0009", id="json-tab"),
        pytest.param(
            '{"name": "bad\\ud800x"}\n',
            "names.txt:1: the service name cannot be encoded as UTF-8: a lone surrogate",
            id="surrogate",
        ),
        pytest.param('x1\n{"name": " x1"}\n', "names.txt:2: 'x1' is already on line 1", id="dup"),
        pytest.param("ok\n" + "n" * 65 + "\n", "names.txt:2: the service name is 65", id="long"),
        pytest.param(b"ok\n\xff\n", "names.txt:2: not UTF-8 text", id="not-utf8"),
    ],
)
def test_cli_provision_refuses_bad_names_with_file_and_line(
    server: EmulatorServer, tmp_path: Path, content: str | bytes, needle: str
) -> None:
    """Control characters, surrogates, duplicates: refused with file:line, exit 2, no request."""
    names = _names_file(tmp_path, content)
    done = _run(["provision", str(names), "--journal", str(tmp_path / "j.jsonl")], _env(server))
    assert done.returncode == 2, done.stderr
    assert needle in done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert server.emulator.stats.requests == 0
    assert not (tmp_path / "j.jsonl").exists()


def test_cli_provision_reads_names_as_written(server: EmulatorServer, tmp_path: Path) -> None:
    """A BOM is dropped, \\r\\n ends a line, and both forms lose the spaces around a name."""
    names = _names_file(
        tmp_path, '\ufeffx1\r\n  x2 \n{"name": " x3 "}\r\n\n{"name":"Tom & Jerry"}\n'
    )
    done = _run(["provision", str(names), "--journal", str(tmp_path / "j.jsonl")], _env(server))
    assert done.returncode == 0, done.stderr
    assert server.emulator.created_names() == {"x1": 1, "x2": 1, "x3": 1, "Tom & Jerry": 1}


@pytest.mark.parametrize(
    "case", ["output-is-journal", "output-is-names", "output-hardlink", "journal-is-names"]
)
def test_cli_provision_refuses_to_overwrite_an_input(
    server: EmulatorServer, tmp_path: Path, case: str
) -> None:
    """--output or --journal that is an input file (by path or inode) is refused up front."""
    names = _names_file(tmp_path, "a\n")
    journal = tmp_path / "run.jsonl"
    output = {"output-is-journal": journal, "output-is-names": tmp_path / "." / "names.txt"}.get(
        case, tmp_path / "link.csv"
    )
    if case == "output-hardlink":
        os.link(names, output)
    if case == "journal-is-names":
        journal, output = names, tmp_path / "out.csv"
    args = ["provision", str(names), "--journal", str(journal), "--output", str(output)]
    done = _run(args, _env(server))
    assert done.returncode == 2
    assert "is the same file as" in done.stderr
    assert names.read_text("utf-8") == "a\n"
    assert server.emulator.stats.requests == 0


@pytest.mark.parametrize("case", ["output-under-a-file", "journal-dev-null"])
def test_cli_provision_unwritable_output_found_before_any_request(
    server: EmulatorServer, tmp_path: Path, case: str
) -> None:
    """An output that cannot be written is exit 2 before the first request, naming the flag."""
    names = _names_file(tmp_path, "a\n")
    journal, output = tmp_path / "run.jsonl", names / "sids.csv"
    if case == "journal-dev-null":
        journal, output = Path(os.devnull), tmp_path / "sids.csv"
    args = ["provision", str(names), "--journal", str(journal), "--output", str(output)]
    done = _run(args, _env(server))
    assert done.returncode == 2
    flag = "--output" if case == "output-under-a-file" else "--journal"
    assert done.stderr.startswith(f"ConfigurationError: {flag} ")
    assert server.emulator.stats.requests == 0


def _limit_file_size() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (3000, 3000))


def test_cli_provision_full_disk_says_which_path_and_resumes(tmp_path: Path) -> None:
    """A journal that stops taking bytes mid-run: exit 5, its path, and the same command resumes."""
    emulator = ChatEmulator(faults=Faults(latency=0.005))
    names = _names_file(tmp_path, "".join(f"disk-{i:03d}\n" for i in range(200)))
    journal = tmp_path / "run.jsonl"
    args = ["provision", str(names), "--journal", str(journal), "--progress", "none"]
    args += ["--settle", "0"]
    with EmulatorServer(emulator) as server:
        full = subprocess.run(
            [CLI, *args],
            env=_env(server),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            preexec_fn=_limit_file_size,  # writes past 3,000 bytes fail with EFBIG
        )
        assert full.returncode == 5, full.stderr
        last = full.stderr.splitlines()[-1]
        assert last.startswith(f"WriteFailed: cannot write --journal {journal}: File too large")
        assert "run the same command again to resume" in last
        assert "created this run" in full.stderr
        assert "Traceback" not in full.stderr
        again = _run(args, _env(server))
    assert again.returncode == 0, again.stderr
    assert emulator.created_names() == {f"disk-{i:03d}": 1 for i in range(200)}


def test_cli_provision_output_failure_after_work_exit_5(
    server: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--output failing after the creates: exit 5, its path, and rerunning writes it."""
    from twilio_chat import cli
    from twilio_chat.cli import _common, _run

    for key, value in _env(server).items():
        monkeypatch.setenv(key, value)
    names = _names_file(tmp_path, "a\nb\n")
    output = tmp_path / "sids.csv"
    argv = [
        "provision",
        str(names),
        "--journal",
        str(tmp_path / "j.jsonl"),
        "--output",
        str(output),
    ]

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(_run, "_write_rows", disk_full)
        assert cli.main(argv) == _common.EXIT_WRITE
    assert cli.main(argv) == 0
    assert output.read_text("utf-8").splitlines()[0] == "name,sid,outcome"
    assert server.emulator.created_names() == {"a": 1, "b": 1}


def test_cli_provision_sigterm_summarises_syncs_and_resumes(tmp_path: Path) -> None:
    """SIGTERM mid-run: a summary, 'the same command resumes', exit 143, then no duplicates."""
    emulator = ChatEmulator(faults=Faults(latency=0.03), seed=2)
    count = 400
    names = _names_file(tmp_path, "".join(f"term-{i:03d}\n" for i in range(count)))
    journal = tmp_path / "run.jsonl"
    args = ["provision", str(names), "--journal", str(journal), "--concurrency", "10"]
    args += ["--settle", "0"]
    with EmulatorServer(emulator) as server:
        victim = subprocess.Popen([CLI, *args], env=_env(server), stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and victim.poll() is None:
            if journal.exists() and journal.read_bytes().count(b"\n") >= 20:
                break
            time.sleep(0.01)
        victim.send_signal(signal.SIGTERM)
        _, stderr = victim.communicate(timeout=30)
        assert victim.returncode == 143, stderr
        assert "created this run" in stderr
        assert stderr.splitlines()[-1] == (
            "interrupted: run the same command again to resume; nothing is created twice"
        )
        assert journal.read_bytes().endswith(b"\n")  # closed cleanly, no line cut short
        while emulator.in_flight and time.monotonic() < deadline:
            time.sleep(0.01)
        done = _run(args, _env(server))
    assert done.returncode == 0, done.stderr
    assert emulator.created_names() == {f"term-{i:03d}": 1 for i in range(count)}


@pytest.mark.parametrize(
    ("args", "env_drop", "needle"),
    [
        pytest.param([], "TWILIO_ACCOUNT_SID", "pass --account-sid or set", id="no-sid"),
        pytest.param(
            ["--api-key", "SK" + "0" * 32],
            "TWILIO_AUTH_TOKEN",
            "--api-key was given without TWILIO_API_SECRET",
            id="half-key",
        ),
        pytest.param(
            ["--base-url", "ftp://x"], "", "--base-url (or TWILIO_CHAT_BASE_URL)", id="url"
        ),
    ],
)
def test_cli_configuration_errors_name_flags(
    server: EmulatorServer, args: list[str], env_drop: str, needle: str
) -> None:
    """Configuration errors speak of CLI flags and variables, not Python arguments."""
    env = _env(server)
    env.pop(env_drop, None)
    done = _run(["create-service", "x", *args], env)
    assert done.returncode == 2
    assert needle in done.stderr
    assert not any(word in done.stderr for word in ("account_sid=", "api_key ", "base_url"))


def test_cli_invalid_region_is_not_echoed(server: EmulatorServer) -> None:
    """A secret pasted into --region is never printed back."""
    env = _env(server)
    del env["TWILIO_CHAT_BASE_URL"]
    done = _run(["create-service", "x", "--region", "authtoken-7c1f0e93d2b84a6f!"], env)
    assert done.returncode == 2
    assert "invalid --region" in done.stderr
    assert "7c1f0e93" not in done.stdout + done.stderr


def test_cli_every_option_help_shows_its_default() -> None:
    """Each option of each command says its default in --help."""
    from twilio_chat.cli._main import _parser

    parser = _parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for name, command in commands.choices.items():
        for action in command._actions:
            if action.option_strings and action.dest != "help":
                assert "default" in (action.help or ""), (name, action.option_strings)


def test_demo_prints_commands_that_paste() -> None:
    """The demo's printed commands split back into the exact arguments it ran."""
    import importlib.util
    import shlex

    script = Path(__file__).resolve().parent.parent / "scripts" / "demo.py"
    spec = importlib.util.spec_from_file_location("demo_script", script)
    assert spec is not None
    assert spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    args = [CLI, "create-service", "Demo Service", "--format", "it's"]
    assert shlex.split(demo.shown(args))[1:] == args[1:]
