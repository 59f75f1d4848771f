"""The `twilio-chat emulator` command's fault options for fetch, update, delete and slow creates."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from twilio_chat.testing import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN

CLI = str(Path(sys.executable).parent / "twilio-chat")
AUTH = (TEST_ACCOUNT_SID, TEST_AUTH_TOKEN)


def test_cli_emulator_faults_per_operation() -> None:
    """--error-after-processing with --fault-operations delete: creates work, deletes answer 500."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    faults = ["--error-after-processing", "1", "--fault-operations", "delete"]
    process = subprocess.Popen(
        [CLI, "emulator", "--port", "0", *faults, "--slow-create-delay", "5"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip().rsplit(" ", 1)[1]
        with httpx.Client(base_url=url, auth=AUTH) as client:
            created = client.post("/v2/Services", data={"FriendlyName": "cli"})
            deleted = client.delete(f"/v2/Services/{created.json()['sid']}")
            fetched = client.get(f"/v2/Services/{created.json()['sid']}")
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    assert (created.status_code, deleted.status_code, fetched.status_code) == (201, 500, 404)
    assert "--error-after-processing 1" in stderr  # the startup line shows the flags as typed
    assert "--fault-operations delete" in stderr
    assert "--slow-create-delay 5" in stderr
    assert process.returncode == 0


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--fault-operations", "create,remove"], id="unknown-operation"),
        pytest.param(["--slow-create-rate", "1.5"], id="slow-rate-above-one"),
        pytest.param(["--drop-after-processing", "-0.1"], id="negative-fraction"),
    ],
)
def test_cli_emulator_bad_fault_options_exit_2(args: list[str]) -> None:
    """Bad new fault options are one clear line and exit code 2, before listening."""
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
