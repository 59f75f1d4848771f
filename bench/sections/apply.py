"""Apply section: 2,000 configured services made to match a file, against a capped emulator.

A fresh ``twilio-chat emulator`` process caps requests in flight at C = 20 with 50 ms +-25 %
latency, so it serves at most C / 0.05 = 400 requests/s. Making N configured services exist
takes at least N creates and N updates: the ideal wall is 2N / 400 s. Rows:

- ``apply`` on an empty account (never told C: the client's adaptive limiter finds it), then
  ``apply`` again on the same account (a rerun: listings only, no write);
- the baseline: ``create_service`` then ``update_service`` per name under ``Semaphore(20)``
  (the user who knows C), with the limiter off, then the same job run again, as a script
  without observation would be rerun after a failure.

Requests are counted on the client, below the retries (a counting transport), so every
attempt counts; duplicates come from listing the emulator afterwards.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench import _machine, _report
from bench.contenders.provisioning import emulator_process, list_names
from bench.options import Options

LATENCY = 0.05
JITTER = 0.25
CAP = 20
N, QUICK_N = 2_000, 400


def _progress(message: str) -> None:
    sys.stderr.write(f"[apply] {message}\n")
    sys.stderr.flush()


class _Counting(httpx.AsyncBaseTransport):
    """Counts each request by kind (create, update, list, ...) and the 429s, then sends it."""

    def __init__(self, inner: httpx.AsyncBaseTransport, counts: Counter[str]) -> None:
        self._inner = inner
        self._counts = counts

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.rstrip("/")
        one = path != "/v2/Services"
        kind = {
            ("POST", False): "create",
            ("GET", False): "list",
            ("POST", True): "update",
            ("GET", True): "fetch",
            ("DELETE", True): "delete",
        }.get((request.method, one), "other")
        self._counts[kind] += 1
        response = await self._inner.handle_async_request(request)
        if response.status_code == 429:
            self._counts["429"] += 1
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


@dataclass
class Row:
    label: str
    n: int
    wall_s: float = 0.0
    counts: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    error: str = ""

    @property
    def requests(self) -> int:
        return sum(v for k, v in self.counts.items() if k != "429")

    @property
    def writes(self) -> int:
        return self.counts["create"] + self.counts["update"] + self.counts["delete"]


def _client(url: str, counts: Counter[str], *, adaptive: bool) -> Any:
    from twilio_chat import ChatClient
    from twilio_chat._aiohttp_transport import AiohttpTransport
    from twilio_chat.testing import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN

    inner = AiohttpTransport(limits=httpx.Limits(max_connections=100))
    return ChatClient(
        TEST_ACCOUNT_SID,
        TEST_AUTH_TOKEN,
        base_url=url,
        transport=_Counting(inner, counts),
        adaptive_concurrency=adaptive,
    )


def _services_file(folder: Path, n: int) -> Path:
    lines = [
        "defaults:",
        "  read_status_enabled: true",
        "  reachability_enabled: true",
        "  limits: {user_channels: 500, channel_members: 250}",
        "  webhook_method: POST",
        "  webhook_filters: [onMessageSend, onChannelAdded]",
        "services:",
    ]
    for i in range(n):
        lines.append(f"  - friendly_name: apply-{i:06d}")
        lines.append(f"    pre_webhook_url: https://hooks.example.com/pre/{i:06d}")
    path = folder / "services.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def _apply(url: str, services: Path, journal: Path, row: Row) -> None:
    from twilio_chat import apply, load_desired

    desired = load_desired(services)
    async with _client(url, row.counts, adaptive=True) as chat:
        started = time.perf_counter()
        final = {}
        async for result in apply(chat, desired, journal=journal):
            final[result.friendly_name] = result.outcome.value
        row.wall_s = time.perf_counter() - started
    row.outcomes.update(final.values())


async def _baseline(url: str, services: Path, row: Row) -> None:
    from twilio_chat import TwilioChatError, load_desired

    desired = load_desired(services)
    async with _client(url, row.counts, adaptive=False) as chat:
        semaphore = asyncio.Semaphore(CAP)

        async def one(name: str, settings: dict[str, object]) -> str:
            async with semaphore:
                try:
                    service = await chat.create_service(name)
                    await chat.update_service(service.sid, **settings)
                except TwilioChatError as error:
                    return type(error).__name__
            return "created"

        started = time.perf_counter()
        outcomes = await asyncio.gather(*(one(s.friendly_name, dict(s.settings)) for s in desired))
        row.wall_s = time.perf_counter() - started
    row.outcomes.update(outcomes)


def _flags() -> list[str]:
    return [
        "--max-concurrency",
        str(CAP),
        "--latency",
        f"{LATENCY:g}",
        "--latency-jitter",
        f"{JITTER:g}",
        "--seed",
        "1",
    ]


def _measure(n: int, cpu: int | None) -> list[Row]:
    rows = [
        Row("**`apply`** (adaptive, never told C), empty account", n),
        Row("`apply` again, same file (a rerun)", n),
        Row("baseline: `Semaphore(20)` + `create_service` + `update_service`", n),
        Row("baseline run again (a rerun of the script)", n),
    ]
    with tempfile.TemporaryDirectory() as folder:
        services = _services_file(Path(folder), n)
        journal = Path(folder) / "run.jsonl"
        with emulator_process(_flags(), cpu) as emulator:
            for row in rows[:2]:
                gc.collect()
                asyncio.run(_apply(emulator.url, services, journal, row))
                row.duplicates = _duplicates(emulator.url)
                _progress(f"{row.label}: {row.wall_s:.2f} s, {row.requests} requests")
        with emulator_process(_flags(), cpu) as emulator:
            for row in rows[2:]:
                gc.collect()
                asyncio.run(_baseline(emulator.url, services, row))
                row.duplicates = _duplicates(emulator.url)
                _progress(f"{row.label}: {row.wall_s:.2f} s, {row.requests} requests")
    return rows


def _duplicates(url: str) -> int:
    return sum(count - 1 for count in asyncio.run(list_names(url)).values() if count > 1)


def _table(rows: list[Row]) -> str:
    ideal = 2 * rows[0].n / CAP * LATENCY
    header = [
        "run",
        "N",
        "wall s",
        "% of capacity",
        "requests",
        "requests/service",
        "writes",
        "listing pages",
        "429s",
        "outcomes",
        "extra services",
    ]
    lines = []
    for index, row in enumerate(rows):
        first = index in (0, 2)
        lines.append(
            [
                row.label,
                f"{row.n:,}",
                f"{row.wall_s:.2f}",
                f"{ideal / row.wall_s:.0%}" if first and row.wall_s else "-",
                f"{row.requests:,}",
                f"{row.requests / row.n:.2f}",
                f"{row.writes:,}",
                f"{row.counts['list']:,}",
                f"{row.counts['429']:,}",
                ", ".join(f"{v:,} {k}" for k, v in row.outcomes.most_common()),
                f"{row.duplicates:,}",
            ]
        )
    return _report.table(header, lines, "lrrrrrrrrlr")


def run(options: Options) -> int:
    n = QUICK_N if options.n < Options().n else N
    cpus = _machine.available_cpus()
    cpu = None
    pinned = "not pinned (fewer than 2 CPUs or --no-pin)"
    if options.pin and len(cpus) >= 2:
        _machine.pin_current_process(cpus[0])
        cpu = cpus[1]
        pinned = f"client pinned to CPU {cpus[0]}, emulator to CPU {cpus[1]}"
    rows = _measure(n, cpu)
    print("## Apply: configured services against a capped emulator\n")
    print(
        f"C = {CAP} requests in flight, {LATENCY * 1000:.0f} ms +-{JITTER:.0%} latency: "
        f"capacity {CAP / LATENCY:.0f} requests/s; N creates + N updates take at least "
        f"{2 * n / CAP * LATENCY:.1f} s; {pinned}.\n"
    )
    print(_table(rows))
    print()
    return 0
