"""Bulk provisioning: many creates through one client, exactly once under faults.

Workers pull names and call `create_service`; the client's adaptive limiter decides how many
are in flight. A create whose outcome is ambiguous is not retried blindly: once the first pass
is done, the account's services are listed once and the names that exist are adopted; only
the names that do not exist are created again. A name still unknown after the last round is
reported as such, never as created.

Refused credentials (401 or 403) end the run at once: the same credentials would be refused
for every name, and each refusal is a failed login on the account. Until one create has been
answered with anything else, creates go one at a time, so a wrong token costs one request;
after a refusal no worker starts another create, and the names left are `NOT_ATTEMPTED`.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
from collections.abc import AsyncGenerator, Collection, Iterable

import attrs
from twilio_chat_api.models import Service

from ._client import ChatClient
from ._config import check_friendly_name, check_int
from ._errors import (
    AmbiguousCreateError,
    ApiError,
    AuthenticationError,
    ConfigurationError,
    TwilioChatError,
)

__all__ = ["Outcome", "ServiceResult", "create_services", "provision"]


class Outcome(enum.Enum):
    """What happened to one name."""

    CREATED = "created"
    """Created by this run."""
    ADOPTED = "adopted"
    """Found by listing the account after an ambiguous create (or on resume)."""
    FAILED = "failed"
    """Definitely not created: `error` says why."""
    UNKNOWN = "unknown"
    """May or may not exist: the create stayed ambiguous and reconciliation could not tell."""
    NOT_ATTEMPTED = "not_attempted"
    """Never sent: the run stopped when the credentials were refused (`error` is that
    `AuthenticationError`). Fix the credentials and run again."""


@attrs.frozen(kw_only=True)
class ServiceResult:
    """The result for one name: `service` when it exists, `error` when it does not (or may not)."""

    friendly_name: str
    outcome: Outcome
    service: Service | None = None
    error: TwilioChatError | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in (Outcome.CREATED, Outcome.ADOPTED)

    @property
    def sid(self) -> str | None:
        sid = self.service.sid if self.service is not None else None
        return sid if isinstance(sid, str) else None


RECONCILE_DELAY = 2.0
"""Seconds to wait before listing: a create that timed out on the client may still be landing."""


async def create_services(
    client: ChatClient,
    names: Collection[str],
    *,
    concurrency: int = 100,
    reconcile_delay: float = RECONCILE_DELAY,
) -> list[ServiceResult]:
    """Create one service per name; one result per name, in input order."""
    _reject_str(names)
    names = list(names)
    results: dict[str, ServiceResult] = {}
    async for result in provision(
        client, names, concurrency=concurrency, reconcile_delay=reconcile_delay
    ):
        results[result.friendly_name] = result
    return [results[name] for name in names]


async def provision(
    client: ChatClient,
    names: Collection[str],
    *,
    concurrency: int = 100,
    reconcile: Collection[str] = (),
    reconcile_rounds: int = 3,
    reconcile_delay: float = RECONCILE_DELAY,
) -> AsyncGenerator[ServiceResult, None]:
    """Yield a result per name as each completes, in bounded memory.

    Names in `reconcile` (for example those in flight when an earlier run died) are looked up
    in the account first and adopted if they exist. `reconcile_delay` waits before each
    listing, giving creates that timed out on the client a moment to land on the server.
    Stopping early? Close the generator (`contextlib.aclosing`) so no create is left running.
    """
    _check_names(names, concurrency)
    check_int(
        reconcile_rounds,
        "reconcile_rounds (with names to reconcile)" if reconcile else "reconcile_rounds",
        1 if reconcile else 0,
    )
    if not reconcile_delay >= 0:
        raise ConfigurationError("reconcile_delay must be >= 0 seconds")
    pending = set(reconcile)
    if not pending <= set(names):
        raise ConfigurationError("every name to reconcile must also be in names")
    todo: Iterable[str] = (name for name in names if name not in pending)
    last_error: dict[str, TwilioChatError] = {}  # why each pending name is still unknown
    gate = _CredentialGate()
    for round_number in range(reconcile_rounds + 1):
        ambiguous: dict[str, AmbiguousCreateError] = {}  # this round's only
        creating = _create_all(client, todo, concurrency, ambiguous, gate)
        async with contextlib.aclosing(creating) as run:
            async for result in run:
                yield result
        last_error.update(ambiguous)
        pending |= ambiguous.keys()
        if not pending or round_number == reconcile_rounds or gate.refused is not None:
            break  # refused credentials: a listing would be one more failed login
        if reconcile_delay:
            await asyncio.sleep(reconcile_delay)
        try:
            found = await _find(client, pending)
        except TwilioChatError as listing_error:  # cannot tell: pending names stay unknown
            last_error.update(dict.fromkeys(pending, listing_error))
            break
        for name, service in found.items():
            yield ServiceResult(friendly_name=name, outcome=Outcome.ADOPTED, service=service)
        todo = sorted(pending - found.keys())
        pending = set()
    for name in sorted(pending):
        error = (
            last_error.get(name)
            or gate.refused
            or AmbiguousCreateError(name, reason="not reconciled")
        )
        yield ServiceResult(friendly_name=name, outcome=Outcome.UNKNOWN, error=error)


def _check_names(names: Collection[str], concurrency: int) -> None:
    check_int(concurrency, "concurrency", 1)
    _reject_str(names)
    seen: set[str] = set()
    for name in names:
        check_friendly_name(name)
        if name in seen:
            raise ConfigurationError(f"duplicate name {name!r}: names must be unique")
        seen.add(name)


def _reject_str(names: Collection[str]) -> None:
    if isinstance(names, str) or not isinstance(names, Collection):
        raise ConfigurationError("names must be a collection (list, tuple, set) of str")


class _CredentialGate:
    """Until one create is answered with anything but 401/403, creates go one at a time; after
    a 401/403 none is sent. In-flight creates finish: they are reported as they end."""

    def __init__(self) -> None:
        self.refused: AuthenticationError | None = None
        self._accepted = False
        self._probing = asyncio.Lock()

    async def create(self, client: ChatClient, name: str) -> Service | None:
        """The created service, or None (nothing sent) once the credentials were refused."""
        if self.refused is None and not self._accepted:
            async with self._probing:
                if self.refused is None and not self._accepted:
                    return await self._send(client, name)
        if self.refused is not None:
            return None
        return await self._send(client, name)

    async def _send(self, client: ChatClient, name: str) -> Service:
        try:
            service = await client.create_service(name)
        except AuthenticationError as error:
            if self.refused is None:
                self.refused = error
            raise
        except (ApiError, AmbiguousCreateError) as error:
            # Any other answer means Twilio accepted the credentials (it checks them first);
            # an ambiguous create without a status had no answer and proves nothing.
            if isinstance(error, ApiError) or error.status is not None:
                self._accepted = True
            raise
        self._accepted = True
        return service


async def _create_all(
    client: ChatClient,
    names: Iterable[str],
    concurrency: int,
    ambiguous: dict[str, AmbiguousCreateError],
    gate: _CredentialGate,
) -> AsyncGenerator[ServiceResult, None]:
    """Create every name with `concurrency` workers; ambiguous names go to `ambiguous`.

    Results pass through a queue bounded by `concurrency`, so memory does not grow with the
    number of names however slowly the consumer reads.
    """
    source = iter(names)
    done: asyncio.Queue[ServiceResult | None] = asyncio.Queue(maxsize=concurrency)
    failures: list[Exception] = []

    async def worker() -> None:
        try:
            for name in source:
                try:
                    service = await gate.create(client, name)
                except AmbiguousCreateError as error:
                    ambiguous[name] = error
                    continue
                except TwilioChatError as error:
                    result = ServiceResult(friendly_name=name, outcome=Outcome.FAILED, error=error)
                else:
                    result = (
                        ServiceResult(friendly_name=name, outcome=Outcome.CREATED, service=service)
                        if service is not None
                        else ServiceResult(
                            friendly_name=name, outcome=Outcome.NOT_ATTEMPTED, error=gate.refused
                        )
                    )
                await done.put(result)
        except Exception as exc:  # noqa: BLE001 - a bug, not an API failure: re-raised below
            failures.append(exc)
        await done.put(None)  # not reached when cancelled: then nobody is reading

    workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
    try:
        finished = 0
        while finished < len(workers):
            result = await done.get()
            if result is None:
                finished += 1
                if failures:
                    raise failures[0]
            else:
                yield result
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)


async def _find(client: ChatClient, names: set[str]) -> dict[str, Service]:
    """The services among `names` that exist in the account (one full listing)."""
    found: dict[str, Service] = {}
    async for service in client.list_services(page_size=100):
        name = service.friendly_name
        if isinstance(name, str) and name in names and name not in found:
            found[name] = service
    return found
