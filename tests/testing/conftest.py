"""Fixtures for the emulator tests: an emulator with an API key, and in-process clients."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from twilio_chat.testing import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, ChatEmulator

BASE_URL = "http://emulator.test"
KEY_SID = "SK" + "5" * 32
KEY_SECRET = "an-api-key-secret"


def client_for(emulator: ChatEmulator, **kwargs: Any) -> httpx.AsyncClient:
    """A plain httpx client on the emulator's in-process transport, account credentials."""
    kwargs.setdefault("auth", (TEST_ACCOUNT_SID, TEST_AUTH_TOKEN))
    kwargs.setdefault("base_url", BASE_URL)
    return httpx.AsyncClient(transport=emulator.transport(), **kwargs)


@pytest.fixture
def emulator() -> ChatEmulator:
    return ChatEmulator(api_keys={KEY_SID: KEY_SECRET})


@pytest.fixture
async def client(emulator: ChatEmulator) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(emulator) as client:
        yield client


async def create(client: httpx.AsyncClient, name: str) -> httpx.Response:
    """POST one service."""
    return await client.post("/v2/Services", data={"FriendlyName": name})
