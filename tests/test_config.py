"""Where requests go (base URL, region, edge) and how long they may take (timeouts)."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest

from tests._bodies import service_body
from tests.conftest import TestCredentials
from twilio_chat import ChatClient, ConfigurationError
from twilio_chat._config import (
    DEFAULT_BASE_URL,
    resolve_attempt_timeout,
    resolve_base_url,
    resolve_timeout,
)

pytestmark = pytest.mark.usefixtures("secrets_stay_hidden")

SERVICE = service_body()


async def _first_request(creds: TestCredentials, **kwargs: Any) -> httpx.Request:
    """The request a ChatClient built from `kwargs` sends for one create."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json=SERVICE)

    async with ChatClient(
        creds.account_sid, creds.auth_token, transport=httpx.MockTransport(handler), **kwargs
    ) as chat:
        await chat.create_service("x")
    assert len(seen) == 1
    return seen[0]


# --- Base URL --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        pytest.param({}, "https://ip-messaging.twilio.com", id="default"),
        pytest.param({"region": "ie1"}, "https://ip-messaging.ie1.twilio.com", id="region"),
        pytest.param(
            {"edge": "dublin"}, "https://ip-messaging.dublin.us1.twilio.com", id="edge-means-us1"
        ),
        pytest.param(
            {"region": "ie1", "edge": "dublin"},
            "https://ip-messaging.dublin.ie1.twilio.com",
            id="edge-and-region",
        ),
        pytest.param(
            {"base_url": "http://127.0.0.1:8080"}, "http://127.0.0.1:8080", id="explicit-loopback"
        ),
        pytest.param(
            {"base_url": "http://127.0.0.1:8080", "region": "ie1", "edge": "dublin"},
            "http://127.0.0.1:8080",
            id="explicit-beats-region",
        ),
    ],
)
async def test_config_base_url_from_arguments(
    creds: TestCredentials, kwargs: dict[str, str], expected: str
) -> None:
    """Region and edge go into Twilio's host; an explicit base URL is used exactly as given."""
    request = await _first_request(creds, **kwargs)
    assert str(request.url) == expected + "/v2/Services"
    assert request.method == "POST"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        pytest.param({"TWILIO_REGION": "au1"}, "https://ip-messaging.au1.twilio.com", id="region"),
        pytest.param(
            {"TWILIO_EDGE": "sydney"}, "https://ip-messaging.sydney.us1.twilio.com", id="edge"
        ),
        pytest.param(
            {"TWILIO_REGION": "au1", "TWILIO_EDGE": "sydney"},
            "https://ip-messaging.sydney.au1.twilio.com",
            id="both",
        ),
        pytest.param(
            {"TWILIO_CHAT_BASE_URL": "http://127.0.0.1:8080", "TWILIO_REGION": "ie1"},
            "http://127.0.0.1:8080",
            id="base-url",
        ),
        pytest.param({"TWILIO_REGION": ""}, "https://ip-messaging.twilio.com", id="empty-region"),
    ],
)
async def test_config_base_url_from_environment(
    creds: TestCredentials,
    environ: dict[str, str],
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """TWILIO_REGION, TWILIO_EDGE and TWILIO_CHAT_BASE_URL apply when no argument is given."""
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    request = await _first_request(creds)
    assert str(request.url) == expected + "/v2/Services"


async def test_config_region_argument_beats_environment(
    creds: TestCredentials, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A region argument wins over TWILIO_REGION."""
    monkeypatch.setenv("TWILIO_REGION", "au1")
    request = await _first_request(creds, region="ie1")
    assert request.url.host == "ip-messaging.ie1.twilio.com"


async def test_config_base_url_argument_beats_environment(
    creds: TestCredentials, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A base_url argument wins over TWILIO_CHAT_BASE_URL."""
    monkeypatch.setenv("TWILIO_CHAT_BASE_URL", "http://127.0.0.1:9999")
    request = await _first_request(creds, base_url="http://localhost:8080")
    assert str(request.url) == "http://localhost:8080/v2/Services"


async def test_config_base_url_property(creds: TestCredentials) -> None:
    """`chat.base_url` reports the resolved URL unchanged."""
    async with ChatClient(
        creds.account_sid, creds.auth_token, base_url="http://[::1]:8080"
    ) as chat:
        assert chat.base_url == "http://[::1]:8080"
    assert DEFAULT_BASE_URL == "https://ip-messaging.twilio.com"


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"region": "IE1"}, id="region-uppercase"),
        pytest.param({"region": "ie1.evil.com/"}, id="region-with-dots"),
        pytest.param({"region": "-ie1"}, id="region-leading-dash"),
        pytest.param({"edge": "dub lin"}, id="edge-with-space"),
        pytest.param({"base_url": "ip-messaging.twilio.com"}, id="base-url-no-scheme"),
        pytest.param({"base_url": "ftp://example.com"}, id="base-url-ftp"),
        pytest.param({"base_url": "https://"}, id="base-url-no-host"),
        pytest.param({"base_url": "http://[::1"}, id="base-url-unparseable"),
    ],
)
def test_config_invalid_location_refused(creds: TestCredentials, kwargs: dict[str, str]) -> None:
    """A malformed region, edge or base URL raises ConfigurationError before any request."""
    with pytest.raises(ConfigurationError):
        ChatClient(creds.account_sid, creds.auth_token, **kwargs)


