"""A local Twilio Chat API emulator (the Services resource: create, list, fetch, update, delete)
with fault injection.

In-process, for tests::

    emulator = ChatEmulator(faults=Faults(rate_limit=0.1), seed=1)
    async with httpx.AsyncClient(transport=emulator.transport(), base_url="http://emulator.test",
                                 auth=(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN)) as client:
        await client.post("/v2/Services", data={"FriendlyName": "demo"})
    assert emulator.created_count("demo") == 1

Tests of pre-existing names seed services (`emulator.seed_service("demo")`); tests that must
not write assert `emulator.stats.write_requests == 0`.

On a loopback port (needs the `emulator` extra, uvicorn): `EmulatorServer(emulator)` in a
background thread, or `run_emulator(emulator, port=8080)` in the foreground.
"""

from typing import TYPE_CHECKING

from ._app import ChatEmulator, EmulatorStats
from ._credentials import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN
from ._faults import Faults, Operation
from ._resources import ServiceRecord

if TYPE_CHECKING:
    from ._server import EmulatorServer, run_emulator

__all__ = [
    "TEST_ACCOUNT_SID",
    "TEST_AUTH_TOKEN",
    "ChatEmulator",
    "EmulatorServer",
    "EmulatorStats",
    "Faults",
    "Operation",
    "ServiceRecord",
    "run_emulator",
]

for _public in (ChatEmulator, EmulatorStats, Faults, Operation, ServiceRecord):
    _public.__module__ = __name__


def __getattr__(name: str) -> object:
    """Import the uvicorn runner on first use, so in-process use does not need uvicorn."""
    if name in ("EmulatorServer", "run_emulator"):
        from . import _server

        value: object = getattr(_server, name)
        if isinstance(value, type):
            value.__module__ = __name__
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
