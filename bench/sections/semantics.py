"""Semantics section: how each candidate transport reports failures, and test/tooling fit.

Performance is not the only criterion for the facade's default transport: its retry logic
decides "safe to retry a create" from the httpx exception class (``ConnectError``,
``ConnectTimeout`` and ``PoolTimeout`` mean "never sent"). A transport that reports a failure
*after* the request reached the server as one of those would make the facade duplicate
creates. This section provokes each failure against a misbehaving loopback server and
compares the class each transport raises with httpcore's (the reference), then checks respx
interception, warnings at close and use from a second event loop.
"""

from __future__ import annotations

import asyncio
import gc
import re
import sys
import warnings
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from bench import _machine, _report
from bench._backend import running_backend
from bench._faults import BlackHole, FaultServer, refused_base_url
from bench._payload import service_created
from bench.contenders._clients import TRANSPORTS
from bench.options import Options

KINDS = ("default", "httpx-aiohttp", "lean")
NOT_SENT = {"httpx.ConnectError", "httpx.ConnectTimeout", "httpx.PoolTimeout"}
TIMEOUT = httpx.Timeout(2.0, connect=0.3, read=0.3, pool=0.2)
_GUARD_SECONDS = 5.0
_REPR = re.compile(r"<[^<>]*>")


def _client(kind: str, base_url: str, max_connections: int = 10) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url, timeout=TIMEOUT, transport=TRANSPORTS[kind][1](max_connections)
    )


async def _outcome(call: Awaitable[httpx.Response]) -> str:
    """``201``-style status, ``httpx.ClassName``, or the foreign exception's full name."""
    try:
        async with asyncio.timeout(_GUARD_SECONDS):
            response = await call
    except httpx.HTTPError as exc:
        return f"httpx.{type(exc).__name__}"
    except TimeoutError:
        return f"hung > {_GUARD_SECONDS:g} s"
    except Exception as exc:  # noqa: BLE001 - reporting exactly what escaped is the point
        name = f"{type(exc).__module__}.{type(exc).__name__}".removeprefix("builtins.")
        detail = f": {_short(str(exc))}" if isinstance(exc, RuntimeError) else ""
        return f"{name}{detail} (not httpx)"
    return str(response.status_code)


def _post(client: httpx.AsyncClient, path: str) -> Awaitable[httpx.Response]:
    return client.post(path, data={"FriendlyName": "semantics"})


@dataclass(frozen=True)
class Scenario:
    """One provoked failure: ``sent`` says whether the server had the whole request."""

    name: str
    expected: str
    sent: bool
    run: Callable[[str], Awaitable[str]]


async def _simple(kind: str, path: str) -> str:
    async with FaultServer() as server, _client(kind, server.base_url) as client:
        return await _outcome(_post(client, path))


async def _refused(kind: str) -> str:
    async with _client(kind, refused_base_url()) as client:
        return await _outcome(_post(client, "/ok"))


async def _connect_timeout(kind: str) -> str:
    with BlackHole() as hole:
        async with _client(kind, hole.base_url) as client:
            return await _outcome(_post(client, "/ok"))


async def _pool_timeout(kind: str) -> str:
    async with FaultServer() as server, _client(kind, server.base_url, 1) as client:
        busy = asyncio.create_task(_outcome(_post(client, "/slow")))
        await asyncio.sleep(0.05)
        result = await _outcome(_post(client, "/ok"))
        await busy
        return result


async def _stale_keepalive(kind: str) -> str:
    async with FaultServer() as server, _client(kind, server.base_url, 1) as client:
        first = await _outcome(_post(client, "/ok-then-close"))
        await asyncio.sleep(0.2)
        return f"{first}, then {await _outcome(_post(client, '/ok'))}"


def _path(path: str) -> Callable[[str], Awaitable[str]]:
    return lambda kind: _simple(kind, path)


SCENARIOS = [
    Scenario("connection refused", "httpx.ConnectError", False, _refused),
    Scenario(
        "connect timeout (accept queue full)", "httpx.ConnectTimeout", False, _connect_timeout
    ),
    Scenario("pool timeout (1 connection, busy)", "httpx.PoolTimeout", False, _pool_timeout),
    Scenario("server closes after the request", "httpx.RemoteProtocolError", True, _path("/close")),
    Scenario("server resets after the request", "httpx.ReadError", True, _path("/reset")),
    Scenario("no response (read timeout)", "httpx.ReadTimeout", True, _path("/stall")),
    Scenario("truncated body", "httpx.RemoteProtocolError", True, _path("/truncated")),
    Scenario("malformed status line", "httpx.RemoteProtocolError", True, _path("/garbage")),
    Scenario("idle keep-alive closed by server", "201, then 201", False, _stale_keepalive),
]


def _verdict(scenario: Scenario, outcome: str) -> str:
    if outcome == scenario.expected:
        return "ok"
    if scenario.sent and outcome in NOT_SENT:
        return "UNSAFE: looks never-sent, a create would be retried"
    if "(not httpx)" in outcome or outcome.startswith("hung"):
        return "escapes httpx's error model"
    if not scenario.sent and outcome not in NOT_SENT:
        return "safe, but not retried"
    return "other httpx class"


# --- Tooling checks ---------------------------------------------------------------------------


