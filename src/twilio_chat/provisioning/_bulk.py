"""The Python API of provisioning: `provision` streams results, `create_services` lists them.

Both run the converging loop (`_converge`) without a journal: the run's start, in memory, tells
which services it created. Calling either twice on the same names creates nothing the second
time: the names exist, and are adopted (`EXISTING`).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Collection

from .._client import ChatClient
from .._config import check_friendly_name, check_int
from .._errors import ConfigurationError
from ._converge import RECONCILE_ROUNDS, MemoryRecord, OnExisting, converge
from ._outcomes import ServiceResult

__all__ = ["check_names", "check_options", "create_services", "provision"]


async def create_services(
    client: ChatClient,
    names: Collection[str],
    *,
    concurrency: int = 100,
    on_existing: OnExisting = "adopt",
    repair: bool = True,
    settle: float | None = None,
    reconcile_delay: float | None = None,
) -> list[ServiceResult]:
    """One service per name; one result per name (the last one, after verification), in
    input order."""
    _reject_str(names)
    names = list(names)
    results: dict[str, ServiceResult] = {}
    stream = provision(
        client,
        names,
        concurrency=concurrency,
        on_existing=on_existing,
        repair=repair,
        settle=settle,
        reconcile_delay=reconcile_delay,
    )
    async with contextlib.aclosing(stream) as run:
        async for result in run:
            results[result.friendly_name] = result
    return [results[name] for name in names]


async def provision(
    client: ChatClient,
    names: Collection[str],
    *,
    concurrency: int = 100,
    on_existing: OnExisting = "adopt",
    repair: bool = True,
    settle: float | None = None,
    reconcile_delay: float | None = None,
    reconcile_rounds: int = RECONCILE_ROUNDS,
) -> AsyncGenerator[ServiceResult, None]:
    """Yield a result per name as each completes. Results are not kept; for its verification
    the run keeps each name's SID and outcome (a few hundred bytes a name) and one listing.

    The account is listed once before anything is created: a name with one service is adopted
    (`EXISTING`; a `FAILED` result with `on_existing="fail"`), with several is a `CONFLICT`.
    After the work the account is listed again; services this run created twice are deleted
    but the oldest (`REPAIRED`; with `repair=False` a `CONFLICT`). When a create was ambiguous,
    that listing waits `settle` seconds after it (default: twice the client's read timeout).
    A name whose state the verification changes gets a second result, which holds. Ambiguous
    creates are looked up `reconcile_rounds` times (each after `reconcile_delay` seconds) and
    created again when not found (`None`: wait the settle time first, so creates Twilio is
    still processing are adopted rather than made twice and repaired).
    Stopping early? Close the generator (`contextlib.aclosing`) so no create is left running.
    """
    check_names(names, concurrency)
    check_options(on_existing=on_existing, settle=settle)
    check_int(reconcile_rounds, "reconcile_rounds", 0)
    if reconcile_delay is not None and not 0 <= reconcile_delay < float("inf"):
        raise ConfigurationError("reconcile_delay must be >= 0 seconds (None: the settle time)")
    stream = converge(
        client,
        names,
        MemoryRecord(),
        concurrency=concurrency,
        on_existing=on_existing,
        repair=repair,
        settle=settle,
        reconcile_delay=reconcile_delay,
        reconcile_rounds=reconcile_rounds,
    )
    async with contextlib.aclosing(stream) as run:
        async for result in run:
            yield result


def check_names(names: Collection[str], concurrency: int) -> None:
    """Names are a collection of unique, valid friendly names; refused before any request."""
    check_int(concurrency, "concurrency", 1)
    _reject_str(names)
    seen: set[str] = set()
    for name in names:
        check_friendly_name(name)
        if name in seen:
            raise ConfigurationError(f"duplicate name {name!r}: names must be unique")
        seen.add(name)


def check_options(*, on_existing: str, settle: float | None) -> None:
    if on_existing not in ("adopt", "fail"):
        raise ConfigurationError(f'on_existing must be "adopt" or "fail", not {on_existing!r}')
    if settle is not None and not 0 <= settle < float("inf"):
        raise ConfigurationError("settle must be a number of seconds >= 0 (None: the default)")


def _reject_str(names: Collection[str]) -> None:
    if isinstance(names, str) or not isinstance(names, Collection):
        raise ConfigurationError("names must be a collection (list, tuple, set) of str")
