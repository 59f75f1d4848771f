"""Plain respx (its default mocks httpcore) intercepts the client's default transport: a test
written with `respx.mock()`, `@respx.mock` or the `respx_mock` fixture never reaches the network.

The base URL is a loopback port with nothing listening, so a regression fails with a
connection error instead of reaching a real host."""

from __future__ import annotations

import socket

import pytest
import respx

from tests._bodies import service_body
from tests.conftest import TestCredentials
from twilio_chat import AmbiguousCreateError, ChatClient, RetryPolicy

SERVICE = service_body("IS" + "0" * 32, "one")


def _closed_port_url() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


BASE = _closed_port_url()


def _client(creds: TestCredentials) -> ChatClient:
    """A client on the default transport (none injected), retries off."""
    return ChatClient(
        creds.account_sid,
        creds.auth_token,
        base_url=BASE,
        retry=RetryPolicy(max_attempts=1),
    )


async def test_respx_mock_context_intercepts_default_transport(creds: TestCredentials) -> None:
    """`with respx.mock():` routes the default transport's request, auth header included."""
    with respx.mock() as router:
        route = router.post(f"{BASE}/v2/Services").respond(201, json=SERVICE)
        async with _client(creds) as chat:
            service = await chat.create_service("one")
    assert service.sid == SERVICE["sid"]
    assert route.call_count == 1
    assert route.calls.last.request.headers["authorization"].startswith("Basic ")


@respx.mock
async def test_respx_mock_decorator_intercepts_default_transport(creds: TestCredentials) -> None:
    """`@respx.mock` routes the default transport's request."""
    route = respx.post(f"{BASE}/v2/Services").respond(201, json=SERVICE)
    async with _client(creds) as chat:
        service = await chat.create_service("one")
    assert service.sid == SERVICE["sid"]
    assert route.call_count == 1


async def test_respx_mock_fixture_intercepts_default_transport(
    creds: TestCredentials, respx_mock: respx.MockRouter
) -> None:
    """The `respx_mock` fixture routes the default transport's request."""
    route = respx_mock.get(f"{BASE}/v2/Services").respond(
        200, json={"services": [SERVICE], "meta": {"key": "services", "page": 0, "page_size": 100}}
    )
    async with _client(creds) as chat:
        names = [service.friendly_name async for service in chat.list_services()]
    assert names == ["one"]
    assert route.call_count == 1


async def test_respx_unrouted_request_never_reaches_the_network(creds: TestCredentials) -> None:
    """Under respx, a request no route matches is refused by respx, not sent."""
    with respx.mock(assert_all_called=False) as router:
        router.get(f"{BASE}/v2/Other").respond(200)
        async with _client(creds) as chat:
            with pytest.raises(AmbiguousCreateError, match="AllMockedAssertionError"):
                await chat.create_service("one")


async def test_respx_inactive_uses_aiohttp_again(creds: TestCredentials) -> None:
    """Once the mock stops, the same client is back on aiohttp (nothing listens: refused)."""
    with respx.mock() as router:
        router.post(f"{BASE}/v2/Services").respond(201, json=SERVICE)
        chat = _client(creds)
        await chat.create_service("one")
    try:
        with pytest.raises(Exception, match=r"ConnectError|ClientConnectorError"):
            await chat.create_service("two")
    finally:
        await chat.aclose()
