"""The generated ``create_service.asyncio_detailed`` on an AuthenticatedClient per transport."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bench._harness import CreateFn
from bench.contenders import Contender, Opener, Target
from bench.contenders._clients import TRANSPORTS, build_client


def _opener(kind: str) -> Opener:
    @asynccontextmanager
    async def open_generated(target: Target, in_flight: int) -> AsyncIterator[CreateFn]:
        from twilio_chat_api import AuthenticatedClient
        from twilio_chat_api.api.services import create_service
        from twilio_chat_api.models import CreateServiceRequest, Service

        # The token is unused: the httpx client set below carries Basic auth.
        api = AuthenticatedClient(
            base_url=target.base_url, token="unused", raise_on_unexpected_status=True
        )
        api.set_async_httpx_client(build_client(kind, target, in_flight))
        async with api:

            async def create(name: str) -> str:
                response = await create_service.asyncio_detailed(
                    client=api, body=CreateServiceRequest(friendly_name=name)
                )
                service = response.parsed
                if not isinstance(service, Service):
                    raise RuntimeError(f"unexpected status {response.status_code}")
                return str(service.sid)

            yield create

    return open_generated


CONTENDERS = [
    Contender(f"generated-{kind}", f"generated `asyncio_detailed` on {label}", _opener(kind))
    for kind, (label, _) in TRANSPORTS.items()
    if kind != "sharded"
]
