"""Start the loopback server for a benchmark: nginx if installed, else :mod:`bench._server`.

The server runs in its own process, pinned to a CPU the client does not use, and exposes its
CPU time (all processes of its tree, e.g. nginx master + worker) so reports can show it is not
the bottleneck.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench import _nginx
from bench._payload import service_created_bytes
from bench._procstat import cpu_seconds, process_tree

HOST = "127.0.0.1"
_READY_TIMEOUT = 10.0


@dataclass
class Backend:
    """A running loopback server."""

    kind: str
    port: int
    process: subprocess.Popen[bytes]
    cpu: int | None
    _pids: set[int] = field(default_factory=set)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{HOST}:{self.port}"

    def cpu_seconds(self) -> float:
        """CPU seconds used so far by every process of the server."""
        if not self._pids:
            self._pids = process_tree(self.process.pid)
        return cpu_seconds(self._pids)


def _pin(cpu: int | None) -> Callable[[], None] | None:
    if cpu is None:
        return None

    def pin() -> None:
        os.sched_setaffinity(0, {cpu})

    return pin


def _wait_listening(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + _READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with status {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5):
            return
        time.sleep(0.02)
    raise RuntimeError(f"server did not listen on {HOST}:{port} within {_READY_TIMEOUT}s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()  # nginx: fast shutdown of master and workers
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _start_nginx(binary: str, directory: Path, cpu: int | None) -> Backend:
    body = service_created_bytes()
    last_error: Exception | None = None
    for _ in range(3):  # the free port can be taken between probing and nginx binding it
        port = _nginx.free_port()
        config = _nginx.write_config(directory, port, body)
        process = subprocess.Popen(
            _nginx.command(binary, directory, config),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=_pin(cpu),
        )
        try:
            _wait_listening(process, port)
        except RuntimeError as exc:
            _stop(process)
            last_error = exc
            continue
        time.sleep(0.1)  # let the master fork its worker before we snapshot the tree
        return Backend(f"nginx ({_nginx.nginx_version(binary)}, 1 worker)", port, process, cpu)
    log = directory / "error.log"
    detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise RuntimeError(f"nginx failed to start: {last_error}\n{detail}")


def _start_asyncio(cpu: int | None) -> Backend:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench._server", "--host", HOST, "--port", "0"],
        stdout=subprocess.PIPE,
        preexec_fn=_pin(cpu),
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert process.stdout is not None
    line = process.stdout.readline().decode().split()
    if len(line) != 2 or line[0] != "LISTENING":
        _stop(process)
        raise RuntimeError(f"asyncio server did not start (said {line!r})")
    port = int(line[1])
    _wait_listening(process, port)
    return Backend("asyncio (bench._server)", port, process, cpu)


@contextlib.contextmanager
def running_backend(kind: str = "auto", cpu: int | None = None) -> Iterator[Backend]:
    """Run a server of ``kind`` (``auto``, ``nginx`` or ``asyncio``) pinned to ``cpu``."""
    binary = _nginx.find_nginx() if kind in ("auto", "nginx") else None
    if kind == "nginx" and binary is None:
        raise RuntimeError("nginx is not installed (apt-get install -y nginx)")
    with tempfile.TemporaryDirectory(prefix="bench-nginx-") as tmp:
        backend = _start_nginx(binary, Path(tmp), cpu) if binary else _start_asyncio(cpu)
        try:
            yield backend
        finally:
            _stop(backend.process)
