"""Act: many creates through one client, with `concurrency` workers and bounded memory.

The client's adaptive limiter decides how many creates are really in flight. Refused
credentials (401 or 403) end the work at once: the same credentials would be refused for every
name, and each refusal is a failed login on the account. Until one create has been answered
with anything else, creates go one at a time, so a wrong token costs one request; after a
refusal no worker starts another create, and the names left are `NOT_ATTEMPTED`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterable

from twilio_chat_api.models import Service

from .._client import ChatClient
from .._errors import AmbiguousCreateError, ApiError, AuthenticationError, TwilioChatError
from ._outcomes import Outcome, ServiceResult

__all__ = ["CredentialGate", "create_all"]


class CredentialGate:
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


async def create_all(
    client: ChatClient,
    names: Iterable[str],
    concurrency: int,
    ambiguous: dict[str, AmbiguousCreateError],
    gate: CredentialGate,
) -> AsyncGenerator[ServiceResult, None]:
    """Create every name with `concurrency` workers; ambiguous names go to `ambiguous` (in
    the order their answers failed), and are not yielded.

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
