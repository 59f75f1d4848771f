"""Ways to create many services against a server that caps requests in flight.

Used by the ``provisioning`` section. Unlike the transport section's contenders (one create
per call, driven by the closed-loop harness), each contender here is handed the whole list of
names at once and decides its own concurrency, the way a user would write it:

* ``adaptive`` - ``ChatClient.create_services``: the adaptive limiter, never told the cap;
* ``oracle`` - ``asyncio.Semaphore(cap)`` around ``create_service`` with the limiter off:
  what a user who knew the account's limit would write (the best a fixed limit can do);
* ``unbounded`` - ``asyncio.gather`` of every ``create_service`` with the limiter off, so only
  the retry policy stands between the client and the cap;
* ``sdk`` / ``sdk-sem100`` - Twilio's SDK, ``create_async`` under ``asyncio.gather`` (bounded
  only by its aiohttp connector's 100 connections) or a semaphore of 100. The SDK never
  retries a 429, so those names fail.

Every contender records into a :class:`Tally` what the client saw (requests sent, 429s,
names created, exceptions) and the wall and CPU time of the work itself. The server side of
the story (how many services exist, under which names) comes from listing the emulator
afterwards with :func:`list_names`; :class:`EmulatorProcess` runs ``twilio-chat emulator`` in a
process of its own so its CPU does not count as the client's.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench._procstat import cpu_seconds, system_busy_seconds

#: Seconds to wait for the emulator's "listening" line.
_START_TIMEOUT = 15.0
#: How often the adaptive contender samples its limiter.
SAMPLE_EVERY = 0.05


def pool_size(cap: int) -> int:
    """Connections (and the adaptive ceiling) every facade contender gets against ``cap``.

    100 (the facade's default) unless that is not above the cap; then twice the cap, so the
    client's own ceiling is never what stops it from overrunning the server.
    """
    return 100 if cap < 100 else 2 * cap


# --- What a run saw ----------------------------------------------------------------------


@dataclass
class LimiterTrace:
    """``(seconds since start, limit, in flight)`` every :data:`SAMPLE_EVERY` seconds."""

    samples: list[tuple[float, int, int]] = field(default_factory=list)

    def summary(self, index: int) -> tuple[float, float, float]:
        """Min, median, max of column ``index`` (1: limit, 2: in flight)."""
        values = [sample[index] for sample in self.samples] or [0]
        return min(values), statistics.median(values), max(values)

    def mean(self, index: int) -> float:
        """Time-average of column ``index`` (samples are evenly spaced)."""
        values = [sample[index] for sample in self.samples]
        return statistics.fmean(values) if values else 0.0


@dataclass
class Tally:
    """What one contender's client observed during one run."""

    names: int = 0
    ok: int = 0
    failed: int = 0
    #: HTTP requests sent for creates (first attempts plus retries).
    requests: int = 0
    #: 429 answers among them (retried or final).
    throttled: int = 0
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    wall_s: float = 0.0
    cpu_s: float = 0.0
    #: CPU seconds the server used over the timed work (when ``server_cpu`` is set).
    server_cpu_s: float = 0.0
    #: CPU seconds every CPU of the machine was busy over the timed work.
    busy_s: float = 0.0
    trace: LimiterTrace | None = None
    #: Wall seconds and services seen of each account listing a converging run made
    #: (observe first, verify last; lookups after ambiguous creates between).
    listings: list[tuple[float, int]] = field(default_factory=list)
    server_cpu: Callable[[], float] | None = None
    _marks: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)

    def _read(self) -> tuple[float, float, float, float]:
        server = self.server_cpu() if self.server_cpu is not None else 0.0
        return time.perf_counter(), time.process_time(), server, system_busy_seconds()

    def start(self) -> None:
        """Mark the start of the timed work (after the client is built)."""
        self._marks = self._read()

    def stop(self) -> None:
        """Mark its end (before the client is closed)."""
        wall, cpu, server, busy = (b - a for a, b in zip(self._marks, self._read(), strict=True))
        self.wall_s, self.cpu_s, self.server_cpu_s, self.busy_s = wall, cpu, server, busy

    @property
    def other_load(self) -> float:
        """Cores' worth of CPU other processes used meanwhile (neither client nor server)."""
        other = self.busy_s - self.cpu_s - self.server_cpu_s
        return max(0.0, other / self.wall_s) if self.wall_s else 0.0

    def on_retry(self, event: Any) -> None:
        """``RetryPolicy(on_retry=...)`` hook: each retry is one more request sent."""
        self.requests += 1
        if getattr(event.error, "status", None) == 429:
            self.throttled += 1

    def outcome(self, error: BaseException | None) -> None:
        """Count one name's final outcome (``None``: created)."""
        if error is None:
            self.ok += 1
            return
        self.failed += 1
        if getattr(error, "status", None) == 429:
            self.throttled += 1  # the last attempt's 429, which was not retried
        self.errors[type(error).__name__] += 1