def test_config_invalid_region_from_environment_refused(
    creds: TestCredentials, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TWILIO_REGION is checked like the argument."""
    monkeypatch.setenv("TWILIO_REGION", "not a label")
    with pytest.raises(ConfigurationError, match="region"):
        ChatClient(creds.account_sid, creds.auth_token)


def test_config_base_url_with_credentials_refused(creds: TestCredentials) -> None:
    """A base URL carrying user:password is refused, and the password is not echoed."""
    with pytest.raises(ConfigurationError, match="credentials") as info:
        ChatClient(
            creds.account_sid,
            creds.auth_token,
            base_url=f"https://{creds.account_sid}:{creds.auth_token}@example.com",
        )
    assert creds.auth_token not in str(info.value)


def test_config_resolve_base_url_keeps_path_and_trailing_slash() -> None:
    """An explicit base URL is returned character for character."""
    for url in ("http://127.0.0.1:8080/", "https://proxy.example/twilio", "http://127.0.0.1:8080"):
        assert resolve_base_url(base_url=url, region="ie1", edge=None, environ={}) == url


# --- Timeouts --------------------------------------------------------------------------------


async def test_config_default_timeout_reaches_request(creds: TestCredentials) -> None:
    """By default every request carries connect 5 s, read 30 s, write 10 s, pool 30 s."""
    request = await _first_request(creds)
    assert request.extensions["timeout"] == {
        "connect": 5.0,
        "read": 30.0,
        "write": 10.0,
        "pool": 30.0,
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(7, dict.fromkeys(("connect", "read", "write", "pool"), 7.0), id="int"),
        pytest.param(2.5, dict.fromkeys(("connect", "read", "write", "pool"), 2.5), id="float"),
        pytest.param(
            httpx.Timeout(1.0, connect=0.5),
            {"connect": 0.5, "read": 1.0, "write": 1.0, "pool": 1.0},
            id="httpx-timeout",
        ),
    ],
)
async def test_config_timeout_reaches_request(
    creds: TestCredentials, value: float | httpx.Timeout, expected: dict[str, float]
) -> None:
    """A number sets every phase; an `httpx.Timeout` is used as given."""
    request = await _first_request(creds, timeout=value)
    assert request.extensions["timeout"] == expected


@pytest.mark.parametrize(
    "timeout",
    [
        pytest.param(None, id="none"),
        pytest.param(0, id="zero"),
        pytest.param(-1.0, id="negative"),
        pytest.param(math.inf, id="inf"),
        pytest.param(math.nan, id="nan"),
        pytest.param(True, id="bool"),
        pytest.param("30", id="string"),
        pytest.param(httpx.Timeout(None), id="httpx-unlimited"),
        pytest.param(httpx.Timeout(5.0, read=None), id="httpx-read-none"),
        pytest.param(httpx.Timeout(5.0, pool=None), id="httpx-pool-none"),
        pytest.param(httpx.Timeout(5.0, connect=0.0), id="httpx-connect-zero"),
    ],
)
def test_config_timeout_must_be_finite_and_positive(creds: TestCredentials, timeout: Any) -> None:
    """An unlimited, zero, negative or non-numeric timeout raises ConfigurationError."""
    with pytest.raises(ConfigurationError, match="timeout"):
        ChatClient(creds.account_sid, creds.auth_token, timeout=timeout)


def test_config_resolve_timeout_number_sets_all_phases() -> None:
    """`resolve_timeout(3)` is `httpx.Timeout(3.0)`."""
    assert resolve_timeout(3) == httpx.Timeout(3.0)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(0, id="zero"),
        pytest.param(-5, id="negative"),
        pytest.param(True, id="bool"),
        pytest.param(2.0, id="float"),
    ],
)
def test_config_max_connections_must_be_positive_int(creds: TestCredentials, value: Any) -> None:
    """`max_connections` must be an integer >= 1."""
    with pytest.raises(ConfigurationError, match="max_connections"):
        ChatClient(creds.account_sid, creds.auth_token, max_connections=value)


def test_config_retry_must_be_a_policy(creds: TestCredentials) -> None:
    """`retry=` takes a RetryPolicy, not a number."""
    with pytest.raises(ConfigurationError, match="RetryPolicy"):
        ChatClient(creds.account_sid, creds.auth_token, retry=3)  # type: ignore[arg-type]


# --- Credentials never in clear text -----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://ip-messaging.twilio.com", id="twilio-over-http"),
        pytest.param("http://10.0.0.5:8080", id="private-address"),
        pytest.param("http://localhost.evil.com", id="localhost-lookalike"),
        pytest.param("http://128.0.0.1", id="outside-127-slash-8"),
    ],
)
@pytest.mark.parametrize("transport", [None, "httpx"], ids=["default-transport", "httpx-network"])
def test_config_http_to_remote_host_refused(
    creds: TestCredentials, url: str, transport: str | None
) -> None:
    """Basic auth over plain HTTP to a non-loopback host is refused before any request,
    with the default transport or httpx's own network transport."""
    chosen = httpx.AsyncHTTPTransport() if transport else None
    with pytest.raises(ConfigurationError, match="allow_insecure_http=True"):
        ChatClient(creds.account_sid, creds.auth_token, base_url=url, transport=chosen)


def test_config_http_from_environment_refused(
    creds: TestCredentials, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TWILIO_CHAT_BASE_URL is checked like the argument."""
    monkeypatch.setenv("TWILIO_CHAT_BASE_URL", "http://chat.example.com")
    with pytest.raises(ConfigurationError, match="clear text"):
        ChatClient(creds.account_sid, creds.auth_token)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080",
        "http://127.10.20.30",
        "http://[::1]:8080",
        "http://localhost:8080",
        "http://LOCALHOST",
        "https://chat.example.com",
    ],
)
async def test_config_https_or_loopback_accepted(creds: TestCredentials, url: str) -> None:
    """https:// anywhere, and http:// to loopback (the emulator), need no opt-in."""
    async with ChatClient(creds.account_sid, creds.auth_token, base_url=url) as chat:
        assert chat.base_url == url


async def test_config_insecure_http_opt_in(creds: TestCredentials) -> None:
    """allow_insecure_http=True accepts http:// to any host."""
    async with ChatClient(
        creds.account_sid,
        creds.auth_token,
        base_url="http://chat.internal:8080",
        allow_insecure_http=True,
    ) as chat:
        assert chat.base_url == "http://chat.internal:8080"


async def test_config_in_process_transport_needs_no_opt_in(creds: TestCredentials) -> None:
    """An injected in-process transport sends nothing over a network: http:// hosts pass."""
    request = await _first_request(creds, base_url="http://emulator.test")
    assert request.url.host == "emulator.test"


# --- Attempt timeout and response size ---------------------------------------------------------


@pytest.mark.parametrize("value", [0, -1, math.inf, math.nan, True, "5"])
def test_config_attempt_timeout_must_be_finite_and_positive(
    creds: TestCredentials, value: Any
) -> None:
    """attempt_timeout must be a finite number of seconds > 0."""
    with pytest.raises(ConfigurationError, match="attempt_timeout"):
        ChatClient(creds.account_sid, creds.auth_token, attempt_timeout=value)


@pytest.mark.parametrize("value", [0, -5, 1.5, True, None])
def test_config_max_response_bytes_must_be_positive_int(creds: TestCredentials, value: Any) -> None:
    """max_response_bytes must be an integer >= 1."""
    with pytest.raises(ConfigurationError, match="max_response_bytes"):
        ChatClient(creds.account_sid, creds.auth_token, max_response_bytes=value)


def test_config_attempt_timeout_defaults_to_twice_the_read_timeout() -> None:
    """Without attempt_timeout, one attempt may take two read timeouts in all."""
    assert resolve_attempt_timeout(None, httpx.Timeout(5.0, read=30.0)) == 60.0
    assert resolve_attempt_timeout(None, httpx.Timeout(2.0)) == 4.0
    assert resolve_attempt_timeout(7, httpx.Timeout(2.0)) == 7.0


# --- Friendly names ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["bad\ud800x", "\udfff", "ok\udc80"])
async def test_config_unencodable_name_refused_before_any_request(
    creds: TestCredentials, name: str
) -> None:
    """A name with a lone surrogate cannot be sent as UTF-8: ConfigurationError, no request."""
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(201, json=SERVICE)

    async with ChatClient(
        creds.account_sid, creds.auth_token, transport=httpx.MockTransport(handler)
    ) as chat:
        with pytest.raises(ConfigurationError, match="UTF-8"):
            await chat.create_service(name)
    assert sent == []
