"""The emulator on a real loopback port, under uvicorn: in the foreground for the
`twilio-chat emulator` command, or in a background thread for tests, the demo and benchmarks.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from types import TracebackType
from typing import Final, Self

import uvicorn

from ._app import ChatEmulator
from ._faults import ConnectionDropped

__all__ = ["EmulatorServer", "run_emulator"]

DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 8080


class _HideDeliberateDrops(logging.Filter):
    """Keeps uvicorn from logging a traceback for each connection the emulator drops on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


_DROP_FILTER: Final = _HideDeliberateDrops()


def _config(emulator: ChatEmulator, host: str, port: int, log_level: str) -> uvicorn.Config:
    config = uvicorn.Config(
        emulator,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=2,
    )
    logging.getLogger("uvicorn.error").addFilter(_DROP_FILTER)  # idempotent: same object
    return config


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def run_emulator(
    emulator: ChatEmulator | None = None,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    log_level: str = "warning",
) -> None:
    """Serve `emulator` (a fresh one by default) on `host:port` in the foreground.

    Blocks until Ctrl+C or SIGTERM, shuts down gracefully, and returns (a Ctrl+C does not
    escape as KeyboardInterrupt).
    """
    server = uvicorn.Server(_config(emulator or ChatEmulator(), host, port, log_level))
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises the SIGINT it handled
        server.run()


class EmulatorServer:
    """Runs an emulator under uvicorn in a background thread, on a port of its own.

    ```python
    with EmulatorServer(ChatEmulator()) as server:
        httpx.get(server.base_url + "/v2/Services", auth=(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN))
    ```

    The socket is bound before the thread starts (port 0 picks a free port), `start()` returns
    once uvicorn accepts connections, and `stop()` shuts it down and joins the thread.
    """

    def __init__(
        self,
        emulator: ChatEmulator | None = None,
        *,
        host: str = DEFAULT_HOST,
        port: int = 0,
        log_level: str = "warning",
        startup_timeout: float = 10.0,
    ) -> None:
        self.emulator = emulator or ChatEmulator()
        self._host = host
        self._port = port
        self._log_level = log_level
        self._startup_timeout = startup_timeout
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._base_url: str | None = None
        self._failure: BaseException | None = None

    def __repr__(self) -> str:
        return f"EmulatorServer(base_url={self._base_url!r})"

    @property
    def base_url(self) -> str:
        """`http://host:port` of the running server."""
        if self._base_url is None:
            raise RuntimeError("the emulator server is not running: call start() first")
        return self._base_url

    def start(self) -> None:
        """Bind the socket, start uvicorn in a daemon thread, and wait until it serves."""
        if self._thread is not None:
            raise RuntimeError("the emulator server is already running")
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on sockets that say they are
        # TCP, and without it every response waits ~40 ms for Nagle and delayed ACKs.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self._host, self._port))
        except BaseException:
            sock.close()
            raise
        port: int = sock.getsockname()[1]
        server = uvicorn.Server(_config(self.emulator, self._host, port, self._log_level))
        self._failure = None

        def serve() -> None:
            try:
                server.run(sockets=[sock])
            except BaseException as exc:  # noqa: BLE001 - reported by start() in the caller's thread
                self._failure = exc
            finally:
                sock.close()

        thread = threading.Thread(target=serve, name=f"chat-emulator-{port}", daemon=True)
        self._server, self._thread = server, thread
        thread.start()
        deadline = time.monotonic() + self._startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the emulator server did not start on port {port}") from (
                    self._failure
                )
            time.sleep(0.005)
        self._base_url = _url(self._host, port)

    def stop(self) -> None:
        """Ask uvicorn to exit, and wait for its thread (no-op when not running)."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join()
        self._server = self._thread = self._base_url = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