async def _respx(kind: str, using: str | None) -> str:
    try:
        import respx
    except ImportError:
        return "respx not installed"
    base = refused_base_url()  # if a request escapes the mock, it is refused (never leaves)
    kwargs: dict[str, Any] = {"base_url": base, "assert_all_called": False}
    if using is not None:
        kwargs["using"] = using
    async with _client(kind, base) as client:
        with respx.mock(**kwargs) as mock:
            route = mock.post("/v2/Services").respond(201, json=service_created())
            outcome = await _outcome(_post(client, "/v2/Services"))
            seen = route.call_count
    if seen:
        return f"intercepted ({outcome})"
    return f"NOT intercepted: went to the network ({outcome})"


@contextmanager
def _noise(sink: list[str]) -> Iterator[None]:
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _l, ctx: sink.append(f"loop: {_short(ctx['message'])}"))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
            gc.collect()
        sink.extend(f"{w.category.__name__}: {_short(str(w.message))}" for w in caught)
        caught.clear()  # warnings hold their source objects (e.g. the session) alive
        gc.collect()
    finally:
        loop.set_exception_handler(previous)


async def _close_noise(kind: str, close: bool) -> str:
    messages: list[str] = []
    with _noise(messages):
        async with FaultServer() as server:
            client = _client(kind, server.base_url)
            await _outcome(_post(client, "/ok"))
            if close:
                await client.aclose()
            del client
            for _ in range(3):  # session, then connector and its connections, are collected
                gc.collect()
                await asyncio.sleep(0.02)
    return "; ".join(dict.fromkeys(messages)) or "none"


def _short(text: str) -> str:
    """A one-line message with object reprs collapsed to ``<...>``, for a table cell."""
    line = text.split("\n", 1)[0]
    while (collapsed := _REPR.sub("\x00", line)) != line:
        line = collapsed
    return line.replace("\x00", "<...>")[:100]


def _second_loop(kind: str) -> str:
    """Use one client from two successive ``asyncio.run`` loops (e.g. pytest function-scoped
    loops sharing a module-level client)."""
    messages: list[str] = []

    def run_in_new_loop(call: Callable[[], Awaitable[str]]) -> str:
        async def main() -> str:
            asyncio.get_running_loop().set_exception_handler(
                lambda _l, ctx: messages.append(_short(str(ctx.get("message"))))
            )
            return await call()

        return asyncio.run(main())

    with running_backend("asyncio") as backend, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = _client(kind, backend.base_url)
        first = run_in_new_loop(lambda: _outcome(_post(client, "/ok")))
        second = run_in_new_loop(lambda: _outcome(_post(client, "/ok")))
        try:
            run_in_new_loop(lambda: _closed(client))
        except Exception as exc:  # noqa: BLE001
            messages.append(f"aclose: {type(exc).__name__}")
    logged = f"; logged: {'; '.join(dict.fromkeys(messages))}" if messages else ""
    return f"{first}, then {second}{logged}"


async def _closed(client: httpx.AsyncClient) -> str:
    await client.aclose()
    return "closed"


async def _tooling_rows() -> list[list[str]]:
    rows = []
    checks: tuple[tuple[str, Callable[[str], Awaitable[str]]], ...] = (
        ("respx.mock(using='httpx')", lambda k: _respx(k, "httpx")),
        ("respx.mock() (default: httpcore)", lambda k: _respx(k, None)),
        ("warnings: request + aclose()", lambda k: _close_noise(k, close=True)),
        ("warnings: request, never closed", lambda k: _close_noise(k, close=False)),
    )
    for label, check in checks:
        rows.append([label, *[await check(kind) for kind in KINDS]])
    return rows


async def _scenario_rows() -> list[list[str]]:
    rows = []
    for scenario in SCENARIOS:
        cells = []
        for kind in KINDS:
            outcome = await scenario.run(kind)
            verdict = _verdict(scenario, outcome)
            cells.append(outcome if verdict == "ok" else f"{outcome} - {verdict}")
        rows.append([scenario.name, "yes" if scenario.sent else "no", scenario.expected, *cells])
    return rows


def run(options: Options) -> int:
    """Run every scenario and check for each transport; print Markdown to stdout."""
    del options  # nothing to size: every check is a single request
    labels = [TRANSPORTS[kind][0] for kind in KINDS]
    scenario_rows = asyncio.run(_scenario_rows())
    tooling_rows = asyncio.run(_tooling_rows())
    tooling_rows.append(["same client from a 2nd event loop", *[_second_loop(k) for k in KINDS]])
    unsafe = any("UNSAFE" in cell for row in scenario_rows for cell in row)
    report = "\n\n".join(
        [
            "## Semantics: what each transport raises, and how it fits the tooling",
            _report.bullets(
                [
                    *_machine.describe(),
                    f"client timeouts: {TIMEOUT}",
                    "facade rule: ConnectError, ConnectTimeout, PoolTimeout = never sent "
                    "(a create is retried); anything else after sending = maybe created",
                ]
            ),
            _report.table(
                ["failure", "server got request", "httpcore / expected", *labels],
                scenario_rows,
            ),
            _report.table(["check", *labels], tooling_rows),
        ]
    )
    sys.stdout.write(report + "\n")
    if unsafe:
        sys.stderr.write("[semantics] some transport misreports a sent request as never sent\n")
    return 0
