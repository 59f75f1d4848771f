"""The emulator under uvicorn on a real loopback port, in a background thread."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.testing.conftest import create
from twilio_chat.testing import (
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    ChatEmulator,
    EmulatorServer,
    Faults,
)

AUTH = (TEST_ACCOUNT_SID, TEST_AUTH_TOKEN)


async def test_server_create_and_list_over_loopback() -> None:
    """Over TCP the emulator creates and lists, with URLs on its own port."""
    emulator = ChatEmulator()
    with EmulatorServer(emulator) as server:
        base = server.base_url
        assert base.startswith("http://127.0.0.1:")
        assert not base.endswith(":0")
        async with httpx.AsyncClient(base_url=base, auth=AUTH) as client:
            created = await create(client, "over-tcp")
            listed = await client.get("/v2/Services", params={"PageSize": 1})
            denied = await client.get("/v2/Services", auth=(TEST_ACCOUNT_SID, "wrong"))
    assert created.status_code == 201
    assert created.json()["url"] == f"{base}/v2/Services/{created.json()['sid']}"
    assert listed.json()["services"] == [created.json()]
    assert listed.json()["meta"]["next_page_url"] is None
    assert listed.json()["meta"]["url"] == f"{base}/v2/Services?PageSize=1&Page=0"
    assert denied.status_code == 401
    assert emulator.created_count("over-tcp") == 1


async def test_server_answers_without_nagle_delay() -> None:
    """Sequential requests take milliseconds, not the ~40 ms Nagle plus delayed ACK would add."""
    with EmulatorServer() as server:
        async with httpx.AsyncClient(base_url=server.base_url, auth=AUTH) as client:
            await client.get("/v2/Services")
            started = time.monotonic()
            for _ in range(10):
                assert (await client.get("/v2/Services")).status_code == 200
            elapsed = time.monotonic() - started
    assert elapsed < 0.3


async def test_server_drop_gives_remote_protocol_error() -> None:
    """A dropped connection after a create reaches the client as RemoteProtocolError."""
    emulator = ChatEmulator(faults=Faults(drop_after_create=1.0))
    with EmulatorServer(emulator) as server:
        async with httpx.AsyncClient(base_url=server.base_url, auth=AUTH) as client:
            with pytest.raises(httpx.RemoteProtocolError):
                await create(client, "dropped")
            emulator.faults = Faults()
            assert (await create(client, "after")).status_code == 201
    assert emulator.created_count("dropped") == 1
    assert emulator.stats.dropped == 1


async def test_server_hang_stops_when_client_gives_up() -> None:
    """A hung create times out the client; the server notices the disconnect and stops fast."""
    emulator = ChatEmulator(faults=Faults(hang_after_create=1.0, hang_seconds=30.0))
    server = EmulatorServer(emulator)
    server.start()
    try:
        timeout = httpx.Timeout(5.0, read=0.1)
        async with httpx.AsyncClient(base_url=server.base_url, auth=AUTH, timeout=timeout) as c:
            with pytest.raises(httpx.ReadTimeout):
                await create(c, "hung")
    finally:
        started = time.monotonic()
        server.stop()
    assert time.monotonic() - started < 2.0
    assert emulator.created_count("hung") == 1
    assert emulator.in_flight == 0


def test_server_base_url_needs_start() -> None:
    """base_url before start() raises, and stop() without start() is harmless."""
    server = EmulatorServer()
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.base_url
    server.stop()


def test_server_start_twice_rejected() -> None:
    """A running server refuses a second start()."""
    with EmulatorServer() as server, pytest.raises(RuntimeError, match="already running"):
        server.start()


def test_server_run_emulator_in_the_foreground() -> None:
    """run_emulator serves on the given port until SIGINT, then returns cleanly."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = f"from twilio_chat.testing import run_emulator; run_emulator(port={port})"
    process = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/v2/Services", auth=AUTH)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "run_emulator did not start"
                assert process.poll() is None, "run_emulator exited early"
                time.sleep(0.05)
        assert response.status_code == 200
        assert response.json()["meta"]["url"].startswith(f"http://127.0.0.1:{port}/")
    finally:
        process.send_signal(signal.SIGINT)
        returncode = process.wait(timeout=10)
    assert returncode == 0


async def test_server_fetch_update_delete_over_loopback() -> None:
    """Over TCP an update answers 200, a delete 204 with an empty body, then fetch is 404."""
    emulator = ChatEmulator()
    with EmulatorServer(emulator) as server:
        async with httpx.AsyncClient(base_url=server.base_url, auth=AUTH) as client:
            sid = (await create(client, "tcp")).json()["sid"]
            updated = await client.post(f"/v2/Services/{sid}", data={"WebhookMethod": "GET"})
            deleted = await client.delete(f"/v2/Services/{sid}")
            fetched = await client.get(f"/v2/Services/{sid}")
    assert updated.json()["webhook_method"] == "GET"
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert fetched.status_code == 404
    assert emulator.service_count == 0


async def test_server_drop_after_delete_still_deletes() -> None:
    """Over TCP a drop after a delete is RemoteProtocolError, and the service is gone."""
    faults = Faults(drop_after_processing=1.0, operations=["delete"])
    emulator = ChatEmulator(faults=faults)
    with EmulatorServer(emulator) as server:
        async with httpx.AsyncClient(base_url=server.base_url, auth=AUTH) as client:
            sid = (await create(client, "tcp")).json()["sid"]
            with pytest.raises(httpx.RemoteProtocolError):
                await client.delete(f"/v2/Services/{sid}")
    assert emulator.service_count == 0
