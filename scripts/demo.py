"""`make demo`: the main job against the bundled emulator, end to end through the CLI.

Starts the emulator on a free loopback port (with Twilio-like latency and a concurrency cap
the client is not told about), creates services with `twilio-chat create-service`, shows a
refused credential, provisions a batch with `twilio-chat provision` (progress, journal,
resume), and stops the emulator whatever happens.
"""

from __future__ import annotations

import json
import os
import select
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from twilio_chat.testing import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN

BIN = Path(sys.executable).parent
CLI = str(BIN / "twilio-chat")
BATCH = 500


def step(title: str) -> None:
    print(f"\n=== {title}", flush=True)


def shown(args: list[str]) -> str:
    """The command as it can be pasted into a shell (the venv's twilio-chat, quoted)."""
    program = os.path.relpath(args[0]) if Path(args[0]).is_relative_to(Path.cwd()) else args[0]
    return shlex.join([program, *args[1:]])


def run(args: list[str], env: dict[str, str]) -> int:
    print("$ " + shown(args), flush=True)
    code = subprocess.run(args, env=env, check=False).returncode
    print(f"(exit code {code})", flush=True)
    return code


def run_captured(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Like `run`, keeping what the command printed on stdout (also shown)."""
    print("$ " + shown(args), flush=True)
    done = subprocess.run(args, env=env, check=False, stdout=subprocess.PIPE, text=True)
    print(done.stdout, end="", flush=True)
    print(f"(exit code {done.returncode})", flush=True)
    return done.returncode, done.stdout


def main() -> int:
    if os.environ.get("TWILIO_ACCOUNT_SID") and (
        os.environ.get("TWILIO_AUTH_TOKEN") or os.environ.get("TWILIO_API_SECRET")
    ):
        print(
            "Twilio credentials are set. This demo still uses the local emulator; to run the "
            "same commands against Twilio, leave TWILIO_CHAT_BASE_URL unset, e.g.\n"
            "  .venv/bin/twilio-chat create-service 'My Service'\n"
            "  .venv/bin/twilio-chat provision names.txt --journal run.jsonl"
        )
    emulator = subprocess.Popen(
        [
            CLI,
            "emulator",
            "--port",
            "0",
            "--latency",
            "0.05",
            "--latency-jitter",
            "0.25",
            "--max-concurrency",
            "20",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={
            **os.environ,
            "TWILIO_ACCOUNT_SID": TEST_ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": TEST_AUTH_TOKEN,
        },
    )
    try:
        assert emulator.stdout is not None
        ready, _, _ = select.select([emulator.stdout], [], [], 30)
        first = emulator.stdout.readline().strip() if ready else "(nothing within 30 s)"
        if not first.startswith("emulator listening on "):
            print(f"the emulator did not start: {first!r}", file=sys.stderr)
            return 1
        base_url = first.rsplit(" ", 1)[1]
        print(
            "To paste the commands below, first: "
            + shlex.join(["export", f"TWILIO_CHAT_BASE_URL={base_url}"])
            + " and the test credentials from twilio_chat.testing",
            flush=True,
        )
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")},
            "TWILIO_ACCOUNT_SID": TEST_ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": TEST_AUTH_TOKEN,
            "TWILIO_CHAT_BASE_URL": base_url,
        }
        return demo(base_url, env)
    finally:
        emulator.terminate()
        try:
            emulator.wait(timeout=10)
        except subprocess.TimeoutExpired:
            emulator.kill()
        print("\nemulator stopped", flush=True)


def demo(base_url: str, env: dict[str, str]) -> int:
    failures = 0
    step(f"Emulator on {base_url} (50 ms ± 25 % latency, 20 concurrent requests at most)")
    step("Create one service (JSON)")
    code, created = run_captured([CLI, "create-service", "Demo Service"], env)
    failures += code != 0
    sid = json.loads(created)["sid"] if code == 0 else "IS" + "0" * 32
    step("Read it back, configure it, list the account, delete it")
    failures += run([CLI, "get", sid, "--format", "table"], env) != 0
    settings = ["read_status_enabled=false", "limits_user_channels=500", "webhook_method=GET"]
    update = [CLI, "update", sid, "--format", "table"]
    failures += run([*update, *(arg for s in settings for arg in ("--set", s))], env) != 0
    failures += run([CLI, "list", "--format", "table"], env) != 0
    failures += run([CLI, "delete", sid], env) != 0
    step("Fetch the deleted service: Twilio's 20404, exit code 3")
    failures += run([CLI, "get", sid], env) != 3
    step("Create one service (table)")
    failures += run([CLI, "create-service", "Support Desk", "--format", "table"], env) != 0
    step("Wrong auth token: a clear error, exit code 3, no secret printed")
    failures += run([CLI, "create-service", "Nope"], {**env, "TWILIO_AUTH_TOKEN": "x" * 32}) != 3
    step("A name over Twilio's 64 characters: refused before any request, exit code 2")
    failures += run([CLI, "create-service", "n" * 65], env) != 2
    with tempfile.TemporaryDirectory(prefix="twilio-chat-demo-") as tmp:
        names = Path(tmp, "names.txt")
        names.write_text("".join(f"demo-tenant-{i:04d}\n" for i in range(BATCH)), "utf-8")
        journal, output = Path(tmp, "run.jsonl"), Path(tmp, "sids.csv")
        args = [CLI, "provision", str(names), "--journal", str(journal)]
        step(f"Provision {BATCH} services (adaptive concurrency finds the cap of 20 by itself)")
        failures += run([*args, "--output", str(output)], env) != 0
        print("first lines of", output.name + ":")
        print("".join(output.read_text("utf-8").splitlines(keepends=True)[:4]), end="")
        step("Run it again: the journal says everything is done, nothing is created twice")
        failures += run(args, env) != 0
        step("A new journal: the account is listed first, every name exists and is adopted")
        fresh = [CLI, "provision", str(names), "--journal", str(Path(tmp, "other.jsonl"))]
        failures += run(fresh, env) != 0
        step("Verify the first run alone: one listing, exactly one service per name")
        failures += run([CLI, "verify", "--journal", str(journal)], env) != 0
    print("\ndemo finished" + (f" with {failures} unexpected results" if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