# --- The contenders ----------------------------------------------------------------------

RunFn = Callable[[str, list[str], int, Tally], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Contender:
    """A named way of provisioning a list of names against a server capped at ``cap``."""

    key: str
    label: str
    run: RunFn


def _credentials() -> tuple[str, str]:
    from twilio_chat.testing import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN

    return TEST_ACCOUNT_SID, TEST_AUTH_TOKEN


async def _sample(limiter: Any, trace: LimiterTrace) -> None:
    """Record the limiter's limit and requests in flight until cancelled."""
    started = time.perf_counter()
    while True:
        trace.samples.append((time.perf_counter() - started, limiter.limit, limiter.in_flight))
        await asyncio.sleep(SAMPLE_EVERY)


@contextlib.contextmanager
def timed_listings(into: list[tuple[float, int]]) -> Iterator[None]:
    """Record the wall time and size of every listing provisioning makes (observe, verify)."""
    from twilio_chat.provisioning import _converge

    original = _converge.observe

    async def timed(*args: Any, **kwargs: Any) -> Any:
        observation = await original(*args, **kwargs)
        into.append((observation.seconds, observation.service_count))
        return observation

    _converge.observe = timed  # type: ignore[assignment]
    try:
        yield
    finally:
        _converge.observe = original


async def run_adaptive(url: str, names: list[str], cap: int, tally: Tally) -> None:
    """``ChatClient.create_services(names, concurrency=pool)``: the limiter finds the cap."""
    from twilio_chat import ChatClient, RetryPolicy

    sid, token = _credentials()
    pool = pool_size(cap)
    tally.requests = len(names)
    tally.trace = LimiterTrace()
    retry = RetryPolicy(on_retry=tally.on_retry)
    async with ChatClient(sid, token, base_url=url, retry=retry, max_connections=pool) as chat:
        assert chat.limiter is not None
        sampler = asyncio.create_task(_sample(chat.limiter, tally.trace))
        tally.start()
        with timed_listings(tally.listings):
            results = await chat.create_services(names, concurrency=pool)
        tally.stop()
        sampler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampler
    for result in results:
        tally.outcome(None if result.ok else result.error)


async def _facade_fixed(url: str, names: list[str], cap: int, tally: Tally, limit: int) -> None:
    """``create_service`` per name with the limiter off, at most ``limit`` at a time."""
    from twilio_chat import ChatClient, RetryPolicy

    sid, token = _credentials()
    tally.requests = len(names)
    retry = RetryPolicy(on_retry=tally.on_retry)
    async with ChatClient(
        sid,
        token,
        base_url=url,
        retry=retry,
        max_connections=pool_size(cap),
        adaptive_concurrency=False,
    ) as chat:
        semaphore = asyncio.Semaphore(limit)

        async def bounded(name: str) -> object:
            async with semaphore:
                return await chat.create_service(name)

        create = bounded if limit < len(names) else chat.create_service
        tally.start()
        results = await asyncio.gather(*(create(n) for n in names), return_exceptions=True)
        tally.stop()
    for result in results:
        tally.outcome(result if isinstance(result, BaseException) else None)


async def run_oracle(url: str, names: list[str], cap: int, tally: Tally) -> None:
    """A semaphore at exactly the server's cap: the user who knows the account's limit."""
    await _facade_fixed(url, names, cap, tally, cap)


async def run_unbounded(url: str, names: list[str], cap: int, tally: Tally) -> None:
    """Every create at once; the connection pool and the retry policy are all that limit it."""
    await _facade_fixed(url, names, cap, tally, len(names))


async def _sdk(url: str, names: list[str], tally: Tally, limit: int | None) -> None:
    """Twilio's SDK on its aiohttp client (reusing the transport section's safe setup)."""
    from bench.contenders import Target
    from bench.contenders.twilio_sdk import open_twilio

    sid, token = _credentials()
    tally.requests = len(names)  # the SDK never retries
    async with open_twilio(Target(url, sid, token), 100) as create:
        semaphore = asyncio.Semaphore(limit or len(names))

        async def bounded(name: str) -> str:
            async with semaphore:
                return await create(name)

        call = bounded if limit else create
        tally.start()
        results = await asyncio.gather(*(call(n) for n in names), return_exceptions=True)
        tally.stop()
    for result in results:
        tally.outcome(result if isinstance(result, BaseException) else None)


async def run_sdk(url: str, names: list[str], cap: int, tally: Tally) -> None:
    """``asyncio.gather`` of every ``create_async``: bounded only by the SDK's 100 connections."""
    await _sdk(url, names, tally, None)


async def run_sdk_sem100(url: str, names: list[str], cap: int, tally: Tally) -> None:
    """The same under ``asyncio.Semaphore(100)``."""
    await _sdk(url, names, tally, 100)


CONTENDERS = [
    Contender("adaptive", "adaptive: `create_services` (limiter, never told C)", run_adaptive),
    Contender("oracle", "oracle: `Semaphore(C)` + `create_service`, limiter off", run_oracle),
    Contender("unbounded", "unbounded `gather` of `create_service`, limiter off", run_unbounded),
    Contender("sdk", "twilio SDK: unbounded `gather` of `create_async`", run_sdk),
    Contender("sdk-sem100", "twilio SDK: `Semaphore(100)` + `create_async`", run_sdk_sem100),
]


async def list_names(url: str) -> collections.Counter[str]:
    """How many services exist under each friendly name (``GET /v2/Services``, every page)."""
    from twilio_chat import ChatClient

    sid, token = _credentials()
    found: collections.Counter[str] = collections.Counter()
    async with ChatClient(sid, token, base_url=url) as chat:
        async for service in chat.list_services(page_size=100):
            found[str(service.friendly_name)] += 1
    return found


# --- The emulator in its own process -----------------------------------------------------


def _emulator_command() -> list[str]:
    """``twilio-chat`` next to this interpreter (the venv's), else the one on ``PATH``."""
    script = Path(sys.executable).with_name("twilio-chat")
    if script.exists():
        return [str(script)]
    found = shutil.which("twilio-chat")
    if found is None:
        raise RuntimeError("the `twilio-chat` command is not installed (make install)")
    return [found]


@dataclass
class EmulatorProcess:
    """``twilio-chat emulator --port 0`` with the given fault flags, pinned to ``cpu``."""

    process: subprocess.Popen[bytes]
    url: str

    def cpu_seconds(self) -> float:
        """CPU seconds the emulator process has used so far."""
        return cpu_seconds({self.process.pid})


def _read_first_line(process: subprocess.Popen[bytes], timeout: float) -> str:
    """The first stdout line, or ``""`` if the process exits or stays silent."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.05)
        if ready:
            return process.stdout.readline().decode(errors="replace").strip()
        if process.poll() is not None:
            return ""
    return ""


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (the command shuts uvicorn down cleanly), then SIGKILL if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def emulator_process(flags: list[str], cpu: int | None) -> Iterator[EmulatorProcess]:
    """Start a fresh emulator on a free loopback port; stop it on exit.

    It authenticates the test credentials (``TWILIO_ACCOUNT_SID``/``TWILIO_AUTH_TOKEN`` in its
    environment); its stderr goes to a temporary file, shown if it fails to start.
    """
    sid, token = _credentials()
    env = {**os.environ, "TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token}
    for name in ("TWILIO_API_KEY", "TWILIO_API_SECRET"):
        env.pop(name, None)

    def pin() -> None:
        if cpu is not None:
            os.sched_setaffinity(0, {cpu})

    command = [*_emulator_command(), "emulator", "--host", "127.0.0.1", "--port", "0", *flags]
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
            preexec_fn=pin,
        )
        try:
            line = _read_first_line(process, _START_TIMEOUT)
            prefix = "emulator listening on "
            if not line.startswith(prefix):
                _stop(process)
                stderr.seek(0)
                detail = stderr.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"the emulator did not start (said {line!r}): {detail}")
            yield EmulatorProcess(process, line.removeprefix(prefix).strip())
        finally:
            _stop(process)
            if process.stdout is not None:
                process.stdout.close()
